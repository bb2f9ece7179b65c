// The BFD sessions on this host: the session table (src/bfd) joined to its sockets and a clock.
// It runs wherever it is created - in the BFD worker thread (worker.ts) in the daemon, on the
// caller's loop in tests and in the benchmark's comparison - and reports through plain callbacks.
// With `native` pacing, the sessions' periodic packets, their Detection Times and the reading of
// the receive sockets run on a native thread (native-timers.ts); the session core still makes
// every decision.
import type { AddressFamily } from '../../core/address.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { DISCARD_REASONS, type DiscardReason } from '../../bfd/packet.js';
import type { StateChange } from '../../bfd/session.js';
import { SessionTable, type SessionSpec, type TableChanges } from '../../bfd/session-table.js';
import type { BfdStatus } from '../../daemon/bfd/ports.js';
import { NativePacing } from './native-timers.js';
import { BfdSocket, MULTI_HOP_PORT, SINGLE_HOP_PORT, type ReceivedDatagram } from './sockets.js';

export interface EngineEvents {
  stateChanged(session: string, change: StateChange): void;
  error(error: Error): void;
}

export interface EngineOptions {
  /**
   * Timers and receiving on the native BfdPacer thread, at this nice value (none: the process's)
   * and, with rtPriority (1-99), under SCHED_RR (keepalived's bfd_rt_priority).
   */
  readonly native?: { readonly nice?: number; readonly rtPriority?: number };
}

/** A sender no session names any more is closed after this, when no retiring session sends AdminDown through it. */
const SENDER_LINGER_MS = 11_000;

type ListenerKey = `${AddressFamily}/${'single' | 'multi'}`;

export class BfdEngine {
  private readonly table: SessionTable;
  private readonly listeners = new Map<ListenerKey, BfdSocket>();
  /** Sending sockets by family, source address and TTL; sessions that share all three share one. */
  private readonly senders = new Map<string, BfdSocket>();
  private readonly closing = new Map<string, TimerHandle>();
  private specs: readonly SessionSpec[] = [];
  private sendErrors = 0;
  /** Sessions whose last send failed: the next failure is not reported again, the next success is. */
  private readonly failing = new Set<string>();
  private started = false;
  private readonly pacing: NativePacing | undefined;
  /** The pacer's id of each listener. */
  private readonly listenerIds = new Map<ListenerKey, number>();
  private nextListenerId = 1;

  constructor(
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly events: EngineEvents,
    options: EngineOptions = {},
  ) {
    this.pacing = options.native
      ? new NativePacing(options.native, {
          datagram: (datagram, session) => {
            this.table.deliver({ ...datagram, ttl: datagram.ttl ?? 0 });
            this.pacing?.settled(session);
          },
          error: (error) => this.events.error(error),
        })
      : undefined;
    const pacing = this.pacing;
    this.table = new SessionTable(
      clock,
      random,
      {
        transmit: (spec, bytes) => this.send(spec, bytes),
        stateChanged: (spec, change) => this.events.stateChanged(spec.name, change),
      },
      pacing ? (spec, localDiscr, hooks) => pacing.sessionTimers(spec, localDiscr, hooks, this.senderOf(spec)) : undefined,
    );
  }

  /** The native thread's nice value and SCHED_RR priority and the kernel's refusals (errno), when pacing natively. */
  threadPriority(): ReturnType<NativePacing['priority']> | undefined {
    return this.pacing?.priority();
  }

