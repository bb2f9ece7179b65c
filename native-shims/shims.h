// The one addon, vrrpd_shims: each source file registers its functions on the module's exports
// (module.cc calls them all).
#pragma once
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <memory>
#include <netinet/in.h>
#include <sys/socket.h>
#include <string>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>
#include <vector>

// An Error whose message names the call and strerror(error), with `errno` set to the number.
inline Napi::Error KernelError(const Napi::Env& env, const std::string& what, int error) {
  Napi::Error failure = Napi::Error::New(env, what + ": " + std::strerror(error));
  failure.Set("errno", Napi::Number::New(env, error));
  return failure;
}

// A send the kernel could not take now (its buffer full), not one it refuses.
inline bool TransientSendError(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS; }

// The errno's name (ENOENT...), as Node names system errors.
inline std::string ErrnoName(int error) { return uv_err_name(uv_translate_sys_error(error)); }

// A callback's own exception, reported as an uncaught exception (the process's handler, or its
// end), not swallowed.
inline void ReportPendingException(Napi::Env env) {
  if (!env.IsExceptionPending()) return;
  Napi::Error error = env.GetAndClearPendingException();
  napi_fatal_exception(env, error.Value());
}

// Calls JS from a uv_poll callback. MakeCallback runs queued microtasks afterwards, as for any
// I/O callback. napi_make_callback itself, not node-addon-api's MakeCallback: when the process
// ends with an unreferenced poll's descriptor readable (a watched directory changed, a datagram
// came, a script exited), the loop runs once more while Node tears the environment down, when no
// JavaScript may run. node-addon-api turns that refusal into a throw, and a throw there aborts the
// process (SIGABRT: it did for a script still running at exit). Such a call has no one to go to: dropped.
inline void CallFromLoop(Napi::FunctionReference& callback, Napi::AsyncContext& context, const std::initializer_list<napi_value>& args) {
  Napi::Env env = callback.Env();
  napi_value returned = nullptr;
  napi_make_callback(env, context, env.Global(), callback.Value(), args.size(), args.begin(), &returned);
  ReportPendingException(env);
}

// The same for a thread-safe function's call on the loop thread (napi_call_function): refused,
// not thrown, while the environment is torn down.
inline void CallOnLoop(Napi::Env env, const Napi::Function& callback, const std::initializer_list<napi_value>& args) {
  napi_value returned = nullptr;
  napi_call_function(env, env.Global(), callback, args.size(), args.begin(), &returned);
  ReportPendingException(env);
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

// CLOCK_MONOTONIC in milliseconds: the clock the daemon's timers read (src/linux/monotonic.ts).
inline double MonotonicNowMs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) * 1000.0 + static_cast<double>(now.tv_nsec) / 1e6;
}

// A timerfd on CLOCK_MONOTONIC polled on the loop while armed, and only then (like a pending
// setTimeout, it keeps the loop alive while armed), calling `onExpiry(owner, status)` from the
// loop: the protocol timers' wake-up (monotonic_timer.cc) and, with no JavaScript, the IPv4
// socket's held sends and read pause (vrrp4_socket.cc). timerfd_settime also clears an expiry not
// yet read, so onExpiry must arm or disarm it again (the poll is level-triggered). `status` is
// libuv's: negative when the poll failed.
class LoopTimer {
 public:
  using OnExpiry = void (*)(void* owner, int status);
  LoopTimer() = default;
  LoopTimer(const LoopTimer&) = delete;
  LoopTimer& operator=(const LoopTimer&) = delete;
  ~LoopTimer() { Close(); }

