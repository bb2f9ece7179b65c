// The native shim (native-shims/), built by `npm ci` / `npm install` through node-gyp.
import { createRequire } from 'node:module';
import { packageRoot, shimFile } from './package-files.js';

/** Realtime instants in epoch ms (sub-ms) of the first SIGTERM / SIGINT in the native handler. */
export interface ResignationTrace {
  /** The handler first ran (on any thread). */
  readonly enteredAtMs?: number;
  /** That first run was on a thread other than the loop's, which sent the signal on to it. */
  readonly forwarded?: boolean;
  /** The loop's thread began sending the armed packets / returned from the last sendto. */
  readonly sendingAtMs?: number;
  readonly sentAtMs?: number;
  /** Packets armed when the signal came, and sent; who sent them. */
  readonly armed?: number;
  readonly sent?: number;
  readonly by?: 'handler' | 'watcher';
  /** The watcher thread woke for the signal; whether it runs SCHED_FIFO (absent: no watcher). */
  readonly watcherWokeAtMs?: number;
  readonly watcherRealtime?: boolean;
  /** The signal's handler is the native one now. */
  readonly installed?: boolean;
}

export interface Vrrp6SocketOptions {
  readonly interfaceName: string;
  readonly interfaceIndex: number;
  /** Sent hop limit, unicast and multicast (RFC 5798 §5.1.2.3: 255). */
  readonly hopLimit: number;
  /** Multicast groups to join on the interface (16-byte addresses). */
  readonly groups: readonly Buffer[];
  /** The address to bind (and so send from); a link-local one is bound with the interface as scope. */
  readonly source?: Buffer;
  /** The kernel fills the checksum on send and drops bad ones on receipt (IPV6_CHECKSUM). Default true. */
  readonly kernelChecksum?: boolean;
}

/**
 * Called per packet received, or once with an error. Addresses are 16 bytes; hopLimit is what
 * IPV6_HOPLIMIT reported (undefined if the kernel gave none).
 */
export type Vrrp6PacketCallback = (
  error: (Error & { errno?: number }) | null,
  payload?: Buffer,
  source?: Buffer,
  destination?: Buffer,
  hopLimit?: number,
) => void;

/** A raw IPPROTO_VRRP AF_INET6 socket: kernel checksum at offset 6, multicast loop off, bound to the device. */
export interface NativeVrrp6Socket {
  /** Sends one VRRP message; scopeId is the interface index for link-local and multicast destinations. */
  send(payload: Buffer, destination: Buffer, scopeId: number): number;
  /** Arms a priority-0 advertisement for the SIGTERM / SIGINT handler (resignOnSignals): its slot, or -1 when none is free. */
  armResignation(payload: Buffer, destination: Buffer, scopeId: number): number;
  close(): void;
}

export interface Vrrp4SocketOptions {
  readonly interfaceName: string;
  readonly interfaceIndex: number;
  /** Our address on the interface (4 bytes): multicast leaves from it (IP_MULTICAST_IF). */
  readonly source: Buffer;
  /** Multicast groups to join on the interface (4-byte addresses). */
  readonly groups: readonly Buffer[];
}

/**
 * Called once per wake-up with the `count` packets read in it (the IP headers stripped), or with
 * an error (a send that waited and was then refused, a socket error). Packet i's fields are
 * packets[VRRP4_FIELDS * i + k]: k = 0 the end of its payload in payloads (which runs from the end
 * of packet i - 1's, 0 for the first), 1 the received IP header's TTL, 2 how long the packet had
 * waited since the kernel's receipt (SO_TIMESTAMPNS) in ms or NaN when unknown, 3 its source and 4
 * its destination address as 32-bit numbers (the first byte most significant). `payloads` and
 * `packets` are the socket's own, reused at every call: valid during the call only.
 */
export type Vrrp4PacketCallback = (error: (Error & { errno?: number }) | null, count?: number, payloads?: Uint8Array, packets?: Float64Array) => void;

/** Fields per packet in a Vrrp4PacketCallback's `packets`. */
export const VRRP4_FIELDS = 5;

