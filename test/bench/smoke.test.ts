// The benchmarks still run: each one in its tiny mode (one trial per implementation, a few
// seconds) prints its side-by-side table. No timing is asserted; figures live in bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { BenchUsageError, main } from '../../bench/main.js';
import { haveFrrBfdd } from '../helpers/frr.js';
import { isRoot } from '../helpers/netns.js';

const haveKeepalived = spawnSync('keepalived', ['--version'], { stdio: 'ignore' }).status === 0;

describe('the bench command line', () => {
  test('--help prints the usage and runs nothing; a bad option or value is a usage error naming it', async () => {
    const lines: string[] = [];
    expect(await main(['--help'], (line) => lines.push(line))).toEqual([]);
    expect(lines.join('\n')).toMatch(/^usage: npm run bench -- .*\n[^]*lb-fairness/);
    await expect(main(['--trails', '3'])).rejects.toThrow(new BenchUsageError("Unknown option '--trails'"));
    await expect(main(['--trials', 'x'])).rejects.toThrow(new BenchUsageError('--trials takes a positive number, not "x"'));
    await expect(main(['--seed', '1.5'])).rejects.toThrow(new BenchUsageError('--seed takes an integer, not "1.5"'));
    await expect(main(['--bfd-rt-priority', '100'])).rejects.toThrow(new BenchUsageError('--bfd-rt-priority takes a SCHED_RR priority 1..99, not "100"'));
    await expect(main(['--only', 'nope'])).rejects.toThrow(BenchUsageError);
  });
});

describe.skipIf(!isRoot() || !haveKeepalived)('benchmarks, tiny mode (needs root and keepalived)', () => {
  test('every benchmark produces its table with a row of figures for both daemons', { timeout: 180_000 }, async () => {
    const lines: string[] = [];
    const reports = await main(['--tiny', '--no-save'], (line) => lines.push(line));
    expect(reports.map((r) => r.name).sort()).toEqual(['failover', 'scale', 'stability', 'startup']);
    for (const report of reports) {
      const rows = report.text.split('\n').filter((line) => line.startsWith('| '));
      // A header and at least one data row whose cells include vrrpd's and keepalived's figures.
      expect(rows.length, report.name).toBeGreaterThanOrEqual(2);
      expect(rows[0], report.name).toMatch(/vrrpd/);
      expect(rows[0], report.name).toMatch(/keepalived/);
      const figures = rows.slice(1).flatMap((row) => row.split('|').map((cell) => cell.trim())).filter((cell) => /^\d+(\.\d+)?$/.test(cell));
      expect(figures.length, report.name).toBeGreaterThan(2);
    }
    expect(lines.join('\n')).toMatch(/machine: \d+ x /);
  });

  test('the timer benchmark measures both clocks', { timeout: 60_000 }, async () => {
    const [report] = await main(['--tiny', '--no-save', '--only', 'timers'], () => undefined);
    const rows = report!.text.split('\n').filter((line) => line.startsWith('| ')).slice(1);
    expect(rows.map((row) => row.split('|')[1]!.trim())).toEqual(['vrrpd clock (timerfd)', 'Node setTimeout']);
    for (const row of rows) expect(row).toMatch(/\/50\s+\|/);
  });

  test.skipIf(!haveFrrBfdd())('the BFD benchmark measures failover and transmit gaps for both daemons (needs frr)', { timeout: 600_000 }, async () => {
    const [report] = await main(['--tiny', '--no-save', '--only', 'bfd'], () => undefined);
    const tables = report!.text.split('\n\n').filter((part) => part.startsWith('| '));
    expect(tables).toHaveLength(2);
    for (const text of tables) {
      const rows = text.split('\n').filter((line) => line.startsWith('| '));
      expect(rows[0]).toMatch(/vrrpd \/ keepalived/);
      const daemons = new Set(rows.slice(2).map((row) => row.split('|')[2]!.trim()));
      expect(daemons.has('keepalived')).toBe(true);
      expect([...daemons].some((name) => name.startsWith('vrrpd'))).toBe(true);
    }
  });

  test('the probes benchmark measures the exec probe and both HTTP probes, none failing', { timeout: 90_000 }, async () => {
    const [report] = await main(['--tiny', '--no-save', '--only', 'probes'], () => undefined);
    const rows = report!.text.split('\n').filter((line) => line.startsWith('| ')).map((row) => row.split('|').map((cell) => cell.trim()).slice(1, -1));
    expect(rows.map((row) => row[0])).toEqual([
      'probe',
      'exec `vrrpd status`',
      'httpGet /livez',
      'httpGet /readyz',
      'liveness + readiness every 10 s (720 probes/h)',
      'before: exec `vrrpd status` for both',
      'after: httpGet /livez and /readyz',
    ]);
    for (const row of rows.slice(1, 4)) {
      expect(row.slice(2, 6).every((cell) => /^\d+(\.\d+)?$/.test(cell)), row.join(' | ')).toBe(true);
      expect(row[7], row.join(' | ')).toBe('0');
    }
  });
});

