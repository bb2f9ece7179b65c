// BFD's periodic transmission and Detection Time on a native thread of their own, so that neither
// waits for a JavaScript event loop (bench/bfd.ts: under load the BFD worker's loop sent 50 ms
// packets up to 160 ms apart, its timer callbacks held off the CPU for tens of milliseconds).
// A pacer and a watchdog, not a protocol engine: the session core (src/bfd/session.ts) decides
// everything and hands down what to do - the bytes of its periodic packet, the interval, the
// Detection Time - and the thread
//   - sends each session's prepared packet every interval less RFC 5880 §6.8.7's jitter (75-100 %
//     of it, 75-90 % when bfd.DetectMult is 1);
//   - reads the BFD receive sockets; a packet identical to the last one the core saw for its
//     session (state, flags, discriminators, intervals, multiplier: every byte), with neither Poll
//     nor Final set, only restarts that session's Detection Time (§6.8.4, from the packet's
//     arrival as the kernel stamped it): the core would change nothing for it. Anything else goes
//     to JavaScript with its TTL and addresses;
//   - tells JavaScript when a Detection Time passes without such a packet.
// new BfdPacer({nice?: number}, onEvent(kind, ...)):
//   onEvent('datagram', listener, payload, source, sourcePort, destination|undefined, ttl, session)
//     (session: the local discriminator the thread matched it to, 0 if none)
//   onEvent('expired', session, generation)
//   session(id, fd, destination: Buffer(4|16), port, peer: Buffer, multihop, minimumTtl)
//   packet(id, bytes: Buffer)      the periodic packet from now on
//   pace(id, intervalUs, narrow, restart)  0 stops; restart (or stopped before): the next packet
//                                  one jittered interval from now, else the next keeps its time
//   detect(id, timeUs, generation) (re)starts the Detection Time; 0 stops
//   settled(id, count)             the core has handled `count` datagrams of this session
//   counters(id) -> [sent, sendErrors, lastErrno, fastReceived]
//   remove(id), listen(id, fd, family, multihop), unlisten(id), priority() -> [nice, errno], close()
#include "shims.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <ctime>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <poll.h>
#include <pthread.h>
#include <random>
#include <sys/eventfd.h>
#include <sched.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

// §4.1: the mandatory section of a Control packet; longer ones (authentication) go to JavaScript.
constexpr size_t kControlLength = 24;
constexpr size_t kMaxDatagram = 2048;
// Datagrams waiting for JavaScript at most: a flood beyond it is dropped here (and counted).
constexpr size_t kMaxQueued = 1024;

int64_t NowNs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

int64_t RealNowNs() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

// When a datagram reached the socket, on CLOCK_MONOTONIC: the kernel's SO_TIMESTAMPNS stamp
// (CLOCK_REALTIME) moved back by its age. The thread reads a packet late when it waits for a core;
// §6.8.4's Detection Time runs from the packet's receipt, so that wait must not lengthen it (it
// did: the Master's priority 0 left that much later). No stamp, or a clock stepped meanwhile (an
// age below zero or beyond a second): the time of reading.
int64_t ArrivalNs(const timespec* stamp, int64_t now) {
  if (stamp == nullptr) return now;
  const int64_t age = RealNowNs() - (static_cast<int64_t>(stamp->tv_sec) * 1000000000 + stamp->tv_nsec);
  return age >= 0 && age < 1000000000 ? now - age : now;
}

struct Session {
  int fd = -1;
  sockaddr_storage to{};
  socklen_t toLength = 0;
  int family = AF_INET;
  uint8_t peer[16]{};
  bool multihop = false;
  int minimumTtl = 0;
  // Periodic transmission (§6.8.7).
  uint8_t packet[kControlLength]{};
  size_t packetLength = 0;
  int64_t intervalNs = 0;  // 0: no periodic transmission
  bool narrow = false;     // bfd.DetectMult 1: 75-90 %
  int64_t nextNs = 0;
  // The Detection Time (§6.8.4).
  int64_t detectNs = 0;    // 0: not running
  int64_t deadlineNs = 0;
  uint32_t generation = 0;
  // The last packet the core was given for this session, and how many it has handled.
  uint8_t last[kControlLength]{};
  bool haveLast = false;
  uint32_t forwarded = 0;
  uint32_t settled = 0;
  // Counters.
  double sent = 0, sendErrors = 0, fastReceived = 0;
  int lastErrno = 0;
};

