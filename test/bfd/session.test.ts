// The session state machine of RFC 5880 on the virtual clock: two systems back to back.
import { describe, expect, test } from 'vitest';
import { Diag } from '../../src/bfd/packet.js';
import { ms, Pair, spec } from './harness.js';

describe('three-way handshake (RFC 5880 §6.2)', () => {
  test('both sessions go Down -> Init -> Up, and each side sees the other Up', () => {
    const pair = new Pair();
    pair.start();
    pair.upBoth();
    expect(pair.a.changes.map((c) => c.to)).toEqual(['Init', 'Up']);
    expect(pair.b.changes.map((c) => c.to)).toEqual(['Init', 'Up']);
    const [a] = pair.a.table.status();
    const [b] = pair.b.table.status();
    expect(a!.remoteDiscr).toBe(b!.localDiscr);
    expect(b!.remoteDiscr).toBe(a!.localDiscr);
    expect(a!.localDiag).toBe(Diag.none);
  });

  test('the first packets carry Your Discriminator 0 and the idle rate, at least 1 s (§6.8.3)', () => {
    const pair = new Pair();
    pair.start();
    const first = pair.packets('a')[0]!.packet;
    expect(first).toMatchObject({ state: 'Down', yourDiscriminator: 0, desiredMinTxInterval: ms(1000), requiredMinRxInterval: ms(10), detectMult: 5 });
  });
});

