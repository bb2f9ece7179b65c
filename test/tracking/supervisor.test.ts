// Tracking, sync groups and notifications together, on real routers under a virtual clock with
// fake processes, files and FIFO: what an operator configures in keepalived.conf. The daemon-level
// behaviour over time (weights, Fault, sync groups, notify arguments and users, FIFO lines,
// deleted instances) is in test/conformance; what stays here looks inside: init_fail before any
// run, group trackers, script security on a real file system, the FIFO reader's signal.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadKeepalivedText } from '../../src/config/keepalived/loader.js';
import { routerConfig } from '../../src/daemon/vrrp/binding.js';
import { VirtualRouter } from '../../src/vrrp/protocol/virtual-router.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { Supervisor } from '../../src/daemon/vrrp/supervisor.js';
import { UserDatabase } from '../../src/scripting/users.js';
import type { RunOutcome } from '../../src/scripting/process-runner.js';
import { linuxSecurityFs } from '../../src/linux/tracking-ports.js';
import type { SecurityFs } from '../../src/scripting/script-security.js';
import { capturingLogger } from '../daemon/fakes.js';
import { EXIT_0, EXIT_1, FakeFiles, FakeProcessTable, FakeRunner, settle } from './fakes.js';
import { scratchDir } from '../helpers/scratch.js';

const rootOwned = { stat: () => ({ uid: 0, gid: 0, mode: 0o100755 }), realpath: (path: string) => path };

async function setup(
  text: string,
  options: { override?: Record<string, number>; outcomes?: Record<string, RunOutcome>; links?: Record<string, boolean>; security?: SecurityFs } = {},
) {
  const loaded = loadKeepalivedText(text, 'keepalived.conf');
  expect(loaded.issues.filter((issue) => issue.severity === 'error')).toEqual([]);
  const clock = new VirtualClock();
  const runner = new FakeRunner();
  const outcomes: Record<string, RunOutcome> = { ...options.outcomes };
  // Check scripts answer from `outcomes` by program; notify scripts succeed.
  runner.run = (request) => {
    runner.runs.push({ request, finish: () => undefined });
    return Promise.resolve(outcomes[request.argv[0]!] ?? EXIT_0);
  };
  const files = new FakeFiles();
  const fifo: string[] = [];
  const { log, records } = capturingLogger();
  const supervisor = new Supervisor(loaded.config, {
    clock,
    log,
    runner,
    files,
    processes: new FakeProcessTable(),
    users: new UserDatabase('root:x:0:0::/:/bin/sh\nlb:x:120:121::/:/bin/false\n', 'lb:x:121:\nnogroup:x:65534:\n'),
    security: options.security ?? rootOwned,
    fifo: { writeLine: (line) => fifo.push(line), close: () => undefined },
  });
  const routers = new Map<string, VirtualRouter>();
  for (const instance of loaded.config.instances) {
    const router: VirtualRouter = new VirtualRouter(routerConfig(instance), {
      clock,
      primaryAddress: '192.0.2.1',
      emit: (action) => supervisor.routerAction(instance.name, action, router.priority),
    });
    routers.set(instance.name, router);
  }
  const overrides = options.override ?? {};
  await supervisor.attach(routers, {
    basePriority: (name) => overrides[name] ?? loaded.config.instances.find((i) => i.name === name)!.priority,
    interfaceUp: async (name) => options.links?.[name] ?? true,
  });
  for (const router of routers.values()) router.start();
  const advance = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 100) {
      clock.advanceBy(100);
      await settle();
    }
  };
  return { supervisor, routers, outcomes, advance, fifo, records, files, runner, overrides, router: (name: string) => routers.get(name)! };
}

const instance = (name: string, vrid: number, priority: number, extra = '') =>
  `vrrp_instance ${name} {\n interface eth${vrid - 1}\n virtual_router_id ${vrid}\n priority ${priority}\n${extra}\n virtual_ipaddress {\n  192.0.2.${100 + vrid}/24\n }\n}\n`;

