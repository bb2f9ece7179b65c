// Held sends on a thread of their own (vrrp4_socket.cc's holdSends). A Master sends the same
// advertisement every Advertisement_Interval while nothing changes (RFC 5798 §6.4.3); once the
// daemon hands the bytes and the rhythm over, this thread sends them. Sent from the loop, they
// waited for whatever held the loop: V8's collections after start-up (a memory-reducing
// mark-compact's steps of up to 17 ms and pauses of 14-19 ms at 1000 instances), a reload, a burst
// of notify scripts. A Master of 1000 instances then read an advertisement gap p99 of 1010-1024 ms
// in 3 of 9 scale runs where keepalived read 1001-1005 (issue 16).
//
// A thread must not advertise for a daemon that no longer runs: the loop renews a lease (a timerfd
// polled on the loop, no JavaScript) every shortest held Advertisement_Interval, but at least every
// 500 ms and at most every 100 ms, and the thread sends nothing once the loop has missed two
// renewals. A daemon whose loop is stuck (an endless JavaScript loop, a wedged host call) stops
// advertising within 200 ms-1 s, and its Backup takes over a Master_Down_Interval later; a pause
// shorter than that (a collection, a burst of work) no longer shows on the wire. The floor keeps a
// 20 ms Master from waking its loop 50 times a second for the lease alone.
//
// The thread blocks every signal: SIGTERM's resignation (signal_resignation.cc) and Node's signal
// handling stay on the loop's thread. Each send checks ResignationSuppresses as the loop's own do.
#pragma once
#include "shims.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <thread>
#include <utility>
#include <vector>

class HeldSender {
 public:
  // One VRID's advertisement: one payload per destination, due every intervalMs from nextDueMs.
  struct Held {
    double intervalMs = 0;
    double nextDueMs = 0;
    std::vector<std::vector<uint8_t>> payloads;
    std::vector<sockaddr_storage> destinations;
    socklen_t destinationLength = 0;
  };
  // A send the kernel refused for good: the VRID's hold has ended.
  struct Refusal {
    size_t vrid;
    int error;
  };
  using OnRefusals = void (*)(void* owner);

  static constexpr size_t kVrids = 256;

  HeldSender() = default;
  HeldSender(const HeldSender&) = delete;
  HeldSender& operator=(const HeldSender&) = delete;
  ~HeldSender() { Stop(); }