  // False, with the JS exception pending, when the kernel or libuv refuse.
  bool Open(const Napi::Env& env, void* owner, OnExpiry onExpiry) {
    if (fd_ >= 0) return true;
    fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd_ < 0) {
      KernelError(env, "timerfd_create", errno).ThrowAsJavaScriptException();
      return false;
    }
    const char* failed = nullptr;
    poll_ = NewPoll(env, fd_, this, failed);
    if (poll_ == nullptr) {
      const int error = errno;
      close(fd_);
      fd_ = -1;
      KernelError(env, failed, error).ThrowAsJavaScriptException();
      return false;
    }
    owner_ = owner;
    onExpiry_ = onExpiry;
    return true;
  }

  bool open() const { return fd_ >= 0; }

  // At `atMs` on CLOCK_MONOTONIC. False, errno set, when timerfd_settime refuses.
  bool ArmAt(double atMs) { return Arm(atMs, TFD_TIMER_ABSTIME); }

  // `delayMs` from now (fractions allowed; 0, less or not finite: at once).
  bool ArmAfter(double delayMs) { return Arm(delayMs, 0); }

  void Disarm() {
    if (fd_ < 0) return;
    const itimerspec never{};
    timerfd_settime(fd_, 0, &never, nullptr);
    if (polling_) uv_poll_stop(poll_);
    polling_ = false;
  }

  void Close() {
    polling_ = false;
    ClosePolled(poll_, fd_);
  }

 private:
  bool Arm(double ms, int flags) {
    if (fd_ < 0) {
      errno = EBADF;
      return false;
    }
    // An all-zero it_value disarms: a time already passed is armed 1 ns ahead (relative) or 1 ns
    // after the clock's zero (absolute) instead.
    const int64_t nanoseconds = std::isfinite(ms) && ms > 0 ? static_cast<int64_t>(ms * 1e6) : 0;
    itimerspec when{};
    when.it_value.tv_sec = static_cast<time_t>(nanoseconds / 1000000000);
    when.it_value.tv_nsec = static_cast<long>(nanoseconds % 1000000000);
    if (nanoseconds == 0) when.it_value.tv_nsec = 1;
    if (timerfd_settime(fd_, flags, &when, nullptr) != 0) return false;
    if (!polling_) uv_poll_start(poll_, UV_READABLE, &LoopTimer::OnEvents);
    polling_ = true;
    return true;
  }

  static void OnEvents(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<LoopTimer*>(handle->data);
    self->onExpiry_(self->owner_, status);
  }

  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;
  bool polling_ = false;
  void* owner_ = nullptr;
  OnExpiry onExpiry_ = nullptr;
};

// One recvmsg(2) into fixed room: the datagram (cut to N bytes: MSG_TRUNC is not asked for), its
// sender, and ancillary room for a packet-info and a TTL / hop-limit message of either family with
// some to spare (a timestamp, 16 bytes of data, fits). What PolledSocket's read loop and the BFD
// pacer's thread share. Not copyable: the message points into the object itself.
template <size_t N>
struct ReceivedDatagram {
  uint8_t payload[N];
  sockaddr_storage from{};
  alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(int)) + 64];
  iovec vector{payload, N};
  msghdr message{};
  // The bytes kept of the last datagram read.
  size_t length = 0;

  ReceivedDatagram() {
    message.msg_name = &from;
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control;
  }
  ReceivedDatagram(const ReceivedDatagram&) = delete;
  ReceivedDatagram& operator=(const ReceivedDatagram&) = delete;

  // Reads the next datagram of `fd` (retried on EINTR); false, with errno, when none was read.
  bool Read(int fd) {
    // The kernel shortens these to what it filled in: give the whole room again each time.
    message.msg_namelen = sizeof(from);
    message.msg_controllen = sizeof(control);
    message.msg_flags = 0;
    ssize_t read;
    do {
      read = recvmsg(fd, &message, 0);
    } while (read < 0 && errno == EINTR);
    if (read < 0) return false;
    length = static_cast<size_t>(read) < N ? static_cast<size_t>(read) : N;
    return true;
  }
};

// signal_resignation.cc: priority-0 advertisements armed for the SIGTERM / SIGINT handler to send.
// ArmResignation: a slot, or -1 when none is free (or the packet is too long). After the handler
// sent them, ResignationSuppresses tells a send not to go (priority above 0, or the same bytes to
// the same place again). WithdrawResignations: a socket closing takes its packets back.
int ArmResignation(int fd, const sockaddr* to, socklen_t length, const uint8_t* payload, size_t size);
bool ResignationSuppresses(int fd, const sockaddr* to, socklen_t length, const uint8_t* payload, size_t size);
void WithdrawResignations(int fd);