  configure(specs: readonly SessionSpec[]): TableChanges {
    const wantedListeners = new Set(specs.map(listenerKey));
    const wantedSenders = new Set(specs.map(senderKey));
    const opened: Array<[Map<string, BfdSocket>, string]> = [];
    try {
      for (const key of wantedListeners) {
        if (this.listeners.has(key)) continue;
        const [family, hops] = key.split('/') as [AddressFamily, 'single' | 'multi'];
        const port = hops === 'multi' ? MULTI_HOP_PORT : SINGLE_HOP_PORT;
        const onDatagram = this.pacing ? undefined : (datagram: ReceivedDatagram) => this.table.deliver({ ...datagram, family, ttl: datagram.ttl ?? 0, multihop: hops === 'multi' });
        const socket = BfdSocket.listen(family, port, onDatagram, (error) => this.events.error(error));
        this.listeners.set(key, socket);
        opened.push([this.listeners, key]);
        if (this.pacing) {
          const id = this.nextListenerId++;
          this.pacing.listen(id, socket, hops === 'multi');
          this.listenerIds.set(key, id);
        }
      }
      for (const spec of specs) {
        const key = senderKey(spec);
        this.closing.get(key)?.cancel();
        this.closing.delete(key);
        if (this.senders.has(key)) continue;
        this.senders.set(key, BfdSocket.sender(spec.family, spec.local, spec.ttl, this.random));
        opened.push([this.senders, key]);
      }
    } catch (error) {
      for (const [map, key] of opened) {
        this.unlisten(key);
        map.get(key)?.close();
        map.delete(key);
      }
      throw error;
    }
    this.specs = specs;
    const changes = this.table.configure(specs);
    // A reload may have changed a session's TTL, and so the socket its packets leave through.
    if (this.pacing) for (const [discr, spec] of this.table.specs()) this.pacing.address(discr, spec, this.senderOf(spec));
    for (const [key, socket] of this.listeners) {
      if (wantedListeners.has(key as ListenerKey)) continue;
      this.unlisten(key);
      socket.close();
      this.listeners.delete(key);
    }
    for (const key of this.senders.keys()) {
      if (wantedSenders.has(key) || this.closing.has(key)) continue;
      this.closing.set(
        key,
        this.clock.setTimer(SENDER_LINGER_MS, () => {
          this.closing.delete(key);
          if (new Set(this.specs.map(senderKey)).has(key)) return;
          this.senders.get(key)?.close();
          this.senders.delete(key);
        }),
      );
    }
    if (!this.started) {
      this.started = true;
      this.table.start();
    }
    return changes;
  }

  status(): BfdStatus {
    const discarded = Object.fromEntries(DISCARD_REASONS.map((reason) => [reason, this.table.discarded().get(reason) ?? 0])) as Record<DiscardReason, number>;
    // The table never sees what the native thread dropped unread; the thread counts it.
    discarded.flood += this.pacing?.dropped() ?? 0;
    const sessions = this.table.status();
    const paced = this.pacing?.sendErrors(new Map(sessions.map((session) => [session.localDiscr, session.name]))) ?? 0;
    return { sessions, discarded, sendErrors: this.sendErrors + paced };
  }

  /** AdminDown on every session (sent at once), then every socket closes. */
  stop(): void {
    this.table.stop();
    this.pacing?.close();
    for (const timer of this.closing.values()) timer.cancel();
    this.closing.clear();
    for (const socket of [...this.listeners.values(), ...this.senders.values()]) socket.close();
    this.listeners.clear();
    this.senders.clear();
  }

  private unlisten(key: string): void {
    const id = this.listenerIds.get(key as ListenerKey);
    if (id === undefined) return;
    this.pacing?.unlisten(id);
    this.listenerIds.delete(key as ListenerKey);
  }

  /** The socket a session's packets leave through (configure opened it before the table saw the spec). */
  private senderOf(spec: SessionSpec): BfdSocket {
    const socket = this.senders.get(senderKey(spec));
    if (!socket) throw new Error(`bfd_instance ${spec.name}: no sending socket`);
    return socket;
  }

  private send(spec: SessionSpec, bytes: Uint8Array): void {
    const socket = this.senders.get(senderKey(spec));
    if (!socket) return;
    const error = socket.send(bytes, spec.peer, spec.multihop ? MULTI_HOP_PORT : SINGLE_HOP_PORT);
    if (!error) {
      this.failing.delete(spec.name);
      return;
    }
    this.sendErrors++;
    // One report per run of failures (keepalived logs the first too).
    if (this.failing.has(spec.name)) return;
    this.failing.add(spec.name);
    this.events.error(new Error(`bfd_instance ${spec.name}: ${error.message}`));
  }
}

function listenerKey(spec: SessionSpec): ListenerKey {
  return `${spec.family}/${spec.multihop ? 'multi' : 'single'}`;
}

function senderKey(spec: SessionSpec): string {
  return `${spec.family}/${spec.local ?? '*'}/${spec.ttl}`;
}
