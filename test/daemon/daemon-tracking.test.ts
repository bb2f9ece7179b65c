// The daemon with its tracking hooks: the trackers in the control protocol's `status` answer,
// field by field, with the operator's override as the new base and weights on top. Tracking's
// behaviour over time (weights, Fault, reloads with a failing check) is in test/conformance.
import { setImmediate as tick } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { loadKeepalivedText } from '../../src/config/keepalived/loader.js';
import { routerBindings } from '../../src/daemon/vrrp/binding.js';
import { VrrpRouters } from '../../src/daemon/vrrp/routers.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { Supervisor } from '../../src/daemon/vrrp/supervisor.js';
import { UserDatabase } from '../../src/scripting/users.js';
import { EXIT_1, FakeFiles, FakeProcessTable, FakeRunner, settle } from '../tracking/fakes.js';
import { capturingLogger } from './fakes.js';
import { FakePlatform, FakeSegment } from './fake-platform.js';

/** A daemon on a fake host with tracking whose checks all fail (EXIT_1). */
async function running(text: string) {
  const clock = new VirtualClock();
  const platform = new FakePlatform(new FakeSegment(clock), { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:01', ipv4: '192.0.2.1' });
  const runner = new FakeRunner();
  runner.auto = EXIT_1;
  const { log, records } = capturingLogger();
  const { config } = loadKeepalivedText(text, 'keepalived.conf');
  const supervisor = new Supervisor(config, {
    clock,
    log,
    runner,
    files: new FakeFiles(),
    processes: new FakeProcessTable(),
    users: new UserDatabase('root:x:0:0::/:/bin/sh\n', ''),
    security: { stat: () => ({ uid: 0, gid: 0, mode: 0o100755 }), realpath: (path) => path },
  });
  const daemon = new VrrpRouters({ bindings: routerBindings(config), platform, clock, log, hooks: supervisor });
  await daemon.start();
  await settle();
  return { daemon, runner, records };
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
