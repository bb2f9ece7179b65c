// Properties of one session under arbitrary well-formed input: whatever packets arrive, in any
// order and at any time, the session moves only along RFC 5880 §6.2's edges, never sets Poll and
// Final together, never sends periodic packets faster than the jittered interval allows, and
// goes Down on a Detection Time only from Init or Up.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { SessionStates, type ControlPacket, type SessionState } from '../../src/bfd/packet.js';
import { BfdSession, type StateChange } from '../../src/bfd/session.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { seededRandom } from '../../src/sim/random.js';

/** §6.2's diagram, plus AdminDown (§6.8.16) which only the local system enters. */
const ALLOWED = new Set(['Down>Init', 'Down>Up', 'Init>Up', 'Init>Down', 'Up>Down', 'Down>AdminDown', 'Init>AdminDown', 'Up>AdminDown', 'AdminDown>Down']);

const remotePacket = fc.record({
  state: fc.constantFrom<SessionState>(...SessionStates),
  poll: fc.boolean(),
  final: fc.boolean(),
  demand: fc.boolean(),
  diag: fc.integer({ min: 0, max: 8 }),
  detectMult: fc.integer({ min: 1, max: 10 }),
  desiredMinTxInterval: fc.constantFrom(0, 1, 10_000, 50_000, 300_000, 1_000_000),
  requiredMinRxInterval: fc.constantFrom(0, 1, 10_000, 50_000, 300_000, 1_000_000),
});

const step = fc.oneof(
  fc.record({ kind: fc.constant('packet' as const), packet: remotePacket, afterMs: fc.integer({ min: 0, max: 2000 }) }),
  fc.record({ kind: fc.constant('timers' as const), txMs: fc.constantFrom(10, 50, 300), rxMs: fc.constantFrom(10, 50, 300), afterMs: fc.integer({ min: 0, max: 2000 }) }),
  fc.record({ kind: fc.constantFrom('admin-down' as const, 'enable' as const), afterMs: fc.integer({ min: 0, max: 2000 }) }),
);

test('arbitrary input keeps the session within RFC 5880', () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 60 }), fc.boolean(), fc.integer({ min: 1, max: 4 }), (steps, passive, detectMult) => {
      const clock = new VirtualClock();
      const changes: Array<StateChange & { at: number }> = [];
      const sent: Array<{ at: number; packet: ControlPacket; interval: number }> = [];
      const parameters = { desiredMinTxInterval: 50_000, requiredMinRxInterval: 50_000, idleTxInterval: 1_000_000, detectMult, passive };
      const session: BfdSession = new BfdSession(0x1234, parameters, clock, seededRandom(detectMult), {
        transmit: (packet) => sent.push({ at: clock.now(), packet, interval: session.snapshot().timers.transmitInterval / 1000 }),
        stateChanged: (change) => changes.push({ ...change, at: clock.now() }),
      });
      session.start();
      let lastReceived: number | undefined;
      // The interval in force over time (after each step and at each packet), for the jitter bound.
      const intervals: Array<{ at: number; interval: number }> = [];
      const note = () => intervals.push({ at: clock.now(), interval: session.snapshot().timers.transmitInterval / 1000 });
      for (const s of steps) {
        clock.advanceBy(s.afterMs);
        if (s.kind === 'packet') {
          const packet: ControlPacket = {
            ...s.packet,
            final: s.packet.final && !s.packet.poll,
            controlPlaneIndependent: false,
            authenticationPresent: false,
            multipoint: false,
            myDiscriminator: 0x5678,
            // A Down or AdminDown packet may not know us yet; Init and Up ones must (§6.8.6).
            yourDiscriminator: s.packet.state === 'Init' || s.packet.state === 'Up' ? 0x1234 : 0,
            requiredMinEchoRxInterval: 0,
          };
          // Even a packet an AdminDown session discards tells it the remote discriminator (§6.8.6's order).
          session.receive(packet);
          lastReceived = clock.now();
        } else if (s.kind === 'timers') {
          session.update({ ...parameters, desiredMinTxInterval: s.txMs * 1000, requiredMinRxInterval: s.rxMs * 1000 });
        } else if (s.kind === 'admin-down') {
          session.adminDown();
        } else {
          session.enable();
        }
        note();
      }
      clock.advanceBy(5000);
      for (const change of changes) expect(ALLOWED.has(`${change.from}>${change.to}`), `${change.from} -> ${change.to}`).toBe(true);
      for (const { packet } of sent) expect(packet.poll && packet.final).toBe(false);
      // A Detection Time expiry (diag 1) only takes an Init or Up session Down.
      for (const change of changes.filter((c) => c.diag === 1 && c.to === 'Down' && c.from !== 'Down')) expect(['Init', 'Up']).toContain(change.from);
      const announced = new Set(changes.map((c) => c.at));
      // Packets other than Finals never come sooner than 75% of the smallest interval in force since the one before.
      const paced = sent.filter((s) => !s.packet.final);
      for (const s of sent) intervals.push({ at: s.at, interval: s.interval });
      for (let i = 1; i < paced.length; i++) {
        const [before, now] = [paced[i - 1]!.at, paced[i]!.at];
        if (announced.has(now)) continue;
        const smallest = Math.min(...intervals.filter((n) => n.at >= before && n.at <= now).map((n) => n.interval));
        expect(now - before).toBeGreaterThanOrEqual(smallest * 0.75 - 1e-6);
      }
      // A passive session says nothing before it has heard its peer.
      if (passive && lastReceived === undefined) expect(sent.filter((s) => s.packet.state !== 'AdminDown')).toEqual([]);
    }),
    { numRuns: 300 },
  );
});