// recvmmsg(2) of up to Slots datagrams waiting, each into SlotBytes of room (cut to it, as
// ReceivedDatagram cuts to N) with its sender and the same ancillary room: a socket that gathers a
// wake-up's packets (Vrrp4Socket) reads a burst in one system call instead of one per packet and
// one more to find the queue empty. One per thread (the loop's), shared by its sockets, which read
// one at a time: its room is touched only as far as a burst fills it.
template <size_t Slots, size_t SlotBytes>
struct ReceivedBatch {
  uint8_t payload[Slots][SlotBytes];
  sockaddr_storage from[Slots];
  alignas(cmsghdr) uint8_t control[Slots][CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(int)) + 64];
  iovec vector[Slots];
  mmsghdr messages[Slots];

  ReceivedBatch() {
    for (size_t i = 0; i < Slots; i++) {
      vector[i] = {payload[i], SlotBytes};
      messages[i].msg_hdr = {};
      messages[i].msg_hdr.msg_name = &from[i];
      messages[i].msg_hdr.msg_iov = &vector[i];
      messages[i].msg_hdr.msg_iovlen = 1;
      messages[i].msg_hdr.msg_control = control[i];
    }
  }
  ReceivedBatch(const ReceivedBatch&) = delete;
  ReceivedBatch& operator=(const ReceivedBatch&) = delete;

  // Reads up to `limit` (at most Slots) datagrams without waiting (retried on EINTR): how many, or
  // -1 with errno when none was read (EAGAIN: none waits). A failure after the first datagram
  // ends the batch early; the kernel reports it on the next call.
  int Read(int fd, size_t limit) {
    for (size_t i = 0; i < limit; i++) {
      messages[i].msg_hdr.msg_namelen = sizeof(from[i]);
      messages[i].msg_hdr.msg_controllen = sizeof(control[i]);
      messages[i].msg_hdr.msg_flags = 0;
    }
    int read;
    do {
      read = recvmmsg(fd, messages, static_cast<unsigned>(limit), MSG_DONTWAIT, nullptr);
    } while (read < 0 && errno == EINTR);
    return read;
  }

  // The bytes kept of datagram i.
  size_t Length(size_t i) const { return messages[i].msg_len < SlotBytes ? messages[i].msg_len : SlotBytes; }
};

// The sockets of this thread's loop whose packets its protocol timers order against (VRRP, and BFD
// when read on the loop): a socket whose Derived sets kOrdersTimers is listed while it is polled.
// PacketsWaiting() (monotonic_timer.cc's packetsWaiting) asks whether any holds an unread packet:
// when none does, a Backup's Master_Down_Timer that came due on time may run in the clock's
// wake-up rather than a loop turn later (src/linux/real-clock.ts), since no advertisement that
// arrived before its deadline is left to reset it (RFC 5798 §6.4.2). One list per thread: each
// loop (the main thread, a worker's) asks about its own sockets.
inline std::vector<int>& TimerOrderedSockets() {
  static thread_local std::vector<int> sockets;
  return sockets;
}

inline void UnlistTimerOrdered(int fd) {
  std::vector<int>& sockets = TimerOrderedSockets();
  sockets.erase(std::remove(sockets.begin(), sockets.end(), fd), sockets.end());
}

// A datagram or raw socket polled on the environment's loop that hands every packet it reads, with
// its sender and ancillary data, to a JS callback: what BfdSocket, Vrrp4Socket and Vrrp6Socket
// share (opening with its options, the read loop, sendto, close and the worker-exit clean-up).
// `Derived` gives kMaxPayload (its read buffer) and Received(env, payload, length, from, message),
// which calls Deliver with the callback's arguments, or keeps the packet for its ReadsDone(env). A socket may bound the packets read per
// wake-up (readsPerWakeup_) and send through SendOrQueue, which keeps what the kernel cannot take
// now and sends it, in order, when the socket is writable again.
template <typename Derived>
class PolledSocket : public Napi::ObjectWrap<Derived> {
 public:
  explicit PolledSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Derived>(info) {}
  ~PolledSocket() override {
    cleanup_.Detach();
    Unlist();
    ClosePolled(poll_, fd_);
  }

 protected:
  struct Option {
    int level, name;
    const void* value;
    socklen_t length;
    const char* what;
  };