describe('Supervisor', () => {
  test('init_fail keeps the instance in Fault from the start, before any run', async () => {
    const { router } = await setup('vrrp_script chk {\n script /bin/chk\n init_fail\n interval 5\n}\n' + instance('VI_1', 1, 100, ' track_script {\n  chk\n }'), {
      outcomes: { '/bin/chk': EXIT_1 },
    });
    expect(router('VI_1').state).toBe('Fault');
  });

  test('the operator override replaces the base priority; weights still apply on top', async () => {
    const { router, advance, supervisor, overrides } = await setup(
      'vrrp_script chk {\n script /bin/chk\n weight -30\n}\n' + instance('VI_1', 1, 150, ' track_script {\n  chk\n }'),
      { outcomes: { '/bin/chk': EXIT_1 } },
    );
    await advance(1000);
    expect(router('VI_1').priority).toBe(120);
    overrides['VI_1'] = 200;
    expect(supervisor.effectivePriority('VI_1')).toBe(170);
    expect(router('VI_1').priority).toBe(170);
  });

  test('track_interface and track_file follow host events and file changes', async () => {
    const { router, supervisor, files, advance } = await setup(
      'track_file maint {\n file /run/maint\n weight -10\n}\n' + instance('VI_1', 1, 150, ' track_interface {\n  eth9 weight -20\n  eth8\n }\n track_file {\n  maint\n }'),
      { links: { eth9: true, eth8: true } },
    );
    supervisor.hostEvent({ type: 'link', interfaceName: 'eth9', up: false });
    expect(router('VI_1').priority).toBe(130);
    files.write('/run/maint', '2');
    await advance(100);
    expect(router('VI_1').priority).toBe(110);
    supervisor.hostEvent({ type: 'link', interfaceName: 'eth8', up: false });
    expect(router('VI_1').state).toBe('Fault');
    expect(router('VI_1').faultReasons).toEqual(['tracking: interface eth8 failed']);
  });

  test('sync group: a weighted group tracker is ignored without sync_group_tracking_weight; a weight-0 one faults every member', async () => {
    const { router, outcomes, advance, fifo } = await setup(
      'vrrp_script chk {\n script /bin/chk\n weight -30\n}\nvrrp_script must {\n script /bin/must\n}\n' +
        instance('VI_1', 1, 150) +
        instance('VI_2', 2, 150) +
        'vrrp_sync_group G1 {\n group {\n  VI_1\n  VI_2\n }\n track_script {\n  chk\n  must\n }\n notify /bin/notify\n}\n',
    );
    await advance(4000);
    expect([router('VI_1').state, router('VI_2').state]).toEqual(['Master', 'Master']);
    outcomes['/bin/chk'] = EXIT_1;
    await advance(1000);
    expect([router('VI_1').state, router('VI_2').state, router('VI_1').priority]).toEqual(['Master', 'Master', 150]);
    outcomes['/bin/must'] = EXIT_1;
    await advance(1000);
    expect([router('VI_1').state, router('VI_2').state]).toEqual(['Fault', 'Fault']);
    // As keepalived 2.2.7 orders them (see test/linux/tracking.test.ts): a group goes to Backup or
    // Fault before its members, to Master after all of them.
    expect(fifo).toEqual([
      'GROUP "G1" BACKUP 0',
      'INSTANCE "VI_1" BACKUP 150',
      'INSTANCE "VI_2" BACKUP 150',
      'INSTANCE "VI_2" MASTER 150',
      'INSTANCE "VI_1" MASTER 150',
      'GROUP "G1" MASTER 0',
      'GROUP "G1" FAULT 0',
      'INSTANCE "VI_1" FAULT 150',
      'INSTANCE "VI_2" FAULT 150',
    ]);
  });

  test.skipIf(process.getuid?.() !== 0)('enable_script_security refuses a root script in a directory anyone can write, and says why', async () => {
    const dir = scratchDir('insecure');
    chmodSync(dir, 0o777);
    const script = join(dir, 'chk.sh');
    writeFileSync(script, '#!/bin/sh\nexit 0\n');
    chmodSync(script, 0o755);
    const config = `vrrp_script chk {\n script ${script}\n}\n` + instance('VI_1', 1, 100, ' track_script {\n  chk\n }');
    const secured = await setup('global_defs {\n enable_script_security\n script_user root\n}\n' + config, { security: linuxSecurityFs });
    expect(secured.runner.runs).toEqual([]);
    expect(secured.router('VI_1').state).toBe('Fault');
    expect(secured.records().filter((r) => r['event'] === 'script-refused').map((r) => r['msg'])).toEqual([
      `vrrp_script chk will not run: ${dir} is writable by everyone and it would run as root (enable_script_security); it counts as failed`,
    ]);
    // Without enable_script_security it runs, with one warning.
    const open = await setup('global_defs {\n script_user root\n}\n' + config, { security: linuxSecurityFs });
    expect(open.runner.runs.map((r) => r.request.argv)).toEqual([[script]]);
    expect(open.records().filter((r) => r['event'] === 'script-insecure').map((r) => r['msg'])).toEqual([
      `vrrp_script chk: ${dir} is writable by everyone, yet it runs as root; set enable_script_security to refuse such scripts`,
    ]);
  });

  test('a script user that does not exist is refused with its name', async () => {
    const { router, records } = await setup('vrrp_script chk {\n script /bin/chk\n user haproxy\n}\n' + instance('VI_1', 1, 100, ' track_script {\n  chk\n }'));
    expect(router('VI_1').state).toBe('Fault');
    expect(records().find((r) => r['event'] === 'script-refused')?.['msg']).toBe(
      'vrrp_script chk will not run: vrrp_script chk: user "haproxy" does not exist (not in /etc/passwd); it counts as failed',
    );
  });

});

