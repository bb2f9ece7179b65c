// Every BFD session of this system: picks each one's discriminator, finds the session a received
// packet belongs to (RFC 5880 §6.3, §6.8.6), applies the TTL rules of RFC 5881 §5 / RFC 5883 §2,
// counts what it discards and why, and carries sessions over a reload. Pure, like the session:
// datagrams come in through deliver(), packets leave through the `transmit` event.
import type { AddressFamily } from '../core/address.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { decodeControlPacket, diagnosticText, DISCARD_REASONS, encodeControlPacket, type Discard, type DiscardReason, type SessionState } from './packet.js';
import { BfdSession, type SessionParameters, type SessionSnapshot, type StateChange } from './session.js';
import { clockTimers, type SessionTimers, type TimerHooks } from './timers.js';

/** One configured session (a keepalived bfd_instance; an FRR `peer`). */
export interface SessionSpec {
  /** The bfd_instance name. */
  readonly name: string;
  readonly family: AddressFamily;
  /** `neighbor_ip`, canonical. */
  readonly peer: string;
  /** `source_ip`, canonical; absent: whatever the kernel picks, and any local address is accepted. */
  readonly local?: string;
  /** RFC 5883 (UDP 4784) rather than RFC 5881 (UDP 3784). */
  readonly multihop: boolean;
  /** TTL / hop limit our packets leave with (RFC 5881 §5: 255). */
  readonly ttl: number;
  /**
   * The least TTL / hop limit a received packet may carry: 255 single-hop (RFC 5881 §5), the
   * configured hop count below the sent TTL multi-hop (keepalived's `max_hops`). 0: no check.
   */
  readonly minimumTtl: number;
  readonly parameters: SessionParameters;
}

/** A UDP datagram that arrived on a BFD control port. */
export interface Datagram {
  readonly payload: Uint8Array;
  readonly family: AddressFamily;
  readonly source: string;
  /** The address it was sent to (IP_PKTINFO); undefined if the socket could not tell. */
  readonly destination?: string;
  /** TTL / hop limit it arrived with. */
  readonly ttl: number;
  /** It arrived on the multi-hop port (4784). */
  readonly multihop: boolean;
}

export interface TableEvents {
  /** A packet for `spec`'s peer. */
  transmit(spec: SessionSpec, bytes: Uint8Array): void;
  stateChanged(spec: SessionSpec, change: StateChange): void;
  /** A datagram was discarded (counted already); for a debug log line. */
  discarded?(datagram: Datagram, discard: Discard, session: string | undefined): void;
}

/** A session as `vrrpd status` shows it. */
export interface SessionStatus extends SessionSnapshot {
  readonly name: string;
  readonly family: AddressFamily;
  readonly peer: string;
  readonly local?: string;
  readonly multihop: boolean;
  /** Milliseconds since bfd.SessionState last changed (since the session began, before any change). */
  readonly stateForMs: number;
  /** The last time the session left Up: why (bfd.LocalDiag's text) and how long ago. */
  readonly lastDown?: { readonly diag: number; readonly reason: string; readonly agoMs: number };
  readonly upTransitions: number;
  readonly downTransitions: number;
  /** Packets for this session discarded (TTL, authentication, AdminDown). */
  readonly discarded: number;
}

interface Entry {
  spec: SessionSpec;
  readonly session: BfdSession;
  changedAt: number;
  lastDown: { diag: number; at: number } | undefined;
  upTransitions: number;
  downTransitions: number;
  discarded: number;
}

/** What a reload did, by session name. */
export interface TableChanges {
  readonly added: readonly string[];
  /** Sessions whose addresses changed: the old one went AdminDown, a new one started. */
  readonly replaced: readonly string[];
  readonly updated: readonly string[];
  readonly unchanged: readonly string[];
  readonly removed: readonly string[];
}

/** The largest 32-bit discriminator; 0 is reserved (§6.8.1). */
const MAX_DISCRIMINATOR = 0xffffffff;
/** A removed session keeps sending AdminDown at most this long (§6.8.16 asks for a Detection Time). */
const RETIRE_MAX_MS = 10_000;

export class SessionTable {
  private readonly entries = new Map<string, Entry>();
  private readonly byDiscriminator = new Map<number, Entry>();
  /** Sessions a reload removed, sending AdminDown until the peer has seen it (§6.8.16). */
  private readonly retiring = new Map<Entry, TimerHandle>();
  private readonly discards = new Map<DiscardReason, number>(DISCARD_REASONS.map((reason) => [reason, 0]));
  private started = false;