/** A raw IPPROTO_VRRP AF_INET socket: TTL 255, TOS 0xC0, multicast loop off, bound to the device. */
export interface NativeVrrp4Socket {
  /**
   * Sends one VRRP message to a 4-byte address: the bytes sent, or 0 when it waits (in order) for
   * room in the kernel's buffer. Any Uint8Array (N-API's buffer check takes every typed array
   * view): a Master's advertisement is sent as encoded, without a Buffer view made per send.
   */
  send(payload: Uint8Array, destination: Buffer): number;
  /** Arms a priority-0 advertisement for the SIGTERM / SIGINT handler (resignOnSignals): its slot, or -1 when none is free. */
  armResignation(payload: Uint8Array, destination: Buffer): number;
  /**
   * Counts the packets of `vrid` identical to `payload` from `source` to `destination` (TTL 255)
   * instead of handing them over. Returns the socket's table: per VRID v, [2v] the count (the
   * caller resets it when it takes them), [2v + 1] the last one's receipt in ms on CLOCK_MONOTONIC
   * from the clock's zero (NaN until one). Absent from a shim built before it.
   */
  holdRepeats?(vrid: number, source: Buffer, destination: Buffer, payload: Uint8Array): Float64Array;
  /** Hands that VRID's packets over again. */
  releaseRepeats?(vrid: number): void;
  /**
   * Sends payloads[i] to destinations[i] itself, first at firstDueMs (CLOCK_MONOTONIC ms from the
   * clock's zero) and every intervalMs after, until released. Returns the socket's send table: per
   * VRID v, [2v] the advertisements sent (the caller resets it when it takes them), [2v + 1] when
   * the last one was due (NaN until one). A send the kernel refuses for good ends the hold and
   * comes to the packet callback as an Error with `heldVrid`. Absent from a shim built before it.
   */
  holdSends?(vrid: number, payloads: Uint8Array[], destinations: Buffer[], intervalMs: number, firstDueMs: number): Float64Array;
  /** The VRID's advertisements are the caller's to send again. */
  releaseSends?(vrid: number): void;
  /**
   * While `routers` VRIDs have their repeats held (all the socket's routers), pauses reading up
   * to delayMs after a wake-up that read only held repeats, never past notAfterMs (CLOCK_MONOTONIC
   * ms from the clock's zero); delayMs 0 turns it off. Absent from a shim built before it.
   */
  setReadPause?(delayMs: number, notAfterMs: number, routers: number): void;
  close(): void;
}

/**
 * A timerfd on CLOCK_MONOTONIC (performance.now's clock), polled on Node's loop while armed. The
 * expiry callback must arm or disarm it before returning: until then it stays due.
 */
export interface NativeMonotonicTimer {
  /** Calls onExpiry once, delayMs from now (fractions of a millisecond kept; 0 or less: at once). */
  arm(delayMs: number): void;
  disarm(): void;
  close(): void;
}

export interface BfdSocketOptions {
  readonly family: 4 | 6;
  /** The address to bind (4 or 16 bytes); absent: any. */
  readonly address?: Buffer;
  /** The port to bind; 0: the kernel picks. */
  readonly port: number;
  /** TTL / hop limit of what it sends (IP_TTL / IPV6_UNICAST_HOPS). */
  readonly ttl: number;
  /** SO_BINDTODEVICE. */
  readonly interfaceName?: string;
  /** false: not read on this loop (a BfdPacer reads it, from fd()); default true. */
  readonly poll?: boolean;
}

/**
 * Called per datagram received, or once with an error. Addresses are 4 or 16 bytes; destination
 * is IP_PKTINFO's (undefined if the kernel gave none), ttl IP_TTL's / IPV6_HOPLIMIT's.
 */
export type BfdDatagramCallback = (
  error: (Error & { errno?: number }) | null,
  payload?: Buffer,
  source?: Buffer,
  sourcePort?: number,
  destination?: Buffer,
  ttl?: number,
) => void;

/** A UDP socket that reports each datagram's TTL / hop limit and destination (BFD, RFC 5881 §5). */
export interface NativeBfdSocket {
  send(payload: Buffer, destination: Buffer, port: number): number;
  /** The descriptor, for a BfdPacer (which duplicates it). */
  fd(): number;
  close(): void;
}

/**
 * What a BfdPacer's thread reports: a datagram for the session core (session: the local
 * discriminator it matched, 0 for none), or a Detection Time that passed (with the generation
 * detect() was given).
 */
export type BfdPacerEventCallback = (
  kind: 'datagram' | 'expired',
  a: number,
  b: Buffer | number,
  source?: Buffer,
  sourcePort?: number,
  destination?: Buffer,
  ttl?: number,
  session?: number,
) => void;

/**
 * BFD's periodic transmission, receive fast path and Detection Time on a native thread
 * (native-shims/bfd_pacer.cc); sessions are named by their local discriminator.
 */
