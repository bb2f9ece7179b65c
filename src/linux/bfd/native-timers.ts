// The sessions' timers (src/bfd/timers.ts) on the native BfdPacer's thread
// (native-shims/bfd_pacer.cc): periodic packets leave and Detection Times run there, whatever the
// JavaScript loops are doing. bench/bfd.ts found the BFD worker's timer callbacks held off the CPU
// for up to 160 ms under load - mostly blocked, not waiting for a core - so a 10 ms session lost
// its peer. The thread also reads the receive sockets: a packet the session core has already seen,
// byte for byte, only restarts the Detection Time there; anything else comes here, to the core.
import { getSystemErrorName } from 'node:util';
import { addressToBytes, bytesToAddress, type AddressFamily } from '../../core/address.js';
import { encodeControlPacket, type ControlPacket } from '../../bfd/packet.js';
import type { SessionSpec } from '../../bfd/session-table.js';
import type { SessionTimers, TimerHooks } from '../../bfd/timers.js';
import { nativeShims, type NativeBfdPacer } from '../native.js';
import { MULTI_HOP_PORT, SINGLE_HOP_PORT, type BfdSocket, type ReceivedDatagram } from './sockets.js';

/** A datagram the thread passed on, with the receiving socket's family and port kind. */
export interface PacedDatagram extends ReceivedDatagram {
  readonly family: AddressFamily;
  readonly multihop: boolean;
}

export interface PacingEvents {
  /** A datagram for the session table; then settled(). */
  datagram(datagram: PacedDatagram, session: number): void;
  error(error: Error): void;
}

export class NativePacing {
  private readonly pacer: NativeBfdPacer;
  private readonly timers = new Map<number, NativeSessionTimers>();
  private readonly listeners = new Map<number, { family: AddressFamily; multihop: boolean }>();
  /** Datagrams of each session the core has handled (the thread's fast path waits for all). */
  private readonly handled = new Map<number, number>();
  /** Sessions whose sends fail: reported once per run of failures, as the engine does. */
  private readonly failing = new Set<number>();
  private closed = false;

  constructor(
    priority: { readonly nice?: number; readonly rtPriority?: number },
    private readonly events: PacingEvents,
  ) {
    this.pacer = new (nativeShims().BfdPacer)(priority, (kind, a, b, source, sourcePort, destination, ttl, session) => {
      if (this.closed) return;
      if (kind === 'expired') return this.timers.get(a)?.expired(b as number);
      const listener = this.listeners.get(a);
      if (!listener || !Buffer.isBuffer(b) || !source || sourcePort === undefined) return;
      this.events.datagram(
        {
          payload: b,
          source: bytesToAddress(listener.family, source),
          sourcePort,
          ...(destination ? { destination: bytesToAddress(listener.family, destination) } : {}),
          ...(ttl !== undefined && ttl >= 0 ? { ttl } : {}),
          family: listener.family,
          multihop: listener.multihop,
        },
        session ?? 0,
      );
    });
  }

  /** The thread's nice value and SCHED_RR priority as asked (0: none), and the kernel's refusals if any (no CAP_SYS_NICE). */
  priority(): { readonly nice: number; readonly errno: number; readonly rtPriority: number; readonly rtErrno: number } {
    const [nice, errno, rtPriority, rtErrno] = this.pacer.priority();
    return { nice, errno, rtPriority, rtErrno };
  }

  /** The thread reads `socket` from now on (it must not be read on this loop too). */
  listen(id: number, socket: BfdSocket, multihop: boolean): void {
    this.pacer.listen(id, socket.fd(), socket.family === 'ipv4' ? 4 : 6, multihop);
    this.listeners.set(id, { family: socket.family, multihop });
  }

  unlisten(id: number): void {
    this.pacer.unlisten(id);
    this.listeners.delete(id);
  }

  /** The core has handled one more datagram of this session. */
  settled(session: number): void {
    if (session === 0 || !this.timers.has(session)) return;
    const count = ((this.handled.get(session) ?? 0) + 1) >>> 0;
    this.handled.set(session, count);
    this.pacer.settled(session, count);
  }

