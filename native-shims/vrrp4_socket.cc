// A raw IPv4 socket for VRRP (IP protocol 112), as keepalived opens it: bound to the interface,
// TTL 255 (RFC 5798 §5.1.1.3), TOS 0xC0, multicast sent from our address on the interface and not
// looped back, groups joined on the interface. It replaces the raw-socket package for VRRP, which
// read one packet per turn of Node's loop and entered JavaScript twice per packet (a burst of a
// thousand advertisements took a thousand turns), and queued every send until the socket's next
// writable poll. Here each readable event reads every packet waiting (up to a bound) and hands
// them all to JavaScript in one call, and a send leaves at once unless the kernel's buffer is
// full. Only the socket calls live here; all logic is TypeScript (src/linux/sockets/ipv4-vrrp-socket.ts).
//
// The packets are read by recvmmsg(2), up to 64 per call: a burst costs one system call rather
// than one per packet and one more to find the queue empty (shims.h, ReceivedBatch).
//
// One call per wake-up rather than one per packet: a Backup of 1000 instances hears 1000
// advertisements a second, and each call into JavaScript (MakeCallback, its microtask checkpoint)
// and each packet's own Buffer cost more than the packet's processing (issue 16). Packets read
// together are at most kReadsPerWakeup, read back to back (microseconds each): handing the first
// over after the last delays it by that much at most, and a preempting advertisement (RFC 5798
// §6.4.2: a higher priority, the Backup steps back at once) is acted on in the same wake-up.
//
// Each packet also comes with how long it waited between the kernel's receipt and the call
// (SO_TIMESTAMPNS): a Backup's Master_Down_Timer counts from the advertisement's arrival
// (RFC 5798 §6.4.2), not from when a busy loop got to it.
//
// new Vrrp4Socket({interfaceName, interfaceIndex, source: Buffer(4), groups: Buffer(4)[]},
//                 onPackets(error, count?: number, payloads?: Uint8Array, packets?: Float64Array))
//   packets: per packet [end of its payload in payloads, TTL, age in ms or NaN, source, destination]
//   (the addresses as 32-bit numbers); payload i runs from the end of payload i - 1 (0 for the
//   first). payloads and packets are the socket's own, the same objects again at the next call:
//   they are valid during the call only.
// send(payload: Buffer, destination: Buffer(4)): bytes sent, or 0 when it waits for room (or when
//   the signal handler's resignation suppresses it, signal_resignation.cc)
// armResignation(payload: Buffer, destination: Buffer(4)): a slot for the SIGTERM handler, or -1
// holdRepeats(vrid, source: Buffer(4), destination: Buffer(4), payload: Uint8Array): Float64Array
//   from now on, packets of that VRID byte-identical to `payload`, from `source` to `destination`
//   with TTL 255, are counted instead of handed over (see Held below). Returns the socket's table:
//   per VRID v, [2v] the repeats counted (JavaScript resets it when it takes them) and [2v + 1] the
//   last one's kernel receipt in milliseconds on CLOCK_MONOTONIC (NaN until one came).
// releaseRepeats(vrid): hand them over again
// holdSends(vrid, payloads: Uint8Array[], destinations: Buffer(4)[], intervalMs, firstDueMs): Float64Array
//   from now on the socket itself sends payloads[i] to destinations[i], first at firstDueMs
//   (CLOCK_MONOTONIC, ms) and then every intervalMs, from a thread (held_sender.h). Returns the socket's send
//   table: per VRID v, [2v] the advertisements sent (JavaScript resets it when it takes them) and
//   [2v + 1] when the last one was due (NaN until one was). A send the kernel refuses for good ends
//   the hold and is reported through onPackets as an Error with `heldVrid` set.
// releaseSends(vrid): the VRID's advertisements are JavaScript's to send again
// setReadPause(delayMs, notAfterMs, routers): while all `routers` on the socket have their repeats
//   held, pause reading up to delayMs after a wake-up that read only held repeats, never past
//   notAfterMs (CLOCK_MONOTONIC); 0 turns it off (see "The read pause" below)
// close()
#include "held_sender.h"
#include "shims.h"

