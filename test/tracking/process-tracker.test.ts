// vrrp_track_process: matching rules, quorum, and the fork / terminate delays, with a fake table.
import { describe, expect, test } from 'vitest';
import { processMatches, ProcessTracker, type ProcessSpec } from '../../src/tracking/process-tracker.js';
import { ProcTable } from '../../src/linux/tracking-ports.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { capturingLogger } from '../daemon/fakes.js';
import { FakeProcessTable } from './fakes.js';

const spec = (extra: Partial<ProcessSpec> = {}): ProcessSpec => ({
  name: 'nginx',
  process: 'nginx',
  parameters: [],
  paramMatch: 'exact',
  fullCommand: false,
  quorum: 1,
  forkDelayMs: 0,
  terminateDelayMs: 0,
  ...extra,
});
const nginx = (pid: number, ...args: string[]) => ({ pid, comm: 'nginx', cmdline: ['/usr/sbin/nginx', ...args] });

describe('processMatches', () => {
  test('by name (comm, or argv[0] basename), or the full command', () => {
    expect(processMatches(spec(), nginx(1))).toBe(true);
    expect(processMatches(spec({ process: 'haproxy' }), nginx(1))).toBe(false);
    expect(processMatches(spec({ process: 'a-very-long-process-name' }), { pid: 1, comm: 'a-very-long-pro', cmdline: ['x'] })).toBe(true);
    expect(processMatches(spec({ process: '/usr/sbin/nginx', fullCommand: true }), nginx(1))).toBe(true);
    expect(processMatches(spec({ process: 'nginx', fullCommand: true }), nginx(1))).toBe(false);
  });
  test('parameters: exact without param_match; partial: the first n; initial: the last may be longer', () => {
    const running = nginx(1, '-g', 'daemon off;');
    expect(processMatches(spec({ parameters: ['-g', 'daemon off;'] }), running)).toBe(true);
    expect(processMatches(spec({ parameters: ['-g'] }), running)).toBe(false);
    expect(processMatches(spec({ parameters: ['-g'], paramMatch: 'partial' }), running)).toBe(true);
    expect(processMatches(spec({ parameters: ['-g', 'daemon'], paramMatch: 'partial' }), running)).toBe(false);
    expect(processMatches(spec({ parameters: ['-g', 'daemon'], paramMatch: 'initial' }), running)).toBe(true);
    expect(processMatches(spec({ parameters: ['-', 'daemon'], paramMatch: 'initial' }), running)).toBe(false);
  });
  test('no parameters: any without param_match, none with it', () => {
    expect(processMatches(spec(), nginx(1, '-g', 'x'))).toBe(true);
    expect(processMatches(spec({ paramMatch: 'partial' }), nginx(1, '-g', 'x'))).toBe(false);
    expect(processMatches(spec({ paramMatch: 'partial' }), nginx(1))).toBe(true);
  });
});

function tracker(extra: Partial<ProcessSpec>) {
  const clock = new VirtualClock();
  const table = new FakeProcessTable();
  const { log, records } = capturingLogger();
  const tracked = new ProcessTracker(spec(extra), table, clock, log);
  const at = async (ms: number, pids: number[]): Promise<void> => {
    clock.advanceTo(ms);
    table.entries = pids.map((pid) => nginx(pid));
    await tracked.poll();
  };
  return { tracked, table, at, records };
}

describe('ProcessTracker', () => {
  test('quorum and quorum_max', async () => {
    const { tracked, table, at } = tracker({ quorum: 2, quorumMax: 3 });
    table.entries = [nginx(1), nginx(2)];
    await tracked.initialise();
    expect(tracked.state).toBe('ok');
    await at(1000, [1]);
    expect(tracked.state).toBe('failed');
    await at(2000, [1, 2, 3]);
    expect(tracked.state).toBe('ok');
    await at(3000, [1, 2, 3, 4]);
    expect([tracked.state, tracked.running]).toEqual(['failed', 4]);
  });

  test('quorum_max 0: failed while any runs', async () => {
    const { tracked, at } = tracker({ quorum: 0, quorumMax: 0 });
    await tracked.initialise();
    expect(tracked.state).toBe('ok');
    await at(1000, [7]);
    expect(tracked.state).toBe('failed');
  });

  test('a new process counts after fork_delay, a vanished one stops counting after terminate_delay', async () => {
    const { tracked, at, records } = tracker({ forkDelayMs: 2000, terminateDelayMs: 3000 });
    await tracked.initialise();
    expect(tracked.state).toBe('failed');
    await at(1000, [5]);
    expect(tracked.state).toBe('failed');
    await at(3000, [5]);
    expect(tracked.state).toBe('ok');
    await at(4000, []); // gone, but within terminate_delay
    expect(tracked.state).toBe('ok');
    await at(5000, [6]); // restarted under a new pid: not counted yet
    await at(7000, [6]);
    expect(tracked.state).toBe('ok');
    expect(records().filter((r) => r['event'] === 'tracker-changed').map((r) => r['msg'])).toEqual([
      'vrrp_track_process nginx: failed (0 running; quorum 1)',
      'vrrp_track_process nginx: OK (1 running; quorum 1)',
    ]);
  });

  test('the real /proc lists this test process', async () => {
    const entries = await new ProcTable().list();
    expect(entries.find((entry) => entry.pid === process.pid)?.cmdline[0]).toBe(process.argv[0]);
  });
});