export interface NativeBfdPacer {
  session(id: number, fd: number, destination: Buffer, port: number, peer: Buffer, multihop: boolean, minimumTtl: number): void;
  packet(id: number, bytes: Buffer): void;
  /**
   * Periodic transmission every `intervalUs` less RFC 5880 §6.8.7's jitter (75-90 % if
   * `narrowJitter`); 0 stops. `restart`: the next packet one jittered interval from now.
   */
  pace(id: number, intervalUs: number, narrowJitter: boolean, restart: boolean): void;
  /** (Re)starts the Detection Time (µs); 0 stops. */
  detect(id: number, timeUs: number, generation: number): void;
  /** The core has handled `count` datagrams the thread gave it for this session. */
  settled(id: number, count: number): void;
  /** [sent, send errors, last send errno, packets that only restarted the Detection Time]. */
  counters(id: number): [number, number, number, number];
  remove(id: number): void;
  listen(id: number, fd: number, family: 4 | 6, multihop: boolean): void;
  unlisten(id: number): void;
  /** [nice asked for, setpriority's errno (0: applied), SCHED_RR priority asked for (0: none), its errno]. */
  priority(): [number, number, number, number];
  /** Datagrams dropped because JavaScript had too many waiting. */
  dropped(): number;
  close(): void;
}

export interface NetlinkWatchSocketOptions {
  /** RTMGRP_* bits: the multicast groups to follow. */
  readonly groups: number;
  /** SO_RCVBUFFORCE (past net.core.rmem_max, with CAP_NET_ADMIN), else SO_RCVBUF. */
  readonly receiveBufferBytes: number;
}

/**
 * Called per datagram from the kernel (one or more netlink messages), or with an error (ENOBUFS:
 * notifications were dropped; the socket goes on reading).
 */
export type NetlinkMessagesCallback = (error: (Error & { errno?: number }) | null, bytes?: Buffer) => void;

/** A route netlink socket joined to notification groups. */
export interface NativeNetlinkWatchSocket {
  close(): void;
}

/** A route netlink socket whose request returns with the kernel's answer (netlink_request.cc). */
export interface NativeNetlinkRequestSocket {
  /** One whole netlink message asking for an acknowledgement: 0, or the kernel's errno (positive; ETIMEDOUT without an answer). */
  request(message: Buffer): number;
  close(): void;
}

/** Called per inotify event (name "" with IN_IGNORED: the directory is gone), or with an error. */
export type DirectoryEventCallback = (error: (Error & { errno?: number }) | null, name?: string, mask?: number) => void;

/** An inotify watch of a directory for IN_CLOSE_WRITE, IN_DELETE and IN_MOVE; does not keep the process alive. */
export interface NativeDirectoryWatch {
  close(): void;
}

/** TlsStream's events: 1 handshake done, 2 data, 3 end, 4 error (code, message, 0 connect / 1 handshake / 2 transfer). */
export type TlsStreamEventCallback = (kind: number, data?: Buffer | string, message?: string, during?: number) => void;

/** SSL_GET's unverified TLS connection on the loop (tls_stream.cc). */
export interface NativeTlsStream {
  /** Starts connecting (tls false: plain TCP); a failure at once comes back as [code, message] and no event follows. */
  connect(family: 4 | 6, address: string, port: number, localAddress: string, localPort: number, servername: string, tls: boolean): [string, string] | undefined;
  write(bytes: Uint8Array): void;
  /** No event follows; `notify`: close_notify first. */
  close(notify: boolean): void;
  /** TCP is connected and the handshake under way (told by no event: asked when a check times out). */
  handshaking(): boolean;
}

/** The TlsStream class: streams, and its SSL objects' reuse on this thread (tests). */
export interface NativeTlsStreamClass {
  new (onEvent: TlsStreamEventCallback): NativeTlsStream;
  /** [SSL objects made, SSL objects reused, plain TCP streams connected] on this thread. */
  counts(): [number, number, number];
}

