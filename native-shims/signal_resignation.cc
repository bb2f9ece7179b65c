// A Master's priority-0 advertisements sent from the SIGTERM / SIGINT handler itself (issue 16).
// RFC 5798 §6.4.3: a Master that shuts down sends an advertisement with priority 0, so that a
// Backup takes over after Skew_Time instead of Master_Down_Interval. In Node a signal reaches
// JavaScript through libuv's pipe and a turn of the event loop: 1.2 ms after the signal on a quiet
// machine against keepalived's 0.5, and as late as the loop is busy (1000 instances, a reload).
// So each Master's priority-0 advertisement is prepared while it is Master (armed, one per
// destination: its bytes, its socket and where to), and the signal handler sends every armed
// packet before it hands the signal on to libuv, which wakes JavaScript for the rest of the stop.
//
// After the handler has sent them, the VRRP sockets send nothing that would undo them: no
// advertisement of a priority above 0 (an Adver_Timer that runs before JavaScript hears of the
// signal would make the Backups wait Master_Down_Interval again), and no second copy of a
// priority-0 advertisement the handler sent (a second one restarts the Backups' Skew_Time).
//
// Two senders race for the armed packets, the first to set `fired` sends them all: the handler on
// the thread that armed them (JavaScript's; a signal delivered to another thread is sent on to it
// with pthread_kill), and a watcher thread woken by the kernel as the signal is generated (Watch
// below says why). The handler interrupts an arming or a withdrawal only between the atomic slot
// updates; the watcher sets `fired` before it reads a slot, and a withdrawal that finds `fired` set
// after taking a slot waits for the sender (`done`) and puts the packet back instead of freeing it,
// so a packet is freed only when no sender can be reading it.
//
//   resignOnSignals(signals: number[], watch = true, handle = true): installs the handler (after JavaScript's own
//     listeners, whose libuv handler it calls next; libuv putting its own back later replaces it),
//     and starts the watcher (once) unless `watch` is false.
//   resignationTrace(signo?): what the first signal met (when the handler and the watcher ran, who
//     sent, how many were armed), and whether signo's handler is this one now.
//   resignationsSent(): the packets the handler sent (0 until a signal came).
//   Vrrp4Socket / Vrrp6Socket armResignation(payload, destination[, scopeId]): a slot number, or
//     -1 when all are taken (then JavaScript's own priority-0 advertisement is the only one).
//   withdrawResignation(slot): a Master that is no longer one; closing a socket withdraws its own.
#include "shims.h"

#include <atomic>
#include <memory>
#include <csignal>
#include <cstring>
#include <ctime>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/signalfd.h>
#include <thread>
#include <unistd.h>
#include <string>
#include <vector>

