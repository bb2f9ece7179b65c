// Notify scripts and FIFO lines exactly as keepalived gives them.
import { describe, expect, test } from 'vitest';
import { Notifier, notifyStateOf } from '../../src/notify/notifier.js';
import { capturingLogger } from '../daemon/fakes.js';
import { EXIT_0, FakeRunner, settle } from '../tracking/fakes.js';

function notifier(refusal?: (program: string) => string | undefined) {
  const users: Record<string, { identity: { user: string; uid: number; gid: number }; problem?: string }> = {
    'haproxy haproxy': { identity: { user: 'haproxy', uid: 120, gid: 121 } },
    ghost: { identity: { user: 'root', uid: 0, gid: 0 }, problem: 'notify script user "ghost": user "ghost" does not exist (not in /etc/passwd)' },
  };
  const runner = new FakeRunner();
  const lines: string[] = [];
  const { log, records } = capturingLogger();
  const n = new Notifier({
    runner,
    identity: { user: 'nobody', uid: 65534, gid: 65534 },
    log,
    fifo: { writeLine: (line) => lines.push(line), close: () => undefined },
    identityOf: (user) => users[user] ?? { identity: { user, uid: 1, gid: 1 } },
    ...(refusal ? { refusal } : {}),
    timeoutMs: 5000,
  });
  return { n, runner, lines, records };
}

describe('Notifier', () => {
  test('notify_master as written; notify with INSTANCE, name, state, priority; a FIFO line', () => {
    const { n, runner, lines } = notifier();
    n.notify('INSTANCE', 'VI_1', { master: '/etc/keepalived/master.sh "with space"', any: '/etc/keepalived/notify.sh' }, 'MASTER', 100);
    expect(runner.runs.map((r) => r.request)).toEqual([
      { argv: ['/etc/keepalived/master.sh', 'with space'], uid: 65534, gid: 65534, timeoutMs: 5000 },
      { argv: ['/etc/keepalived/notify.sh', 'INSTANCE', 'VI_1', 'MASTER', '100'], uid: 65534, gid: 65534, timeoutMs: 5000 },
    ]);
    expect(lines).toEqual(['INSTANCE "VI_1" MASTER 100']);
  });

  test('priority changes go to the FIFO only; a lower-priority Master runs notify_master_rx_lower_pri as written and writes a FIFO line', () => {
    const { n, runner, lines } = notifier();
    n.priorityChanged('VI_1', true, 130);
    n.priorityChanged('VI_1', false, 95);
    n.masterRxLowerPriority('VI_1', { masterRxLowerPri: '/etc/keepalived/reclaim.sh "elastic ip"', any: '/n' }, 160);
    n.masterRxLowerPriority('VI_2', {}, 150);
    expect(runner.runs.map((r) => r.request.argv)).toEqual([['/etc/keepalived/reclaim.sh', 'elastic ip']]);
    expect(lines).toEqual([
      'INSTANCE "VI_1" MASTER_PRIORITY 130',
      'INSTANCE "VI_1" BACKUP_PRIORITY 95',
      'INSTANCE "VI_1" MASTER_RX_LOWER_PRI 160',
      'INSTANCE "VI_2" MASTER_RX_LOWER_PRI 150',
    ]);
  });

  test('a script with its own user runs as that user; one whose user does not exist does not run, and says why', () => {
    const { n, runner, records } = notifier();
    const notify = { master: '/m', any: '/n', fault: '/f', users: { master: 'haproxy haproxy', fault: 'ghost' } };
    n.notify('INSTANCE', 'VI_1', notify, 'MASTER', 100);
    n.notify('INSTANCE', 'VI_1', notify, 'FAULT', 100);
    expect(runner.runs.map((r) => [r.request.argv[0], r.request.uid, r.request.gid])).toEqual([
      ['/m', 120, 121],
      ['/n', 65534, 65534],
      ['/n', 65534, 65534],
    ]);
    expect(records().filter((r) => r['event'] === 'notify-refused').map((r) => r['msg'])).toEqual([
      'instance VI_1 notify_fault not run: notify script user "ghost": user "ghost" does not exist (not in /etc/passwd)',
    ]);
  });

  test('groups get GROUP and priority 0; each state its own script', () => {
    const { n, runner, lines } = notifier();
    const notify = { backup: '/b', fault: '/f', stop: '/s', any: '/n' };
    n.notify('GROUP', 'G1', notify, 'BACKUP', 0);
    n.notify('GROUP', 'G1', notify, 'FAULT', 0);
    n.notify('GROUP', 'G1', notify, 'STOP', 0);
    expect(runner.runs.map((r) => r.request.argv.join(' '))).toEqual(['/b', '/n GROUP G1 BACKUP 0', '/f', '/n GROUP G1 FAULT 0', '/s', '/n GROUP G1 STOP 0']);
    expect(lines).toEqual(['GROUP "G1" BACKUP 0', 'GROUP "G1" FAULT 0', 'GROUP "G1" STOP 0']);
  });

  test('a failing notify script is logged once per run; a refused one never runs', async () => {
    const { n, runner, records } = notifier((program) => (program === '/tmp/evil' ? '/tmp/evil is writable by everyone' : undefined));
    n.notify('INSTANCE', 'VI_1', { fault: '/etc/fault.sh', any: '/tmp/evil' }, 'FAULT', 80);
    runner.finish({ kind: 'timed-out' });
    await settle();
    expect(runner.runs).toHaveLength(0);
    expect(records().map((r) => r['msg'])).toEqual([
      'instance VI_1 notify not run: /tmp/evil is writable by everyone',
      'instance VI_1 notify_fault failed: timed out (killed with its process group) (/etc/fault.sh)',
    ]);
  });

  test('a successful run logs nothing', async () => {
    const { n, runner, records } = notifier();
    runner.auto = EXIT_0;
    n.notify('INSTANCE', 'VI_1', { backup: '/b' }, 'BACKUP', 100);
    await settle();
    expect(records()).toEqual([]);
  });

  test('states: Initialize only on a stop', () => {
    expect(notifyStateOf('Master', 'master-down')).toBe('MASTER');
    expect(notifyStateOf('Fault', 'fault')).toBe('FAULT');
    expect(notifyStateOf('Initialize', 'shutdown')).toBe('STOP');
  });
});
