// Node configures its event loop with UV_METRICS_IDLE_TIME (for performance.eventLoopUtilization),
// and with it libuv polls twice at every turn that waits: epoll_pwait with a zero timeout first,
// then, when nothing is ready, again with the real one, so that it can time the idle part. A
// 1000-instance daemon waits a few hundred times a second (a Master's timerfd wake-ups, a
// Backup's socket wake-ups): one system call in two of its epoll_pwait calls returned nothing
// (perf stat: 2892 epoll_pwait against 1410 timerfd_settime in 10 s; keepalived polls once per
// wake-up; issue 16). The daemon does not read the loop's idle time, so it turns the metric off.
//
// libuv (1.39 and later) has no call to undo uv_loop_configure(UV_METRICS_IDLE_TIME): the flag is
// the first member of its private per-loop fields (uv__loop_internal_fields_t in
// src/uv-common.h, loop->internal_fields), set there as (flags |= UV_METRICS_IDLE_TIME). Cleared
// only on libuv 1.x from 1.39 and when that bit is found set; otherwise nothing changes.
//
// stopLoopIdleTime(): whether the metric was on and is now off.
#include "shims.h"

#include <uv.h>

namespace {

Napi::Value StopLoopIdleTime(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const unsigned int version = uv_version();
  const unsigned int major = version >> 16, minor = (version >> 8) & 0xff;
  uv_loop_t* loop = nullptr;
  if (major != 1 || minor < 39 || napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr || loop->internal_fields == nullptr) {
    return Napi::Boolean::New(env, false);
  }
  unsigned int* flags = static_cast<unsigned int*>(loop->internal_fields);
  static_assert(UV_METRICS_IDLE_TIME == 1, "libuv's flag value is the option's");
  if ((*flags & UV_METRICS_IDLE_TIME) == 0) return Napi::Boolean::New(env, false);
  *flags &= ~static_cast<unsigned int>(UV_METRICS_IDLE_TIME);
  return Napi::Boolean::New(env, true);
}

}  // namespace

void RegisterLoopIdleTime(Napi::Env env, Napi::Object exports) {
  exports.Set("stopLoopIdleTime", Napi::Function::New(env, StopLoopIdleTime, "stopLoopIdleTime"));
}
