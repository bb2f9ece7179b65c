// The BFD sessions on this host: the session table (src/bfd) joined to its sockets and a clock.
// It runs wherever it is created - in the BFD worker thread (worker.ts) in the daemon, on the
// caller's loop in tests and in the benchmark's comparison - and reports through plain callbacks.
import type { AddressFamily } from '../../core/address.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { DISCARD_REASONS, type DiscardReason } from '../../bfd/packet.js';
import type { StateChange } from '../../bfd/session.js';
import { SessionTable, type SessionSpec, type TableChanges } from '../../bfd/session-table.js';
import type { BfdStatus } from '../../daemon/bfd/ports.js';
import { BfdSocket, MULTI_HOP_PORT, SINGLE_HOP_PORT } from './sockets.js';

export interface EngineEvents {
  stateChanged(session: string, change: StateChange): void;
  error(error: Error): void;
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

  constructor(
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly events: EngineEvents,
  ) {
    this.table = new SessionTable(clock, random, {
      transmit: (spec, bytes) => this.send(spec, bytes),
      stateChanged: (spec, change) => this.events.stateChanged(spec.name, change),
    });
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
        this.listeners.set(
          key,
          BfdSocket.listen(family, port, (datagram) => this.table.deliver({ ...datagram, family, ttl: datagram.ttl ?? 0, multihop: hops === 'multi' }), (error) => this.events.error(error)),
        );
        opened.push([this.listeners, key]);
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
        map.get(key)?.close();
        map.delete(key);
      }
      throw error;
    }
    this.specs = specs;
    const changes = this.table.configure(specs);
    for (const [key, socket] of this.listeners) {
      if (wantedListeners.has(key as ListenerKey)) continue;
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
    return { sessions: this.table.status(), discarded, sendErrors: this.sendErrors };
  }

  /** AdminDown on every session (sent at once), then every socket closes. */
  stop(): void {
    this.table.stop();
    for (const timer of this.closing.values()) timer.cancel();
    this.closing.clear();
    for (const socket of [...this.listeners.values(), ...this.senders.values()]) socket.close();
    this.listeners.clear();
    this.senders.clear();
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
