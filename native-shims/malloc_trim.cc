// glibc malloc's trim threshold, which Node cannot set for its own process (MALLOC_TRIM_THRESHOLD_
// is read from the environment before main, too late for bin/vrrpd to set it).
// Each thread that mallocs gets an arena of its own: V8's four platform workers (concurrent marking,
// sweeping, compilation) left 1.5-2.7 MB of free memory each at the top of theirs in a daemon of
// 1,000 instances, 130 KB of the 8.4 MB in use (malloc_stats). glibc gives such a top back only
// when it exceeds the trim threshold, which starts at 128 KiB but rises to twice the size of any
// freed mmapped chunk (its dynamic threshold), and malloc_trim(3) does not trim the top of a
// thread's arena. Setting the threshold fixes it at that value for every arena (and the mmap
// threshold where it is), so each arena's top is given back as it frees.
#include "shims.h"

#include <malloc.h>

namespace {

// setMallocTrimThreshold(bytes): mallopt(M_TRIM_THRESHOLD); throws when glibc refuses it.
Napi::Value SetMallocTrimThreshold(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "setMallocTrimThreshold(bytes: number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int64_t bytes = info[0].As<Napi::Number>().Int64Value();
  if (bytes < 0 || bytes > (int64_t{1} << 30)) {
    Napi::RangeError::New(env, "bytes must be 0..2^30").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (mallopt(M_TRIM_THRESHOLD, static_cast<int>(bytes)) != 1) {
    Napi::Error::New(env, "mallopt(M_TRIM_THRESHOLD) failed").ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

}  // namespace

void RegisterMallocTrim(Napi::Env env, Napi::Object exports) {
  exports.Set("setMallocTrimThreshold", Napi::Function::New(env, SetMallocTrimThreshold, "setMallocTrimThreshold"));
}
