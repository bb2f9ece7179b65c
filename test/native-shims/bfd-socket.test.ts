// The native BFD socket: argument errors before the kernel is touched, and between two lab hosts
// what a receiver learns per datagram (source and port, destination, TTL / hop limit, IPv4 and
// IPv6) and that the sender's TTL and bound source port are what goes on the wire.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { nativeShims } from '../../src/linux/native.js';
import { captureFields, startCapture } from '../helpers/capture.js';
import { runProbe as runProbeScript } from '../helpers/probe.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';

const probe = join(import.meta.dirname, 'bfd-probe.mjs');

describe('BfdSocket arguments', () => {
  const open = (options: unknown, callback: unknown = () => undefined) =>
    new (nativeShims().BfdSocket as unknown as new (...args: unknown[]) => unknown)(options, callback);

  test('are refused before touching the kernel', () => {
    expect(() => open('udp')).toThrow(TypeError);
    expect(() => open({ family: 4, port: 3784, ttl: 255 }, 'not a function')).toThrow(TypeError);
    expect(() => open({ family: 5, port: 3784, ttl: 255 })).toThrow(RangeError);
    expect(() => open({ family: 4, port: 70000, ttl: 255 })).toThrow(RangeError);
    expect(() => open({ family: 4, port: 3784, ttl: 0 })).toThrow(RangeError);
    expect(() => open({ family: 4, port: 3784, ttl: 255, address: Buffer.alloc(16) })).toThrow('address must be a 4-byte (IPv4) or 16-byte (IPv6) Buffer');
  });
});

interface ProbeLine {
  readonly ready?: boolean;
  readonly error?: string;
  readonly payload?: string;
  readonly source?: string;
  readonly sourcePort?: number;
  readonly destination?: string;
  readonly ttl?: number;
}

const runProbe = (host: LabHost, options: object) => runProbeScript<ProbeLine>(host, probe, options);

describe.skipIf(!isRoot())('between two lab hosts', () => {
  let lab: NamespaceLab | undefined;
  afterEach(async () => {
    await lab?.destroy();
    lab = undefined;
  });

  test('the receiver learns source, source port, destination and TTL; the sender sends from its bound port with its TTL', async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24', '2001:db8::1/64']);
    const b = await lab.addHost('b', ['192.0.2.2/24', '2001:db8::2/64']);
    const capture = await startCapture(a, 'udp port 3784');
    const receiver = await runProbe(a, { listen: [{ family: 'ipv4', port: 3784 }, { family: 'ipv6', port: 3784 }], listenMs: 3000 });
    const sender = await runProbe(b, {
      send: [
        { from: '192.0.2.2', sourcePort: 49152, to: '192.0.2.1', port: 3784, payload: 'aa01', ttl: 255 },
        { from: '2001:db8::2', sourcePort: 65535, to: '2001:db8::1', port: 3784, payload: 'aa02', ttl: 255 },
        { from: '192.0.2.2', sourcePort: 50000, to: '192.0.2.1', port: 3784, payload: 'aa03', ttl: 64 },
      ],
      sendWithTtl: [
        { to: '192.0.2.1', port: 3784, payload: 'bb01', ttl: 254 },
        { to: '2001:db8::1', port: 3784, payload: 'bb02', ttl: 1 },
      ],
    });
    await sender.exited;
    await receiver.exited;
    await capture.stop();
    const byPayload = new Map(receiver.lines.map((line) => [line.payload, line]));
    expect(receiver.lines.filter((line) => line.error)).toEqual([]);
    expect(byPayload.get('aa01')).toEqual({ payload: 'aa01', source: '192.0.2.2', sourcePort: 49152, destination: '192.0.2.1', ttl: 255 });
    expect(byPayload.get('aa02')).toEqual({ payload: 'aa02', source: '2001:db8::2', sourcePort: 65535, destination: '2001:db8::1', ttl: 255 });
    expect(byPayload.get('aa03')).toMatchObject({ sourcePort: 50000, ttl: 64 });
    expect(byPayload.get('bb01')).toMatchObject({ source: '192.0.2.2', ttl: 254 });
    expect(byPayload.get('bb02')).toMatchObject({ source: '2001:db8::2', ttl: 1 });
    // On the wire: the TTL the sender asked for (IPv4) and the hop limit (IPv6).
    const wire = captureFields(capture.file, ['udp.srcport', 'ip.ttl', 'ipv6.hlim']);
    expect(wire).toContainEqual(['49152', '255', '']);
    expect(wire).toContainEqual(['65535', '', '255']);
    rmSync(dirname(capture.file), { recursive: true, force: true });
  }, 30_000);
});