  constructor(
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly events: TableEvents,
    /** Each session's timers (timers.ts); by default on `clock`. */
    private readonly timers: (spec: SessionSpec, localDiscr: number, hooks: TimerHooks) => SessionTimers = (_spec, localDiscr, hooks) => clockTimers(clock, random)(localDiscr, hooks),
  ) {}

  /** The current spec of each session by its bfd.LocalDiscr (a reload may have changed its TTLs). */
  specs(): ReadonlyMap<number, SessionSpec> {
    return new Map([...this.entries.values()].map((entry) => [entry.session.localDiscr, entry.spec]));
  }

  /** Starts every session; those configure() adds later start at once. */
  start(): void {
    this.started = true;
    for (const entry of this.entries.values()) entry.session.start();
  }

  /**
   * Makes the sessions those of `specs`. A session whose addressing is unchanged carries on with
   * its state (new timers go through a Poll Sequence); one whose addressing changed is replaced;
   * one no longer wanted goes AdminDown and is dropped once its peer has had time to see it.
   */
  configure(specs: readonly SessionSpec[]): TableChanges {
    const changes = { added: [] as string[], replaced: [] as string[], updated: [] as string[], unchanged: [] as string[], removed: [] as string[] };
    const wanted = new Map(specs.map((spec) => [spec.name, spec]));
    for (const [name, entry] of this.entries) {
      const spec = wanted.get(name);
      if (spec && sameAddressing(spec, entry.spec)) continue;
      this.retire(entry);
      this.entries.delete(name);
      if (spec) changes.replaced.push(name);
      else changes.removed.push(name);
    }
    for (const spec of specs) {
      const entry = this.entries.get(spec.name);
      if (!entry) {
        this.add(spec);
        if (!changes.replaced.includes(spec.name)) changes.added.push(spec.name);
      } else if (sameParameters(entry.spec, spec)) {
        changes.unchanged.push(spec.name);
      } else {
        entry.spec = spec;
        entry.session.update(spec.parameters);
        changes.updated.push(spec.name);
      }
    }
    return changes;
  }

  /** RFC 5880 §6.8.6, up to the point where the session takes over. */
  deliver(datagram: Datagram): void {
    const decoded = decodeControlPacket(datagram.payload);
    if (!decoded.ok) return this.discard(datagram, decoded.discard, undefined);
    const packet = decoded.packet;
    let entry: Entry | undefined;
    if (packet.yourDiscriminator !== 0) {
      entry = this.byDiscriminator.get(packet.yourDiscriminator);
      // FRR's bfdd also checks the sender is the session's peer: a guessed discriminator from
      // elsewhere must not drive the session.
      if (!entry || entry.spec.peer !== datagram.source || entry.spec.family !== datagram.family) {
        return this.discard(datagram, { reason: 'unknown-discriminator', detail: `Your Discriminator ${packet.yourDiscriminator} names no session with peer ${datagram.source}` }, undefined);
      }
    } else {
      entry = this.findByAddress(datagram);
      if (!entry) return this.discard(datagram, { reason: 'no-session', detail: `no ${datagram.multihop ? 'multi-hop' : 'single-hop'} session with peer ${datagram.source}` }, undefined);
    }
    if (entry.spec.multihop !== datagram.multihop) {
      return this.discard(datagram, { reason: 'no-session', detail: `session ${entry.spec.name} is ${entry.spec.multihop ? 'multi-hop' : 'single-hop'}, the packet came on the other port` }, entry);
    }
    // RFC 5881 §5: without authentication, a single-hop packet with a TTL other than 255 is discarded.
    if (datagram.ttl < entry.spec.minimumTtl) {
      return this.discard(datagram, { reason: 'ttl', detail: `TTL ${datagram.ttl}, session ${entry.spec.name} needs at least ${entry.spec.minimumTtl}` }, entry);
    }
    // §6.8.6: "If the A bit is set and no authentication is in use (bfd.AuthType is zero), the packet MUST be discarded."
    if (packet.authenticationPresent) return this.discard(datagram, { reason: 'authentication', detail: 'the A bit is set; sessions run without authentication' }, entry);
    if (!entry.session.receive(packet)) this.discard(datagram, { reason: 'admin-down', detail: `session ${entry.spec.name} is AdminDown` }, entry);
  }

  /** Every session goes AdminDown (each sends it once at once) and stops; for the daemon stopping. */
  stop(): void {
    for (const [entry, timer] of this.retiring) {
      timer.cancel();
      entry.session.stop();
    }
    this.retiring.clear();
    for (const entry of this.entries.values()) {
      entry.session.adminDown();
      entry.session.stop();
    }
    this.entries.clear();
    this.byDiscriminator.clear();
  }

