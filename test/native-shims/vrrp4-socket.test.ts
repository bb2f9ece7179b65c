// The IPv4 VRRP socket (native-shims/vrrp4_socket.cc behind src/linux/sockets/ipv4-vrrp-socket.ts):
// argument errors before the kernel is touched, and between two lab hosts what a receiver learns
// per packet (source, destination, TTL 255 as sent, the payload without the IP header), no
// multicast loopback, and a burst that waited in the socket while the loop was held all there,
// read a bounded batch per loop turn, each packet with how long it waited (raw-socket, which it
// replaces, read one packet per turn from a 208 KiB queue and could not tell), and a packet longer
// than the read room cut to it.
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { nativeShims, type Vrrp4SocketOptions } from '../../src/linux/native.js';
import { decodeAdvertisement, encodeAdvertisement } from '../../src/vrrp/packet/advertisement.js';
import { runProbe as runProbeScript } from '../helpers/probe.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';

const probe = join(import.meta.dirname, 'vrrp4-probe.mjs');
/** kReadsPerWakeup in native-shims/vrrp4_socket.cc. */
const READS_PER_WAKEUP = 256;
const HELD_AFTER_SENDER_MS = 200;

describe('Vrrp4Socket arguments', () => {
  const open = (options: unknown, callback: unknown = () => undefined) =>
    new (nativeShims().Vrrp4Socket as unknown as new (...args: unknown[]) => unknown)(options, callback);
  const valid: Vrrp4SocketOptions = { interfaceName: 'lo', interfaceIndex: 1, source: Buffer.from([127, 0, 0, 1]), groups: [] };

  test('are refused before touching the kernel', () => {
    expect(() => open('eth0')).toThrow(TypeError);
    expect(() => open(valid, 'not a function')).toThrow(TypeError);
    expect(() => open({ ...valid, groups: [Buffer.alloc(16)] })).toThrow('groups must be 4-byte Buffers');
    expect(() => open({ ...valid, source: Buffer.alloc(16) })).toThrow(TypeError);
    expect(() => open({ ...valid, interfaceName: 'a-name-longer-than-ifnamsiz' })).toThrow(RangeError);
    expect(() => open({ ...valid, interfaceIndex: 0 })).toThrow(RangeError);
  });

  test.skipIf(!isRoot())('a missing interface is the kernel error ENODEV from SO_BINDTODEVICE; send after close throws', () => {
    let thrown: (Error & { errno?: number }) | undefined;
    try {
      open({ ...valid, interfaceName: 'vrrpd-none0' });
    } catch (error) {
      thrown = error as Error & { errno?: number };
    }
    expect(thrown?.message).toBe('setsockopt(SO_BINDTODEVICE): No such device');
    expect(thrown?.errno).toBe(19);
    const socket = new (nativeShims().Vrrp4Socket)(valid, () => undefined);
    expect(() => socket.send(Buffer.alloc(8), Buffer.alloc(16))).toThrow('send(payload: Buffer, destination: Buffer(4))');
    socket.close();
    socket.close(); // twice is harmless
    expect(() => socket.send(Buffer.alloc(8), Buffer.from([127, 0, 0, 1]))).toThrow('send: the socket is closed');
  });
});

interface ProbeLine {
  readonly ready?: boolean;
  readonly sent?: boolean;
  readonly error?: string;
  readonly payload?: string;
  readonly source?: string;
  readonly destination?: string;
  readonly ttl?: number;
  readonly ageMs?: number;
  readonly turn?: number;
  readonly call?: number;
  readonly holding?: boolean;
  readonly at?: number;
  readonly held?: number;
  readonly lastArrival?: number;
  readonly now?: number;
  readonly arrival?: number;
  readonly holdingSends?: boolean;
  readonly firstDue?: number;
  readonly sentByHost?: number;
  readonly lastDue?: number;
  readonly releasedAt?: number;
  readonly refused?: boolean;
  /** A block of the loop: when, the due time it spans, and the last due time sent when it ended. */
  readonly blocked?: { readonly from: number; readonly to: number; readonly spans: number; readonly lastDue: number };
}

const runProbe = (host: LabHost, options: object) => runProbeScript<ProbeLine>(host, probe, options);

let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

