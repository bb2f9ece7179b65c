// Tracking, sync groups and notify on real links, with keepalived 2.2.7 as the peer where that
// proves interoperation: check scripts move mastership (the Kubernetes API with haproxy setup),
// a weight-0 script means Fault, a hung script is killed with its child while advertisements go
// on, a sync group follows one member's link, and notify scripts and the FIFO get what
// keepalived gives them.
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { captureFields, startCapture } from '../helpers/capture.js';
import { holds, instanceConfig, startKeepalived, waitFor, type RunningDaemon, SETTLE_MS } from '../helpers/daemons.js';
import { readFifo, type FifoReader } from '../helpers/fifo.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';
import { scratchDir } from '../helpers/scratch.js';

const vrrpdBin = join(import.meta.dirname, '..', '..', 'bin', 'vrrpd');
const haveKeepalived = spawnSync('keepalived', ['--version'], { stdio: 'ignore' }).status === 0;
const VIP = '192.0.2.100';
let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

interface Vrrpd extends RunningDaemon {
  status(): Promise<Array<Record<string, unknown>>>;
}

function startVrrpd(host: LabHost, dir: string, config: string): Vrrpd {
  const file = join(dir, 'vrrpd.conf');
  const socket = join(dir, 'vrrpd.sock');
  writeFileSync(file, config);
  const child = host.spawn('node', [vrrpdBin, 'run', '-f', file, '--control-socket', socket]);
  const lines: string[] = [];
  const take = (chunk: Buffer): void => void lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const status = async () => (JSON.parse((await promisify(execFile)(vrrpdBin, ['status', '--json', '--control-socket', socket])).stdout) as { instances: Array<Record<string, unknown>> }).instances;
  return { process: child, lines, exited, status, configFile: file };
}

function scratch(): string {
  const dir = scratchDir('track');
  chmodSync(dir, 0o755);
  return dir;
}

/** A scratch directory with a notify script that records its arguments, one line per run. */
function recordingScript(): { dir: string; script: string; runs: () => string[] } {
  const dir = scratch();
  const out = join(dir, 'notify.out');
  const script = join(dir, 'notify.sh');
  writeFileSync(script, `#!/bin/sh\necho "$*" >> ${out}\n`);
  chmodSync(script, 0o755);
  return { dir, script, runs: () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []) };
}

/** SIGTERM; once its last notifications are out, the FIFO reader stops and the run's lab goes. */
async function stopInOwnLab(daemon: RunningDaemon, reader: FifoReader): Promise<void> {
  daemon.process.kill('SIGTERM');
  await daemon.exited;
  await new Promise((resolve) => setTimeout(resolve, 500));
  reader.stop();
  await lab?.destroy();
  lab = undefined;
}

/** A notify FIFO in `dir` and a reader of it. */
async function notifyFifo(dir: string): Promise<{ fifo: string; reader: FifoReader }> {
  const fifo = join(dir, 'notify.fifo');
  await promisify(execFile)('mkfifo', ['-m', '0600', fifo]);
  return { fifo, reader: readFifo(fifo) };
}

/** A check that fails while `flag` exists. */
const checkScript = (name: string, flag: string, extra: string) =>
  `vrrp_script ${name} {\n  script "/bin/sh -c 'test ! -e ${flag}'"\n  interval 1\n  rise 1\n  fall 1\n${extra}\n}\n`;

