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
// The armed packets are only touched on the thread that armed them (JavaScript's), and the handler
// only runs there: a signal delivered to another thread is sent on to it (pthread_kill). So a
// handler interrupts an arming or a withdrawal only between the atomic slot updates, and a packet
// is freed only after its slot no longer points at it.
//
//   resignOnSignals(signals: number[]): installs the handler (after JavaScript's own listeners,
//     whose libuv handler it calls next; libuv putting its own back later replaces it).
//   resignationsSent(): the packets the handler sent (0 until a signal came).
//   Vrrp4Socket / Vrrp6Socket armResignation(payload, destination[, scopeId]): a slot number, or
//     -1 when all are taken (then JavaScript's own priority-0 advertisement is the only one).
//   withdrawResignation(slot): a Master that is no longer one; closing a socket withdraws its own.
#include "shims.h"

#include <atomic>
#include <memory>
#include <csignal>
#include <cstring>
#include <pthread.h>
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
  /** Set by the handler once sendto took it. */
  bool sent;
};

std::atomic<Armed*> slots[kSlots];
/** One past the highest slot ever used: how far the handler looks. */
std::atomic<int> slotsInUse{0};
std::vector<int> freeSlots;
std::atomic<bool> fired{false};
std::atomic<int> sentCount{0};
pthread_t armingThread;
struct sigaction previous[_NSIG];

bool SameDestination(const Armed& armed, int fd, const sockaddr* to, socklen_t length) {
  return armed.fd == fd && armed.toLength == length && std::memcmp(&armed.to, to, length) == 0;
}

void SendArmed() {
  int sent = 0;
  const int count = slotsInUse.load();
  for (int i = 0; i < count; i++) {
    Armed* armed = slots[i].load();
    if (armed == nullptr) continue;
    ssize_t result;
    do {
      result = sendto(armed->fd, armed->payload.get(), armed->size, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&armed->to), armed->toLength);
    } while (result < 0 && errno == EINTR);
    armed->sent = result >= 0;
    if (armed->sent) sent++;
  }
  sentCount.store(sent);
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
  if (!pthread_equal(pthread_self(), armingThread)) {
    // Only the arming thread may read the slots while they change: it gets the signal instead.
    pthread_kill(armingThread, signo);
    errno = saved;
    return;
  }
  if (!fired.exchange(true)) SendArmed();
  HandOn(signo, info, context);
  errno = saved;
}

Napi::Value ResignOnSignals(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsArray()) {
    Napi::TypeError::New(env, "resignOnSignals(signals: number[])").ThrowAsJavaScriptException();
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
  return env.Undefined();
}

Napi::Value ResignationsSent(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), fired.load() ? sentCount.load() : 0);
}

void Withdraw(int slot) {
  // Once sent, the packets stay: the sockets' sends are checked against them until the end.
  if (fired.load()) return;
  if (slot < 0 || slot >= slotsInUse.load()) return;
  Armed* armed = slots[slot].exchange(nullptr);
  if (armed == nullptr) return;
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
  exports.Set("withdrawResignation", Napi::Function::New(env, WithdrawResignation));
}