/**
 * A lab of two hosts for held sends: a listener on b (ended by closing its input), the host a to
 * send from, and the advertisement a Master of VRID 9 at 100 ms would send.
 */
async function sendingLab() {
  await sweepStaleLabs();
  lab = await NamespaceLab.create();
  const a = await lab.addHost('a', ['192.0.2.1/24']);
  const b = await lab.addHost('b', ['192.0.2.2/24']);
  const payload = Buffer.from(encodeAdvertisement({ version: 3, vrid: 9, priority: 150, maxAdvertIntervalCs: 10, addresses: ['192.0.2.100'] }, { family: 'ipv4', source: '192.0.2.1', destination: '224.0.0.18' }, 'pseudo-header')).toString('hex');
  const listener = await runProbe(b, { source: '192.0.2.2', groups: ['224.0.0.18'], listenMs: 30_000, untilStdinEnd: true });
  return { a, payload, intervalMs: 100, listener };
}

/**
 * A lab of two hosts: a listener on b that holds the repeats of the first advertisement it hears
 * (and `listenerOptions`), a sender on a, and that first advertisement (VRID 7, priority 150) sent
 * and held.
 */
async function holdingListener(listenerOptions: object) {
  await sweepStaleLabs();
  lab = await NamespaceLab.create();
  const a = await lab.addHost('a', ['192.0.2.1/24']);
  const b = await lab.addHost('b', ['192.0.2.2/24']);
  const advert = (priority: number, destination = '224.0.0.18') =>
    Buffer.from(encodeAdvertisement({ version: 3, vrid: 7, priority, maxAdvertIntervalCs: 100, addresses: ['192.0.2.100'] }, { family: 'ipv4', source: '192.0.2.1', destination }, 'pseudo-header')).toString('hex');
  const listener = await runProbe(b, { source: '192.0.2.2', groups: ['224.0.0.18'], holdFirst: true, listenMs: 30_000, untilStdinEnd: true, ...listenerOptions });
  const send = async (send: object[]) => {
    const sender = await runProbe(a, { source: '192.0.2.1', send, listenMs: 0 });
    await sender.exited;
    expect(sender.lines).toEqual([{ sent: true }]);
  };
  await send([{ destination: '224.0.0.18', payload: advert(150) }]);
  for (let waited = 0; !listener.lines.some((line) => line.holding === true); waited += 20) {
    if (waited > 5000) throw new Error(`the listener did not hold: ${JSON.stringify(listener.lines)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { advert, listener, send };
}

describe.skipIf(!isRoot())('packetsWaiting, the real clock\'s question to the loop\'s VRRP sockets (needs root)', () => {
  test('is true while a packet waits unread in an open socket, false with none, once read and once closed', { timeout: 30_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const host = await lab.addHost('a', ['192.0.2.1/24']);
    const probed = await runProbeScript<{ readonly ready?: boolean; readonly error?: string }>(host, join(import.meta.dirname, 'packets-waiting-probe.mjs'), {});
    await probed.exited;
    expect(probed.lines).toEqual([{ none: false, empty: false, queued: true, readBefore: 0, read: 1, afterRead: false, closed: false }]);
  });
});

describe.skipIf(!isRoot())('Vrrp4Socket between two hosts (needs root)', () => {
  test('reports source, destination and TTL per packet, strips the IP header, does not loop back, reads a held-up burst a batch per turn, each batch in one call', { timeout: 30_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const advert = (vrid: number) =>
      Buffer.from(encodeAdvertisement({ version: 3, vrid, priority: 150, maxAdvertIntervalCs: 100, addresses: ['192.0.2.100'] }, { family: 'ipv4', source: '192.0.2.1', destination: '224.0.0.18' }, 'pseudo-header')).toString('hex');

    // The listener's loop is held from its socket's opening until the sender is done: 400
    // advertisements (a Master of 400 instances) and a unicast one wait in its socket.
    const listener = await runProbe(b, { source: '192.0.2.2', groups: ['224.0.0.18'], hold: true, listenMs: 1000 });
    // The sender also listens on the group: with IP_MULTICAST_LOOP off it must not hear itself.
    const sender = await runProbe(a, {
      source: '192.0.2.1',
      groups: ['224.0.0.18'],
      send: [{ destination: '224.0.0.18', payload: advert(7), repeat: 400 }, { destination: '192.0.2.2', payload: advert(8) }],
      listenMs: 500,
    });
    await sender.exited;
    // Every packet is in the listener's socket once the sender is gone; it waits this much more.
    await new Promise((resolve) => setTimeout(resolve, HELD_AFTER_SENDER_MS));
    listener.child.stdin?.end('go\n');
    await listener.exited;

    expect(sender.lines).toEqual([{ sent: true }]);
    const received = listener.lines;
    expect(received.filter((line) => line.error)).toEqual([]);
    expect(received.map(({ source, destination, ttl }) => `${source} ${destination} ${ttl}`)).toEqual([
      ...Array<string>(400).fill('192.0.2.1 224.0.0.18 255'),
      '192.0.2.1 192.0.2.2 255',
    ]);
    // Everything that waited is read in batches of the bound, one per loop turn.
    const perTurn = new Map<number, number>();
    for (const line of received) perTurn.set(line.turn ?? -1, (perTurn.get(line.turn ?? -1) ?? 0) + 1);
    expect([...perTurn.values()]).toEqual([READS_PER_WAKEUP, 401 - READS_PER_WAKEUP]);
    // And each batch in one call into JavaScript, not one call per packet.
    const perCall = new Map<number, number>();
    for (const line of received) perCall.set(line.call ?? -1, (perCall.get(line.call ?? -1) ?? 0) + 1);
    expect([...perCall.values()]).toEqual([READS_PER_WAKEUP, 401 - READS_PER_WAKEUP]);
    const decoded = decodeAdvertisement(Buffer.from(received[0]?.payload ?? '', 'hex'), { family: 'ipv4', source: '192.0.2.1', destination: '224.0.0.18' });
    expect(decoded).toMatchObject({ ok: true, advertisement: { vrid: 7, priority: 150, addresses: ['192.0.2.100'] } });
    expect(received[400]?.payload).toBe(advert(8));
    // Each packet tells how long it waited in the kernel (SO_TIMESTAMPNS): at least the time the
    // listener was held after the sender had sent it (a lower bound by causality, not a speed).
    const ages = received.map((line) => line.ageMs ?? -1);
    expect(ages.filter((age) => age < HELD_AFTER_SENDER_MS)).toEqual([]);
  });

  test('a packet longer than the read room (2048 bytes with its IP header) arrives cut to it and decodes as it would whole', { timeout: 30_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const ip = { family: 'ipv4', source: '192.0.2.1', destination: '192.0.2.2' } as const;
    const advert = encodeAdvertisement({ version: 3, vrid: 9, priority: 150, maxAdvertIntervalCs: 100, addresses: ['192.0.2.100'] }, ip, 'pseudo-header');
    // Trailing bytes (tolerated as padding): 3000 in all, fragmented on the way and put together by the receiver's kernel.
    const long = new Uint8Array(3000).fill(0xee);
    long.set(advert);
    const listener = await runProbe(b, { source: '192.0.2.2', groups: [], listenMs: 20_000, until: 2 });
    const sender = await runProbe(a, { source: '192.0.2.1', send: [{ destination: '192.0.2.2', payload: Buffer.from(long).toString('hex') }, { destination: '192.0.2.2', payload: Buffer.from(advert).toString('hex') }], listenMs: 0 });
    await sender.exited;
    await listener.exited;

    expect(sender.lines).toEqual([{ sent: true }]);
    const received = listener.lines;
    expect(received.filter((line) => line.error)).toEqual([]);
    // 2048 bytes read, the 20-byte IP header stripped: the first 2028 bytes of the message, then the short one whole.
    expect(received.map((line) => (line.payload ?? '').length / 2)).toEqual([2028, advert.length]);
    expect(received[0]?.payload).toBe(Buffer.from(long.subarray(0, 2028)).toString('hex'));
    const cut = decodeAdvertisement(Buffer.from(received[0]?.payload ?? '', 'hex'), ip);
    expect(cut).toEqual(decodeAdvertisement(long, ip));
    expect(cut).toMatchObject({ ok: true, advertisement: { vrid: 9 } });
  });

  test('held repeats: once the first packet is held, its identical repeats are counted with the last one\'s receipt, anything else is handed over', { timeout: 30_000 }, async () => {
    const { advert, listener, send } = await holdingListener({});
    // 50 repeats, then another priority, the same bytes to another destination, and 10 repeats more.
    await send([
      { destination: '224.0.0.18', payload: advert(150), repeat: 50 },
      { destination: '224.0.0.18', payload: advert(140) },
      { destination: '192.0.2.2', payload: advert(150, '192.0.2.2') },
      { destination: '224.0.0.18', payload: advert(150), repeat: 10 },
    ]);
    listener.child.stdin?.end();
    await listener.exited;
    const lines = listener.lines;
    expect(lines.filter((line) => line.error)).toEqual([]);
    const holding = lines.find((line) => line.holding !== undefined)!;
    expect(holding.holding).toBe(true);
    // Handed over: the first, the other priority and the unicast copy; held: the 60 repeats.
    expect(lines.filter((line) => line.payload !== undefined).map((line) => `${line.destination} ${line.payload === advert(140) ? 140 : 150}`)).toEqual([
      '224.0.0.18 150',
      '224.0.0.18 140',
      '192.0.2.2 150',
    ]);
    const counted = lines.find((line) => line.held !== undefined)!;
    expect(counted.held).toBe(60);
    // The last repeat's kernel receipt, on the daemon's clock: after the hold began, before the end.
    expect(counted.lastArrival).toBeGreaterThan(holding.at!);
    expect(counted.lastArrival).toBeLessThan(counted.now!);
  });

  test('read pause: with every router\'s repeats held, what arrives waits in the queue between reads, stamped with its arrival, and a packet that is not a repeat is handed over after the pause', { timeout: 30_000 }, async () => {
    // A pause far longer than the sender's spacing, so that packets are seen to wait.
    const { advert, listener, send } = await holdingListener({ readPause: { delayMs: 300 } });
    // Repeats every 20 ms: the first is read at once and starts a pause, the rest wait for it.
    await send([
      { destination: '224.0.0.18', payload: advert(150), repeat: 10, spacingMs: 20 },
      { destination: '224.0.0.18', payload: advert(140), spacingMs: 20 },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 700));
    listener.child.stdin?.end();
    await listener.exited;
    const lines = listener.lines;
    expect(lines.filter((line) => line.error)).toEqual([]);
    const handed = lines.filter((line) => line.payload !== undefined);
    expect(handed.map((line) => (line.payload === advert(140) ? 140 : 150))).toEqual([150, 140]);
    // It arrived while the socket paused: it waited in the queue, and says how long.
    expect(handed[1]!.ageMs).toBeGreaterThan(5);
    expect(lines.find((line) => line.held !== undefined)?.held).toBe(10);
  });

  test('held sends: the socket sends the advertisement itself at its due times and counts them; released, it stops; a refused send ends the hold and is reported', { timeout: 40_000 }, async () => {
    const { a, payload, intervalMs, listener } = await sendingLab();
    // Held for 1.5 s, then released; the sender listens 1 s more, so a send after the release would be seen.
    const sender = await runProbe(a, { source: '192.0.2.1', holdSends: { payload, destination: '224.0.0.18', intervalMs, firstInMs: 200, forMs: 1500 }, listenMs: 2500 });
    await sender.exited;
    await new Promise((resolve) => setTimeout(resolve, 500));
    listener.child.stdin?.end();
    await listener.exited;
    expect(sender.lines.filter((line) => line.error !== undefined || line.refused !== undefined)).toEqual([]);
    const holding = sender.lines.find((line) => line.holdingSends !== undefined)!;
    expect(holding.holdingSends).toBe(true);
    const counted = sender.lines.find((line) => line.sentByHost !== undefined)!;
    const received = listener.lines.filter((line) => line.payload !== undefined);
    expect(received.every((line) => line.payload === payload && line.ttl === 255 && line.source === '192.0.2.1')).toBe(true);
    // Every advertisement the socket counted arrived, and none after the release.
    expect(counted.sentByHost).toBeGreaterThanOrEqual(10);
    expect(received.length).toBe(counted.sentByHost);
    expect(received.every((line) => line.arrival! < counted.releasedAt!)).toBe(true);
    // Never early: the k-th left at or after firstDue + k intervals (kernel receipt at the listener,
    // one clock for every namespace); the last one sent was due at firstDue + (count - 1) intervals
    // unless the loop woke a whole interval late (then it counts from then: later still).
    received.forEach((line, k) => expect(line.arrival!).toBeGreaterThanOrEqual(holding.firstDue! + k * intervalMs));
    expect(counted.lastDue!).toBeGreaterThanOrEqual(holding.firstDue! + (counted.sentByHost! - 1) * intervalMs);

    // nftables drops VRRP on the way out: sendto is refused (EPERM), the hold ends and is said.
    await a.exec('nft', ['add', 'table', 'ip', 'held']);
    await a.exec('nft', ['add', 'chain', 'ip', 'held', 'out', '{ type filter hook output priority 0; }']);
    await a.exec('nft', ['add', 'rule', 'ip', 'held', 'out', 'ip', 'protocol', '112', 'drop']);
    const refused = await runProbe(a, { source: '192.0.2.1', holdSends: { payload, destination: '224.0.0.18', intervalMs, firstInMs: 100, forMs: 1000 }, listenMs: 1500 });
    await refused.exited;
    expect(refused.lines.filter((line) => line.refused !== undefined)).toHaveLength(1);
    expect(refused.lines.filter((line) => line.error !== undefined).map((line) => line.error)).toEqual(["sending VRID 9's advertisement: sendto: Operation not permitted"]);
    expect(refused.lines.find((line) => line.sentByHost !== undefined)?.sentByHost).toBe(0);
  });

  test('held sends leave from a thread of their own: on time while JavaScript holds the loop for less than an interval, none once it has held it past two, again once it lets go', { timeout: 40_000 }, async () => {
    const { a, payload, intervalMs, listener } = await sendingLab();
    // A 60 ms block across the sixth due time (500 ms past the first), lasting until the send due
    // inside it has left (150 ms at most, before the lease's two renewals lapse), and a 1.2 s one
    // from 800 ms.
    const blocks = [
      { afterFirstMs: 470, forMs: 60, untilSentWithinMs: 150 },
      { afterFirstMs: 800, forMs: 1200 },
    ];
    const sender = await runProbe(a, { source: '192.0.2.1', holdSends: { payload, destination: '224.0.0.18', intervalMs, firstInMs: 200, forMs: 2800, blocks }, listenMs: 3000 });
    await sender.exited;
    await new Promise((resolve) => setTimeout(resolve, 500));
    listener.child.stdin?.end();
    await listener.exited;
    expect(sender.lines.filter((line) => line.error !== undefined || line.refused !== undefined)).toEqual([]);
    const [short, long] = sender.lines.filter((line) => line.blocked !== undefined).map((line) => line.blocked!);
    const counted = sender.lines.find((line) => line.sentByHost !== undefined)!;
    const firstDue = sender.lines.find((line) => line.firstDue !== undefined)?.firstDue ?? Number.NaN;
    const arrivals = listener.lines.filter((line) => line.payload === payload).map((line) => line.arrival!);
    // What a failure saw, in ms from the first due time: the blocks, the due time each spans, and every arrival.
    const since = (at: number): string => (at - firstDue).toFixed(1);
    const seen = [
      `blocks ${[short, long].map((b) => (b ? `${since(b.from)}-${since(b.to)} (spans due ${since(b.spans)}, last sent due ${since(b.lastDue)})` : 'missing')).join(', ')}`,
      `arrivals ${arrivals.map(since).join(' ')}`,
      `sent by the host ${counted.sentByHost}`,
    ].join('; ');
    expect(arrivals.length, seen).toBe(counted.sentByHost);
    // The short block: the advertisement due inside it left inside it, not when the loop was free.
    expect(short!.lastDue, seen).toBeGreaterThanOrEqual(short!.spans);
    expect(arrivals.some((at) => at > short!.from && at < short!.to), seen).toBe(true);
    // The long block: the lease (two renewals, 200 ms) lapsed and nothing left for the rest of it...
    expect(arrivals.filter((at) => at > long!.from + 2 * intervalMs + 50 && at < long!.to), seen).toEqual([]);
    // ...while what was due before the lapse still left, and sending resumed once the loop was free.
    expect(arrivals.some((at) => at > long!.from && at < long!.from + 2 * intervalMs), seen).toBe(true);
    expect(arrivals.some((at) => at > long!.to), seen).toBe(true);
  });
});