describe.skipIf(!isRoot() || !haveKeepalived)('tracking in namespaces (needs root and keepalived)', () => {
  test('Kubernetes API with haproxy: a failing check (weight -60) hands the VIP to keepalived; recovery takes it back', { timeout: 45_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const dir = scratch();
    const flag = join(dir, 'haproxy-down');
    const vrrpd = startVrrpd(
      a,
      dir,
      'global_defs {\n  enable_script_security\n  script_user root\n}\n' +
        checkScript('chk_haproxy', flag, '  weight -60') +
        instanceConfig({ priority: 150, version: 2, vip: `${VIP}/24`, extra: '  track_script {\n    chk_haproxy\n  }' }),
    );
    startKeepalived(b, instanceConfig({ priority: 100, version: 2, vip: `${VIP}/24` }));
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), SETTLE_MS);

    writeFileSync(flag, '');
    await waitFor('keepalived to take the VIP', () => holds(b, VIP), 8000);
    await waitFor('vrrpd to let go', async () => !(await holds(a, VIP)), 2000);
    const [during] = await vrrpd.status();
    expect(during).toMatchObject({
      state: 'Backup',
      basePriority: 150,
      effectivePriority: 90,
      trackers: [{ name: 'chk_haproxy', kind: 'script', state: 'failed', weight: -60, applied: -60, fault: false }],
    });

    rmSync(flag);
    await waitFor('vrrpd to preempt', () => holds(a, VIP), 8000);
    await waitFor('keepalived to let go', async () => !(await holds(b, VIP)), 3000);
    expect(vrrpd.lines.filter((line) => line.includes('"event":"tracker-changed"')).map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      'vrrp_script chk_haproxy: OK (exit status 0)',
      'vrrp_script chk_haproxy: failed (exit status 1)',
      'vrrp_script chk_haproxy: OK (exit status 0)',
    ]);
  });

  test('a weight-0 check failing puts vrrpd in Fault (VIP removed, keepalived takes over); recovery returns it', { timeout: 45_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const dir = scratch();
    const flag = join(dir, 'down');
    const vrrpd = startVrrpd(a, dir, checkScript('chk', flag, '') + instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24`, extra: '  track_script {\n    chk\n  }' }));
    startKeepalived(b, instanceConfig({ priority: 100, version: 3, vip: `${VIP}/24` }));
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), SETTLE_MS);
    writeFileSync(flag, '');
    await waitFor('vrrpd to drop the VIP', async () => !(await holds(a, VIP)), 4000);
    // Priority 0 on the way out: keepalived takes over after Skew_Time, well before Master_Down_Interval.
    await waitFor('keepalived to take the VIP', () => holds(b, VIP), 3000);
    const [faulted] = await vrrpd.status();
    expect(faulted).toMatchObject({ state: 'Fault', faultReasons: ['tracking: script chk failed'] });
    rmSync(flag);
    await waitFor('vrrpd to come back and preempt', () => holds(a, VIP), 8000);
    expect((await vrrpd.status())[0]).toMatchObject({ state: 'Master', faultReasons: [] });
  });

  test('a hung check (sleep 1000 with a child) is killed at its timeout with its child; vrrpd keeps advertising', { timeout: 45_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const dir = scratch();
    const pidFile = join(dir, 'child.pid');
    const vrrpd = startVrrpd(
      a,
      dir,
      `vrrp_script hang {\n  script "/bin/sh -c 'sleep 1000 & echo $! > ${pidFile}; sleep 1000'"\n  interval 2\n  timeout 1\n  weight -10\n}\n` +
        instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24`, extra: '  track_script {\n    hang\n  }' }),
    );
    const keepalived = startKeepalived(b, instanceConfig({ priority: 100, version: 3, vip: `${VIP}/24` }));
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), SETTLE_MS);
    // keepalived may have been Master for a moment while node started; from now on it must not be.
    await waitFor('keepalived to be Backup', async () => !(await holds(b, VIP)), 5000);
    const keepalivedLinesBefore = keepalived.lines.length;
    await waitFor('the check to fail by timeout', async () => (await vrrpd.status())[0]?.['effectivePriority'] === 140, 8000);
    const child = Number(readFileSync(pidFile, 'utf8'));
    await waitFor('the child to be killed with its group', async () => !existsSync(`/proc/${child}`), 3000);
    // Several more timeouts; keepalived (100) never sees a silent Master all along.
    const sentBefore = ((await vrrpd.status())[0]?.['statistics'] as { advertisementsSent: number }).advertisementsSent;
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const sentAfter = ((await vrrpd.status())[0]?.['statistics'] as { advertisementsSent: number }).advertisementsSent;
    expect(sentAfter - sentBefore).toBeGreaterThanOrEqual(4);
    expect(keepalived.lines.slice(keepalivedLinesBefore).filter((line) => line.includes('Entering MASTER STATE'))).toEqual([]);
    expect(await holds(b, VIP)).toBe(false);
    expect((await vrrpd.status())[0]).toMatchObject({ state: 'Master', trackers: [{ name: 'hang', state: 'failed', applied: -10 }] });
  });
});

