// The one addon, vrrpd_shims: each source file registers its functions on the module's exports
// (module.cc calls them all).
#pragma once
#include <napi.h>

#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <string>
#include <unistd.h>
#include <uv.h>

// An Error whose message names the call and strerror(error), with `errno` set to the number.
inline Napi::Error KernelError(const Napi::Env& env, const std::string& what, int error) {
  Napi::Error failure = Napi::Error::New(env, what + ": " + std::strerror(error));
  failure.Set("errno", Napi::Number::New(env, error));
  return failure;
}

// Calls JS from a uv_poll callback. MakeCallback runs queued microtasks afterwards, as for any
// I/O callback; a throwing callback is reported as an uncaught exception, not swallowed.
inline void CallFromLoop(Napi::FunctionReference& callback, Napi::AsyncContext& context, const std::initializer_list<napi_value>& args) {
  Napi::Env env = callback.Env();
  callback.MakeCallback(env.Global(), args, context);
  if (env.IsExceptionPending()) {
    Napi::Error error = env.GetAndClearPendingException();
    napi_fatal_exception(env, error.Value());
  }
}

// A uv_poll handle for `fd` on the environment's loop, `data` its owner (not started). On failure
// nullptr, errno set (EINVAL: no loop; EBADF: libuv refused the descriptor) and `failed` naming
// the call, for the caller's KernelError.
inline uv_poll_t* NewPoll(napi_env env, int fd, void* data, const char*& failed) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    errno = EINVAL;
    failed = "napi_get_uv_event_loop";
    return nullptr;
  }
  auto* poll = new uv_poll_t;
  poll->data = data;
  if (uv_poll_init(loop, poll, fd) != 0) {
    delete poll;
    errno = EBADF;
    failed = "uv_poll_init";
    return nullptr;
  }
  return poll;
}

// Stops and frees a uv_poll handle (freed once libuv has closed it) and closes its descriptor;
// both are reset, so calling it twice is harmless.
inline void ClosePolled(uv_poll_t*& poll, int& fd) {
  if (poll != nullptr) {
    uv_poll_stop(poll);
    uv_close(reinterpret_cast<uv_handle_t*>(poll), [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
    poll = nullptr;
  }
  if (fd >= 0) {
    close(fd);
    fd = -1;
  }
}

// Runs `shutdown` when the environment ends (a worker thread terminating) if the object was not
// closed before: Node closes the thread's loop after the environment's cleanup hooks, and a handle
// still polled then would be stopped later, by the finalizer, on a loop that is gone. Attach() in
// the constructor, Detach() in close() and in the destructor.
class EnvCleanup {
 public:
  using Shutdown = void (*)(void*);
  void Attach(napi_env env, Shutdown shutdown, void* object) {
    env_ = env;
    shutdown_ = shutdown;
    object_ = object;
    if (napi_add_env_cleanup_hook(env, &EnvCleanup::Run, this) == napi_ok) attached_ = true;
  }
  void Detach() {
    if (!attached_) return;
    attached_ = false;
    napi_remove_env_cleanup_hook(env_, &EnvCleanup::Run, this);
  }

 private:
  static void Run(void* arg) {
    auto* self = static_cast<EnvCleanup*>(arg);
    self->attached_ = false;
    self->shutdown_(self->object_);
  }
  napi_env env_ = nullptr;
  Shutdown shutdown_ = nullptr;
  void* object_ = nullptr;
  bool attached_ = false;
};

// packet_socket.cc: sendFrame (AF_PACKET, for gratuitous ARP and unsolicited NA).
void RegisterPacketSocket(Napi::Env env, Napi::Object exports);
// vrrp6_socket.cc: Vrrp6Socket (IPv6 VRRP with the received hop limit).
void InitVrrp6Socket(Napi::Env env, Napi::Object exports);
// unix_datagram.cc: sendUnixDatagram (sd_notify).
void RegisterUnixDatagram(Napi::Env env, Napi::Object exports);
// signal_pipe.cc: signalPipe, realtimeSignalMin (keepalived's SIGRTMIN+2 JSON dump).
void RegisterSignalPipe(Napi::Env env, Napi::Object exports);
// bfd_socket.cc: BfdSocket (UDP with the received TTL / hop limit and destination, for BFD).
void InitBfdSocket(Napi::Env env, Napi::Object exports);
// monotonic_timer.cc: MonotonicTimer (a timerfd on CLOCK_MONOTONIC: the protocol timers' wake-up).
void InitMonotonicTimer(Napi::Env env, Napi::Object exports);
