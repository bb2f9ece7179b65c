// The BFD subsystem in the daemon beside VRRP, on the virtual clock: sessions to simulated
// neighbours, VRRP instances following them with track_bfd as keepalived weighs it, state and
// metrics, reloads.
import { describe, expect, test } from 'vitest';
import type { VrrpdConfig } from '../../src/config/model.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { BfdSessionStates } from '../../src/daemon/bfd/session-states.js';
import { bfdSubsystem } from '../../src/daemon/bfd/subsystem.js';
import { bfdTrackerType } from '../../src/daemon/bfd/track-bfd.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { Supervisor } from '../../src/daemon/vrrp/supervisor.js';
import { vrrpSubsystem } from '../../src/daemon/vrrp/subsystem.js';
import { UserDatabase } from '../../src/scripting/users.js';
import { bfdInstance, config as baseConfig, instance, syncGroup } from '../config/builders.js';
import { FakeFiles, FakeProcessTable, FakeRunner } from '../tracking/fakes.js';
import { SimulatedBfdRuntime } from './fake-bfd.js';
import { capturingLogger } from './fakes.js';
import { advancer, FakePlatform, FakeSegment } from './fake-platform.js';

/** A daemon on a fake host whose BFD sessions talk to simulated neighbours. */
async function running(config: VrrpdConfig, neighbourTimers = {}) {
  const clock = new VirtualClock();
  const platform = new FakePlatform(new FakeSegment(clock), { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:01', ipv4: '192.0.2.1' });
  const { log, records } = capturingLogger();
  const runtime = new SimulatedBfdRuntime(clock, neighbourTimers);
  const states = new BfdSessionStates();
  const supervisor = async (c: VrrpdConfig) =>
    new Supervisor(c, {
      clock,
      log,
      runner: new FakeRunner(),
      files: new FakeFiles(),
      processes: new FakeProcessTable(),
      users: new UserDatabase('root:x:0:0::/:/bin/sh\n', ''),
      security: { stat: () => ({ uid: 0, gid: 0, mode: 0o100755 }), realpath: (path) => path },
      trackerTypes: (next) => [bfdTrackerType(next, states, log)],
    });
  const daemon = new Daemon([bfdSubsystem({ runtime: () => runtime, log, states }), vrrpSubsystem({ platform, clock, log, supervisor })], log);
  await daemon.start(config);
  const advance = advancer(clock);
  const vrrp = () => (daemon.status()['instances'] as Array<{ name: string; state: string; effectivePriority: number; faultReasons: string[]; trackers: unknown[] }>);
  const state = (name = 'VI_1') => vrrp().find((i) => i.name === name)!;
  const transitions = () => records().filter((r) => r['event'] === 'transition').map((r) => ({ instance: r['instance'], to: r['to'], msg: r['msg'] }));
  return { clock, daemon, runtime, states, advance, state, records, transitions, platform };
}

const withBfd = (overrides: Partial<VrrpdConfig> = {}, bfd = {}, trackBfd: Array<{ name: string; weight?: number; reverse?: boolean }> = [{ name: 'upstream' }]) =>
  baseConfig({
    instances: [instance({ priority: 150, trackBfd })],
    bfdInstances: [bfdInstance({ minTxMs: 50, minRxMs: 50, multiplier: 3, ...bfd })],
    ...overrides,
  });

describe('track_bfd with weight 0', () => {
  test('the instance waits in Fault until the session is Up, as keepalived does, then becomes Master', async () => {
    const { advance, state, transitions } = await running(withBfd());
    await advance(10);
    expect(state()).toMatchObject({ state: 'Fault', faultReasons: ['tracking: bfd upstream failed'] });
    await advance(6000);
    expect(state().state).toBe('Master');
    expect(transitions().map((t) => t.to)).toEqual(['Fault', 'Backup', 'Master']);
  });

  test('the session going down takes the instance to Fault at the same instant: one Detection Time after the last packet', async () => {
    const { advance, state, runtime, clock, records } = await running(withBfd());
    await advance(8000);
    expect(state().state).toBe('Master');
    const neighbour = runtime.neighbours.get('upstream')!;
    neighbour.silent = true;
    const cutAt = clock.now();
    // Step the clock by hand until the session goes down, then look at once.
    while (!runtime.changes.some((c) => c.from === 'Up')) clock.advanceBy(1);
    const down = runtime.changes.find((c) => c.from === 'Up')!;
    expect(down).toMatchObject({ to: 'Down', diag: 1 });
    expect(state()).toMatchObject({ state: 'Fault', faultReasons: ['tracking: bfd upstream failed'] });
    // Detection Time 3 × 50 ms after the neighbour's last packet, which left at most one interval before the cut.
    expect(down.at - cutAt).toBeLessThanOrEqual(150 + runtime.delayMs);
    expect(down.at - cutAt).toBeGreaterThan(150 - 50);
    await advance(1000);
    expect(records().find((r) => r['event'] === 'transition' && r['from'] === 'Master')).toMatchObject({ to: 'Fault' });
    expect(records().find((r) => r['event'] === 'bfd-state' && r['from'] === 'Up')).toMatchObject({ level: 40, msg: 'bfd_instance upstream: Up -> Down (Control Detection Time Expired)' });
    // The path heals: Up again, the instance leaves Fault.
    neighbour.silent = false;
    await advance(5000);
    expect(state().state).toBe('Master');
  });

  test('a neighbour going AdminDown is not a failure (RFC 5882 §3.2; keepalived sends VRRP no event)', async () => {
    const { advance, state, runtime } = await running(withBfd());
    await advance(8000);
    runtime.neighbours.get('upstream')!.table.stop();
    await advance(1000);
    expect(runtime.status().sessions[0]).toMatchObject({ state: 'Down', localDiag: 3, remoteState: 'AdminDown' });
    expect(state().state).toBe('Master');
    expect(state().trackers).toMatchObject([{ kind: 'bfd', name: 'upstream', state: 'ok', detail: expect.stringContaining('AdminDown') }]);
  });
});

describe('weights', () => {
  test('a negative weight is subtracted while the session is down; reverse adds it', async () => {
    const { advance, state, runtime } = await running(withBfd({}, { weight: -60 }, [{ name: 'upstream' }]));
    await advance(10);
    expect(state().effectivePriority).toBe(90);
    await advance(6000);
    expect(state().effectivePriority).toBe(150);
    runtime.neighbours.get('upstream')!.silent = true;
    await advance(1000);
    expect(state().effectivePriority).toBe(90);
  });

  test('a positive weight from the track_bfd entry is added while Up; with reverse subtracted', async () => {
    const plus = await running(withBfd({}, {}, [{ name: 'upstream', weight: 20 }]));
    await plus.advance(6000);
    expect(plus.state().effectivePriority).toBe(170);
    const reverse = await running(withBfd({}, {}, [{ name: 'upstream', weight: 20, reverse: true }]));
    await reverse.advance(6000);
    expect(reverse.state().effectivePriority).toBe(130);
  });

  test('a sync group tracks the session for all its members', async () => {
    const config = baseConfig({
      instances: [instance({ name: 'VI_1', priority: 150 }), instance({ name: 'VI_2', virtualRouterId: 52, priority: 150 })],
      syncGroups: [syncGroup({ members: ['VI_1', 'VI_2'], trackBfd: [{ name: 'upstream' }] })],
      bfdInstances: [bfdInstance({ minTxMs: 50, minRxMs: 50, multiplier: 3 })],
    });
    const { advance, state, runtime } = await running(config);
    await advance(8000);
    expect([state('VI_1').state, state('VI_2').state]).toEqual(['Master', 'Master']);
    runtime.neighbours.get('upstream')!.silent = true;
    await advance(1000);
    expect([state('VI_1').state, state('VI_2').state]).toEqual(['Fault', 'Fault']);
  });
});

describe('status, metrics, reload', () => {
  test('status shows each session with its state, discriminators, agreed timers and last down reason', async () => {
    const { advance, daemon, runtime } = await running(withBfd(), { desiredMinTxInterval: 80_000 });
    await advance(8000);
    runtime.neighbours.get('upstream')!.silent = true;
    await advance(1000);
    runtime.neighbours.get('upstream')!.silent = false;
    await advance(5000);
    const bfd = daemon.status()['bfd'] as { sessions: Array<Record<string, unknown>> };
    const neighbour = runtime.neighbours.get('upstream')!.table.status()[0]!;
    expect(bfd.sessions).toEqual([
      expect.objectContaining({
        name: 'upstream',
        peer: '192.0.2.254',
        state: 'Up',
        remoteDiscr: neighbour.localDiscr,
        // We send every max(50, the neighbour's 50 rx); it sends every 80 ms: 3 × 80 of silence is Down.
        timers: { transmitInterval: 50_000, detectionTime: 240_000 },
        lastDown: expect.objectContaining({ diag: 1, reason: 'Control Detection Time Expired' }),
        upTransitions: 2,
        downTransitions: 1,
      }),
    ]);
    const metrics = daemon.metrics();
    expect(metrics).toContain('vrrpd_bfd_session_state{bfd="upstream",peer="192.0.2.254"} 3');
    expect(metrics).toContain('vrrpd_bfd_detection_time_seconds{bfd="upstream",peer="192.0.2.254"} 0.24');
    expect(metrics).toContain('vrrpd_bfd_session_down_total{bfd="upstream",peer="192.0.2.254"} 1');
    expect(metrics).toContain('vrrpd_bfd_packets_discarded_total{reason="ttl"} 0');
    expect(daemon.summary()).toBe('bfd upstream Up; VI_1 Master');
  });

  test('a reload that changes the timers keeps the session Up (Poll/Final) and the instance Master', async () => {
    const { advance, daemon, runtime, state, transitions } = await running(withBfd());
    await advance(8000);
    const summary = await daemon.reload(withBfd({}, { minTxMs: 100, minRxMs: 100 }));
    expect(summary.updated).toEqual([{ instance: 'bfd_instance upstream', changes: ['timers'] }]);
    await advance(2000);
    expect(runtime.status().sessions[0]).toMatchObject({ state: 'Up', polling: false, desiredMinTxInterval: 100_000, upTransitions: 1 });
    expect(state().state).toBe('Master');
    expect(transitions().map((t) => t.to)).toEqual(['Fault', 'Backup', 'Master']);
  });

  test('a reload that adds a session starts it Down: an instance newly tracking it goes to Fault', async () => {
    const { advance, daemon, state } = await running(withBfd());
    await advance(8000);
    const next = baseConfig({
      instances: [instance({ priority: 150, trackBfd: [{ name: 'upstream' }, { name: 'second' }] })],
      bfdInstances: [bfdInstance({ minTxMs: 50, minRxMs: 50, multiplier: 3 }), bfdInstance({ name: 'second', neighborIp: '192.0.2.253' })],
    });
    const summary = await daemon.reload(next);
    expect(summary.added).toEqual(['bfd_instance second']);
    expect(state().state).toBe('Fault');
    await advance(6000);
    expect(state().state).toBe('Master');
  });

  test('stopping sends AdminDown on every session', async () => {
    const { advance, daemon, runtime } = await running(withBfd());
    await advance(8000);
    await daemon.stop();
    await advance(10);
    expect(runtime.neighbours.get('upstream')!.table.status()[0]).toMatchObject({ state: 'Down', remoteState: 'AdminDown', localDiag: 3 });
  });
});
