// Tracking, sync groups and notify on real links, with keepalived 2.2.7 as the peer where that
// proves interoperation: check scripts move mastership (the Kubernetes API with haproxy setup),
// a weight-0 script means Fault, a hung script is killed with its child while advertisements go
// on, a sync group follows one member's link, and notify scripts and the FIFO get what
// keepalived gives them.
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { holds, instanceConfig, startKeepalived, waitFor, type RunningDaemon } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';

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
  return { process: child, lines, exited, status };
}

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vrrpd-track-'));
  chmodSync(dir, 0o755);
  return dir;
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
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), 8000);

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
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), 8000);
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
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), 8000);
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
