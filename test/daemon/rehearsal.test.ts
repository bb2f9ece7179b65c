// The start-up rehearsal that compiles the failover code sends, installs and announces nothing.
// (That a transition's advertisement leaves before the transition is logged and its notify
// scripts run shows in every conformance case's timeline: test/conformance.)
import { Writable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { VrrpRouters } from '../../src/daemon/vrrp/routers.js';
import { createLogger } from '../../src/core/log.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { FakePlatform, FakeSegment, vipInstance } from './fake-platform.js';

/** One host that has started; `transitions` lists the states its log reports entering. */
async function host(priority: number) {
  const clock = new VirtualClock();
  const platform = new FakePlatform(new FakeSegment(clock), { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:01', ipv4: '192.0.2.1' });
  const transitions: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const record = JSON.parse(line) as { event?: string; to?: string };
        if (record.event === 'transition') transitions.push(record.to ?? '');
      }
      done();
    },
  });
  const daemon = new VrrpRouters({ bindings: [vipInstance(priority)], platform, clock, log: createLogger({ level: 'info', destination, readable: false }) });
  await daemon.start();
  return { platform, transitions };
}

test('the start-up rehearsal builds the frames but sends, installs and announces nothing; each VIP is readied', async () => {
  const { platform, transitions } = await host(100);
  // The rehearsal's announcement waits in its queue behind its (no-op) address adds, as a real one does.
  await tick();
  const announcer = platform.announcers.get('eth0/ipv4');
  expect(announcer?.prepared).toContainEqual(['192.0.2.100']);
  expect(announcer?.rounds).toEqual([]);
  expect(platform.sent).toEqual([]);
  expect(platform.addresses.calls).toEqual([]);
  // Each VIP's add is readied (its interface looked up) before the first takeover needs it.
  expect(platform.addresses.prepared).toEqual([`192.0.2.100/${vipInstance(100).addresses[0]!.prefixLength} dev eth0`]);
  // Its transitions are not logged: only the real router's start is.
  expect(transitions).toEqual(['Backup']);
});