describe('timer negotiation and Poll/Final (§6.5, §6.8.3)', () => {
  test('going Up starts a Poll Sequence for the fast rate; the Final ends it and both agree max(tx, remote rx)', () => {
    const pair = new Pair({ desiredMinTxInterval: ms(10), requiredMinRxInterval: ms(50) }, { desiredMinTxInterval: ms(20), requiredMinRxInterval: ms(30) });
    pair.start();
    const up = pair.upBoth();
    pair.clock.advanceBy(500);
    const polls = pair.packets('a', up - 1).filter((s) => s.packet.poll);
    expect(polls.length).toBeGreaterThan(0);
    const finals = pair.packets('b', up - 1).filter((s) => s.packet.final);
    expect(finals.length).toBeGreaterThan(0);
    expect(pair.sent.every((s) => !(s.packet.poll && s.packet.final))).toBe(true);
    const [a] = pair.a.table.status();
    const [b] = pair.b.table.status();
    expect(a!.polling).toBe(false);
    // a sends every max(10, 30) = 30 ms and b expects 5 × max(30, 30) = 150 ms of silence before Down.
    expect(a!.timers.transmitInterval).toBe(ms(30));
    expect(b!.timers.detectionTime).toBe(ms(150));
    // b sends every max(20, 50) = 50 ms; a's Detection Time is 5 × max(50, 50).
    expect(b!.timers.transmitInterval).toBe(ms(50));
    expect(a!.timers.detectionTime).toBe(ms(250));
  });

  test('periodic packets are jittered by 0-25% below the interval (§6.8.7)', () => {
    const pair = new Pair({ desiredMinTxInterval: ms(100) }, { desiredMinTxInterval: ms(100) });
    pair.start();
    const up = pair.upBoth();
    pair.clock.advanceBy(20_000);
    const times = pair.packets('a', up + 1000).filter((s) => !s.packet.final).map((s) => s.at);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps.length).toBeGreaterThan(150);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(75);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(100);
    // Not a constant reduction: the spread covers most of the allowed range.
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeGreaterThan(15);
  });

  test('with Detect Mult 1 the interval lies between 75% and 90% (§6.8.7)', () => {
    const pair = new Pair({ desiredMinTxInterval: ms(100), detectMult: 1 }, { desiredMinTxInterval: ms(100) });
    pair.start();
    const up = pair.upBoth();
    pair.clock.advanceBy(10_000);
    const times = pair.packets('a', up + 1000).filter((s) => !s.packet.final).map((s) => s.at);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(75);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(90);
  });

  test('a reload that slows the transmit rate polls, and the slower rate applies only after the Final', () => {
    const pair = new Pair({ desiredMinTxInterval: ms(10) }, { desiredMinTxInterval: ms(10) });
    pair.start();
    pair.upBoth();
    pair.clock.advanceBy(1000);
    // b stops answering, so a's Poll Sequence cannot end.
    pair.cut.b = true;
    const changed = pair.clock.now();
    pair.a.table.configure([spec('to-b', '192.0.2.2', '192.0.2.1', { desiredMinTxInterval: ms(40) })]);
    pair.clock.advanceBy(30);
    const [a] = pair.a.table.status();
    expect(a!.polling).toBe(true);
    expect(a!.desiredMinTxInterval).toBe(ms(40));
    // §6.8.3: "the actual transmission interval used MUST NOT change until the Poll Sequence ... has terminated".
    expect(a!.timers.transmitInterval).toBe(ms(10));
    expect(pair.packets('a', changed).every((s) => s.packet.poll)).toBe(true);
    pair.cut.b = false;
    pair.clock.advanceBy(100);
    const [after] = pair.a.table.status();
    expect(after!.polling).toBe(false);
    expect(after!.timers.transmitInterval).toBe(ms(40));
    // b's Detection Time follows a's new rate: 5 × max(10, 40).
    expect(pair.b.table.status()[0]!.timers.detectionTime).toBe(ms(200));
    expect(pair.a.table.state('to-b')).toBe('Up');
    expect(pair.b.table.state('to-a')).toBe('Up');
  });

  test('a reduced RequiredMinRx keeps the longer Detection Time until the Final (§6.8.3)', () => {
    const pair = new Pair({ requiredMinRxInterval: ms(100) }, { desiredMinTxInterval: ms(10) });
    pair.start();
    pair.upBoth();
    pair.clock.advanceBy(2000);
    expect(pair.a.table.status()[0]!.timers.detectionTime).toBe(ms(500));
    pair.cut.b = true;
    pair.a.table.configure([spec('to-b', '192.0.2.2', '192.0.2.1', { requiredMinRxInterval: ms(10) })]);
    pair.clock.advanceBy(1);
    expect(pair.a.table.status()[0]!.timers.detectionTime).toBe(ms(500));
    pair.cut.b = false;
    pair.clock.advanceBy(200);
    expect(pair.a.table.status()[0]!.timers.detectionTime).toBe(ms(50));
  });

  test('a Poll is answered with a Final at once, not at the next periodic packet (§6.8.7)', () => {
    const pair = new Pair({ desiredMinTxInterval: ms(500), requiredMinRxInterval: ms(500) }, { desiredMinTxInterval: ms(500), requiredMinRxInterval: ms(500) });
    pair.start();
    pair.upBoth();
    pair.clock.advanceBy(3000);
    const changed = pair.clock.now();
    pair.a.table.configure([spec('to-b', '192.0.2.2', '192.0.2.1', { desiredMinTxInterval: ms(600), requiredMinRxInterval: ms(500) })]);
    pair.clock.advanceBy(600);
    const poll = pair.packets('a', changed).find((s) => s.packet.poll)!;
    const final = pair.packets('b', poll.at).find((s) => s.packet.final)!;
    expect(final.at - poll.at).toBeCloseTo(pair.delayMs, 6);
  });
});