#include <algorithm>
#include <array>
#include <arpa/inet.h>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <net/if.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <time.h>
#include <vector>

namespace {

constexpr int kVrrpProtocol = 112;
constexpr int kTtl = 255;
/** RFC 2474 class selector 6 (network control), as keepalived sets it. */
constexpr int kTos = 0xc0;
/**
 * The receive queue: a Master of a thousand instances sends their advertisements in bursts, and
 * the default (rmem_default, 208 KiB) holds about 270 of them while the loop is busy. Kernel
 * memory, used only while packets wait.
 */
constexpr int kReceiveBuffer = 1 << 20;
/**
 * Packets read per wake-up at most: a thousand-instance burst in four turns of the loop rather
 * than a thousand, and a flood of VRRP packets cannot hold the protocol timers for longer than
 * this many packets' processing at a time.
 */
constexpr size_t kReadsPerWakeup = 256;
constexpr size_t kMinHeader = 20;
/** An age beyond this is a wall-clock step between receipt and read, not a wait: not reported. */
constexpr int64_t kMaxAgeNs = 60 * 1000000000LL;

bool ReadAddress(const Napi::Value& value, in_addr* out) {
  if (!value.IsBuffer()) return false;
  Napi::Buffer<uint8_t> bytes = value.As<Napi::Buffer<uint8_t>>();
  if (bytes.Length() != 4) return false;
  std::memcpy(out, bytes.Data(), 4);
  return true;
}

class Vrrp4Socket : public PolledSocket<Vrrp4Socket> {
 public:
  // The largest IPv4 VRRP packet is 1096 bytes (a 60-byte header, a VRRPv2 message of 255
  // addresses and its authentication data): one cut to 2048 decodes as it would whole (the codec
  // ignores bytes past what the address count implies). Read kBatchSlots per system call.
  static constexpr size_t kMaxPayload = 2048;
  static constexpr size_t kBatchSlots = 64;
  // A Backup's Master_Down_Timer orders against these packets (shims.h, TimerOrderedSockets).
  static constexpr bool kOrdersTimers = true;

  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Vrrp4Socket",
                       {InstanceMethod("send", &Vrrp4Socket::Send), InstanceMethod("armResignation", &Vrrp4Socket::Arm),
                        InstanceMethod("holdRepeats", &Vrrp4Socket::HoldRepeats), InstanceMethod("releaseRepeats", &Vrrp4Socket::ReleaseRepeats),
                        InstanceMethod("holdSends", &Vrrp4Socket::HoldSends), InstanceMethod("releaseSends", &Vrrp4Socket::ReleaseSends),
                        InstanceMethod("setReadPause", &Vrrp4Socket::SetReadPause),
                        InstanceMethod("close", &Vrrp4Socket::CloseSocket)});
  }

  explicit Vrrp4Socket(const Napi::CallbackInfo& info) : PolledSocket<Vrrp4Socket>(info), env_(info.Env()) {
    Napi::Env env = info.Env();
    if (info.Length() != 2 || !info[0].IsObject() || !info[1].IsFunction()) {
      Napi::TypeError::New(env, "new Vrrp4Socket(options: object, onPacket: function)").ThrowAsJavaScriptException();
      return;
    }
    Napi::Object options = info[0].As<Napi::Object>();
    Napi::Value name = options.Get("interfaceName");
    Napi::Value index = options.Get("interfaceIndex");
    Napi::Value groups = options.Get("groups");
    in_addr source{};
    if (!name.IsString() || !index.IsNumber() || !groups.IsArray() || !ReadAddress(options.Get("source"), &source)) {
      Napi::TypeError::New(env, "options: {interfaceName: string, interfaceIndex: number, source: Buffer(4), groups: Buffer(4)[]}").ThrowAsJavaScriptException();
      return;
    }
    const std::string device = name.As<Napi::String>().Utf8Value();
    const int64_t interfaceIndex = index.As<Napi::Number>().Int64Value();
    if (device.empty() || device.size() >= IFNAMSIZ || interfaceIndex <= 0 || interfaceIndex > INT32_MAX) {
      Napi::RangeError::New(env, "interfaceName must be 1..15 bytes, interfaceIndex positive").ThrowAsJavaScriptException();
      return;
    }
    Napi::Array groupList = groups.As<Napi::Array>();
    std::vector<in_addr> groupAddresses(groupList.Length());
    for (uint32_t i = 0; i < groupList.Length(); i++) {
      if (!ReadAddress(groupList.Get(i), &groupAddresses[i])) {
        Napi::TypeError::New(env, "groups must be 4-byte Buffers").ThrowAsJavaScriptException();
        return;
      }
    }

    if (!Open(env, AF_INET, SOCK_RAW, kVrrpProtocol, "socket(AF_INET, SOCK_RAW, 112)")) return;
    const int ttl = kTtl, tos = kTos, off = 0, on = 1;
    ip_mreqn sendVia{};
    sendVia.imr_address = source;
    sendVia.imr_ifindex = static_cast<int>(interfaceIndex);
    const Option setup[] = {
        {SOL_SOCKET, SO_BINDTODEVICE, device.c_str(), static_cast<socklen_t>(device.size() + 1), "SO_BINDTODEVICE"},
        {IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl), "IP_TTL"},
        {IPPROTO_IP, IP_TOS, &tos, sizeof(tos), "IP_TOS"},
        {IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl), "IP_MULTICAST_TTL"},
        {IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof(off), "IP_MULTICAST_LOOP"},
        {IPPROTO_IP, IP_MULTICAST_IF, &sendVia, sizeof(sendVia), "IP_MULTICAST_IF"},
        {SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on), "SO_TIMESTAMPNS"},
    };
    if (!Configure(env, std::begin(setup), std::end(setup))) return;
    // As root (CAP_NET_ADMIN), FORCE goes past net.core.rmem_max; otherwise the kernel caps the
    // size at rmem_max and that is kept.
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof(kReceiveBuffer)) < 0) {
      (void)setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof(kReceiveBuffer));
    }
    for (const in_addr& group : groupAddresses) {
      ip_mreqn membership{};
      membership.imr_multiaddr = group;
      membership.imr_ifindex = static_cast<int>(interfaceIndex);
      if (setsockopt(fd_, IPPROTO_IP, IP_ADD_MEMBERSHIP, &membership, sizeof(membership)) < 0) {
        Abandon(env, "setsockopt(IP_ADD_MEMBERSHIP)");
        return;
      }
    }
    readsPerWakeup_ = kReadsPerWakeup;
    StartPolling(env, info[1].As<Napi::Function>(), "Vrrp4Socket");
  }

  ~Vrrp4Socket() override { StopTimers(); }

  // A raw IPv4 socket hands over the IP header too: the TTL and addresses come from it, and it is
  // stripped here. The packet is kept for ReadsDone.
  void Received(const Napi::Env& /*env*/, const uint8_t* packet, size_t length, const sockaddr_storage& /*from*/, msghdr& message) {
    if (length < kMinHeader || (packet[0] >> 4) != 4 || packet[9] != kVrrpProtocol) return;
    const size_t headerLength = (packet[0] & 0x0f) * 4u;
    const size_t totalLength = (static_cast<size_t>(packet[2]) << 8) | packet[3];
    if (headerLength < kMinHeader || headerLength > length || totalLength < headerLength) return;
    // The kernel may hand over more than the header's total length; trust the header's.
    const size_t end = totalLength < length ? totalLength : length;
    if (heldCount_ > 0 && IsHeldRepeat(packet, packet + headerLength, end - headerLength, message)) return;
    payloads_.insert(payloads_.end(), packet + headerLength, packet + end);
    Kept kept{};
    kept.end = payloads_.size();
    kept.ttl = packet[8];
    std::memcpy(kept.source, packet + 12, 4);
    std::memcpy(kept.destination, packet + 16, 4);
    kept.stamped = Stamp(message, &kept.received);
    kept_.push_back(kept);
  }

  // onPackets(null, count, payloads, packets) with what this wake-up read, in a Uint8Array and a
  // Float64Array the socket keeps from one wake-up to the next (made anew, larger, only when a
  // wake-up reads more than they hold): a Backup of 1000 instances wakes ~360 times a second, and
  // two new ArrayBuffers, two arrays and their address strings at each (malloc, V8's array-buffer
  // sweeping) were ~7 % of its CPU samples (issue 16). A plain Uint8Array, not a Buffer: a view of a
  // Buffer is a Buffer, made through Node's FastBuffer constructor (~10 % of a Backup's JavaScript
  // time, V8's CPU profile), and JavaScript keeps its views of this one from one call to the next. Addresses cross as numbers (the four bytes
  // big-endian); JavaScript makes the text once per address it has not just seen.
  void ReadsDone(const Napi::Env& env) {
    if (kept_.empty()) {
      MaybePauseReads();
      return;
    }
    const size_t count = kept_.size();
    if (payloadRoom_.IsEmpty() || payloadRoomSize_ < payloads_.size()) {
      payloadRoomSize_ = std::max(payloads_.size(), 2 * payloadRoomSize_);
      payloadRoom_.Reset(Napi::Uint8Array::New(env, payloadRoomSize_), 1);
    }
    if (packetRoom_.IsEmpty() || packetRoomSize_ < count) {
      packetRoomSize_ = std::max(count, 2 * packetRoomSize_);
      packetRoom_.Reset(Napi::Float64Array::New(env, packetRoomSize_ * kFieldsPerPacket), 1);
    }
    Napi::Uint8Array payloads = payloadRoom_.Value();
    Napi::Float64Array packets = packetRoom_.Value();
    std::memcpy(payloads.Data(), payloads_.data(), payloads_.size());
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    double* out = packets.Data();
    for (size_t i = 0; i < count; i++) {
      const Kept& kept = kept_[i];
      double* fields = out + i * kFieldsPerPacket;
      fields[0] = static_cast<double>(kept.end);
      fields[1] = kept.ttl;
      fields[2] = kept.stamped ? AgeMs(kept.received, now) : std::nan("");
      fields[3] = AddressNumber(kept.source);
      fields[4] = AddressNumber(kept.destination);
    }
    payloads_.clear();
    kept_.clear();
    Deliver({env.Null(), Napi::Number::New(env, static_cast<double>(count)), payloads, packets});
  }

 private:
  Napi::Value CloseSocket(const Napi::CallbackInfo& info) {
    StopTimers();
    return Close(info);
  }

  // A Master sends the same advertisement every Advertisement_Interval while nothing changes
  // (RFC 5798 §6.4.3: the Adver_Timer's expiry sends one and restarts it). Once the daemon has
  // sent one with nothing else to do, it hands the bytes and the rhythm here: the socket's sending
  // thread (held_sender.h) sends them with no call into JavaScript, and counts them. A Master of
  // 1000 instances otherwise ran a JavaScript timer, an action and a send call for each of 1000
  // advertisements a second (issue 16). Each is due intervalMs after the last one was due, not
  // after it left (as the daemon's Adver_Timer, real-clock.ts), and a wake-up later than a whole
  // interval sends once and counts the next from now: never a burst to catch up. The daemon takes
  // the hold back (releaseSends) before it acts on anything else for the VRID, reads the count and
  // the last due time, and runs its Adver_Timer again from there. A SIGTERM handler's resignation
  // (signal_resignation.cc) suppresses these as it does the daemon's own sends.
  Napi::Value HoldSends(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() != 5 || !info[0].IsNumber() || !info[1].IsArray() || !info[2].IsArray() || !info[3].IsNumber() || !info[4].IsNumber()) {
      Napi::TypeError::New(env, "holdSends(vrid: number, payloads: Uint8Array[], destinations: Buffer(4)[], intervalMs: number, firstDueMs: number)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const int64_t vrid = info[0].As<Napi::Number>().Int64Value();
    Napi::Array payloads = info[1].As<Napi::Array>();
    Napi::Array destinations = info[2].As<Napi::Array>();
    const double intervalMs = info[3].As<Napi::Number>().DoubleValue();
    const double firstDueMs = info[4].As<Napi::Number>().DoubleValue();
    if (vrid < 1 || vrid > 255 || payloads.Length() == 0 || payloads.Length() != destinations.Length() || !(intervalMs >= 10) || !std::isfinite(firstDueMs)) {
      Napi::RangeError::New(env, "holdSends: vrid 1..255, one destination per payload, intervalMs >= 10, firstDueMs finite").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (fd_ < 0) {
      Napi::Error::New(env, "holdSends: the socket is closed").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    HeldSender::Held held;
    held.destinationLength = sizeof(sockaddr_in);
    for (uint32_t i = 0; i < payloads.Length(); i++) {
      Napi::Value payload = payloads.Get(i);
      sockaddr_storage destination{};
      sockaddr_in& to = reinterpret_cast<sockaddr_in&>(destination);
      to.sin_family = AF_INET;
      if (!payload.IsTypedArray() || payload.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array || !ReadAddress(destinations.Get(i), &to.sin_addr)) {
        Napi::TypeError::New(env, "holdSends: payloads are Uint8Arrays, destinations 4-byte Buffers").ThrowAsJavaScriptException();
        return env.Undefined();
      }
      Napi::Uint8Array bytes = payload.As<Napi::Uint8Array>();
      if (bytes.ElementLength() < 2 || bytes.Data()[1] != vrid) {
        Napi::RangeError::New(env, "holdSends: each payload is an advertisement of that VRID").ThrowAsJavaScriptException();
        return env.Undefined();
      }
      held.payloads.emplace_back(bytes.Data(), bytes.Data() + bytes.ElementLength());
      held.destinations.push_back(destination);
    }
    if (sendTable_.IsEmpty()) {
      Napi::Float64Array table = Napi::Float64Array::New(env, 2 * HeldSender::kVrids);
      double* sent = table.Data();
      for (size_t i = 0; i < 2 * HeldSender::kVrids; i++) sent[i] = i % 2 == 0 ? 0.0 : std::nan("");
      sendTable_.Reset(table, 1);
    }
    if (!sender_.Start(env, fd_, sendTable_.Value().Data(), this, [](void* self) { static_cast<Vrrp4Socket*>(self)->DeliverRefusals(); })) return env.Undefined();
    held.intervalMs = intervalMs;
    held.nextDueMs = firstDueMs;
    sender_.Hold(static_cast<size_t>(vrid), std::move(held));
    return sendTable_.Value();
  }

  Napi::Value ReleaseSends(const Napi::CallbackInfo& info) {
    const size_t vrid = ReadVrid(info, "releaseSends(vrid: number)");
    if (vrid != 0 && sender_.started()) sender_.Release(vrid);
    return info.Env().Undefined();
  }

  // The one VRID argument of releaseSends and releaseRepeats: 0 for one out of 1-255 (nothing is
  // held for it), or with a TypeError pending when the argument is not a number.
  static size_t ReadVrid(const Napi::CallbackInfo& info, const char* usage) {
    if (info.Length() != 1 || !info[0].IsNumber()) {
      Napi::TypeError::New(info.Env(), usage).ThrowAsJavaScriptException();
      return 0;
    }
    const int64_t vrid = info[0].As<Napi::Number>().Int64Value();
    return vrid >= 1 && vrid <= 255 ? static_cast<size_t>(vrid) : 0;
  }

  // On the loop: each send the sending thread found refused for good (not a full buffer) has ended
  // its VRID's hold; the daemon hears of it as of a failed send of its own.
  void DeliverRefusals() {
    if (fd_ < 0) return;
    Napi::Env env(env_);
    Napi::HandleScope scope(env);
    for (const HeldSender::Refusal& refusal : sender_.TakeRefusals()) {
      Napi::Error failure = KernelError(env, "sendto", refusal.error);
      failure.Set("heldVrid", Napi::Number::New(env, static_cast<double>(refusal.vrid)));
      Deliver({failure.Value()});
    }
  }

  // Closing: no more held sends, no read pause.
  void StopTimers() {
    sender_.Stop();
    readPauseMs_ = 0;
    paused_ = false;
    resumeTimer_.Close();
  }

  // The read pause. While every router on the socket is a Backup whose repeats are held (the
  // daemon says how many routers there are), a wake-up that read only held repeats is followed by
  // a pause of at most delayMs before the next read, instead of a wake-up for every packet: a
  // Backup of 1000 instances woke ~700 times a second, each a turn of Node's loop (two epoll_pwait
  // calls, libuv's idle-time accounting) for a packet or two and no work (strace; issue 16). What
  // arrives meanwhile waits in the kernel's queue with its receipt stamped, and the daemon counts
  // every timer from the receipt (RFC 5798 §6.4.2): a priority 0 or a new Master read up to
  // delayMs late still starts its Skew_Time or Master_Down_Timer from when it came. The daemon
  // keeps delayMs under the routers' Skew_Time, and notAfterMs before the earliest held
  // Master_Down_Timer's expiry, so that a repeat already in the queue is counted before that
  // deadline is checked. Releasing any VRID's repeats ends a pause at once.
  //
  // setReadPause(delayMs, notAfterMs, routers): delayMs 0 turns it off; notAfterMs on CLOCK_MONOTONIC.
  Napi::Value SetReadPause(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() != 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber()) {
      Napi::TypeError::New(env, "setReadPause(delayMs: number, notAfterMs: number, routers: number)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const double delayMs = info[0].As<Napi::Number>().DoubleValue();
    const double notAfterMs = info[1].As<Napi::Number>().DoubleValue();
    const double routers = info[2].As<Napi::Number>().DoubleValue();
    if (!(delayMs >= 0 && delayMs <= 1000) || std::isnan(notAfterMs) || !(routers >= 0)) {
      Napi::RangeError::New(env, "setReadPause: delayMs 0..1000, notAfterMs a time, routers >= 0").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (delayMs > 0 && fd_ >= 0 && !resumeTimer_.Open(env, this, [](void* self, int /*status*/) { static_cast<Vrrp4Socket*>(self)->ResumeReads(); })) return env.Undefined();
    readPauseMs_ = delayMs;
    pauseNotAfterMs_ = notAfterMs;
    pauseRouters_ = static_cast<size_t>(routers);
    if (delayMs == 0 || MonotonicNowMs() >= notAfterMs) ResumeReads();
    return env.Undefined();
  }

  void MaybePauseReads() {
    if (readPauseMs_ <= 0 || paused_ || heldCount_ == 0 || heldCount_ < pauseRouters_ || fd_ < 0) return;
    const double resumeAt = MonotonicNowMs() + readPauseMs_;
    if (resumeAt >= pauseNotAfterMs_) return;
    paused_ = true;
    PauseReads(true);
    resumeTimer_.ArmAt(resumeAt);
  }

  void ResumeReads() {
    if (!paused_) return;
    paused_ = false;
    resumeTimer_.Disarm();
    PauseReads(false);
  }

  // A Backup restarts its Master_Down_Timer at each advertisement of its Master (RFC 5798 §6.4.2),
  // and a Master sends the same bytes every Advertisement_Interval while nothing changes: once the
  // daemon has accepted one, the next ones would do exactly what it did, counted from their own
  // arrival. So it asks the socket to hold them: the packets of that VRID identical to the accepted
  // one (same source, destination, TTL 255 and payload) are only counted here, with the last one's
  // receipt, and JavaScript reads the count when it needs it (src/linux/sockets/held-repeats.ts).
  // A Backup of 1000 instances otherwise entered JavaScript for each of 1000 packets a second,
  // ~8 us of user time each against keepalived's whole 10 us per packet (issue 16). Any other
  // packet of the VRID (another priority, an address list, a priority 0, another source, a bad
  // TTL) is handed over as before, and the daemon releases the VRID before it acts on it.
  struct Held {
    bool active = false;
    uint8_t source[4]{};
    uint8_t destination[4]{};
    std::vector<uint8_t> payload;
  };

  Napi::Value HoldRepeats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    in_addr source{}, destination{};
    if (info.Length() != 4 || !info[0].IsNumber() || !ReadAddress(info[1], &source) || !ReadAddress(info[2], &destination) || !info[3].IsTypedArray() ||
        info[3].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      Napi::TypeError::New(env, "holdRepeats(vrid: number, source: Buffer(4), destination: Buffer(4), payload: Uint8Array)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const int64_t vrid = info[0].As<Napi::Number>().Int64Value();
    Napi::Uint8Array payload = info[3].As<Napi::Uint8Array>();
    if (vrid < 1 || vrid > 255 || payload.ElementLength() < 2 || payload.Data()[1] != vrid) {
      Napi::RangeError::New(env, "holdRepeats: vrid 1..255, the payload's own").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (repeatTable_.IsEmpty()) {
      Napi::Float64Array table = Napi::Float64Array::New(env, 2 * held_.size());
      repeats_ = table.Data();
      for (size_t i = 0; i < 2 * held_.size(); i++) repeats_[i] = i % 2 == 0 ? 0.0 : std::nan("");
      repeatTable_.Reset(table, 1);
    }
    Held& held = held_[static_cast<size_t>(vrid)];
    if (!held.active) heldCount_++;
    held.active = true;
    std::memcpy(held.source, &source, 4);
    std::memcpy(held.destination, &destination, 4);
    held.payload.assign(payload.Data(), payload.Data() + payload.ElementLength());
    repeats_[2 * vrid] = 0.0;
    repeats_[2 * vrid + 1] = std::nan("");
    return repeatTable_.Value();
  }

  Napi::Value ReleaseRepeats(const Napi::CallbackInfo& info) {
    const size_t vrid = ReadVrid(info, "releaseRepeats(vrid: number)");
    if (vrid != 0 && held_[vrid].active) {
      held_[vrid].active = false;
      heldCount_--;
      // Its router acts on something else now: what waits in the queue is read at once.
      ResumeReads();
    }
    return info.Env().Undefined();
  }

  // `packet` the whole IP packet, `payload` its VRRP message.
  bool IsHeldRepeat(const uint8_t* packet, const uint8_t* payload, size_t length, msghdr& message) {
    if (length < 2) return false;
    const Held& held = held_[payload[1]];
    if (!held.active || packet[8] != kTtl || length != held.payload.size() || std::memcmp(packet + 12, held.source, 4) != 0 ||
        std::memcmp(packet + 16, held.destination, 4) != 0 || std::memcmp(payload, held.payload.data(), length) != 0) {
      return false;
    }
    double receipt = MonotonicNowMs();
    timespec received{};
    if (Stamp(message, &received)) {
      timespec wallNow{};
      clock_gettime(CLOCK_REALTIME, &wallNow);
      const double age = AgeMs(received, wallNow);
      if (!std::isnan(age)) receipt -= age;
    }
    repeats_[2 * payload[1]] += 1.0;
    repeats_[2 * payload[1] + 1] = receipt;
    return true;
  }

  // A packet read and not yet handed over: where its payload ends in payloads_, and its header's.
  struct Kept {
    size_t end;
    uint8_t ttl;
    uint8_t source[4];
    uint8_t destination[4];
    bool stamped;
    timespec received;
  };

  // The kernel's receipt time (SCM_TIMESTAMPNS), false when the message has none.
  static bool Stamp(msghdr& message, timespec* received) {
    for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
      if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_TIMESTAMPNS) continue;
      std::memcpy(received, CMSG_DATA(header), sizeof(*received));
      return true;
    }
    return false;
  }

  // The kernel stamps each packet on CLOCK_REALTIME, which the daemon does not use (its timers
  // are on CLOCK_MONOTONIC, immune to clock steps): what crosses over is the packet's age at the
  // call, in milliseconds; the caller subtracts it from its monotonic now. NaN for an age beyond
  // kMaxAgeNs (a wall-clock step between receipt and call, not a wait).
  static double AgeMs(const timespec& received, const timespec& now) {
    const int64_t age = (static_cast<int64_t>(now.tv_sec) - received.tv_sec) * 1000000000LL + (now.tv_nsec - received.tv_nsec);
    if (age > kMaxAgeNs) return std::nan("");
    return age < 0 ? 0.0 : static_cast<double>(age) / 1e6;
  }

  // The (payload, destination) of send and armResignation; false, with a TypeError naming `usage`, when they are not that.
  static bool ReadOutgoing(const Napi::CallbackInfo& info, const char* usage, sockaddr_in* to) {
    *to = {};
    to->sin_family = AF_INET;
    if (info.Length() == 2 && info[0].IsBuffer() && ReadAddress(info[1], &to->sin_addr)) return true;
    Napi::TypeError::New(info.Env(), usage).ThrowAsJavaScriptException();
    return false;
  }

  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    sockaddr_in to;
    if (!ReadOutgoing(info, "send(payload: Buffer, destination: Buffer(4))", &to)) return env.Undefined();
    Napi::Buffer<uint8_t> payload = info[0].As<Napi::Buffer<uint8_t>>();
    // The signal handler resigned for this process (signal_resignation.cc): nothing that undoes it.
    if (ResignationSuppresses(fd_, reinterpret_cast<sockaddr*>(&to), sizeof(to), payload.Data(), payload.Length())) return Napi::Number::New(env, 0);
    return SendOrQueue(env, payload, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  }

  // armResignation(payload, destination: Buffer(4)): the slot of this priority-0 advertisement, or -1.
  Napi::Value Arm(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    sockaddr_in to;
    if (!ReadOutgoing(info, "armResignation(payload: Buffer, destination: Buffer(4))", &to)) return env.Undefined();
    Napi::Buffer<uint8_t> payload = info[0].As<Napi::Buffer<uint8_t>>();
    return Napi::Number::New(env, ArmResignation(fd_, reinterpret_cast<sockaddr*>(&to), sizeof(to), payload.Data(), payload.Length()));
  }

  // An address's four bytes as one number (network order, most significant first).
  static double AddressNumber(const uint8_t* bytes) {
    return static_cast<double>((static_cast<uint32_t>(bytes[0]) << 24) | (static_cast<uint32_t>(bytes[1]) << 16) | (static_cast<uint32_t>(bytes[2]) << 8) | bytes[3]);
  }

  static constexpr size_t kFieldsPerPacket = 5;

  // This wake-up's packets, back to back, and what each came with: room kept between wake-ups.
  std::vector<uint8_t> payloads_;
  std::vector<Kept> kept_;
  // What JavaScript is handed them in: kept (a reference each) and reused, grown when too small.
  Napi::Reference<Napi::Uint8Array> payloadRoom_;
  size_t payloadRoomSize_ = 2048;
  Napi::Reference<Napi::Float64Array> packetRoom_;
  size_t packetRoomSize_ = 64;
  // Held repeats, by VRID: what is held, how many VRIDs are, and the table JavaScript reads.
  std::array<Held, 256> held_{};
  size_t heldCount_ = 0;
  Napi::Reference<Napi::Float64Array> repeatTable_;
  double* repeats_ = nullptr;
  // Held sends, by VRID, their timer and the table JavaScript reads.
  HeldSender sender_;
  // The read pause: how long at most, not past when, while how many routers use the socket.
  double readPauseMs_ = 0;
  double pauseNotAfterMs_ = 0;
  size_t pauseRouters_ = 0;
  bool paused_ = false;
  LoopTimer resumeTimer_;
  Napi::Reference<Napi::Float64Array> sendTable_;
  napi_env env_ = nullptr;
};

}  // namespace

void InitVrrp4Socket(Napi::Env env, Napi::Object exports) {
  exports.Set("Vrrp4Socket", Vrrp4Socket::Define(env));
}