describe.skipIf(!isRoot() || !haveKeepalived)('sync groups and notify in namespaces (needs root and keepalived)', () => {
  test('a sync group on two links moves together when one link goes down, to keepalived and back', { timeout: 60_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const aPort = await lab.addInterface(a, 'eth1', ['198.51.100.1/24']);
    await lab.addInterface(b, 'eth1', ['198.51.100.2/24']);
    const config = (priority: number) =>
      [
        'vrrp_sync_group G1 {',
        '  group {',
        '    VI_OUT',
        '    VI_IN',
        '  }',
        '}',
        'vrrp_instance VI_OUT {',
        '  interface eth0',
        '  virtual_router_id 51',
        `  priority ${priority}`,
        '  advert_int 1',
        '  version 3',
        '  virtual_ipaddress {',
        `    ${VIP}/24`,
        '  }',
        '}',
        'vrrp_instance VI_IN {',
        '  interface eth1',
        '  virtual_router_id 52',
        `  priority ${priority}`,
        '  advert_int 1',
        '  version 3',
        '  virtual_ipaddress {',
        '    198.51.100.100/24',
        '  }',
        '}',
        '',
      ].join('\n');
    const dir = scratch();
    const vrrpd = startVrrpd(a, dir, config(150));
    startKeepalived(b, config(100));
    const holdsBoth = async (host: LabHost) => (await holds(host, VIP)) && (await host.addresses('eth1')).some((entry) => entry.startsWith('198.51.100.100/'));
    const holdsNone = async (host: LabHost) => !(await holds(host, VIP)) && !(await host.addresses('eth1')).some((entry) => entry.startsWith('198.51.100.100/'));
    await waitFor('vrrpd to hold both VIPs', () => holdsBoth(a), 12_000);
    await waitFor('keepalived to hold neither', () => holdsNone(b), 5000);

    await lab.setPortCarrier(aPort, false);
    await waitFor('vrrpd to drop both VIPs', () => holdsNone(a), 3000);
    await waitFor('keepalived to take both', () => holdsBoth(b), 8000);
    const statuses = await vrrpd.status();
    expect(statuses.map((s) => [s['name'], s['state'], s['syncGroup']])).toEqual([
      ['VI_OUT', 'Fault', 'G1'],
      ['VI_IN', 'Fault', 'G1'],
    ]);
    expect(statuses[0]?.['faultReasons']).toEqual(['sync group G1: VI_IN in Fault']);

    await lab.setPortCarrier(aPort, true);
    await waitFor('vrrpd to take both back', () => holdsBoth(a), 12_000);
    await waitFor('keepalived to let both go', () => holdsNone(b), 5000);
  });

  test('notify scripts and the notify FIFO get exactly what keepalived gives them', { timeout: 60_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const run = async (host: LabHost, vrid: number, start: (dir: string, config: string) => RunningDaemon) => {
      const { dir, script, runs } = recordingScript();
      const { fifo, reader } = await notifyFifo(dir);
      const instances = [1, 2].map(
        (i) =>
          `vrrp_instance VI_${i} {\n  interface eth0\n  virtual_router_id ${vrid + i}\n  priority 150\n  advert_int 1\n  version 3\n` +
          `  notify ${script}\n  notify_master "${script} master VI_${i}"\n  notify_backup "${script} backup VI_${i}"\n  notify_stop "${script} stop VI_${i}"\n` +
          `  virtual_ipaddress {\n    192.0.2.${vrid + i}/24\n  }\n}\n`,
      );
      const config =
        `global_defs {\n  notify_fifo ${fifo}\n  script_user root\n}\n` +
        `vrrp_sync_group G1 {\n  group {\n    VI_1\n    VI_2\n  }\n  notify ${script}\n}\n` +
        instances.join('');
      const fifoLines = reader.lines;
      const daemon = start(dir, config);
      await waitFor('both VIPs', async () => (await host.addresses()).filter((entry) => entry.startsWith('192.0.2.')).length === 3, 12_000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      daemon.process.kill('SIGTERM');
      await daemon.exited;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      reader.stop();
      return { scripts: runs().sort(), fifo: fifoLines };
    };
    const ours = await run(a, 10, (dir, config) => startVrrpd(a, dir, config));
    const theirs = await run(b, 20, (_dir, config) => startKeepalived(b, config));
    // The same runs with the same arguments (scripts run concurrently, so their order is free).
    expect(ours.scripts).toEqual(theirs.scripts);
    expect(ours.scripts).toEqual([
      'GROUP G1 BACKUP 0',
      'GROUP G1 MASTER 0',
      'GROUP G1 STOP 0',
      'INSTANCE VI_1 BACKUP 150',
      'INSTANCE VI_1 MASTER 150',
      'INSTANCE VI_1 STOP 150',
      'INSTANCE VI_2 BACKUP 150',
      'INSTANCE VI_2 MASTER 150',
      'INSTANCE VI_2 STOP 150',
      'backup VI_1',
      'backup VI_2',
      'master VI_1',
      'master VI_2',
      'stop VI_1',
      'stop VI_2',
    ]);
    // The same FIFO lines; which instance's timer runs out first may differ between runs.
    expect(ours.fifo.slice().sort()).toEqual(theirs.fifo.slice().sort());
    // GROUP lines where keepalived puts them: Backup before the members, Master after all of them.
    const groupLines = (lines: string[]) => lines.map((line, index) => (line.startsWith('GROUP') ? `${index} ${line}` : '')).filter(Boolean);
    expect(groupLines(ours.fifo)).toEqual(groupLines(theirs.fifo));
    expect(groupLines(ours.fifo)).toEqual(['0 GROUP "G1" BACKUP 0', '5 GROUP "G1" MASTER 0', '8 GROUP "G1" STOP 0']);
  });
});

describe.skipIf(!isRoot() || !haveKeepalived)('priority and lower-priority-Master notifications (needs root and keepalived)', () => {
  test('notify_priority_changes and notify_master_rx_lower_pri: the FIFO lines and script runs are keepalived’s', { timeout: 90_000 }, async () => {
    // One run per daemon under test (host a), each in a lab of its own, against a keepalived peer
    // at priority 100: a track_file moves a's priority while Master (150 -> 130 -> 160); then b
    // stops hearing a (nftables), takes over and a, still Master, hears a lower-priority Master;
    // healed, a drops to 90 and goes Backup, then 95.
    const run = async (start: (host: LabHost, dir: string, config: string) => RunningDaemon) => {
      await sweepStaleLabs();
      lab = await NamespaceLab.create();
      const a = await lab.addHost('a', ['192.0.2.1/24']);
      const b = await lab.addHost('b', ['192.0.2.2/24']);
      const { dir, script, runs } = recordingScript();
      const { fifo, reader } = await notifyFifo(dir);
      const weight = join(dir, 'weight');
      writeFileSync(weight, '0\n');
      const config =
        `global_defs {\n  vrrp_notify_fifo ${fifo}\n  vrrp_notify_priority_changes\n  script_user root\n}\n` +
        `track_file tf {\n  file ${weight}\n  weight 1\n}\n` +
        instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24`, extra: `  track_file {\n    tf\n  }\n  notify ${script}\n  notify_master_rx_lower_pri "${script} rx-lower"` });
      const fifoLines = reader.lines;
      const daemon = start(a, dir, config);
      startKeepalived(b, instanceConfig({ priority: 100, version: 3, vip: `${VIP}/24` }));
      const seen = (line: string) => async () => fifoLines.includes(line);
      await waitFor('a to be Master', seen('INSTANCE "VI_1" MASTER 150'), 8000);
      writeFileSync(weight, '-20\n');
      await waitFor('priority 130', seen('INSTANCE "VI_1" MASTER_PRIORITY 130'), 5000);
      writeFileSync(weight, '10\n');
      await waitFor('priority 160', seen('INSTANCE "VI_1" MASTER_PRIORITY 160'), 5000);
      const nft = (...args: string[]) => b.exec('nft', args);
      await nft('add', 'table', 'inet', 'deaf');
      await nft('add', 'chain', 'inet', 'deaf', 'in', '{ type filter hook input priority 0; }');
      await nft('add', 'rule', 'inet', 'deaf', 'in', 'ip', 'protocol', '112', 'drop');
      await waitFor('b to take over and a to hear it', seen('INSTANCE "VI_1" MASTER_RX_LOWER_PRI 160'), 8000);
      await nft('delete', 'table', 'inet', 'deaf');
      writeFileSync(weight, '-60\n');
      await waitFor('a to go Backup', seen('INSTANCE "VI_1" BACKUP 90'), 8000);
      // Its notify run too: a script started late (a loaded CI machine forking keepalived's) could
      // otherwise record after the STOP run that the end starts, and the runs' order is compared.
      await waitFor('the Backup notify script to run', async () => runs().includes('INSTANCE VI_1 BACKUP 90'), 8000);
      writeFileSync(weight, '-55\n');
      await waitFor('priority 95', seen('INSTANCE "VI_1" BACKUP_PRIORITY 95'), 5000);
      await stopInOwnLab(daemon, reader);
      // How many lower-priority advertisements a hears before b yields depends on timing: count runs once.
      const once = (lines: string[]) => lines.filter((line, i) => line !== lines[i - 1]);
      return { fifo: once(fifoLines), scripts: once(runs()) };
    };
    const ours = await run((host, dir, config) => startVrrpd(host, dir, config));
    const theirs = await run((host, _dir, config) => startKeepalived(host, config));
    expect(ours).toEqual(theirs);
    expect(ours.fifo).toEqual([
      'INSTANCE "VI_1" BACKUP 150',
      'INSTANCE "VI_1" MASTER 150',
      'INSTANCE "VI_1" MASTER_PRIORITY 130',
      'INSTANCE "VI_1" MASTER_PRIORITY 160',
      'INSTANCE "VI_1" MASTER_RX_LOWER_PRI 160',
      'INSTANCE "VI_1" MASTER_PRIORITY 90',
      'INSTANCE "VI_1" BACKUP 90',
      'INSTANCE "VI_1" BACKUP_PRIORITY 95',
      'INSTANCE "VI_1" STOP 95',
    ]);
    expect(ours.scripts).toEqual(['INSTANCE VI_1 BACKUP 150', 'INSTANCE VI_1 MASTER 150', 'rx-lower', 'INSTANCE VI_1 BACKUP 90', 'INSTANCE VI_1 STOP 95']);
  });
});

describe.skipIf(!isRoot() || !haveKeepalived)('notifications of instances a reload deletes (needs root and keepalived)', () => {
  test('FAULT to notify and the FIFO without notify_fault; DELETED and the notify_deleted script with it; as keepalived', { timeout: 60_000 }, async () => {
    const run = async (start: (host: LabHost, dir: string, config: string) => RunningDaemon) => {
      await sweepStaleLabs();
      lab = await NamespaceLab.create();
      const a = await lab.addHost('a', ['192.0.2.1/24']);
      const { dir, script, runs } = recordingScript();
      const { fifo, reader } = await notifyFifo(dir);
      const scripts = `  notify ${script}\n  notify_fault "${script} fault-script"\n  notify_stop "${script} stop-script"`;
      const instance = (name: string, vrid: number, extra = '') =>
        instanceConfig({ name, priority: 150, version: 3, vrid, vip: `192.0.2.${vrid}/24`, extra: scripts + extra });
      const globals = `global_defs {\n  vrrp_notify_fifo ${fifo}\n  script_user root\n}\n`;
      const fifoLines = reader.lines;
      const daemon = start(a, dir, globals + instance('VI_1', 61) + instance('VI_2', 62, `\n  notify_deleted "${script} deleted-script"`) + instance('VI_3', 63));
      await waitFor('all three Master', async () => ['VI_1', 'VI_2', 'VI_3'].every((name) => fifoLines.includes(`INSTANCE "${name}" MASTER 150`)), 10_000);
      writeFileSync(daemon.configFile, globals + instance('VI_3', 63));
      daemon.process.kill('SIGHUP');
      await waitFor('VI_1 and VI_2 gone', async () => !(await holds(a, '192.0.2.61')) && !(await holds(a, '192.0.2.62')), 8000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await stopInOwnLab(daemon, reader);
      // Instances run concurrently: compare each instance's own sequence.
      const byInstance = (lines: string[]) => Object.fromEntries(['VI_1', 'VI_2', 'VI_3'].map((name) => [name, lines.filter((line) => line.includes(`"${name}"`))]));
      return { fifo: byInstance(fifoLines), scripts: runs().sort() };
    };
    const ours = await run((host, dir, config) => startVrrpd(host, dir, config));
    const theirs = await run((host, _dir, config) => startKeepalived(host, config));
    expect(ours).toEqual(theirs);
    expect(ours.fifo).toEqual({
      VI_1: ['INSTANCE "VI_1" BACKUP 150', 'INSTANCE "VI_1" MASTER 150', 'INSTANCE "VI_1" FAULT 150'],
      VI_2: ['INSTANCE "VI_2" BACKUP 150', 'INSTANCE "VI_2" MASTER 150', 'INSTANCE "VI_2" DELETED 150'],
      VI_3: ['INSTANCE "VI_3" BACKUP 150', 'INSTANCE "VI_3" MASTER 150', 'INSTANCE "VI_3" STOP 150'],
    });
    expect(ours.scripts).toEqual([
      'INSTANCE VI_1 BACKUP 150', 'INSTANCE VI_1 FAULT 150', 'INSTANCE VI_1 MASTER 150',
      'INSTANCE VI_2 BACKUP 150', 'INSTANCE VI_2 DELETED 150', 'INSTANCE VI_2 MASTER 150',
      'INSTANCE VI_3 BACKUP 150', 'INSTANCE VI_3 MASTER 150', 'INSTANCE VI_3 STOP 150',
      'deleted-script', 'stop-script',
    ]);
  });
});

describe.skipIf(!isRoot() || !haveKeepalived)('notify at start with a failing check (needs root and keepalived)', () => {
  test('a weight-0 check failing from the start: FAULT, then STOP, as keepalived', { timeout: 45_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const run = async (start: (dir: string, config: string) => RunningDaemon, vrid: number): Promise<string[]> => {
      const { dir, script, runs } = recordingScript();
      const config =
        'global_defs {\n  script_user root\n}\nvrrp_script chk {\n  script /bin/false\n  interval 1\n}\n' +
        instanceConfig({ priority: 100, version: 3, vrid, vip: `192.0.2.${vrid}/24`, extra: `  notify ${script}\n  track_script {\n    chk\n  }` });
      const daemon = start(dir, config);
      await new Promise((resolve) => setTimeout(resolve, 4000));
      daemon.process.kill('SIGTERM');
      await daemon.exited;
      await new Promise((resolve) => setTimeout(resolve, 500));
      return runs();
    };
    const ours = await run((dir, config) => startVrrpd(a, dir, config), 60);
    const theirs = await run((_dir, config) => startKeepalived(b, config), 61);
    expect(ours).toEqual(theirs);
    expect(ours).toEqual(['INSTANCE VI_1 FAULT 100', 'INSTANCE VI_1 STOP 100']);
  });
});

describe.skipIf(!isRoot() || !haveKeepalived)('track_file and vrrp_track_process in namespaces (needs root and keepalived)', () => {
  test('track_file: writing 60 (weight -1) hands the VIP to keepalived for maintenance; writing 0 takes it back', { timeout: 45_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const dir = scratch();
    const file = join(dir, 'maintenance');
    const vrrpd = startVrrpd(
      a,
      dir,
      `track_file maintenance {\n  file ${file}\n  weight -1\n  init_file 0\n}\n` + instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24`, extra: '  track_file {\n    maintenance\n  }' }),
    );
    startKeepalived(b, instanceConfig({ priority: 100, version: 3, vip: `${VIP}/24` }));
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), SETTLE_MS);
    expect(readFileSync(file, 'utf8')).toBe('0\n');
    writeFileSync(file, '60\n');
    await waitFor('keepalived to take the VIP', () => holds(b, VIP), 8000);
    expect((await vrrpd.status())[0]).toMatchObject({ state: 'Backup', effectivePriority: 90, trackers: [{ name: 'maintenance', kind: 'file', value: 60, applied: -60 }] });
    writeFileSync(file, '0\n');
    await waitFor('vrrpd to take the VIP back', () => holds(a, VIP), 8000);
  });

  test('vrrp_track_process (weight 0): Fault until the process runs, and again when it stops', { timeout: 45_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const dir = scratch();
    const vrrpd = startVrrpd(
      a,
      dir,
      'vrrp_track_process daemon {\n  process sleep 424242\n}\n' + instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24`, extra: '  track_process {\n    daemon\n  }' }),
    );
    await waitFor('vrrpd to report Fault', async () => (await vrrpd.status().catch(() => []))[0]?.['state'] === 'Fault', 8000);
    const process = a.spawn('sleep', ['424242']);
    await waitFor('vrrpd to become Master', () => holds(a, VIP), 8000);
    process.kill('SIGKILL');
    await waitFor('vrrpd to drop the VIP', async () => !(await holds(a, VIP)), 4000);
    expect((await vrrpd.status())[0]).toMatchObject({ state: 'Fault', faultReasons: ['tracking: process daemon failed'] });
  });
});

describe.skipIf(!isRoot() || !haveKeepalived)('weight arithmetic against keepalived (needs root and keepalived)', () => {
  test('the priorities advertised for each weight, reverse and result are keepalived’s', { timeout: 45_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const cases = [
      ['/bin/true', 'weight 20'],
      ['/bin/false', 'weight 20'],
      ['/bin/true', 'weight -20'],
      ['/bin/false', 'weight -20'],
      ['/bin/true', 'weight 10 reverse'],
      ['/bin/false', 'weight 10 reverse'],
      ['/bin/true', 'weight -10 reverse'],
      ['/bin/false', 'weight -10 reverse'],
      ['/bin/true', 'weight 0 reverse'],
      ['/bin/false', 'weight 0'],
    ] as const;
    const config = (vridBase: number) =>
      'global_defs {\n  script_user root\n}\n' +
      cases
        .map(([script, weight], i) => {
          const vrid = vridBase + i;
          return (
            `vrrp_script chk_${i} {\n  script ${script}\n  interval 1\n  ${weight}\n}\n` +
            instanceConfig({ priority: 100, version: 3, vrid, vip: `192.0.2.${vrid}/24`, extra: `  track_script {\n    chk_${i}\n  }` }).replace('VI_1', `VI_${vrid}`)
          );
        })
        .join('');
    const dir = scratch();
    startVrrpd(a, dir, config(110));
    startKeepalived(b, config(130));
    // Every instance that can be Master is (3 x 1 s + skew), and the scripts have run.
    await new Promise((resolve) => setTimeout(resolve, 7000));
    const capture = await startCapture(a, 'ip proto 112');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await capture.stop();
    const advertised = (base: number): Array<string | undefined> => {
      const last = new Map<number, string>();
      for (const [vrid, priority] of captureFields(capture.file, ['vrrp.virt_rtr_id', 'vrrp.prio'])) last.set(Number(vrid), priority!);
      return cases.map((_case, i) => last.get(base + i));
    };
    expect(advertised(110)).toEqual(advertised(130));
    expect(advertised(110)).toEqual(['120', '100', '100', '80', '90', '100', '100', '110', undefined, undefined]);
  });
});

describe.skipIf(!isRoot() || !haveKeepalived)('track_file arithmetic against keepalived (needs root and keepalived)', () => {
  test('the priorities advertised for each track_file value, weight and reverse are keepalived’s', { timeout: 45_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const cases = [
      ['3', 'weight 10'],
      ['3', 'weight 10 reverse'],
      ['-4', 'weight 5'],
      ['0', 'weight 0'],
      ['1', 'weight 0'],
      ['0', 'weight 0 reverse'],
      ['1', 'weight 0 reverse'],
      ['-254', 'weight 1'],
      ['-253', 'weight 1'],
      ['200', 'weight 1'],
    ] as const;
    const config = (dir: string, vridBase: number) =>
      cases
        .map(([value, weight], i) => {
          const vrid = vridBase + i;
          const file = join(dir, `value-${i}`);
          writeFileSync(file, `${value}\n`);
          return (
            `track_file file_${i} {\n  file ${file}\n  ${weight}\n}\n` +
            instanceConfig({ priority: 100, version: 3, vrid, vip: `192.0.2.${vrid}/24`, extra: `  track_file {\n    file_${i}\n  }` }).replace('VI_1', `VI_${vrid}`)
          );
        })
        .join('');
    const ours = scratch();
    const theirs = scratch();
    startVrrpd(a, ours, config(ours, 110));
    const keepalived = startKeepalived(b, config(theirs, 130));
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const capture = await startCapture(a, 'ip proto 112');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await capture.stop();
    const advertised = (base: number): Array<string | undefined> => {
      const last = new Map<number, string>();
      for (const [vrid, priority] of captureFields(capture.file, ['vrrp.virt_rtr_id', 'vrrp.prio'])) last.set(Number(vrid), priority!);
      return cases.map((_case, i) => last.get(base + i));
    };
    expect(advertised(110)).toEqual(advertised(130));
    // Silent (undefined) means Fault: weight 0 with a non-zero value (0 with reverse), or -254 or less.
    expect(advertised(110)).toEqual(['130', '70', '80', '100', undefined, undefined, '100', undefined, '1', '254']);
    expect(keepalived.lines.some((line) => line.includes('(VI_134): entering FAULT state (tracked file file_4'))).toBe(true);
  });
});

describe.skipIf(!isRoot() || !haveKeepalived)('sync group weights against keepalived (needs root and keepalived)', () => {
  test('a weighted check in a sync group is ignored, unless sync_group_tracking_weight', { timeout: 45_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const config = (vridBase: number) =>
      'global_defs {\n  script_user root\n}\nvrrp_script chk {\n  script /bin/false\n  interval 1\n  weight -30\n}\n' +
      [0, 1, 2, 3]
        .map((i) => instanceConfig({ priority: 100, version: 3, vrid: vridBase + i, vip: `192.0.2.${vridBase + i}/24`, extra: i % 2 === 0 ? '  track_script {\n    chk\n  }' : '' }).replace('VI_1', `VI_${i}`))
        .join('') +
      'vrrp_sync_group PLAIN {\n  group {\n    VI_0\n    VI_1\n  }\n}\n' +
      'vrrp_sync_group WEIGHTED {\n  group {\n    VI_2\n    VI_3\n  }\n  sync_group_tracking_weight\n}\n';
    startVrrpd(a, scratch(), config(110));
    startKeepalived(b, config(130));
    await new Promise((resolve) => setTimeout(resolve, 7000));
    const capture = await startCapture(a, 'ip proto 112');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await capture.stop();
    const advertised = (base: number): Array<string | undefined> => {
      const last = new Map<number, string>();
      for (const [vrid, priority] of captureFields(capture.file, ['vrrp.virt_rtr_id', 'vrrp.prio'])) last.set(Number(vrid), priority!);
      return [0, 1, 2, 3].map((i) => last.get(base + i));
    };
    expect(advertised(110)).toEqual(advertised(130));
    expect(advertised(110)).toEqual(['100', '100', '70', '100']);
  });
});

describe.skipIf(!isRoot() || !haveKeepalived)('track_interface arithmetic against keepalived (needs root and keepalived)', () => {
  test('the priorities advertised for each link state, weight and reverse are keepalived’s', { timeout: 45_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    for (const host of [a, b]) {
      for (const [name, up] of [['dup', true], ['ddown', false]] as const) {
        // A veth pair inside the host (no dummy module here): both ends up means carrier.
        await host.ip('link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}-p`);
        if (up) {
          await host.ip('link', 'set', `${name}-p`, 'up');
          await host.ip('link', 'set', name, 'up');
        }
      }
    }
    const cases = ['dup weight 20', 'ddown weight 20', 'dup weight -20', 'ddown weight -20', 'dup weight 10 reverse', 'ddown weight 10 reverse', 'ddown weight -10 reverse', 'dup', 'ddown', 'dup weight 0 reverse', 'ddown weight 0 reverse'];
    const config = (vridBase: number) =>
      cases
        .map((tracked, i) =>
          instanceConfig({ priority: 100, version: 3, vrid: vridBase + i, vip: `192.0.2.${vridBase + i}/24`, extra: `  track_interface {\n    ${tracked}\n  }` }).replace('VI_1', `VI_${vridBase + i}`),
        )
        .join('');
    startVrrpd(a, scratch(), config(110));
    startKeepalived(b, config(130));
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const capture = await startCapture(a, 'ip proto 112');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await capture.stop();
    const advertised = (base: number): Array<string | undefined> => {
      const last = new Map<number, string>();
      for (const [vrid, priority] of captureFields(capture.file, ['vrrp.virt_rtr_id', 'vrrp.prio'])) last.set(Number(vrid), priority!);
      return cases.map((_case, i) => last.get(base + i));
    };
    expect(advertised(110)).toEqual(advertised(130));
    expect(advertised(110)).toEqual(['120', '100', '100', '80', '90', '100', '110', '100', undefined, undefined, '100']);

    // The links change while both run: every instance follows, as keepalived's do.
    for (const host of [a, b]) {
      await host.ip('link', 'set', 'dup', 'down');
      await host.ip('link', 'set', 'ddown-p', 'up');
      await host.ip('link', 'set', 'ddown', 'up');
    }
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const second = await startCapture(a, 'ip proto 112');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await second.stop();
    const now = (base: number): Array<string | undefined> => {
      const last = new Map<number, string>();
      for (const [vrid, priority] of captureFields(second.file, ['vrrp.virt_rtr_id', 'vrrp.prio'])) last.set(Number(vrid), priority!);
      return cases.map((_case, i) => last.get(base + i));
    };
    expect(now(110)).toEqual(now(130));
    expect(now(110)).toEqual(['100', '120', '80', '100', '100', '90', '100', undefined, '100', '100', undefined]);
  });
});
