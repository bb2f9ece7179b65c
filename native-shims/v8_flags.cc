// V8 flags set at run time, as node:v8's setFlagsFromString does (src/cli/heap-growth.ts), without
// loading node:v8: its module brings the heap-snapshot code and Node's stream modules with it (~5
// ms of CPU, 22 modules, before a daemon's first advertisement on a 2-core machine; issue 16).
// v8::V8::SetFlagsFromString is V8's own C++ API, not Node-API: it ties this addon to the V8 it
// was built against, as any build of it already is (npm ci builds it for the node that runs it).
#include "shims.h"

#include <v8.h>

namespace {

// setV8Flags(flags): v8::V8::SetFlagsFromString, as node:v8's setFlagsFromString.
Napi::Value SetV8Flags(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "setV8Flags(flags: string)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const std::string flags = info[0].As<Napi::String>().Utf8Value();
  v8::V8::SetFlagsFromString(flags.c_str(), flags.size());
  return env.Undefined();
}

}  // namespace

void RegisterV8Flags(Napi::Env env, Napi::Object exports) {
  exports.Set("setV8Flags", Napi::Function::New(env, SetV8Flags, "setV8Flags"));
}
