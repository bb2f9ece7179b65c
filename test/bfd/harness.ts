// Two BFD systems joined by a wire on the virtual clock: each a SessionTable with one session
// for the other. The wire delivers after a fixed delay, records every packet with its time, and
// can be cut in either direction.
import { seededRandom } from '../../src/sim/random.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { decodeControlPacket, type ControlPacket } from '../../src/bfd/packet.js';
import type { SessionParameters, StateChange } from '../../src/bfd/session.js';
import { SessionTable, type SessionSpec } from '../../src/bfd/session-table.js';

export const ms = (milliseconds: number): number => milliseconds * 1000;

/** keepalived's defaults: min_tx and min_rx 10 ms, idle_tx 1 s, multiplier 5. */
export const DEFAULT_PARAMETERS: SessionParameters = {
  desiredMinTxInterval: ms(10),
  requiredMinRxInterval: ms(10),
  idleTxInterval: ms(1000),
  detectMult: 5,
  passive: false,
};

export interface Sent {
  readonly at: number;
  readonly from: 'a' | 'b';
  readonly packet: ControlPacket;
}

export interface System {
  readonly table: SessionTable;
  readonly changes: Array<StateChange & { at: number }>;
  readonly spec: SessionSpec;
}

export function spec(name: string, peer: string, local: string, parameters: Partial<SessionParameters> = {}): SessionSpec {
  return { name, family: 'ipv4', peer, local, multihop: false, ttl: 255, minimumTtl: 255, parameters: { ...DEFAULT_PARAMETERS, ...parameters } };
}

export class Pair {
  readonly clock = new VirtualClock();
  readonly sent: Sent[] = [];
  readonly a: System;
  readonly b: System;
  /** Directions that lose every packet. */
  readonly cut = { a: false, b: false };
  /** One-way delay of the wire (ms). */
  delayMs = 0.1;

  constructor(aParameters: Partial<SessionParameters> = {}, bParameters: Partial<SessionParameters> = {}, seed = 1) {
    const random = seededRandom(seed);
    this.a = this.system('a', spec('to-b', '192.0.2.2', '192.0.2.1', aParameters), random);
    this.b = this.system('b', spec('to-a', '192.0.2.1', '192.0.2.2', bParameters), random);
  }

  private system(side: 'a' | 'b', sessionSpec: SessionSpec, random: () => number): System {
    const changes: System['changes'] = [];
    const table = new SessionTable(this.clock, random, {
      transmit: (_spec, bytes) => this.carry(side, bytes),
      stateChanged: (_spec, change) => changes.push({ ...change, at: this.clock.now() }),
    });
    table.configure([sessionSpec]);
    return { table, changes, spec: sessionSpec };
  }

  private carry(from: 'a' | 'b', bytes: Uint8Array): void {
    const decoded = decodeControlPacket(bytes);
    if (!decoded.ok) throw new Error(`sent a malformed packet: ${decoded.discard.detail}`);
    this.sent.push({ at: this.clock.now(), from, packet: decoded.packet });
    if (this.cut[from]) return;
    const to = from === 'a' ? this.b : this.a;
    const source = from === 'a' ? '192.0.2.1' : '192.0.2.2';
    const destination = from === 'a' ? '192.0.2.2' : '192.0.2.1';
    this.clock.setTimer(this.delayMs, () => to.table.deliver({ payload: bytes, family: 'ipv4', source, destination, ttl: 255, multihop: false }));
  }

  start(): void {
    this.a.table.start();
    this.b.table.start();
  }

  /** Runs until both sessions are Up; returns the time. */
  upBoth(limitMs = 10_000): number {
    const until = this.clock.now() + limitMs;
    while (this.clock.now() < until) {
      if (this.a.table.state('to-b') === 'Up' && this.b.table.state('to-a') === 'Up') return this.clock.now();
      this.clock.advanceBy(1);
    }
    throw new Error(`not both Up after ${limitMs} ms: a ${this.a.table.state('to-b')}, b ${this.b.table.state('to-a')}`);
  }

  /** Packets `from` sent in [since, until). */
  packets(from: 'a' | 'b', since = 0, until = Infinity): Sent[] {
    return this.sent.filter((s) => s.from === from && s.at >= since && s.at < until);
  }
}