namespace {

/** A Master of 1000 instances with a few unicast peers each, in both versions (v2 interop). */
constexpr int kSlots = 16384;
/** A VRRP message fits an IPv6 minimum MTU's worth (RFC 5798 §5.2.5: 255 addresses would not). */
constexpr size_t kMaxPayload = 1280;
/** Octet 2 of a VRRP v2 and v3 message alike (RFC 3768 §5.1, RFC 5798 §5.2). */
constexpr size_t kPriorityOffset = 2;

struct Armed {
  int fd;
  sockaddr_storage to;
  socklen_t toLength;
  size_t size;
  std::unique_ptr<uint8_t[]> payload;
  /** Set by whoever sent the armed packets once sendto took it; read only after `done`. */
  bool sent;
};

std::atomic<Armed*> slots[kSlots];
/** One past the highest slot ever used: how far the handler looks. */
std::atomic<int> slotsInUse{0};
std::vector<int> freeSlots;
/** Set by whoever sends the armed packets (the handler or the watcher), before it reads a slot. */
std::atomic<bool> fired{false};
/** Set once that sender is through: the slots' `sent` and the counts are final. */
std::atomic<bool> done{false};
std::atomic<int> sentCount{0};
pthread_t armingThread;
/** The watcher's signalfd (-1: no watcher). */
int watchFd = -1;
/** The watcher thread's scheduling: "fifo" when it got SCHED_FIFO, "other" when refused. */
std::atomic<bool> watcherRealtime{false};
std::atomic<bool> watcherStarted{false};

// What the first signal met, for the stop's log line (resignationTrace): when the handler first
// ran (any thread), whether that thread had to send it on, when the arming thread ran it, how many
// packets were armed then, and when sendto returned for the last. CLOCK_REALTIME, so that a bench
// can set it against its own kill instant and the capture's timestamps (async-signal-safe).
std::atomic<int64_t> firstEntryNs{0};
std::atomic<bool> firstEntryForwarded{false};
std::atomic<int64_t> sendingNs{0};
std::atomic<int64_t> sentNs{0};
std::atomic<int> armedAtSignal{0};
std::atomic<int64_t> watcherWokeNs{0};
/** Who sent: 1 the handler, 2 the watcher. */
std::atomic<int> sentBy{0};

int64_t RealtimeNs() {
  timespec now {};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}
struct sigaction previous[_NSIG];

bool SameDestination(const Armed& armed, int fd, const sockaddr* to, socklen_t length) {
  return armed.fd == fd && armed.toLength == length && std::memcmp(&armed.to, to, length) == 0;
}

void SendArmed() {
  int sent = 0;
  int armedCount = 0;
  const int count = slotsInUse.load();
  for (int i = 0; i < count; i++) {
    Armed* armed = slots[i].load();
    if (armed == nullptr) continue;
    armedCount++;
    ssize_t result;
    do {
      result = sendto(armed->fd, armed->payload.get(), armed->size, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&armed->to), armed->toLength);
    } while (result < 0 && errno == EINTR);
    armed->sent = result >= 0;
    if (armed->sent) sent++;
  }
  sentNs.store(RealtimeNs());
  armedAtSignal.store(armedCount);
  sentCount.store(sent);
  done.store(true);
}

// Another thread is sending the armed packets (fired, not done): a few sendto calls.
void AwaitSent() {
  while (!done.load()) sched_yield();
}

// What libuv (or whoever was there) would have done with the signal.
void HandOn(int signo, siginfo_t* info, void* context) {
  const struct sigaction& before = previous[signo];
  if (before.sa_flags & SA_SIGINFO) {
    if (before.sa_sigaction != nullptr) before.sa_sigaction(signo, info, context);
    return;
  }
  if (before.sa_handler == SIG_IGN) return;
  if (before.sa_handler == SIG_DFL) {
    // The default action (the process ends), as if this handler had never been there.
    signal(signo, SIG_DFL);
    raise(signo);
    return;
  }
  before.sa_handler(signo);
}

void OnSignal(int signo, siginfo_t* info, void* context) {
  const int saved = errno;
  const bool forwarded = !pthread_equal(pthread_self(), armingThread);
  int64_t expected = 0;
  if (firstEntryNs.load() == 0 && firstEntryNs.compare_exchange_strong(expected, RealtimeNs())) firstEntryForwarded.store(forwarded);
  if (forwarded) {
    // Only the arming thread may read the slots while they change: it gets the signal instead.
    pthread_kill(armingThread, signo);
    errno = saved;
    return;
  }
  if (!fired.exchange(true)) {
    sendingNs.store(RealtimeNs());
    sentBy.store(1);
    SendArmed();
  }
  HandOn(signo, info, context);
  errno = saved;
}

