// The protocol timers' wake-up. Node's timers count whole milliseconds from a loop time read
// once per turn, so a 12.19 ms Skew_Time fired early 1392 times in 2000, by up to 1.08 ms. A
// timerfd on CLOCK_MONOTONIC (the clock performance.now() reads) wakes the loop to within a
// fraction of a millisecond and never early; JS keeps the timers and arms this for the earliest.
//
// new MonotonicTimer(onExpiry)
// arm(delayMs: number)   wake once, delayMs from now (fractions allowed; 0 or less: at once)
// disarm()
// onExpiry must arm or disarm it again before returning.
// close()
#include <napi.h>
#include <uv.h>

#include "shims.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <sys/timerfd.h>
#include <unistd.h>

namespace {

class MonotonicTimer : public Napi::ObjectWrap<MonotonicTimer> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "MonotonicTimer",
                       {InstanceMethod("arm", &MonotonicTimer::Arm), InstanceMethod("disarm", &MonotonicTimer::Disarm),
                        InstanceMethod("close", &MonotonicTimer::Close)});
  }

  explicit MonotonicTimer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MonotonicTimer>(info) {
    Napi::Env env = info.Env();
    if (info.Length() != 1 || !info[0].IsFunction()) {
      Napi::TypeError::New(env, "new MonotonicTimer(onExpiry: function)").ThrowAsJavaScriptException();
      return;
    }
    fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd_ < 0) {
      KernelError(env, "timerfd_create", errno).ThrowAsJavaScriptException();
      return;
    }
    const char* failed = nullptr;
    poll_ = NewPoll(env, fd_, this, failed);
    if (poll_ == nullptr) {
      Abandon(env, failed, errno);
      return;
    }
    onExpiry_ = Napi::Persistent(info[0].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "MonotonicTimer");
    Ref();  // alive until close(), even with no JS reference.
    // In a worker thread (the BFD sessions' clock) the timer outlives nothing: it closes with the thread.
    cleanup_.Attach(env, [](void* self) { static_cast<MonotonicTimer*>(self)->Shutdown(); }, this);
  }

  ~MonotonicTimer() override {
    cleanup_.Detach();
    Shutdown();
  }

 private:
  void Abandon(const Napi::Env& env, const std::string& what, int error) {
    close(fd_);
    fd_ = -1;
    KernelError(env, what, error).ThrowAsJavaScriptException();
  }

  // Polled while armed: like a pending setTimeout it keeps the process alive, and only then.
  // timerfd_settime also clears a pending expiry, so a wake-up needs no read(2) when the callback
  // arms again or disarms, which it must: the poll is level-triggered.
  Napi::Value Arm(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() != 1 || !info[0].IsNumber()) {
      Napi::TypeError::New(env, "arm(delayMs: number)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (fd_ < 0) {
      Napi::Error::New(env, "arm: the timer is closed").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const double delayMs = info[0].As<Napi::Number>().DoubleValue();
    // An all-zero it_value disarms: a deadline already passed is armed 1 ns ahead instead.
    const int64_t nanoseconds = std::isfinite(delayMs) && delayMs > 0 ? static_cast<int64_t>(delayMs * 1e6) : 0;
    itimerspec spec{};
    spec.it_value.tv_sec = nanoseconds / 1000000000;
    spec.it_value.tv_nsec = nanoseconds % 1000000000;
    if (nanoseconds == 0) spec.it_value.tv_nsec = 1;
    if (timerfd_settime(fd_, 0, &spec, nullptr) != 0) {
      KernelError(env, "timerfd_settime", errno).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (!polling_) {
      uv_poll_start(poll_, UV_READABLE, &MonotonicTimer::OnReadable);
      polling_ = true;
    }
    return env.Undefined();
  }

  Napi::Value Disarm(const Napi::CallbackInfo& info) {
    if (fd_ >= 0) {
      const itimerspec off{};
      timerfd_settime(fd_, 0, &off, nullptr);
      uv_poll_stop(poll_);
      polling_ = false;
    }
    return info.Env().Undefined();
  }

  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
    static_cast<MonotonicTimer*>(handle->data)->Expire(status);
  }

  void Expire(int status) {
    if (fd_ < 0) return;
    Napi::Env env = onExpiry_.Env();
    Napi::HandleScope scope(env);
    if (status < 0) {
      uv_poll_stop(poll_);
      polling_ = false;
      napi_fatal_exception(env, Napi::Error::New(env, std::string("poll: ") + uv_strerror(status)).Value());
      return;
    }
    CallFromLoop(onExpiry_, *context_, {});
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (fd_ >= 0) {
      cleanup_.Detach();
      Shutdown();
      Unref();
    }
    return info.Env().Undefined();
  }

  void Shutdown() {
    polling_ = false;
    ClosePolled(poll_, fd_);
  }

  EnvCleanup cleanup_;
  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;
  bool polling_ = false;
  Napi::FunctionReference onExpiry_;
  std::unique_ptr<Napi::AsyncContext> context_;
};

}  // namespace

void InitMonotonicTimer(Napi::Env env, Napi::Object exports) {
  exports.Set("MonotonicTimer", MonotonicTimer::Define(env));
}