  // socket(2); false with the JS exception pending when the kernel refuses.
  bool Open(const Napi::Env& env, int domain, int type, int protocol, const char* what) {
    fd_ = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd_ < 0) {
      KernelError(env, what, errno).ThrowAsJavaScriptException();
      return false;
    }
    return true;
  }

  // setsockopt(2) of each option in order; on the first refusal the socket is closed and the
  // exception names that option.
  bool Configure(const Napi::Env& env, const Option* first, const Option* last) {
    for (const Option* option = first; option != last; option++) {
      if (setsockopt(fd_, option->level, option->name, option->value, option->length) < 0) {
        Abandon(env, std::string("setsockopt(") + option->what + ")");
        return false;
      }
    }
    return true;
  }

  bool Bind(const Napi::Env& env, const sockaddr* local, socklen_t length) {
    if (bind(fd_, local, length) < 0) {
      Abandon(env, "bind");
      return false;
    }
    return true;
  }

  // Closes the socket and throws `what` with the errno of the call that just failed.
  void Abandon(const Napi::Env& env, const std::string& what) {
    const int error = errno;
    close(fd_);
    fd_ = -1;
    KernelError(env, what, error).ThrowAsJavaScriptException();
  }

  // Starts reading. The object stays alive while polling, even with no JS reference (close() lets
  // go), and closes itself when a worker thread's environment ends.
  void StartPolling(const Napi::Env& env, const Napi::Function& callback, const char* name) {
    const char* failed = nullptr;
    poll_ = NewPoll(env, fd_, this, failed);
    if (poll_ == nullptr) {
      Abandon(env, failed);
      return;
    }
    callback_ = Napi::Persistent(callback);
    context_ = std::make_unique<Napi::AsyncContext>(env, name);
    Poll();
    this->Ref();
    polling_ = true;
    if constexpr (Derived::kOrdersTimers) {
      TimerOrderedSockets().push_back(fd_);
      listed_ = true;
    }
    cleanup_.Attach(env, [](void* self) { static_cast<PolledSocket*>(self)->Shutdown(); }, this);
  }

  void Deliver(const std::initializer_list<napi_value>& args) { CallFromLoop(callback_, *context_, args); }

  // sendto(2): the bytes sent, or undefined with the exception pending.
  Napi::Value SendTo(const Napi::Env& env, const Napi::Buffer<uint8_t>& payload, const sockaddr* to, socklen_t length) {
    if (fd_ < 0) {
      Napi::Error::New(env, "send: the socket is closed").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const ssize_t sent = sendto(fd_, payload.Data(), payload.Length(), 0, to, length);
    if (sent < 0) {
      KernelError(env, "sendto", errno).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    return Napi::Number::New(env, static_cast<double>(sent));
  }

  // sendto(2) at once, unless the kernel's buffer is full (EAGAIN, ENOBUFS) or earlier packets
  // still wait: then the packet waits behind them (at most kMaxQueued) and leaves, in order, when
  // the socket is writable. The bytes sent, 0 when queued, or undefined with the exception pending.
  Napi::Value SendOrQueue(const Napi::Env& env, const Napi::Buffer<uint8_t>& payload, const sockaddr* to, socklen_t length) {
    if (fd_ < 0) {
      Napi::Error::New(env, "send: the socket is closed").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (queue_.empty()) {
      ssize_t sent;
      do {
        sent = sendto(fd_, payload.Data(), payload.Length(), 0, to, length);
      } while (sent < 0 && errno == EINTR);
      if (sent >= 0) return Napi::Number::New(env, static_cast<double>(sent));
      if (!TransientSendError(errno)) {
        KernelError(env, "sendto", errno).ThrowAsJavaScriptException();
        return env.Undefined();
      }
    }
    if (queue_.size() >= kMaxQueued) {
      KernelError(env, "sendto (queue full)", ENOBUFS).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Pending pending{std::vector<uint8_t>(payload.Data(), payload.Data() + payload.Length()), {}, length};
    std::memcpy(&pending.to, to, length);
    queue_.push_back(std::move(pending));
    if (queue_.size() == 1) Poll();
    return Napi::Number::New(env, 0);
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (fd_ >= 0) {
      queue_.clear();
      cleanup_.Detach();
      Shutdown();
      if (polling_) this->Unref();
      polling_ = false;
    }
    return info.Env().Undefined();
  }

  // After each wake-up's reads: a socket that gathers its packets (Vrrp4Socket) delivers them here
  // in one call; the others deliver each from Received and keep this.
  void ReadsDone(const Napi::Env& /*env*/) {}

  // Datagrams read per recvmmsg(2) (ReceivedBatch), each cut to kMaxPayload; 0: one recvmsg(2) each.
  static constexpr size_t kBatchSlots = 0;

  // Whether the loop's protocol timers order against this socket's packets (TimerOrderedSockets).
  static constexpr bool kOrdersTimers = false;

  // Stops reading (true) until resumed: the packets wait in the kernel's queue, stamped with their
  // receipt (vrrp4_socket.cc's read pause). Sends waiting for room are still polled for.
  void PauseReads(bool paused) {
    readsPaused_ = paused;
    if (fd_ >= 0 && poll_ != nullptr) Poll();
  }

  int fd_ = -1;
  // Packets read per readable event at most (0: until the kernel has none). The poll is
  // level-triggered, so what is left is read in the next turn of the loop, after its timers.
  size_t readsPerWakeup_ = 0;

 private:
  // Sends waiting for room in the kernel's buffer beyond this many are refused (ENOBUFS).
  static constexpr size_t kMaxQueued = 4096;
  struct Pending {
    std::vector<uint8_t> payload;
    sockaddr_storage to;
    socklen_t length;
  };


  // Readable always; writable too while sends wait.
  void Poll() {
    const int events = (readsPaused_ ? 0 : UV_READABLE) | (queue_.empty() ? 0 : UV_WRITABLE);
    if (events == 0) uv_poll_stop(poll_);
    else uv_poll_start(poll_, events, &PolledSocket::OnEvents);
  }

  static void OnEvents(uv_poll_t* handle, int status, int events) {
    auto* self = static_cast<PolledSocket*>(handle->data);
    if (status == 0 && (events & UV_WRITABLE)) self->Flush();
    if (status < 0 || (events & UV_READABLE)) self->Drain(status);
  }

  // The socket is writable again: send what waited, in order, until the kernel is full again. A
  // packet the kernel refuses for good is dropped and reported through the callback.
  void Flush() {
    while (!queue_.empty() && fd_ >= 0) {
      Pending& next = queue_.front();
      const ssize_t sent = sendto(fd_, next.payload.data(), next.payload.size(), 0, reinterpret_cast<sockaddr*>(&next.to), next.length);
      if (sent < 0) {
        if (errno == EINTR) continue;
        if (TransientSendError(errno)) return;
        const int error = errno;
        queue_.pop_front();
        Napi::Env env = callback_.Env();
        Napi::HandleScope scope(env);
        Deliver({KernelError(env, "sendto", error).Value()});
        continue;
      }
      queue_.pop_front();
    }
    if (fd_ >= 0 && poll_ != nullptr) Poll();
  }

  void Drain(int status) {
    Napi::Env env = callback_.Env();
    Napi::HandleScope scope(env);
    if (status < 0) {
      // libuv reports POLLERR as UV_EBADF and stops the handle. A pending socket error (netlink's
      // ENOBUFS: the kernel dropped messages the loop had no time to read; an ICMP error on UDP)
      // does not end the socket: take it (SO_ERROR clears it), report it, and poll again.
      int pending = 0;
      socklen_t length = sizeof(pending);
      if (fd_ >= 0 && getsockopt(fd_, SOL_SOCKET, SO_ERROR, &pending, &length) == 0 && pending != 0) {
        Deliver({KernelError(env, "recvmsg", pending).Value()});
        if (fd_ >= 0 && poll_ != nullptr) Poll();
        return;
      }
      Deliver({Napi::Error::New(env, std::string("poll: ") + uv_strerror(status)).Value()});
      return;
    }
    // Several packets may be waiting; read until the kernel has none (the socket is non-blocking),
    // or up to the bound. A socket that gathers what it read (ReadsDone) hands it over before a
    // read error, so the callback sees them in the kernel's order.
    int error = 0;
    if constexpr (Derived::kBatchSlots > 0) {
      // Batches of kBatchSlots until one comes back short (the queue is empty) or the bound.
      static thread_local ReceivedBatch<Derived::kBatchSlots, Derived::kMaxPayload> batch;
      for (size_t reads = 0; fd_ >= 0 && (readsPerWakeup_ == 0 || reads < readsPerWakeup_);) {
        const size_t room = readsPerWakeup_ == 0 ? Derived::kBatchSlots : std::min(Derived::kBatchSlots, readsPerWakeup_ - reads);
        const int read = batch.Read(fd_, room);
        if (read < 0) {
          if (errno != EAGAIN && errno != EWOULDBLOCK) error = errno;
          break;
        }
        for (int i = 0; i < read; i++) static_cast<Derived*>(this)->Received(env, batch.payload[i], batch.Length(i), batch.from[i], batch.messages[i].msg_hdr);
        reads += static_cast<size_t>(read);
        if (static_cast<size_t>(read) < room) break;
      }
    } else {
      ReceivedDatagram<Derived::kMaxPayload> datagram;
      for (size_t reads = 0; fd_ >= 0 && (readsPerWakeup_ == 0 || reads < readsPerWakeup_); reads++) {
        if (!datagram.Read(fd_)) {
          if (errno != EAGAIN && errno != EWOULDBLOCK) error = errno;
          break;
        }
        static_cast<Derived*>(this)->Received(env, datagram.payload, datagram.length, datagram.from, datagram.message);
      }
    }
    static_cast<Derived*>(this)->ReadsDone(env);
    if (error != 0 && fd_ >= 0) Deliver({KernelError(env, "recvmsg", error).Value()});
  }

  void Shutdown() {
    WithdrawResignations(fd_);
    Unlist();
    ClosePolled(poll_, fd_);
  }

  // Off the list before the descriptor closes: its number may be reused at once.
  void Unlist() {
    if (!listed_) return;
    listed_ = false;
    UnlistTimerOrdered(fd_);
  }

  EnvCleanup cleanup_;
  bool listed_ = false;
  bool readsPaused_ = false;
  std::deque<Pending> queue_;
  bool polling_ = false;
  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
};

// packet_socket.cc: sendFrame (AF_PACKET, for gratuitous ARP and unsolicited NA).
void RegisterPacketSocket(Napi::Env env, Napi::Object exports);
// vrrp4_socket.cc: Vrrp4Socket (IPv4 VRRP: every waiting packet read per readable event, up to a bound, handed over in one call).
void InitVrrp4Socket(Napi::Env env, Napi::Object exports);
// vrrp6_socket.cc: Vrrp6Socket (IPv6 VRRP with the received hop limit).
void InitVrrp6Socket(Napi::Env env, Napi::Object exports);
// unix_datagram.cc: sendUnixDatagram (sd_notify).
void RegisterUnixDatagram(Napi::Env env, Napi::Object exports);
// signal_pipe.cc: signalPipe, realtimeSignalMin (keepalived's SIGRTMIN+2 JSON dump).
void RegisterSignalPipe(Napi::Env env, Napi::Object exports);
// bfd_socket.cc: BfdSocket (UDP with the received TTL / hop limit and destination, for BFD).
void InitBfdSocket(Napi::Env env, Napi::Object exports);
// bfd_pacer.cc: BfdPacer (BFD's periodic transmission, receive fast path and Detection Time on a thread of its own).
void InitBfdPacer(Napi::Env env, Napi::Object exports);
// monotonic_timer.cc: MonotonicTimer (a timerfd on CLOCK_MONOTONIC: the protocol timers' wake-up).
void InitMonotonicTimer(Napi::Env env, Napi::Object exports);
// directory_watch.cc: DirectoryWatch (inotify for track_file, with keepalived's events).
void InitDirectoryWatch(Napi::Env env, Napi::Object exports);
// tls_stream.cc: TlsStream (SSL_GET's unverified TLS connection on the loop, without node:tls).
void InitTlsStream(Napi::Env env, Napi::Object exports);
// netlink_watch.cc: NetlinkWatchSocket (route netlink notifications that survive ENOBUFS).
void InitNetlinkWatchSocket(Napi::Env env, Napi::Object exports);
// netlink_request.cc: NetlinkRequestSocket (a route netlink request and its acknowledgement in one call).
void InitNetlinkRequestSocket(Napi::Env env, Napi::Object exports);
// signal_resignation.cc: resignOnSignals, resignationsSent, withdrawResignation.
void RegisterSignalResignation(Napi::Env env, Napi::Object exports);
// thread_priority.cc: setThreadNice (the calling thread's nice value; the BFD worker's).
void RegisterThreadPriority(Napi::Env env, Napi::Object exports);
// malloc_trim.cc: setMallocTrimThreshold (glibc's M_TRIM_THRESHOLD, for every thread's arena).
void RegisterMallocTrim(Napi::Env env, Napi::Object exports);
void RegisterV8Flags(Napi::Env env, Napi::Object exports);
void RegisterMemoryPressure(Napi::Env env, Napi::Object exports);
void RegisterBundleSource(Napi::Env env, Napi::Object exports);
// script_spawn.cc: spawnSupported, spawnScript (scripts started with clone(CLONE_VM | CLONE_VFORK), not fork).
void RegisterScriptSpawn(Napi::Env env, Napi::Object exports);
