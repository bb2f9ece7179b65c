// What leaves the host comes first: a transition's advertisement goes out before the transition is
// logged (and its notify scripts run), and the start-up rehearsal that compiles the failover code
// sends, installs and announces nothing.
import { Writable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { VrrpRouters } from '../../src/daemon/vrrp/routers.js';
import { createLogger } from '../../src/core/log.js';
import { masterDownInterval } from '../../src/vrrp/protocol/timers.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { advancer, FakePlatform, FakeSegment, vipInstance } from './fake-platform.js';

/** One host; each transition line records the priorities of the advertisements sent before it. */
async function host(priority: number) {
  const clock = new VirtualClock();
  const platform = new FakePlatform(new FakeSegment(clock), { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:01', ipv4: '192.0.2.1' });
  const transitions: Array<{ to: string; sentBefore: number[] }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const record = JSON.parse(line) as { event?: string; to?: string };
        if (record.event === 'transition') transitions.push({ to: record.to ?? '', sentBefore: platform.sent.map((p) => p.bytes[2]!) });
      }
      done();
    },
  });
  const daemon = new VrrpRouters({ bindings: [vipInstance(priority)], platform, clock, log: createLogger({ level: 'info', destination, readable: false }) });
  await daemon.start();
  const advance = advancer(clock);
  return { daemon, platform, transitions, advance };
}

test('becoming Master: the first advertisement is sent before the transition is logged', async () => {
  const { platform, transitions, advance } = await host(150);
  await advance(masterDownInterval(3, 150, 1000) + 10);
  const toMaster = transitions.find((t) => t.to === 'Master');
  expect(toMaster?.sentBefore).toEqual([150]);
  expect(platform.sent.length).toBeGreaterThanOrEqual(1);
});

test('stopping a Master: priority 0 is sent before the transition is logged', async () => {
  const { daemon, transitions, advance } = await host(150);
  await advance(masterDownInterval(3, 150, 1000) + 10);
  const stopped = daemon.stop();
  await advance(10);
  await stopped;
  const toInitialize = transitions.filter((t) => t.to === 'Initialize');
  expect(toInitialize).toHaveLength(1);
  expect(toInitialize[0]!.sentBefore.at(-1)).toBe(0);
});

test('the start-up rehearsal builds the frames but sends, installs and announces nothing', async () => {
  const { platform, transitions } = await host(100);
  const announcer = platform.announcers.get('eth0/ipv4');
  expect(announcer?.prepared).toContainEqual(['192.0.2.100']);
  expect(announcer?.rounds).toEqual([]);
  expect(platform.sent).toEqual([]);
  expect(platform.addresses.calls).toEqual([]);
  // Its transitions are not logged: only the real router's start is.
  await tick();
  expect(transitions.map((t) => t.to)).toEqual(['Backup']);
});
