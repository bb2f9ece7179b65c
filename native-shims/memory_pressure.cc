// V8's moderate memory pressure notification, which Node has no API for. A daemon that went
// through a burst (a start, a reload, a takeover and give-back of 1,000 instances) is left with its
// old generation full of the burst's garbage: V8 collects it at its allocation limit, which a
// quiet daemon may not reach for hours, and its memory reducer starts only after a collection that
// freed much. Moderate pressure starts an incremental mark-compact that shrinks the heap (marking
// concurrent with JavaScript, a pause of a few ms to finish: not the atomic collection of gc() or
// of critical pressure). V8's C++ API, not N-API: the addon is built against the node that runs it.
#include "shims.h"

#include <v8.h>

#include <cstring>

namespace {

// notifyMemoryPressure(): Isolate::MemoryPressureNotification(kModerate) on the calling isolate.
Napi::Value NotifyMemoryPressure(const Napi::CallbackInfo& info) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate != nullptr) isolate->MemoryPressureNotification(v8::MemoryPressureLevel::kModerate);
  return info.Env().Undefined();
}

// oldSpaceUsedBytes(): what V8's old space holds now, as node:v8's getHeapSpaceStatistics() says
// it, without loading node:v8 (and the stream modules behind it) into a daemon that has no other use
// for it: its first check came 15 s after start, amid start-up's last work (heap-settle.ts).
Napi::Value OldSpaceUsedBytes(const Napi::CallbackInfo& info) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  double used = 0;
  for (size_t i = 0; isolate != nullptr && i < isolate->NumberOfHeapSpaces(); i++) {
    v8::HeapSpaceStatistics space;
    if (isolate->GetHeapSpaceStatistics(&space, i) && std::strcmp(space.space_name(), "old_space") == 0) used = static_cast<double>(space.space_used_size());
  }
  return Napi::Number::New(info.Env(), used);
}

}  // namespace

void RegisterMemoryPressure(Napi::Env env, Napi::Object exports) {
  exports.Set("notifyMemoryPressure", Napi::Function::New(env, NotifyMemoryPressure, "notifyMemoryPressure"));
  exports.Set("oldSpaceUsedBytes", Napi::Function::New(env, OldSpaceUsedBytes, "oldSpaceUsedBytes"));
}