  // Starts the thread for `fd`, counting into `table` (per VRID v: [2v] sent, [2v + 1] when the
  // last one was due; the caller's Float64Array, kept alive by it until Stop). `onRefusals(owner)`
  // runs on the loop when refusals wait (TakeRefusals). False with the JS exception pending.
  bool Start(const Napi::Env& env, int fd, double* table, void* owner, OnRefusals onRefusals) {
    if (thread_.joinable()) return true;
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      KernelError(env, "napi_get_uv_event_loop", EINVAL).ThrowAsJavaScriptException();
      return false;
    }
    if (!renewal_.Open(env, this, [](void* self, int /*status*/) { static_cast<HeldSender*>(self)->Renew(); })) return false;
    async_ = new uv_async_t;
    async_->data = this;
    if (uv_async_init(loop, async_, [](uv_async_t* handle) { static_cast<HeldSender*>(handle->data)->ReportRefusals(); }) != 0) {
      delete async_;
      async_ = nullptr;
      renewal_.Close();
      KernelError(env, "uv_async_init", EINVAL).ThrowAsJavaScriptException();
      return false;
    }
    // The renewal timer keeps the loop alive while sends are held, as the loop's own send timer did.
    uv_unref(reinterpret_cast<uv_handle_t*>(async_));
    fd_ = fd;
    table_ = table;
    owner_ = owner;
    onRefusals_ = onRefusals;
    stopping_ = false;
    lastRenewalMs_.store(MonotonicNowMs());
    thread_ = std::thread([this] { Run(); });
    // A worker thread's environment ending, or the process exiting, stops it before V8 frees the table.
    cleanup_.Attach(env, [](void* self) { static_cast<HeldSender*>(self)->Stop(); }, this);
    return true;
  }

  bool started() const { return thread_.joinable(); }

  void Hold(size_t vrid, Held held) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      // The loop is running this: a lease from now (renewals stop while nothing is held).
      lastRenewalMs_.store(MonotonicNowMs());
      if (!active_[vrid]) count_++;
      active_[vrid] = true;
      held_[vrid] = std::move(held);
      table_[2 * vrid] = 0.0;
      table_[2 * vrid + 1] = std::nan("");
      RenewEvery(ShortestIntervalLocked());
    }
    changed_.notify_one();
  }

  // After it returns nothing more is sent for the VRID and its count is final.
  void Release(size_t vrid) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      EndLocked(vrid);
      RenewEvery(ShortestIntervalLocked());
    }
    changed_.notify_one();
  }

  std::vector<Refusal> TakeRefusals() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(refusals_, {});
  }

  // Ends every hold and the thread (closing, or the environment ending).
  void Stop() {
    cleanup_.Detach();
    if (thread_.joinable()) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
      }
      changed_.notify_one();
      thread_.join();
    }
    for (size_t vrid = 0; vrid < kVrids; vrid++) {
      active_[vrid] = false;
      held_[vrid] = Held{};
    }
    count_ = 0;
    refusals_.clear();
    renewal_.Close();
    if (async_ != nullptr) {
      uv_close(reinterpret_cast<uv_handle_t*>(async_), [](uv_handle_t* handle) { delete reinterpret_cast<uv_async_t*>(handle); });
      async_ = nullptr;
    }
    fd_ = -1;
  }

 private:
  // A thousandth of an advertisement's interval after it is due (1 ms at 1 s, 20 us at 20 ms),
  // every advertisement due by then leaves in the same wake-up: gaps stay Advertisement_Interval.
  static constexpr double kGatherMaxMs = 1.0;
  // Renewals the loop may miss before the thread stops sending.
  static constexpr double kLeaseRenewals = 2.0;
  static constexpr double kRenewAtLeastMs = 100.0;
  static constexpr double kRenewAtMostMs = 500.0;

  // ---- the loop's thread ----

  // Every `intervalMs`, the shortest held Advertisement_Interval (infinite: none held), kept
  // within kRenewAtLeastMs-kRenewAtMostMs.
  void RenewEvery(double intervalMs) {
    if (std::isfinite(intervalMs)) intervalMs = std::clamp(intervalMs, kRenewAtLeastMs, kRenewAtMostMs);
    renewEveryMs_ = intervalMs;
    if (std::isfinite(intervalMs)) {
      if (!renewing_) renewal_.ArmAfter(intervalMs);
      renewing_ = true;
    } else {
      renewal_.Disarm();
      renewing_ = false;
    }
  }

  void Renew() {
    lastRenewalMs_.store(MonotonicNowMs());
    // Wakes the thread if it waits for a renewal (leaseLapsed_): sends due meanwhile leave now.
    bool wake = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      wake = leaseLapsed_;
      if (std::isfinite(renewEveryMs_)) renewal_.ArmAfter(renewEveryMs_);
      else {
        renewal_.Disarm();
        renewing_ = false;
      }
    }
    if (wake) changed_.notify_one();
  }

  void ReportRefusals() { onRefusals_(owner_); }

  // ---- both (under mutex_) ----

  double ShortestIntervalLocked() const {
    double shortest = std::numeric_limits<double>::infinity();
    for (size_t vrid = 1; vrid < kVrids && count_ > 0; vrid++) {
      if (active_[vrid]) shortest = std::min(shortest, held_[vrid].intervalMs);
    }
    return shortest;
  }

  void EndLocked(size_t vrid) {
    if (!active_[vrid]) return;
    active_[vrid] = false;
    held_[vrid] = Held{};
    count_--;
  }

  // ---- the sending thread ----

  void Run() {
    pthread_setname_np(pthread_self(), "vrrp-sends");
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      double earliest = std::numeric_limits<double>::infinity();
      double wakeAt = earliest;
      for (size_t vrid = 1; vrid < kVrids && count_ > 0; vrid++) {
        if (!active_[vrid] || held_[vrid].nextDueMs >= earliest) continue;
        earliest = held_[vrid].nextDueMs;
        wakeAt = earliest + std::min(kGatherMaxMs, held_[vrid].intervalMs / 1000.0);
      }
      if (!std::isfinite(wakeAt)) {
        changed_.wait(lock);
        continue;
      }
      const double now = MonotonicNowMs();
      if (now < wakeAt) {
        changed_.wait_until(lock, std::chrono::steady_clock::time_point(std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double, std::milli>(wakeAt))));
        continue;
      }
      // The loop has missed its renewals: nothing leaves until it renews again (Renew wakes us).
      leaseLapsed_ = now - lastRenewalMs_.load() > kLeaseRenewals * renewEveryMs_;
      if (leaseLapsed_) {
        changed_.wait(lock);
        continue;
      }
      SendDueLocked(now);
    }
  }

  void SendDueLocked(double now) {
    bool refused = false;
    for (size_t vrid = 1; vrid < kVrids && count_ > 0; vrid++) {
      if (!active_[vrid]) continue;
      Held& held = held_[vrid];
      if (held.nextDueMs > now) continue;
      int error = 0;
      for (size_t i = 0; i < held.payloads.size() && error == 0; i++) {
        const std::vector<uint8_t>& payload = held.payloads[i];
        const sockaddr* to = reinterpret_cast<const sockaddr*>(&held.destinations[i]);
        if (ResignationSuppresses(fd_, to, held.destinationLength, payload.data(), payload.size())) continue;
        // A full send buffer (EAGAIN, ENOBUFS) loses this one as the wire would; the next is due an
        // interval later. Anything else ends the hold: the daemon's own timer takes over and says why.
        if (sendto(fd_, payload.data(), payload.size(), MSG_DONTWAIT, to, held.destinationLength) < 0 && errno != EINTR && !TransientSendError(errno)) error = errno;
      }
      if (error != 0) {
        refusals_.push_back({vrid, error});
        EndLocked(vrid);
        refused = true;
        continue;
      }
      table_[2 * vrid] += 1.0;
      table_[2 * vrid + 1] = held.nextDueMs;
      held.nextDueMs += held.intervalMs;
      // Later than a whole interval: once, and the next from now (never a burst to catch up).
      if (held.nextDueMs <= now) held.nextDueMs = now + held.intervalMs;
    }
    if (refused) uv_async_send(async_);
  }

  // Written by the loop's thread, read by the sending thread, all under mutex_ but the renewal time.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::thread thread_;
  bool stopping_ = false;
  bool leaseLapsed_ = false;
  std::atomic<double> lastRenewalMs_{0};
  double renewEveryMs_ = std::numeric_limits<double>::infinity();
  bool renewing_ = false;
  bool active_[kVrids] = {};
  Held held_[kVrids];
  size_t count_ = 0;
  std::vector<Refusal> refusals_;
  int fd_ = -1;
  double* table_ = nullptr;
  void* owner_ = nullptr;
  OnRefusals onRefusals_ = nullptr;
  LoopTimer renewal_;
  uv_async_t* async_ = nullptr;
  EnvCleanup cleanup_;
};
