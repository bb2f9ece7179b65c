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
//
// packetsWaiting(): whether any socket of this thread's loop that its protocol timers order
// against (shims.h, TimerOrderedSockets: VRRP, BFD read on the loop) holds an unread packet, or
// might (poll(2) failed). One poll(2) of them all, waiting for nothing: it reports a socket's
// queue without taking from it, nor a pending error (a peek would clear that). What the kernel
// has not yet queued on a socket (a packet still in the stack's softirq) it does not see.
#include <napi.h>
#include <uv.h>

#include "shims.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <poll.h>
#include <string>
#include <vector>

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
    if (!timer_.Open(env, this, [](void* self, int status) { static_cast<MonotonicTimer*>(self)->Expire(status); })) return;
    onExpiry_ = Napi::Persistent(info[0].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "MonotonicTimer");
    Ref();  // alive until close(), even with no JS reference.
    // In a worker thread (the BFD sessions' clock) the timer outlives nothing: it closes with the thread.
    cleanup_.Attach(env, [](void* self) { static_cast<MonotonicTimer*>(self)->timer_.Close(); }, this);
  }

  ~MonotonicTimer() override {
    cleanup_.Detach();
    timer_.Close();
  }

 private:
  // Polled while armed: like a pending setTimeout it keeps the process alive, and only then
  // (LoopTimer). The callback must arm or disarm it again: the poll is level-triggered.
  Napi::Value Arm(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() != 1 || !info[0].IsNumber()) {
      Napi::TypeError::New(env, "arm(delayMs: number)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (!timer_.open()) {
      Napi::Error::New(env, "arm: the timer is closed").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (!timer_.ArmAfter(info[0].As<Napi::Number>().DoubleValue())) KernelError(env, "timerfd_settime", errno).ThrowAsJavaScriptException();
    return env.Undefined();
  }

  Napi::Value Disarm(const Napi::CallbackInfo& info) {
    timer_.Disarm();
    return info.Env().Undefined();
  }

  void Expire(int status) {
    if (!timer_.open()) return;
    Napi::Env env = onExpiry_.Env();
    Napi::HandleScope scope(env);
    if (status < 0) {
      timer_.Disarm();
      napi_fatal_exception(env, Napi::Error::New(env, std::string("poll: ") + uv_strerror(status)).Value());
      return;
    }
    CallFromLoop(onExpiry_, *context_, {});
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (timer_.open()) {
      cleanup_.Detach();
      timer_.Close();
      Unref();
    }
    return info.Env().Undefined();
  }

  EnvCleanup cleanup_;
  LoopTimer timer_;
  Napi::FunctionReference onExpiry_;
  std::unique_ptr<Napi::AsyncContext> context_;
};

Napi::Value PacketsWaiting(const Napi::CallbackInfo& info) {
  const std::vector<int>& sockets = TimerOrderedSockets();
  static thread_local std::vector<pollfd> polled;
  polled.resize(sockets.size());
  for (size_t i = 0; i < sockets.size(); i++) polled[i] = {sockets[i], POLLIN, 0};
  int ready;
  do {
    ready = poll(polled.data(), polled.size(), 0);
  } while (ready < 0 && errno == EINTR);
  return Napi::Boolean::New(info.Env(), ready != 0);
}

}  // namespace

void InitMonotonicTimer(Napi::Env env, Napi::Object exports) {
  exports.Set("MonotonicTimer", MonotonicTimer::Define(env));
  exports.Set("packetsWaiting", Napi::Function::New(env, PacketsWaiting, "packetsWaiting"));
}