describe('notify_fifo_script', () => {
  test('runs once after attach with the FIFO path appended, without a timeout, and is stopped with the supervisor', async () => {
    const { runner, supervisor, records } = await setup('global_defs {\n notify_fifo /run/vrrpd/notify.fifo\n notify_fifo_script "/usr/local/bin/fifo-reader --json"\n}\n' + instance('VI_1', 1, 150));
    const reads = runner.runs.filter((run) => run.request.argv[0] === '/usr/local/bin/fifo-reader');
    expect(reads.map((run) => run.request.argv)).toEqual([['/usr/local/bin/fifo-reader', '--json', '/run/vrrpd/notify.fifo']]);
    expect(reads[0]!.request.timeoutMs).toBeUndefined();
    expect(reads[0]!.request.signal?.aborted).toBe(false);
    expect(records().find((r) => r['event'] === 'notify-fifo-script-started')).toMatchObject({ user: 'root' });
    await supervisor.stop();
    expect(reads[0]!.request.signal?.aborted).toBe(true);
  });

  test('without notify_fifo it is not run, and says why', async () => {
    const { runner, records } = await setup('global_defs {\n notify_fifo_script /usr/local/bin/fifo-reader\n}\n' + instance('VI_1', 1, 150));
    expect(runner.runs.filter((run) => run.request.argv[0] === '/usr/local/bin/fifo-reader')).toEqual([]);
    expect(records().find((r) => r['event'] === 'notify-fifo-script-unused')).toMatchObject({
      msg: 'notify_fifo_script /usr/local/bin/fifo-reader is not run: there is no notify_fifo for it to read',
    });
  });

  test('under enable_script_security a reader others could change is refused', async () => {
    const worldWritable = { stat: () => ({ uid: 0, gid: 0, mode: 0o100777 }), realpath: (path: string) => path };
    const { runner, records } = await setup(
      'global_defs {\n enable_script_security\n notify_fifo /run/vrrpd/notify.fifo\n vrrp_notify_fifo_script /tmp/reader\n}\n' + instance('VI_1', 1, 150),
      { security: worldWritable },
    );
    expect(runner.runs.filter((run) => run.request.argv[0] === '/tmp/reader')).toEqual([]);
    expect(records().find((r) => r['event'] === 'notify-fifo-script-refused')?.['msg']).toMatch(/^notify_fifo_script \/tmp\/reader is not run: .*enable_script_security/);
  });
});