  /** A session's state, or undefined when there is no such session. */
  state(name: string): SessionState | undefined {
    return this.entries.get(name)?.session.state;
  }

  status(): SessionStatus[] {
    const now = this.clock.now();
    return [...this.entries.values()].map((entry) => ({
      name: entry.spec.name,
      family: entry.spec.family,
      peer: entry.spec.peer,
      ...(entry.spec.local !== undefined ? { local: entry.spec.local } : {}),
      multihop: entry.spec.multihop,
      ...entry.session.snapshot(),
      stateForMs: now - entry.changedAt,
      ...(entry.lastDown ? { lastDown: { diag: entry.lastDown.diag, reason: diagnosticText(entry.lastDown.diag), agoMs: now - entry.lastDown.at } } : {}),
      upTransitions: entry.upTransitions,
      downTransitions: entry.downTransitions,
      discarded: entry.discarded,
    }));
  }

  /** Discarded packets by reason, over every session and none. */
  discarded(): ReadonlyMap<DiscardReason, number> {
    return this.discards;
  }

  private add(spec: SessionSpec): void {
    const localDiscr = this.newDiscriminator();
    const entry: Entry = {
      spec,
      changedAt: this.clock.now(),
      lastDown: undefined,
      upTransitions: 0,
      downTransitions: 0,
      discarded: 0,
      session: new BfdSession(
        localDiscr,
        spec.parameters,
        this.clock,
        this.random,
        {
          transmit: (packet) => this.events.transmit(entry.spec, encodeControlPacket(packet)),
          stateChanged: (change) => this.changed(entry, change),
        },
        (discr, hooks) => this.timers(spec, discr, hooks),
      ),
    };
    this.entries.set(spec.name, entry);
    this.byDiscriminator.set(localDiscr, entry);
    if (this.started) entry.session.start();
  }

  private changed(entry: Entry, change: StateChange): void {
    const now = this.clock.now();
    entry.changedAt = now;
    if (change.to === 'Up') entry.upTransitions++;
    if (change.from === 'Up') {
      entry.downTransitions++;
      entry.lastDown = { diag: change.diag, at: now };
    }
    this.events.stateChanged(entry.spec, change);
  }

  /** §6.8.16: AdminDown for one Detection Time of the peer's, then gone. */
  private retire(entry: Entry): void {
    entry.session.adminDown();
    const lingerMs = Math.min(RETIRE_MAX_MS, entry.session.remoteDetectionTime() / 1000);
    this.retiring.set(
      entry,
      this.clock.setTimer(lingerMs, () => {
        entry.session.stop();
        this.retiring.delete(entry);
        if (this.byDiscriminator.get(entry.session.localDiscr) === entry) this.byDiscriminator.delete(entry.session.localDiscr);
      }),
    );
  }

  /** §6.3: with Your Discriminator zero, the session is found by the addresses (and the port it came on). */
  private findByAddress(datagram: Datagram): Entry | undefined {
    for (const entry of this.entries.values()) {
      const spec = entry.spec;
      if (spec.family !== datagram.family || spec.peer !== datagram.source || spec.multihop !== datagram.multihop) continue;
      if (spec.local !== undefined && datagram.destination !== undefined && spec.local !== datagram.destination) continue;
      return entry;
    }
    return undefined;
  }

  /** §6.8.1: bfd.LocalDiscr "MUST be unique across all BFD sessions on this system, and nonzero"; random, as FRR and keepalived pick it. */
  private newDiscriminator(): number {
    for (;;) {
      const candidate = 1 + Math.floor(this.random() * MAX_DISCRIMINATOR);
      if (candidate <= MAX_DISCRIMINATOR && !this.byDiscriminator.has(candidate)) return candidate;
    }
  }

  private discard(datagram: Datagram, discard: Discard, entry: Entry | undefined): void {
    this.discards.set(discard.reason, (this.discards.get(discard.reason) ?? 0) + 1);
    if (entry) entry.discarded++;
    this.events.discarded?.(datagram, discard, entry?.spec.name);
  }
}

function sameAddressing(a: SessionSpec, b: SessionSpec): boolean {
  return a.family === b.family && a.peer === b.peer && a.local === b.local && a.multihop === b.multihop;
}

function sameParameters(a: SessionSpec, b: SessionSpec): boolean {
  const p = a.parameters;
  const q = b.parameters;
  return (
    a.ttl === b.ttl &&
    a.minimumTtl === b.minimumTtl &&
    p.desiredMinTxInterval === q.desiredMinTxInterval &&
    p.requiredMinRxInterval === q.requiredMinRxInterval &&
    p.idleTxInterval === q.idleTxInterval &&
    p.detectMult === q.detectMult &&
    p.passive === q.passive
  );
}