export interface NativeShims {
  /** Sends a complete Ethernet frame on the interface (AF_PACKET); returns the bytes sent. */
  sendFrame(interfaceIndex: number, frame: Buffer): number;
  /** Opens sendFrame's socket now (it needs CAP_NET_RAW) instead of at the first frame. */
  openPacketSocket(): void;
  Vrrp4Socket: new (options: Vrrp4SocketOptions, onPacket: Vrrp4PacketCallback) => NativeVrrp4Socket;
  Vrrp6Socket: new (options: Vrrp6SocketOptions, onPacket: Vrrp6PacketCallback) => NativeVrrp6Socket;
  /** One datagram to an AF_UNIX socket path, or an abstract name written "@name" (sd_notify). */
  sendUnixDatagram(path: string, message: Buffer): number;
  /** Installs a handler for a realtime signal; returns a pipe's read end, one byte per delivery. */
  signalPipe(signo: number): number;
  /**
   * Installs the handler that sends every armed priority-0 advertisement on these signals, then hands
   * each on to the handler before it (libuv's), and (`watch`, default) starts the watcher thread that
   * sends them as the signal is generated. `handle` false: the watcher alone (tests).
   */
  resignOnSignals(signals: readonly number[], watch?: boolean, handle?: boolean): void;
  /** How many armed advertisements the handler sent (0 before a signal). */
  resignationsSent(): number;
  /** What the first signal met in the handler (signal_resignation.cc); `installed` when asked for a signal. Absent from a shim built before it. */
  resignationTrace?(signo?: number): ResignationTrace;
  /** Takes back an armed advertisement (its instance is no longer Master); a no-op once the handler sent them. */
  withdrawResignation(slot: number): void;
  MonotonicTimer: new (onExpiry: () => void) => NativeMonotonicTimer;
  /**
   * Whether a VRRP socket of this thread's loop (or a BFD socket it reads) holds an unread packet
   * (native-shims/monotonic_timer.cc): RealClock's `packetsWaiting`. Absent from a shim built before it.
   */
  packetsWaiting?(): boolean;
  BfdSocket: new (options: BfdSocketOptions, onDatagram: BfdDatagramCallback) => NativeBfdSocket;
  BfdPacer: new (options: { readonly nice?: number; readonly rtPriority?: number }, onEvent: BfdPacerEventCallback) => NativeBfdPacer;
  DirectoryWatch: new (directory: string, onEvent: DirectoryEventCallback) => NativeDirectoryWatch;
  /** Absent from a shim built before it (`npm run build` does not rebuild the shim). */
  TlsStream?: NativeTlsStreamClass;
  NetlinkWatchSocket: new (options: NetlinkWatchSocketOptions, onMessages: NetlinkMessagesCallback) => NativeNetlinkWatchSocket;
  NetlinkRequestSocket: new () => NativeNetlinkRequestSocket;
  /** The C library's SIGRTMIN (34 with glibc, which keeps two for threads). */
  realtimeSignalMin(): number;
  /** Sets the calling thread's nice value (-20..19); a negative one needs CAP_SYS_NICE. */
  setThreadNice(nice: number): void;
  /** glibc's M_TRIM_THRESHOLD (mallopt): free memory above it at the top of any thread's arena goes back to the kernel. */
  setMallocTrimThreshold(bytes: number): void;
  /** V8 flags from now on, as node:v8's setFlagsFromString (without loading node:v8). */
  setV8Flags(flags: string): void;
  /** V8's moderate memory pressure: an incremental mark-compact that shrinks the heap starts (native-shims/memory_pressure.cc). */
  notifyMemoryPressure(): void;
  /** V8's old space in use, in bytes (memory_pressure.cc); absent from a shim built before it. */
  oldSpaceUsedBytes?(): number;
  /** `before` + the file + `after` as one external string; undefined when not ASCII (native-shims/bundle_source.cc, src/cli/code-cache.ts). */
  readWrappedSource(path: string, before: string, after: string): string | undefined;
  /** The file in a Buffer over memory read in one go (native-shims/bundle_source.cc). */
  readWholeFile(path: string): Buffer;
  /** Whether the kernel has pidfds and waitid(P_PIDFD) (5.4), which spawnScript needs. Absent from a shim built before it. */
  spawnSupported?(): boolean;
  /**
   * Starts argv[0] (searched in `searchPath` when it has no slash, as execvp) without forking the
   * daemon (native-shims/script_spawn.cc): a session of its own, stdio on /dev/null, cwd /,
   * environment `env` ("NAME=value"), uid and gid set when not -1. Returns the pid (the process
   * group's id); onExit(code, signal) once it ends: code its exit status, or -1 and the signal's
   * number. A failure to start (execve's ENOENT, EACCES; setuid's EPERM) is thrown with errno, code
   * and syscall. Absent from a shim built before it.
   */
  spawnScript?(argv: readonly string[], env: readonly string[], searchPath: string, uid: number, gid: number, onExit: (code: number, signal: number) => void): number;
  /**
   * The same with `input` as the child's stdin, its stdout and stderr kept (memfds) and handed to
   * onExit; only where `spawnCaptures` is true.
   */
  spawnScript?(argv: readonly string[], env: readonly string[], searchPath: string, uid: number, gid: number, onExit: (code: number, signal: number, stdout: Buffer, stderr: Buffer) => void, input: Buffer): number;
  /** Whether spawnScript takes `input` (a shim built before it does not). */
  readonly spawnCaptures?: boolean;
}

let shims: NativeShims | undefined;

export function nativeShims(): NativeShims {
  if (!shims) {
    const path = shimFile(packageRoot(import.meta.url));
    try {
      shims = createRequire(import.meta.url)(path) as NativeShims;
    } catch (error) {
      throw new Error(`the native shim is not built (${path}): run npm ci or npm run build:native (${(error as Error).message})`);
    }
  }
  return shims;
}