describe('failure detection (§6.8.4)', () => {
  test('silence for a Detection Time takes the session Down with diag 1, and the peer hears diag 1 / state Down', () => {
    const pair = new Pair({ desiredMinTxInterval: ms(50), requiredMinRxInterval: ms(50), detectMult: 3 }, { desiredMinTxInterval: ms(50), requiredMinRxInterval: ms(50), detectMult: 3 });
    pair.start();
    pair.upBoth();
    pair.clock.advanceBy(2000);
    pair.cut.b = true;
    const lastFromB = pair.packets('b').at(-1)!.at + pair.delayMs;
    pair.clock.advanceBy(1000);
    const down = pair.a.changes.find((c) => c.from === 'Up')!;
    expect(down).toMatchObject({ to: 'Down', diag: Diag.controlDetectionTimeExpired });
    // Exactly one Detection Time (3 × 50 ms) after the last packet arrived.
    expect(down.at - lastFromB).toBeCloseTo(150, 6);
    const [a] = pair.a.table.status();
    expect(a!.remoteDiscr).toBe(0);
    expect(a!.lastDown).toMatchObject({ diag: 1, reason: 'Control Detection Time Expired' });
    // b still receives a's packets: a tells it Down with diag 1, so b goes Down "Neighbor Signaled Session Down".
    const bDown = pair.b.changes.find((c) => c.from === 'Up')!;
    expect(bDown).toMatchObject({ to: 'Down', diag: Diag.neighborSignaledSessionDown, remoteDiag: Diag.controlDetectionTimeExpired });
  });

  test('the session comes back Up when the path heals', () => {
    const pair = new Pair();
    pair.start();
    pair.upBoth();
    pair.cut.a = pair.cut.b = true;
    pair.clock.advanceBy(5000);
    expect(pair.a.table.state('to-b')).toBe('Down');
    pair.cut.a = pair.cut.b = false;
    pair.upBoth(5000);
    expect(pair.a.table.status()[0]).toMatchObject({ upTransitions: 2, downTransitions: 1 });
  });

  test('while Down the idle rate applies: about one packet a second', () => {
    const pair = new Pair();
    pair.cut.b = true;
    pair.start();
    pair.clock.advanceBy(10_000);
    const count = pair.packets('a').length;
    expect(count).toBeGreaterThanOrEqual(10);
    expect(count).toBeLessThanOrEqual(14);
  });
});

describe('administrative control (§6.8.16) and roles (§6.1)', () => {
  test('a neighbour going AdminDown takes the session Down with diag 3; the change says the neighbour is AdminDown', () => {
    const pair = new Pair();
    pair.start();
    pair.upBoth();
    pair.b.table.stop();
    pair.clock.advanceBy(10);
    const down = pair.a.changes.at(-1)!;
    expect(down).toMatchObject({ from: 'Up', to: 'Down', diag: Diag.neighborSignaledSessionDown, remoteState: 'AdminDown', remoteDiag: Diag.administrativelyDown });
    const adminDown = pair.packets('b').at(-1)!.packet;
    expect(adminDown).toMatchObject({ state: 'AdminDown', diag: Diag.administrativelyDown });
  });

  test('a passive session sends nothing until it hears from its peer', () => {
    const pair = new Pair({ passive: true }, {});
    pair.cut.b = true;
    pair.start();
    pair.clock.advanceBy(5000);
    expect(pair.packets('a')).toHaveLength(0);
    pair.cut.b = false;
    pair.upBoth();
    expect(pair.packets('a').length).toBeGreaterThan(0);
  });

  test('two passive sessions never come up', () => {
    const pair = new Pair({ passive: true }, { passive: true });
    pair.start();
    pair.clock.advanceBy(10_000);
    expect(pair.sent).toHaveLength(0);
    expect(pair.a.table.state('to-b')).toBe('Down');
  });

  test('a Required Min RX of 0 from the peer stops periodic packets (§6.8.7); Finals and state announcements still go', () => {
    const pair = new Pair({}, { requiredMinRxInterval: 0 });
    pair.start();
    pair.clock.advanceBy(10_000);
    const announced = new Set([0, ...pair.a.changes.map((c) => c.at)]);
    const fromA = pair.packets('a');
    expect(fromA.length).toBeGreaterThan(0);
    const periodic = fromA.filter((s) => !s.packet.final && !announced.has(s.at));
    expect(periodic).toEqual([]);
    // b's own Detection Time still runs, so the session flaps: b's configuration asks for nothing it can detect.
    expect(pair.b.changes.some((c) => c.diag === 1)).toBe(true);
  });

  test('a removed session goes AdminDown and the peer keeps it Down with diag 3', () => {
    const pair = new Pair();
    pair.start();
    pair.upBoth();
    const changes = pair.a.table.configure([]);
    expect(changes.removed).toEqual(['to-b']);
    pair.clock.advanceBy(3000);
    expect(pair.b.table.status()[0]).toMatchObject({ state: 'Down', localDiag: Diag.neighborSignaledSessionDown, remoteState: 'AdminDown' });
    expect(pair.a.table.status()).toEqual([]);
  });
});
