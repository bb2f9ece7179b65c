// A BfdRuntime on the virtual clock: the daemon's sessions in a real SessionTable, each wired to a
// simulated neighbour (another SessionTable) that the test can silence, cut off or stop.
import { decodeControlPacket } from '../../src/bfd/packet.js';
import type { SessionParameters, StateChange } from '../../src/bfd/session.js';
import { SessionTable, type SessionSpec, type TableChanges } from '../../src/bfd/session-table.js';
import type { VirtualClock } from '../../src/core/virtual-clock.js';
import type { BfdRuntime, BfdStatus } from '../../src/daemon/bfd/ports.js';
import { DISCARD_REASONS, type DiscardReason } from '../../src/bfd/packet.js';
import { seededRandom } from '../../src/sim/random.js';

/** A neighbour of one session: its own table, answering from the session's peer address. */
export class Neighbour {
  readonly table: SessionTable;
  /** Drops what the neighbour sends (a path failure in that direction). */
  silent = false;
  /** Drops what reaches the neighbour. */
  deaf = false;
  /** When each of our packets reached it. */
  readonly received: number[] = [];

  constructor(
    private readonly runtime: SimulatedBfdRuntime,
    readonly spec: SessionSpec,
    parameters: SessionParameters,
  ) {
    this.table = new SessionTable(runtime.clock, seededRandom(7), {
      transmit: (_spec, bytes) => {
        if (this.silent) return;
        runtime.clock.setTimer(runtime.delayMs, () => runtime.table.deliver({ payload: bytes, family: spec.family, source: spec.peer, ...(spec.local ? { destination: spec.local } : {}), ttl: 255, multihop: spec.multihop }));
      },
      stateChanged: () => undefined,
    });
    this.table.configure([{ ...spec, name: `${spec.name}-neighbour`, peer: spec.local ?? '192.0.2.1', local: spec.peer, parameters }]);
    this.table.start();
  }

  deliver(bytes: Uint8Array): void {
    if (this.deaf) return;
    this.received.push(this.runtime.clock.now());
    this.table.deliver({ payload: bytes, family: this.spec.family, source: this.spec.local ?? '192.0.2.1', destination: this.spec.peer, ttl: 255, multihop: this.spec.multihop });
  }
}

export class SimulatedBfdRuntime implements BfdRuntime {
  readonly table: SessionTable;
  readonly neighbours = new Map<string, Neighbour>();
  readonly delayMs = 0.2;
  configured = 0;
  stopped = false;
  private readonly stateListeners: Array<(session: string, change: StateChange) => void> = [];
  /** Every state change, with its virtual time. */
  readonly changes: Array<{ session: string; at: number } & StateChange> = [];

  constructor(
    readonly clock: VirtualClock,
    /** The neighbours' timers (keepalived's defaults unless given). */
    private readonly neighbourParameters: Partial<SessionParameters> = {},
  ) {
    this.table = new SessionTable(clock, seededRandom(3), {
      transmit: (spec, bytes) => {
        const decoded = decodeControlPacket(bytes);
        if (!decoded.ok) throw new Error(`the daemon sent a malformed packet: ${decoded.discard.detail}`);
        const neighbour = this.neighbours.get(spec.name);
        if (neighbour) clock.setTimer(this.delayMs, () => neighbour.deliver(bytes));
      },
      stateChanged: (spec, change) => {
        this.changes.push({ session: spec.name, at: clock.now(), ...change });
        for (const listener of this.stateListeners) listener(spec.name, change);
      },
    });
  }

  async configure(sessions: readonly SessionSpec[]): Promise<TableChanges> {
    for (const spec of sessions) {
      if (!this.neighbours.has(spec.name)) this.neighbours.set(spec.name, new Neighbour(this, spec, { ...spec.parameters, ...this.neighbourParameters }));
    }
    const changes = this.table.configure(sessions);
    if (this.configured++ === 0) this.table.start();
    return changes;
  }

  status(): BfdStatus {
    const discarded = Object.fromEntries(DISCARD_REASONS.map((reason) => [reason, this.table.discarded().get(reason) ?? 0])) as Record<DiscardReason, number>;
    return { sessions: this.table.status(), discarded, sendErrors: 0 };
  }

  onStateChange(listener: (session: string, change: StateChange) => void): void {
    this.stateListeners.push(listener);
  }

  onError(): void {}

  async stop(): Promise<void> {
    this.stopped = true;
    this.table.stop();
  }
}
