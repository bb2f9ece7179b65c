// A kind of tracked object another subsystem adds (as BFD's track_bfd will): the supervisor builds,
// weighs, shows and carries it over a reload through the registry alone.
import { describe, expect, test } from 'vitest';
import type { VrrpdConfig } from '../../src/config/model.js';
import { loadKeepalivedText } from '../../src/config/keepalived/loader.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { routerConfig } from '../../src/daemon/vrrp/binding.js';
import { Supervisor } from '../../src/daemon/vrrp/supervisor.js';
import { UserDatabase } from '../../src/scripting/users.js';
import type { TrackerType } from '../../src/tracking/registry.js';
import { Listeners, type Tracker } from '../../src/tracking/tracker.js';
import type { TrackerState } from '../../src/tracking/weights.js';
import { VirtualRouter } from '../../src/vrrp/protocol/virtual-router.js';
import { capturingLogger } from '../daemon/fakes.js';
import { FakeFiles, FakeProcessTable, FakeRunner, settle } from './fakes.js';

/** A tracked object the test flips by hand. */
class Beacon implements Tracker {
  readonly kind = 'beacon';
  readonly arithmetic = 'state' as const;
  state: TrackerState = 'ok';
  started = 0;
  stopped = 0;
  private readonly listeners = new Listeners();
  constructor(readonly name: string) {}
  subscribe(listener: () => void): () => void {
    return this.listeners.add(listener);
  }
  set(state: TrackerState): void {
    this.state = state;
    this.listeners.notify();
  }
  start(): void {
    this.started++;
  }
  stop(): void {
    this.stopped++;
  }
}

const conf = (priority: number) =>
  `vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority ${priority}\n virtual_ipaddress {\n  192.0.2.101/24\n }\n}\n`;

/** The beacon kind: VI_1 follows beacon "uplink" with weight -40; its identity is `target` (what a reload compares). */
function beaconKind(built: Beacon[], target: string) {
  return (): TrackerType[] => [
    {
      kind: 'beacon',
      references: (source) => ('interface' in source && source.name === 'VI_1' ? [{ name: 'uplink', weight: -40 }] : []),
      lookup: (name) => ({
        identity: { target },
        weight: 0,
        reverse: false,
        create: () => {
          const beacon = new Beacon(name);
          built.push(beacon);
          return beacon;
        },
      }),
    },
  ];
}

function supervisorFor(config: VrrpdConfig, clock: VirtualClock, trackerTypes: () => TrackerType[]) {
  return new Supervisor(config, {
    clock,
    log: capturingLogger().log,
    runner: new FakeRunner(),
    files: new FakeFiles(),
    processes: new FakeProcessTable(),
    users: new UserDatabase('root:x:0:0::/:/bin/sh\n', ''),
    security: { stat: () => ({ uid: 0, gid: 0, mode: 0o100755 }), realpath: (path: string) => path },
    trackerTypes,
  });
}

describe('tracker registry', () => {
  test('a kind another subsystem adds is built, weighed, shown, and carried over a reload while its definition is equal', async () => {
    const clock = new VirtualClock();
    const config = loadKeepalivedText(conf(150), 'keepalived.conf').config;
    const built: Beacon[] = [];
    const first = supervisorFor(config, clock, beaconKind(built, '198.51.100.1'));
    const router = new VirtualRouter(routerConfig(config.instances[0]!), { clock, primaryAddress: '192.0.2.1', emit: () => undefined });
    const routers = new Map([['VI_1', router]]);
    const context = { basePriority: () => 150, interfaceUp: async () => true };
    await first.attach(routers, context);
    expect(built).toHaveLength(1);
    expect(built[0]!.started).toBe(1);
    expect(router.priority).toBe(150);

    built[0]!.set('failed');
    await settle();
    expect(router.priority).toBe(110);
    expect(first.status('VI_1').trackers).toEqual([{ name: 'uplink', kind: 'beacon', state: 'failed', weight: -40, reverse: false, applied: -40, fault: false }]);

    // Same definition: the running beacon carries on, still failed; nothing new is built or stopped.
    const second = supervisorFor(config, clock, beaconKind(built, '198.51.100.1'));
    second.succeed(first);
    await second.attach(routers, context);
    await first.stop();
    expect(built).toHaveLength(1);
    expect(built[0]!.stopped).toBe(0);
    expect(router.priority).toBe(110);

    // Another definition: a new beacon starts (ok), the old one stops.
    const third = supervisorFor(config, clock, beaconKind(built, '198.51.100.2'));
    third.succeed(second);
    await third.attach(routers, context);
    await second.stop();
    expect(built).toHaveLength(2);
    expect(built[0]!.stopped).toBe(1);
    expect(built[1]!.started).toBe(1);
    expect(router.priority).toBe(150);
  });
});
