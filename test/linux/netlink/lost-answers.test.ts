// What the route netlink socket does when the kernel drops what it had to say (ENOBUFS: the
// socket's receive buffer was full): requests whose answers were lost fail with the error instead
// of waiting forever and holding the request window, and the watch reports what changed unseen.
// The socket's 'error' had no listener before, so the first ENOBUFS ended the daemon.
import type { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import type { AddressMessage } from '../../../src/linux/netlink/address-messages.js';
import { addressChanges, NetlinkError, RequestWindow, Rtnetlink } from '../../../src/linux/netlink/rtnetlink.js';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
const enobufs = (): Error => Object.assign(new Error('recvmsg: ENOBUFS'), { code: 'ENOBUFS', errno: -105 });

describe('RequestWindow after lost answers', () => {
  test('the requests awaiting an answer fail with the error; those queued behind them then go; a late answer changes nothing', async () => {
    const window = new RequestWindow();
    let answerLate: (value: string) => void = () => undefined;
    const first = window.acknowledged(() => new Promise<string>((resolve) => (answerLate = resolve)));
    const inFlight = Array.from({ length: 63 }, () => window.acknowledged(never));
    let queuedStarted = false;
    const queued = window.acknowledged(async () => {
      queuedStarted = true;
      return 'answered';
    });
    await Promise.resolve();
    expect(window.peakInFlight).toBe(64);
    expect(queuedStarted).toBe(false);

    const error = new NetlinkError('ENOBUFS', 'receive an answer');
    window.failInFlight(error);
    await expect(first).rejects.toBe(error);
    for (const request of inFlight) await expect(request).rejects.toBe(error);
    await expect(queued).resolves.toBe('answered');
    answerLate('too late');
    // The window is whole again: 64 more go at once.
    const again = Array.from({ length: 64 }, () => window.acknowledged(never));
    await Promise.resolve();
    expect(window.peakInFlight).toBe(64);
    window.failInFlight(error);
    await Promise.allSettled(again);
  });
});

describe('addressChanges', () => {
  const address = (interfaceIndex: number, text: string, prefixLength = 24): AddressMessage =>
    ({ family: text.includes(':') ? 'ipv6' : 'ipv4', interfaceIndex, address: text, prefixLength, flags: 0 }) as unknown as AddressMessage;
  const known = (...addresses: AddressMessage[]) => new Map(addresses.map((a) => [`${a.interfaceIndex} ${a.address}/${a.prefixLength}`, a]));

  test('gone ones removed, new ones added, the rest unchanged (an address is its interface, address and prefix)', () => {
    const kept = address(2, '192.0.2.1');
    const gone = address(2, '192.0.2.100');
    const moved = address(3, '192.0.2.100');
    const widened = address(2, '192.0.2.1', 16);
    expect(addressChanges(known(kept, gone), [kept, moved, widened])).toEqual([
      { address: gone, removed: true },
      { address: moved, removed: false },
      { address: widened, removed: false },
    ]);
    expect(addressChanges(known(kept), [kept])).toEqual([]);
  });

  test('an address whose flags changed is reported again (tentative IPv6 done with duplicate address detection)', () => {
    const tentative = { ...address(2, '2001:db8::1', 64), flags: 0x40 } as AddressMessage;
    const usable = address(2, '2001:db8::1', 64);
    expect(addressChanges(known(tentative), [usable])).toEqual([{ address: usable, removed: false }]);
  });
});

describe('Rtnetlink', () => {
  test("a receive error on its socket fails the requests in flight and does not end the process", async () => {
    const netlink = Rtnetlink.open();
    try {
      const socket = (netlink as unknown as { socket: EventEmitter }).socket;
      expect(socket.listenerCount('error')).toBe(1);
      expect(() => socket.emit('error', enobufs())).not.toThrow();
      // Still usable afterwards.
      expect((await netlink.links()).some((link) => link.name === 'lo')).toBe(true);
    } finally {
      netlink.close();
    }
  });

  test('held dumps: one asked for again is answered from the last one until a change is requested, and after the release', async () => {
    const netlink = Rtnetlink.open();
    try {
      const socket = (netlink as unknown as { socket: { request: (...args: unknown[]) => Promise<unknown> } }).socket;
      const request = socket.request.bind(socket);
      let dumps = 0;
      socket.request = (...args: unknown[]) => {
        if ((((args[2] as { flags?: number } | undefined)?.flags ?? 0) & 0x300) === 0x300) dumps++; // NLM_F_DUMP
        return request(...args);
      };
      const release = netlink.holdDumps();
      await netlink.links();
      await netlink.links();
      await netlink.addresses();
      await netlink.addresses('ipv4');
      expect(dumps).toBe(2);
      // A change requested (refused: no such address on lo): the next dump is taken anew.
      await netlink.deleteAddress({ family: 'ipv4', address: '192.0.2.55', prefixLength: 32, interfaceIndex: 1 }).catch(() => undefined);
      await netlink.links();
      await netlink.links();
      expect(dumps).toBe(3);
      // A read waiting for the kernel (IPv6 duplicate address detection) asks for a fresh one.
      netlink.refreshDumps();
      await netlink.addresses('ipv6');
      await netlink.addresses();
      expect(dumps).toBe(4);
      release();
      await netlink.links();
      await netlink.links();
      expect(dumps).toBe(6);
    } finally {
      netlink.close();
    }
  });
});
