// The daemon with its tracking hooks: trackers in `status`, the operator's override as the new
// base with weights on top, host events reaching track_interface, notify_stop on stop.
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import type { VrrpdConfig } from '../../src/config/model.js';
import { loadKeepalivedText } from '../../src/config/keepalived/loader.js';
import { routerBindings } from '../../src/daemon/vrrp/binding.js';
import { VrrpRouters } from '../../src/daemon/vrrp/routers.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { Supervisor } from '../../src/daemon/vrrp/supervisor.js';
import { UserDatabase } from '../../src/scripting/users.js';
import { EXIT_1, FakeFiles, FakeProcessTable, FakeRunner, settle } from '../tracking/fakes.js';
import { capturingLogger } from './fakes.js';
import { FakePlatform, FakeSegment } from './fake-platform.js';

/** A daemon on a fake host with tracking whose checks all fail (EXIT_1); reload() applies another text. */
async function running(text: string) {
  const clock = new VirtualClock();
  const platform = new FakePlatform(new FakeSegment(clock), { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:01', ipv4: '192.0.2.1' });
  const runner = new FakeRunner();
  runner.auto = EXIT_1;
  const { log, records } = capturingLogger();
  const supervisor = (config: VrrpdConfig) =>
    new Supervisor(config, {
      clock,
      log,
      runner,
      files: new FakeFiles(),
      processes: new FakeProcessTable(),
      users: new UserDatabase('root:x:0:0::/:/bin/sh\n', ''),
      security: { stat: () => ({ uid: 0, gid: 0, mode: 0o100755 }), realpath: (path) => path },
    });
  const { config } = loadKeepalivedText(text, 'keepalived.conf');
  const daemon = new VrrpRouters({ bindings: routerBindings(config), platform, clock, log, hooks: supervisor(config) });
  await daemon.start();
  await settle();
  const reload = async (next: string) => {
    const loaded = loadKeepalivedText(next, 'keepalived.conf').config;
    const summary = await daemon.reload(routerBindings(loaded), supervisor(loaded));
    await settle();
    return summary;
  };
  const transitions = () => records().filter((r) => r['event'] === 'transition').map((r) => `${r['from']}->${r['to']}`);
  return { clock, daemon, runner, records, reload, transitions };
}

test('status shows the trackers; an override replaces the base and the weights still apply', async () => {
  const text =
    'vrrp_script chk_haproxy {\n script "/usr/bin/killall -0 haproxy"\n weight -30\n}\n' +
    'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 150\n version 3\n' +
    ' track_script {\n  chk_haproxy\n }\n notify_stop /etc/ka/stop.sh\n virtual_ipaddress {\n  192.0.2.100/24\n }\n}\n';
  const { daemon, records, runner } = await running(text);
  for (let i = 0; i < 10; i++) await tick();

  const [status] = daemon.status();
  expect(status).toMatchObject({
    basePriority: 150,
    priorityOverride: null,
    effectivePriority: 120,
    faultReasons: [],
    syncGroup: null,
    trackers: [{ name: 'chk_haproxy', kind: 'script', state: 'failed', weight: -30, reverse: false, applied: -30, fault: false }],
  });
  expect(daemon.setPriorityOverride('VI_1', 200)).toMatchObject({ priorityOverride: 200, effectivePriority: 170 });
  expect(records().find((r) => r['event'] === 'priority-override')).toMatchObject({ msg: 'VI_1: priority overridden to 200', effectivePriority: 170 });
  expect(daemon.setPriorityOverride('VI_1', undefined)).toMatchObject({ priorityOverride: null, effectivePriority: 120 });

  await daemon.stop();
  expect(runner.runs.map((r) => r.request.argv)).toContainEqual(['/etc/ka/stop.sh']);
});

test('dont_track_primary: the instance’s own link going down is not a Fault', async () => {
  const text = 'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 150\n version 3\n dont_track_primary\n virtual_ipaddress {\n  192.0.2.100/24\n }\n}\n';
  const { config } = loadKeepalivedText(text, 'keepalived.conf');
  const clock = new VirtualClock();
  const platform = new FakePlatform(new FakeSegment(clock), { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:01', ipv4: '192.0.2.1' });
  const daemon = new VrrpRouters({ bindings: routerBindings(config), platform, clock, log: capturingLogger().log });
  await daemon.start();
  platform.emit({ type: 'link', interfaceName: 'eth0', up: false });
  expect(daemon.status()[0]).toMatchObject({ state: 'Backup', faultReasons: [] });
  await daemon.stop();
});

describe('reload with tracking', () => {
  const conf = (weight: number, script = '/usr/bin/killall -0 haproxy') =>
    `vrrp_script chk_haproxy {\n script "${script}"\n weight ${weight}\n interval 2\n}\n` +
    'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 150\n version 3\n' +
    ' track_script {\n  chk_haproxy\n }\n virtual_ipaddress {\n  192.0.2.100/24\n }\n}\n';


  test('an unchanged check keeps its failed state: a Fault instance stays in Fault, no transition, no extra run', async () => {
    const { clock, daemon, runner, reload, transitions } = await running(conf(0));
    expect(daemon.status()[0]).toMatchObject({ state: 'Fault', trackers: [{ name: 'chk_haproxy', state: 'failed' }] });
    const before = transitions();
    const runsBefore = runner.runs.length;
    await reload(conf(0));
    expect(daemon.status()[0]).toMatchObject({ state: 'Fault', trackers: [{ name: 'chk_haproxy', state: 'failed' }] });
    expect(transitions()).toEqual(before);
    // The same check keeps its schedule: one run per interval, not a second timer from the reload.
    clock.advanceBy(2000);
    await settle();
    expect(runner.runs.length - runsBefore).toBe(1);
    await daemon.stop();
  });

  test('a changed check starts afresh with the new definition; the weights apply to the kept router', async () => {
    const { daemon, reload } = await running(conf(0));
    expect(daemon.status()[0]).toMatchObject({ state: 'Fault' });
    await reload(conf(-30, '/usr/bin/pgrep haproxy'));
    expect(daemon.status()[0]).toMatchObject({ state: 'Backup', effectivePriority: 120, faultReasons: [], trackers: [{ name: 'chk_haproxy', state: 'failed', applied: -30 }] });
    await daemon.stop();
  });

  test('dropping the check from the configuration clears its Fault', async () => {
    const { daemon, reload } = await running(conf(0));
    await reload(conf(0).replace(' track_script {\n  chk_haproxy\n }\n', ''));
    expect(daemon.status()[0]).toMatchObject({ state: 'Backup', effectivePriority: 150, trackers: [] });
    await daemon.stop();
  });
});