// The watcher: a thread asleep in poll(2) on a signalfd for the signals, which the kernel wakes
// when one is generated for the process, before it picks the thread to deliver it to (signalfd_notify
// in __send_signal_locked). It reads nothing: the signal stays pending for the handler, and Node.
// A thread that only ever wakes for this gets a core at once, where the loop's thread, woken by the
// same signal, waited 0.8-7 ms behind other work on a loaded 2-core machine in a third of the
// hand-overs (bench/RESULTS.md, fourteenth sitting: perf's sched_switch showed it runnable behind the
// bench's node, an esbuild, another daemon). keepalived's parent and VRRP child are such sleepers.
// SCHED_FIFO where allowed (CAP_SYS_NICE, as keepalived's vrrp_rt_priority), so that it preempts
// whatever runs; it runs for a few sendto calls once, then ends.
void Watch() {
  pthread_setname_np(pthread_self(), "vrrp-resign");
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  sched_param param {};
  param.sched_priority = 1;
  watcherRealtime.store(pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0);
  pollfd watched {watchFd, POLLIN, 0};
  for (;;) {
    const int ready = poll(&watched, 1, -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return;
    if (watched.revents & POLLIN) break;
  }
  watcherWokeNs.store(RealtimeNs());
  if (!fired.exchange(true)) {
    sendingNs.store(RealtimeNs());
    sentBy.store(2);
    SendArmed();
  }
}

bool StartWatcher(const std::vector<int>& numbers) {
  if (watcherStarted.load()) return true;
  sigset_t mask;
  sigemptyset(&mask);
  for (const int signo : numbers) sigaddset(&mask, signo);
  watchFd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (watchFd < 0) return false;
  std::thread(Watch).detach();
  watcherStarted.store(true);
  return true;
}

Napi::Value ResignOnSignals(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) {
    Napi::TypeError::New(env, "resignOnSignals(signals: number[], watch?: boolean, handle?: boolean)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array signals = info[0].As<Napi::Array>();
  std::vector<int> numbers;
  for (uint32_t i = 0; i < signals.Length(); i++) {
    Napi::Value value = signals.Get(i);
    const int signo = value.IsNumber() ? value.As<Napi::Number>().Int32Value() : 0;
    if (signo <= 0 || signo >= _NSIG || signo == SIGKILL || signo == SIGSTOP) {
      Napi::RangeError::New(env, "resignOnSignals: not a signal that can be caught: " + std::to_string(signo)).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    numbers.push_back(signo);
  }
  armingThread = pthread_self();
  // handle = false: the watcher alone (its test: nothing else can have sent them).
  const bool handle = info.Length() < 3 || info[2].ToBoolean().Value();
  if (handle) {
    for (const int signo : numbers) {
      // Installed already (a second call): handing on to itself would never end.
      struct sigaction current {};
      if (sigaction(signo, nullptr, &current) == 0 && (current.sa_flags & SA_SIGINFO) && current.sa_sigaction == OnSignal) continue;
      struct sigaction action {};
      action.sa_sigaction = OnSignal;
      sigemptyset(&action.sa_mask);
      action.sa_flags = SA_SIGINFO | SA_RESTART;
      if (sigaction(signo, &action, &previous[signo]) != 0) {
        KernelError(env, "sigaction", errno).ThrowAsJavaScriptException();
        return env.Undefined();
      }
    }
  }
  const bool watch = info.Length() < 2 || info[1].ToBoolean().Value();
  if (watch && !StartWatcher(numbers)) {
    KernelError(env, "signalfd", errno).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return env.Undefined();
}

Napi::Value ResignationsSent(const Napi::CallbackInfo& info) {
  if (!fired.load()) return Napi::Number::New(info.Env(), 0);
  AwaitSent();
  return Napi::Number::New(info.Env(), sentCount.load());
}

// The handler's trace (see firstEntryNs), and whether `signo`'s handler is this one now.
Napi::Value ResignationTrace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (fired.load()) AwaitSent();
  Napi::Object trace = Napi::Object::New(env);
  const auto ms = [](int64_t ns) { return static_cast<double>(ns) / 1e6; };
  if (firstEntryNs.load() != 0) {
    trace.Set("enteredAtMs", ms(firstEntryNs.load()));
    trace.Set("forwarded", firstEntryForwarded.load());
  }
  if (sendingNs.load() != 0) {
    trace.Set("sendingAtMs", ms(sendingNs.load()));
    trace.Set("sentAtMs", ms(sentNs.load()));
    trace.Set("armed", armedAtSignal.load());
    trace.Set("sent", sentCount.load());
    trace.Set("by", sentBy.load() == 2 ? "watcher" : "handler");
  }
  if (watcherWokeNs.load() != 0) trace.Set("watcherWokeAtMs", ms(watcherWokeNs.load()));
  if (watcherStarted.load()) trace.Set("watcherRealtime", watcherRealtime.load());
  if (info.Length() == 1 && info[0].IsNumber()) {
    struct sigaction current {};
    const int signo = info[0].As<Napi::Number>().Int32Value();
    if (signo > 0 && signo < _NSIG && sigaction(signo, nullptr, &current) == 0) trace.Set("installed", (current.sa_flags & SA_SIGINFO) != 0 && current.sa_sigaction == OnSignal);
  }
  return trace;
}

void Withdraw(int slot) {
  // Once sent, the packets stay: the sockets' sends are checked against them until the end (and a
  // socket closed after this is closed after the last send on it).
  if (fired.load()) {
    AwaitSent();
    return;
  }
  if (slot < 0 || slot >= slotsInUse.load()) return;
  Armed* armed = slots[slot].exchange(nullptr);
  if (armed == nullptr) return;
  // The watcher may have set `fired` and read this slot before the exchange: the packet is freed
  // only if no sender had begun then (it sets `fired` before it reads a slot), else it is put back
  // once the sender is through, for ResignationSuppresses (sent or not, as it found it).
  if (fired.load()) {
    AwaitSent();
    slots[slot].store(armed);
    return;
  }
  delete armed;
  freeSlots.push_back(slot);
}

Napi::Value WithdrawResignation(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "withdrawResignation(slot: number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Withdraw(info[0].As<Napi::Number>().Int32Value());
  return env.Undefined();
}

}  // namespace

int ArmResignation(int fd, const sockaddr* to, socklen_t length, const uint8_t* payload, size_t size) {
  if (fd < 0 || size > kMaxPayload || length > sizeof(sockaddr_storage)) return -1;
  int slot;
  if (!freeSlots.empty()) {
    slot = freeSlots.back();
    freeSlots.pop_back();
  } else {
    slot = slotsInUse.load();
    if (slot >= kSlots) return -1;
  }
  auto* armed = new Armed{};
  armed->fd = fd;
  std::memcpy(&armed->to, to, length);
  armed->toLength = length;
  armed->size = size;
  armed->payload.reset(new uint8_t[size]);
  std::memcpy(armed->payload.get(), payload, size);
  // The packet is whole before the handler can see it.
  slots[slot].store(armed);
  if (slot >= slotsInUse.load()) slotsInUse.store(slot + 1);
  return slot;
}

bool ResignationSuppresses(int fd, const sockaddr* to, socklen_t length, const uint8_t* payload, size_t size) {
  if (!fired.load()) return false;
  if (size <= kPriorityOffset || payload[kPriorityOffset] != 0) return true;
  AwaitSent();
  const int count = slotsInUse.load();
  for (int i = 0; i < count; i++) {
    const Armed* armed = slots[i].load();
    if (armed != nullptr && armed->sent && armed->size == size && SameDestination(*armed, fd, to, length) && std::memcmp(armed->payload.get(), payload, size) == 0) return true;
  }
  return false;
}

void WithdrawResignations(int fd) {
  if (fd < 0) return;
  const int count = slotsInUse.load();
  for (int i = 0; i < count; i++) {
    const Armed* armed = slots[i].load();
    if (armed != nullptr && armed->fd == fd) Withdraw(i);
  }
}

void RegisterSignalResignation(Napi::Env env, Napi::Object exports) {
  exports.Set("resignOnSignals", Napi::Function::New(env, ResignOnSignals));
  exports.Set("resignationsSent", Napi::Function::New(env, ResignationsSent));
  exports.Set("resignationTrace", Napi::Function::New(env, ResignationTrace));
  exports.Set("withdrawResignation", Napi::Function::New(env, WithdrawResignation));
}
