// The native IPv6 VRRP socket: argument errors before the kernel is touched, kernel errors with
// their errno, and, between two lab hosts, what a receiver learns per packet (source, destination,
// hop limit) and what the kernel does for the sender (checksum at offset 6, hop limit, binding to
// the link-local or a global address, no multicast loopback).
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { nativeShims, type Vrrp6SocketOptions } from '../../src/linux/native.js';
import { decodeAdvertisement, encodeAdvertisement } from '../../src/vrrp/packet/advertisement.js';
import { linkLocal } from '../helpers/ipv6.js';
import { runProbe as runProbeScript } from '../helpers/probe.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';

const probe = join(import.meta.dirname, 'vrrp6-probe.mjs');
const group = Buffer.from('ff020000000000000000000000000012', 'hex');

describe('Vrrp6Socket arguments', () => {
  const open = (options: unknown, callback: unknown = () => undefined) =>
    new (nativeShims().Vrrp6Socket as unknown as new (...args: unknown[]) => unknown)(options, callback);
  const valid: Vrrp6SocketOptions = { interfaceName: 'lo', interfaceIndex: 1, hopLimit: 255, groups: [group] };

  test('are refused before touching the kernel', () => {
    expect(() => open('eth0')).toThrow(TypeError);
    expect(() => open(valid, 'not a function')).toThrow(TypeError);
    expect(() => open({ ...valid, groups: [Buffer.alloc(4)] })).toThrow('groups must be 16-byte Buffers');
    expect(() => open({ ...valid, source: Buffer.alloc(4) })).toThrow(TypeError);
    expect(() => open({ ...valid, hopLimit: 0 })).toThrow(RangeError);
    expect(() => open({ ...valid, interfaceName: 'a-name-longer-than-ifnamsiz' })).toThrow(RangeError);
    expect(() => open({ ...valid, interfaceIndex: 0 })).toThrow(RangeError);
    expect(() => open({ ...valid, kernelChecksum: 'yes' })).toThrow(TypeError);
  });

  test.skipIf(!isRoot())('a missing interface is the kernel error ENODEV from SO_BINDTODEVICE, with its errno', () => {
    let thrown: (Error & { errno?: number }) | undefined;
    try {
      open({ ...valid, interfaceName: 'vrrpd-none0' });
    } catch (error) {
      thrown = error as Error & { errno?: number };
    }
    expect(thrown?.message).toBe('setsockopt(SO_BINDTODEVICE): No such device');
    expect(thrown?.errno).toBe(19);
  });

  test.skipIf(!isRoot())('send on a closed socket throws instead of writing to a stale descriptor', () => {
    const socket = nativeShims().Vrrp6Socket && new (nativeShims().Vrrp6Socket)({ ...valid, groups: [] }, () => undefined);
    socket.close();
    socket.close(); // twice is harmless
    expect(() => socket.send(Buffer.alloc(8), group, 1)).toThrow('send: the socket is closed');
  });
});

interface ProbeLine {
  readonly ready?: boolean;
  readonly error?: string;
  readonly payload?: string;
  readonly source?: string;
  readonly destination?: string;
  readonly hopLimit?: number;
}

const runProbe = (host: LabHost, options: object) => runProbeScript<ProbeLine>(host, probe, options);

let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

describe.skipIf(!isRoot())('Vrrp6Socket between two hosts (needs root)', () => {
  test('reports source, destination and hop limit per packet; the kernel fills the checksum; no loopback', { timeout: 30_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['2001:db8::1/64']);
    const b = await lab.addHost('b', ['2001:db8::2/64']);
    const aLinkLocal = await linkLocal(a);
    const advert = (destination: string, source: string) => {
      const bytes = Buffer.from(encodeAdvertisement({ version: 3, vrid: 7, priority: 150, maxAdvertIntervalCs: 100, addresses: ['2001:db8::100'] }, { family: 'ipv6', source, destination }, 'pseudo-header'));
      bytes.writeUInt16BE(0, 6); // the kernel must compute it (IPV6_CHECKSUM)
      return bytes.toString('hex');
    };

    const listener = await runProbe(b, { groups: ['ff02::12'], listenMs: 20_000, until: 3, afterUntilMs: 1000 });
    // Without the kernel's checksum handling, a bad checksum reaches the program (vrrpd watch).
    const unchecked = await runProbe(b, { groups: ['ff02::12'], listenMs: 20_000, until: 4, kernelChecksum: false });
    const sent = [
      { destination: 'ff02::12', payload: advert('ff02::12', aLinkLocal) },
      { destination: '2001:db8::2', payload: advert('2001:db8::2', aLinkLocal) },
    ];
    // The sender also listens on the group: with IPV6_MULTICAST_LOOP off it must not hear itself.
    const sender = await runProbe(a, { groups: ['ff02::12'], source: aLinkLocal, send: sent, listenMs: 1500 });
    const lowHops = await runProbe(a, { groups: [], source: '2001:db8::1', hopLimit: 64, send: [{ destination: 'ff02::12', payload: advert('ff02::12', '2001:db8::1') }], sendDelayMs: 100 });
    const badChecksum = advert('ff02::12', aLinkLocal).replace(/^(.{12})..../, '$1dead');
    const corrupt = await runProbe(a, { groups: [], source: aLinkLocal, kernelChecksum: false, send: [{ destination: 'ff02::12', payload: badChecksum }], sendDelayMs: 200 });
    await Promise.all([listener.exited, unchecked.exited, sender.exited, lowHops.exited, corrupt.exited]);

    expect(sender.lines).toEqual([]);
    expect(listener.lines.map(({ source, destination, hopLimit }) => ({ source, destination, hopLimit }))).toEqual([
      { source: aLinkLocal, destination: 'ff02::12', hopLimit: 255 },
      { source: aLinkLocal, destination: '2001:db8::2', hopLimit: 255 },
      { source: '2001:db8::1', destination: 'ff02::12', hopLimit: 64 },
    ]);
    // The kernel dropped the bad checksum for the checking socket (above); the other one got it as sent.
    expect(unchecked.lines.map((line) => line.payload)).toContain(badChecksum);
    expect(unchecked.lines).toHaveLength(4);
    for (const line of listener.lines) {
      const payload = Buffer.from(line.payload ?? '', 'hex');
      expect(payload.readUInt16BE(6)).not.toBe(0);
      const decoded = decodeAdvertisement(payload, { family: 'ipv6', source: line.source ?? '', destination: line.destination ?? '' });
      expect(decoded).toMatchObject({ ok: true, checksum: 'pseudo-header', advertisement: { vrid: 7, priority: 150, addresses: ['2001:db8::100'] } });
    }
  });
});
