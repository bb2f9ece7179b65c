// The calling thread's scheduling priority: Linux keeps a nice value per thread (setpriority with
// the thread's id, not the process's), which Node cannot set. The BFD worker thread raises its own,
// as keepalived's bfd_priority does for its BFD process, so that its transmit and detection timers
// get a core before the main thread's 1000 instances or a notify burst (bench/bfd.ts).
#include "shims.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

// setThreadNice(nice: -20..19): throws the kernel's error (EACCES/EPERM without CAP_SYS_NICE).
Napi::Value SetThreadNice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "setThreadNice(nice: number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int64_t nice = info[0].As<Napi::Number>().Int64Value();
  if (nice < -20 || nice > 19) {
    Napi::RangeError::New(env, "nice must be -20..19").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const auto thread = static_cast<id_t>(syscall(SYS_gettid));
  if (setpriority(PRIO_PROCESS, thread, static_cast<int>(nice)) < 0) {
    KernelError(env, "setpriority", errno).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return env.Undefined();
}

}  // namespace

void RegisterThreadPriority(Napi::Env env, Napi::Object exports) { exports.Set("setThreadNice", Napi::Function::New(env, SetThreadNice, "setThreadNice")); }