  /** Where a session's packets go (again, after a reload that changed its TTLs and so its socket). */
  address(localDiscr: number, spec: SessionSpec, sender: BfdSocket): void {
    this.pacer.session(
      localDiscr,
      sender.fd(),
      Buffer.from(addressToBytes(spec.family, spec.peer)),
      spec.multihop ? MULTI_HOP_PORT : SINGLE_HOP_PORT,
      Buffer.from(addressToBytes(spec.family, spec.peer)),
      spec.multihop,
      spec.minimumTtl,
    );
  }

  /** The timers of a new session, sending through `sender`. */
  sessionTimers(spec: SessionSpec, localDiscr: number, hooks: TimerHooks, sender: BfdSocket): SessionTimers {
    this.address(localDiscr, spec, sender);
    const timers = new NativeSessionTimers(this.pacer, localDiscr, hooks, () => {
      this.timers.delete(localDiscr);
      this.handled.delete(localDiscr);
      this.failing.delete(localDiscr);
    });
    this.timers.set(localDiscr, timers);
    return timers;
  }

  /** Send errors of the thread's packets so far; the first of each run of failures is reported. */
  sendErrors(names: ReadonlyMap<number, string>): number {
    let total = 0;
    for (const [discr, timers] of this.timers) {
      const { errors, lastErrno, sent } = timers.sendCounters();
      total += errors;
      if (errors > timers.reportedErrors) {
        timers.reportedErrors = errors;
        if (!this.failing.has(discr)) {
          this.failing.add(discr);
          this.events.error(new Error(`bfd_instance ${names.get(discr) ?? discr}: sendto: ${lastErrno > 0 ? getSystemErrorName(-lastErrno) : 'failed'}`));
        }
      } else if (sent > timers.reportedSent) {
        this.failing.delete(discr);
      }
      timers.reportedSent = sent;
    }
    return total;
  }

  /** Datagrams the thread dropped because too many waited for this loop (a flood). */
  dropped(): number {
    return this.pacer.dropped();
  }

  close(): void {
    this.closed = true;
    this.pacer.close();
  }
}

class NativeSessionTimers implements SessionTimers {
  /** Bumped on every start and stop: an expiry the thread reported for an older one is stale. */
  private generation = 0;
  private closed = false;
  private last: [number, number, number, number] = [0, 0, 0, 0];
  reportedErrors = 0;
  reportedSent = 0;

  constructor(
    private readonly pacer: NativeBfdPacer,
    private readonly id: number,
    private readonly hooks: TimerHooks,
    private readonly onClose: () => void,
  ) {}

  periodicPacket(packet: ControlPacket): void {
    if (!this.closed) this.pacer.packet(this.id, Buffer.from(encodeControlPacket(packet)));
  }

  startPeriodic(interval: number, detectMult: number, restart: boolean): void {
    if (!this.closed) this.pacer.pace(this.id, interval, detectMult === 1, restart);
  }

  stopPeriodic(): void {
    if (!this.closed) this.pacer.pace(this.id, 0, false, true);
  }

  startDetection(time: number): void {
    if (this.closed) return;
    this.generation = (this.generation + 1) >>> 0;
    this.pacer.detect(this.id, time, this.generation);
  }

  stopDetection(): void {
    if (this.closed) return;
    this.generation = (this.generation + 1) >>> 0;
    this.pacer.detect(this.id, 0, this.generation);
  }

  /** The thread's report of an expiry: acted on only if no start or stop came after it. */
  expired(generation: number): void {
    if (!this.closed && generation === this.generation) this.hooks.expired();
  }

  counters(): { readonly sent: number; readonly received: number } {
    if (!this.closed) this.last = this.pacer.counters(this.id);
    return { sent: this.last[0], received: this.last[3] };
  }

  sendCounters(): { readonly sent: number; readonly errors: number; readonly lastErrno: number } {
    if (!this.closed) this.last = this.pacer.counters(this.id);
    return { sent: this.last[0], errors: this.last[1], lastErrno: this.last[2] };
  }

  close(): void {
    if (this.closed) return;
    this.last = this.pacer.counters(this.id);
    this.closed = true;
    this.pacer.remove(this.id);
    this.onClose();
  }
}