struct Listener {
  int fd = -1;
  int family = AF_INET;
  bool multihop = false;
};

struct Event {
  bool expired = false;
  uint32_t session = 0;
  uint32_t generation = 0;
  uint32_t listener = 0;
  std::vector<uint8_t> payload;
  uint8_t source[16]{};
  uint16_t sourcePort = 0;
  uint8_t destination[16]{};
  bool haveDestination = false;
  int ttl = -1;
  int family = AF_INET;
  // The pacer's count of events waiting for JavaScript (shared: the pacer may be gone first).
  std::shared_ptr<std::atomic<size_t>> queued;
};

class BfdPacer : public Napi::ObjectWrap<BfdPacer> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "BfdPacer",
                       {InstanceMethod("session", &BfdPacer::SetSession), InstanceMethod("packet", &BfdPacer::SetPacket),
                        InstanceMethod("pace", &BfdPacer::Pace), InstanceMethod("detect", &BfdPacer::Detect),
                        InstanceMethod("settled", &BfdPacer::Settled), InstanceMethod("counters", &BfdPacer::Counters),
                        InstanceMethod("remove", &BfdPacer::Remove), InstanceMethod("listen", &BfdPacer::Listen),
                        InstanceMethod("unlisten", &BfdPacer::Unlisten), InstanceMethod("priority", &BfdPacer::Priority),
                        InstanceMethod("dropped", &BfdPacer::Dropped), InstanceMethod("close", &BfdPacer::Close)});
  }

  explicit BfdPacer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BfdPacer>(info) {
    Napi::Env env = info.Env();
    if (info.Length() != 2 || !info[0].IsObject() || !info[1].IsFunction()) {
      Napi::TypeError::New(env, "new BfdPacer(options: {nice?: number}, onEvent: function)").ThrowAsJavaScriptException();
      return;
    }
    Napi::Value nice = info[0].As<Napi::Object>().Get("nice");
    Napi::Value realtime = info[0].As<Napi::Object>().Get("rtPriority");
    if (!nice.IsUndefined() && !nice.IsNumber()) {
      Napi::TypeError::New(env, "options.nice must be a number").ThrowAsJavaScriptException();
      return;
    }
    if (!realtime.IsUndefined() && (!realtime.IsNumber() || realtime.As<Napi::Number>().Int32Value() < 1 || realtime.As<Napi::Number>().Int32Value() > 99)) {
      Napi::RangeError::New(env, "options.rtPriority must be 1..99").ThrowAsJavaScriptException();
      return;
    }
    rtPriority_ = realtime.IsNumber() ? realtime.As<Napi::Number>().Int32Value() : 0;
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed)) seed = static_cast<uint64_t>(NowNs());
    random_.seed(seed);
    timer_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    wake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (timer_ < 0 || wake_ < 0) {
      const int error = errno;
      CloseFds();
      KernelError(env, timer_ < 0 ? "timerfd_create" : "eventfd", error).ThrowAsJavaScriptException();
      return;
    }
    events_ = Napi::ThreadSafeFunction::New(env, info[1].As<Napi::Function>(), "BfdPacer", 0, 1);
    // The thread must not keep the loop alive by itself; the daemon's other handles do.
    events_.Unref(env);
    wantNice_ = nice.IsNumber() ? nice.As<Napi::Number>().Int32Value() : 0;
    setNice_ = nice.IsNumber();
    std::unique_lock<std::mutex> lock(mutex_);
    thread_ = std::thread([this] { Run(); });
    started_.wait(lock, [this] { return running_; });
    cleanup_.Attach(env, [](void* self) { static_cast<BfdPacer*>(self)->Shutdown(); }, this);
  }

  ~BfdPacer() override {
    cleanup_.Detach();
    Shutdown();
  }

 private:
  // ---- the thread ----

  void Run() {
    // Named for ps -L, top -H and the tests: /proc/PID/task/TID/comm.
    pthread_setname_np(pthread_self(), "bfd-pacer");
    {
      std::lock_guard<std::mutex> lock(mutex_);
      // The thread's own nice value (Linux keeps one per thread): keepalived's bfd_priority.
      if (setNice_ && setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), wantNice_) < 0) niceErrno_ = errno;
      // keepalived's bfd_rt_priority: SCHED_RR. A nice value only orders threads within their
      // autogroup / cgroup; a realtime thread runs before every normal one on its CPU.
      if (rtPriority_ > 0) {
        sched_param param{};
        param.sched_priority = rtPriority_;
        rtErrno_ = pthread_setschedparam(pthread_self(), SCHED_RR, &param);
      }
      running_ = true;
    }
    started_.notify_all();
    std::vector<pollfd> fds;
    std::vector<std::pair<uint32_t, Listener>> polled;
    std::vector<Event> events;
    for (;;) {
      // The time every deadline is checked against is read before the sockets are drained: a
      // packet that reached a socket by then is read, and restarts its session's Detection Time
      // from its arrival, before Due() can find that Detection Time passed. Every listener is
      // drained, not only those poll() reported: the thread may have waited for a core after its
      // poll() returned, and a packet that arrived meanwhile is no less in time. (Arrival stamps
      // with only the reported sockets drained: a stalled thread expired sessions whose packets
      // sat unread in time, bench/RESULTS.md's tenth sitting.)
      const int64_t now = NowNs();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_) break;
        for (int fd : closing_) close(fd);
        closing_.clear();
        polled.clear();
        for (const auto& entry : listeners_) polled.push_back(entry);
      }
      for (const auto& listener : polled) Drain(listener.second, listener.first, events);
      int64_t wake = 0;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        wake = Due(now, events);
      }
      Post(events);
      itimerspec when{};
      if (wake > 0) {
        when.it_value.tv_sec = wake / 1000000000;
        when.it_value.tv_nsec = wake % 1000000000;
      }
      timerfd_settime(timer_, TFD_TIMER_ABSTIME, &when, nullptr);
      fds.assign({{timer_, POLLIN, 0}, {wake_, POLLIN, 0}});
      for (const auto& listener : polled) fds.push_back({listener.second.fd, POLLIN, 0});
      if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
      uint64_t drain;
      if (fds[0].revents) (void)!read(timer_, &drain, sizeof(drain));
      if (fds[1].revents) (void)!read(wake_, &drain, sizeof(drain));
      // The listeners are read at the top of the loop, just before the deadlines are checked.
    }
  }

  // §6.8.7: the interval less a random 0-25 % (with bfd.DetectMult 1, 10-25 %).
  int64_t Jittered(const Session& session) {
    std::uniform_real_distribution<double> fraction(0.75, session.narrow ? 0.90 : 1.0);
    return static_cast<int64_t>(static_cast<double>(session.intervalNs) * fraction(random_));
  }

  // Sends what is due and finds Detection Times that passed (mutex held); the next wake-up, 0: none.
  int64_t Due(int64_t now, std::vector<Event>& events) {
    int64_t wake = 0;
    for (auto& entry : sessions_) {
      Session& session = entry.second;
      if (session.intervalNs > 0 && session.packetLength > 0 && session.nextNs <= now) {
        const ssize_t sent = sendto(session.fd, session.packet, session.packetLength, 0, reinterpret_cast<sockaddr*>(&session.to), session.toLength);
        if (sent < 0) {
          session.sendErrors++;
          session.lastErrno = errno;
        } else {
          session.sent++;
        }
        // From the time it was due, so a late wake-up does not stretch every later interval; a
        // wake-up later than a whole interval starts afresh.
        session.nextNs += Jittered(session);
        if (session.nextNs <= now) session.nextNs = now + Jittered(session);
      }
      if (session.detectNs > 0 && session.deadlineNs > 0 && session.deadlineNs <= now) {
        session.deadlineNs = 0;
        Event event;
        event.expired = true;
        event.session = entry.first;
        event.generation = session.generation;
        events.push_back(std::move(event));
      }
      if (session.intervalNs > 0 && session.packetLength > 0 && (wake == 0 || session.nextNs < wake)) wake = session.nextNs;
      if (session.detectNs > 0 && session.deadlineNs > 0 && (wake == 0 || session.deadlineNs < wake)) wake = session.deadlineNs;
    }
    return wake;
  }

  // Reads every datagram waiting on a listener.
  void Drain(const Listener& listener, uint32_t listenerId, std::vector<Event>& events) {
    ReceivedDatagram<kMaxDatagram> datagram;
    for (;;) {
      // EAGAIN, or an error JavaScript cannot act on (the socket stays open).
      if (!datagram.Read(listener.fd)) return;
      const uint8_t* payload = datagram.payload;
      const size_t kept = datagram.length;
      const sockaddr_storage& from = datagram.from;
      msghdr& message = datagram.message;
      Event event;
      event.listener = listenerId;
      event.family = listener.family;
      timespec stamp{};
      bool stamped = false;
      for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
        if ((header->cmsg_level == IPPROTO_IP && header->cmsg_type == IP_TTL) || (header->cmsg_level == IPPROTO_IPV6 && header->cmsg_type == IPV6_HOPLIMIT)) {
          std::memcpy(&event.ttl, CMSG_DATA(header), sizeof(event.ttl));
        }
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_TIMESTAMPNS) {
          std::memcpy(&stamp, CMSG_DATA(header), sizeof(stamp));
          stamped = true;
        }
        if (header->cmsg_level == IPPROTO_IP && header->cmsg_type == IP_PKTINFO) {
          std::memcpy(event.destination, &reinterpret_cast<const in_pktinfo*>(CMSG_DATA(header))->ipi_addr, 4);
          event.haveDestination = true;
        }
        if (header->cmsg_level == IPPROTO_IPV6 && header->cmsg_type == IPV6_PKTINFO) {
          std::memcpy(event.destination, &reinterpret_cast<const in6_pktinfo*>(CMSG_DATA(header))->ipi6_addr, 16);
          event.haveDestination = true;
        }
      }
      const size_t addressLength = listener.family == AF_INET6 ? 16 : 4;
      if (from.ss_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&from);
        std::memcpy(event.source, &sin6->sin6_addr, 16);
        event.sourcePort = ntohs(sin6->sin6_port);
      } else {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(&from);
        std::memcpy(event.source, &sin->sin_addr, 4);
        event.sourcePort = ntohs(sin->sin_port);
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        Session* session = Match(payload, kept, event, listener, addressLength);
        if (session != nullptr) {
          const bool same = session->haveLast && kept == kControlLength && std::memcmp(session->last, payload, kControlLength) == 0;
          if (same && session->forwarded == session->settled && session->detectNs > 0 && session->deadlineNs > 0) {
            // The core would change nothing: only the Detection Time restarts (§6.8.4), from the
            // packet's arrival.
            session->deadlineNs = ArrivalNs(stamped ? &stamp : nullptr, NowNs()) + session->detectNs;
            session->fastReceived++;
            continue;
          }
        }
        // A flood JavaScript cannot keep up with is dropped here rather than queued without end.
        if (events.size() + queued_->load() >= kMaxQueued) {
          dropped_++;
          continue;
        }
        if (session != nullptr) {
          std::memcpy(session->last, payload, kControlLength);
          session->haveLast = true;
          session->forwarded++;
          event.session = Your(payload);
        }
      }
      event.payload.assign(payload, payload + kept);
      events.push_back(std::move(event));
    }
  }

  static uint32_t Your(const uint8_t* payload) {
    return (static_cast<uint32_t>(payload[8]) << 24) | (static_cast<uint32_t>(payload[9]) << 16) | (static_cast<uint32_t>(payload[10]) << 8) | payload[11];
  }

  // The session a datagram may take the fast path for, or nullptr (mutex held): a plain Control
  // packet (version 1, no authentication, neither Poll nor Final) naming one of ours in Your
  // Discriminator, from its peer, on its port, with the TTL it requires (RFC 5881 §5, RFC 5883).
  Session* Match(const uint8_t* payload, size_t length, const Event& event, const Listener& listener, size_t addressLength) {
    if (length < kControlLength || (payload[0] >> 5) != 1) return nullptr;
    const uint8_t flags = payload[1] & 0x3f;
    // P (0x20), F (0x10) and A (0x04) need the core: a Poll wants a Final, a Final ends a Poll Sequence.
    if (flags & (0x20 | 0x10 | 0x04)) return nullptr;
    const uint32_t your = Your(payload);
    if (your == 0) return nullptr;
    auto found = sessions_.find(your);
    if (found == sessions_.end()) return nullptr;
    Session& session = found->second;
    if (session.family != listener.family || session.multihop != listener.multihop || std::memcmp(session.peer, event.source, addressLength) != 0) return nullptr;
    if (event.ttl < session.minimumTtl) return nullptr;
    return &session;
  }

  void Post(std::vector<Event>& events) {
    for (Event& event : events) {
      auto* owned = new Event(std::move(event));
      owned->queued = queued_;
      (*queued_)++;
      if (events_.NonBlockingCall(owned, &BfdPacer::Deliver) != napi_ok) {
        (*queued_)--;
        delete owned;
      }
    }
    events.clear();
  }

  // On the JavaScript thread.
  static void Deliver(Napi::Env env, Napi::Function callback, Event* event) {
    std::unique_ptr<Event> owned(event);
    (*event->queued)--;
    if (env == nullptr) return;
    Napi::HandleScope scope(env);
    if (event->expired) {
      CallOnLoop(env, callback, {Napi::String::New(env, "expired"), Napi::Number::New(env, event->session), Napi::Number::New(env, event->generation)});
    } else {
      const size_t length = event->family == AF_INET6 ? 16 : 4;
      CallOnLoop(env, callback, {Napi::String::New(env, "datagram"), Napi::Number::New(env, event->listener),
                     Napi::Buffer<uint8_t>::Copy(env, event->payload.data(), event->payload.size()), Napi::Buffer<uint8_t>::Copy(env, event->source, length),
                     Napi::Number::New(env, event->sourcePort),
                     event->haveDestination ? Napi::Buffer<uint8_t>::Copy(env, event->destination, length).As<Napi::Value>() : env.Undefined(),
                     Napi::Number::New(env, event->ttl), Napi::Number::New(env, event->session)});
    }
  }

  void Wake() {
    const uint64_t one = 1;
    (void)!write(wake_, &one, sizeof(one));
  }

  // ---- JavaScript's calls ----

  bool Check(const Napi::CallbackInfo& info, size_t count, const char* usage) {
    bool ok = info.Length() == count && !closed_;
    for (size_t i = 0; ok && i < count; i++) ok = !info[i].IsUndefined();
    if (!ok) Napi::TypeError::New(info.Env(), closed_ ? "the BfdPacer is closed" : usage).ThrowAsJavaScriptException();
    return ok;
  }

  static uint32_t Id(const Napi::Value& value) { return value.As<Napi::Number>().Uint32Value(); }

  // The session named `id`, or nullptr (mutex held; nothing of N-API here: a JavaScript call must
  // not keep the thread waiting on the mutex while V8 allocates).
  Session* Lookup(uint32_t id) {
    auto found = sessions_.find(id);
    return found == sessions_.end() ? nullptr : &found->second;
  }

  static Napi::Value NoSuchSession(const Napi::Env& env) {
    Napi::RangeError::New(env, "no such session").ThrowAsJavaScriptException();
    return env.Undefined();
  }

  // session(id, fd, destination, port, peer, multihop, minimumTtl): the fd is duplicated, so the
  // caller's socket may close whenever it likes.
  Napi::Value SetSession(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Check(info, 7, "session(id, fd, destination: Buffer, port, peer: Buffer, multihop, minimumTtl)")) return env.Undefined();
    if (!info[2].IsBuffer() || !info[4].IsBuffer()) {
      Napi::TypeError::New(env, "destination and peer must be Buffers").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    auto destination = info[2].As<Napi::Buffer<uint8_t>>();
    auto peer = info[4].As<Napi::Buffer<uint8_t>>();
    if ((destination.Length() != 4 && destination.Length() != 16) || peer.Length() != destination.Length()) {
      Napi::TypeError::New(env, "destination and peer: 4 or 16 bytes").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const int fd = fcntl(info[1].As<Napi::Number>().Int32Value(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
      KernelError(env, "fcntl(F_DUPFD_CLOEXEC)", errno).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const uint32_t id = Id(info[0]);
    const uint16_t port = static_cast<uint16_t>(info[3].As<Napi::Number>().Uint32Value());
    const bool multihop = info[5].ToBoolean().Value();
    const int minimumTtl = info[6].As<Napi::Number>().Int32Value();
    std::lock_guard<std::mutex> lock(mutex_);
    Session& session = sessions_[id];
    if (session.fd >= 0) close(session.fd);
    session.fd = fd;
    session.family = destination.Length() == 16 ? AF_INET6 : AF_INET;
    session.to = {};
    if (session.family == AF_INET6) {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(&session.to);
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons(port);
      std::memcpy(&sin6->sin6_addr, destination.Data(), 16);
      session.toLength = sizeof(sockaddr_in6);
    } else {
      auto* sin = reinterpret_cast<sockaddr_in*>(&session.to);
      sin->sin_family = AF_INET;
      sin->sin_port = htons(port);
      std::memcpy(&sin->sin_addr, destination.Data(), 4);
      session.toLength = sizeof(sockaddr_in);
    }
    std::memcpy(session.peer, peer.Data(), peer.Length());
    session.multihop = multihop;
    session.minimumTtl = minimumTtl;
    return env.Undefined();
  }

  Napi::Value SetPacket(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Check(info, 2, "packet(id, bytes: Buffer)")) return env.Undefined();
    if (!info[1].IsBuffer() || info[1].As<Napi::Buffer<uint8_t>>().Length() != kControlLength) {
      Napi::TypeError::New(env, "bytes: a 24-byte Control packet").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    uint8_t bytes[kControlLength];
    std::memcpy(bytes, info[1].As<Napi::Buffer<uint8_t>>().Data(), kControlLength);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      Session* session = Lookup(Id(info[0]));
      if (session != nullptr) {
        std::memcpy(session->packet, bytes, kControlLength);
        session->packetLength = kControlLength;
        return env.Undefined();
      }
    }
    return NoSuchSession(env);
  }

  Napi::Value Pace(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Check(info, 4, "pace(id, intervalUs, narrow, restart)")) return env.Undefined();
    const uint32_t id = Id(info[0]);
    const int64_t intervalNs = static_cast<int64_t>(info[1].As<Napi::Number>().DoubleValue() * 1000);
    const bool narrow = info[2].ToBoolean().Value();
    const bool restart = info[3].ToBoolean().Value();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      Session* session = Lookup(id);
      if (session == nullptr) return NoSuchSession(env);
      const bool wasRunning = session->intervalNs > 0;
      session->intervalNs = intervalNs;
      session->narrow = narrow;
      if (session->intervalNs > 0 && (restart || !wasRunning)) session->nextNs = NowNs() + Jittered(*session);
    }
    Wake();
    return env.Undefined();
  }

  Napi::Value Detect(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Check(info, 3, "detect(id, timeUs, generation)")) return env.Undefined();
    const uint32_t id = Id(info[0]);
    const int64_t detectNs = static_cast<int64_t>(info[1].As<Napi::Number>().DoubleValue() * 1000);
    const uint32_t generation = info[2].As<Napi::Number>().Uint32Value();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      Session* session = Lookup(id);
      if (session == nullptr) return NoSuchSession(env);
      session->detectNs = detectNs;
      session->deadlineNs = detectNs > 0 ? NowNs() + detectNs : 0;
      session->generation = generation;
    }
    Wake();
    return env.Undefined();
  }

  Napi::Value Settled(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Check(info, 2, "settled(id, count)")) return env.Undefined();
    const uint32_t id = Id(info[0]);
    const uint32_t count = info[1].As<Napi::Number>().Uint32Value();
    std::lock_guard<std::mutex> lock(mutex_);
    Session* session = Lookup(id);
    if (session != nullptr) session->settled = count;
    return env.Undefined();
  }

  Napi::Value Counters(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Check(info, 1, "counters(id)")) return env.Undefined();
    double values[4];
    {
      std::lock_guard<std::mutex> lock(mutex_);
      Session* session = Lookup(Id(info[0]));
      if (session == nullptr) return NoSuchSession(env);
      values[0] = session->sent;
      values[1] = session->sendErrors;
      values[2] = session->lastErrno;
      values[3] = session->fastReceived;
    }
    Napi::Array counters = Napi::Array::New(env, 4);
    for (uint32_t i = 0; i < 4; i++) counters.Set(i, values[i]);
    return counters;
  }

  Napi::Value Remove(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Check(info, 1, "remove(id)")) return env.Undefined();
    const uint32_t id = Id(info[0]);
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = sessions_.find(id);
    if (found == sessions_.end()) return env.Undefined();
    // Sends happen under the mutex: the descriptor can close now.
    close(found->second.fd);
    sessions_.erase(found);
    return env.Undefined();
  }

  // listen(id, fd, family: 4|6, multihop): the thread reads this socket from now on (a duplicate
  // of it); JavaScript must not poll it as well.
  Napi::Value Listen(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Check(info, 4, "listen(id, fd, family, multihop)")) return env.Undefined();
    const int fd = fcntl(info[1].As<Napi::Number>().Int32Value(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
      KernelError(env, "fcntl(F_DUPFD_CLOEXEC)", errno).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    // Each datagram's arrival time (the Detection Time runs from it; see ArrivalNs). The option is
    // the socket's, so the original descriptor has it too: only this thread reads it.
    const int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) < 0) {
      const int error = errno;
      close(fd);
      KernelError(env, "setsockopt(SO_TIMESTAMPNS)", error).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const uint32_t id = Id(info[0]);
    const int family = info[2].As<Napi::Number>().Int32Value() == 6 ? AF_INET6 : AF_INET;
    const bool multihop = info[3].ToBoolean().Value();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      Listener& listener = listeners_[id];
      if (listener.fd >= 0) closing_.push_back(listener.fd);
      listener.fd = fd;
      listener.family = family;
      listener.multihop = multihop;
    }
    Wake();
    return env.Undefined();
  }

  Napi::Value Unlisten(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Check(info, 1, "unlisten(id)")) return env.Undefined();
    const uint32_t id = Id(info[0]);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto found = listeners_.find(id);
      if (found == listeners_.end()) return env.Undefined();
      // The thread may be polling it: it closes it itself, at its next turn.
      closing_.push_back(found->second.fd);
      listeners_.erase(found);
    }
    Wake();
    return env.Undefined();
  }

  // [nice asked for, errno of setpriority (0: applied), SCHED_RR priority asked for (0: none), its errno]
  Napi::Value Priority(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Array result = Napi::Array::New(env, 4);
    result.Set(0u, wantNice_);
    result.Set(1u, niceErrno_);
    result.Set(2u, rtPriority_);
    result.Set(3u, rtErrno_);
    return result;
  }

  Napi::Value Dropped(const Napi::CallbackInfo& info) {
    uint64_t dropped;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      dropped = dropped_;
    }
    return Napi::Number::New(info.Env(), static_cast<double>(dropped));
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    cleanup_.Detach();
    Shutdown();
    return info.Env().Undefined();
  }

  void CloseFds() {
    if (timer_ >= 0) close(timer_);
    if (wake_ >= 0) close(wake_);
    timer_ = wake_ = -1;
  }

  // Stops and joins the thread, closes every descriptor; twice is harmless.
  void Shutdown() {
    if (closed_) return;
    closed_ = true;
    if (thread_.joinable()) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
      }
      Wake();
      thread_.join();
    }
    for (auto& entry : sessions_) close(entry.second.fd);
    sessions_.clear();
    for (auto& entry : listeners_) close(entry.second.fd);
    listeners_.clear();
    for (int fd : closing_) close(fd);
    closing_.clear();
    CloseFds();
    if (events_) events_.Release();
  }

  std::mutex mutex_;
  std::condition_variable started_;
  bool running_ = false;
  bool stopping_ = false;
  bool closed_ = false;
  std::thread thread_;
  int timer_ = -1, wake_ = -1;
  std::unordered_map<uint32_t, Session> sessions_;
  std::unordered_map<uint32_t, Listener> listeners_;
  std::vector<int> closing_;
  std::mt19937_64 random_;
  Napi::ThreadSafeFunction events_;
  std::shared_ptr<std::atomic<size_t>> queued_ = std::make_shared<std::atomic<size_t>>(0);
  uint64_t dropped_ = 0;
  int wantNice_ = 0;
  bool setNice_ = false;
  int niceErrno_ = 0;
  int rtPriority_ = 0;
  int rtErrno_ = 0;
  EnvCleanup cleanup_;
};

}  // namespace

void InitBfdPacer(Napi::Env env, Napi::Object exports) { exports.Set("BfdPacer", BfdPacer::Define(env)); }
