// The CLI as operators and probes run it: each command is a whole process (Node's start-up, the
// modules it loads, the work, the exit), timed by GNU time for wall clock, CPU (user + system) and
// peak memory (max RSS). Node's own start-up (`node -e 0`) is the floor every command sits on; the
// issue's goal is each command within 1.5x its wall and 1.2x its peak. keepalived has no status
// CLI: `keepalived --version` is the nearest process of its own, for scale.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../test/helpers/scratch.js';
import { keepalivedConf, killDaemon, poll, sleep, startDaemon } from './lib/daemons.js';
import { newLab } from './lib/lab.js';
import type { BenchOptions, BenchReport } from './lib/report.js';
import { daemonRoot } from './lib/root.js';
import { fmt, median, table } from './lib/stats.js';

const GNU_TIME = '/usr/bin/time';

export interface CliSample {
  readonly command: string;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakMiB: number;
  readonly exitCode: number;
}

/**
 * One run of argv under GNU time: CPU and peak memory from time's last stderr line, wall from our
 * own clock around the spawn (time's %e has 10 ms steps, a tenth of the figure measured).
 */
function timed(command: string, argv: readonly string[]): CliSample {
  const started = process.hrtime.bigint();
  const run = spawnSync(GNU_TIME, ['-f', 'TIMED %e %U %S %M', ...argv], { encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.error) throw new Error(`${GNU_TIME} could not run (scripts/setup installs GNU time): ${run.error.message}`);
  const line = run.stderr.trim().split('\n').reverse().find((l) => l.startsWith('TIMED '));
  if (!line) throw new Error(`${command}: no timing line in ${JSON.stringify(run.stderr.slice(-300))}`);
  const [, user, system, maxKiB] = line.split(' ').slice(1).map(Number) as [number, number, number, number];
  return { command, wallMs, cpuMs: (user + system) * 1000, peakMiB: maxKiB / 1024, exitCode: run.status ?? -1 };
}

export async function cliBench(options: BenchOptions): Promise<BenchReport> {
  const runs = options.trials ?? { full: 15, quick: 7, tiny: 2 }[options.mode];
  const vrrpd = join(daemonRoot(), 'bin', 'vrrpd');
  const dir = scratchDir('bench-cli');
  const confFile = join(dir, 'keepalived.conf');
  const conf = keepalivedConf([{ name: 'VI_1', interfaceName: 'eth0', vrid: 51, priority: 150, version: 3, advertIntS: 1, vips: ['192.0.2.100/24'] }]);
  writeFileSync(confFile, conf);
  const lab = await newLab();
  const samples: CliSample[] = [];
  try {
    const host = await lab.addHost('d', ['192.0.2.1/24']);
    const daemon = startDaemon('vrrpd', host, conf);
    const socket = daemon.controlSocket as string;
    if (!(await poll(async () => timed('probe', ['node', vrrpd, 'status', '--control-socket', socket]).exitCode === 0, 10_000, 200))) {
      throw new Error('the daemon under test never answered on its control socket');
    }
    const commands: ReadonlyArray<readonly [string, readonly string[]]> = [
      ['node -e 0', ['node', '-e', '0']],
      ['vrrpd --version', ['node', vrrpd, '--version']],
      ['vrrpd status', ['node', vrrpd, 'status', '--control-socket', socket]],
      ['vrrpd status --json', ['node', vrrpd, 'status', '--json', '--control-socket', socket]],
      ['vrrpd priority VI_1 140', ['node', vrrpd, 'priority', 'VI_1', '140', '--control-socket', socket]],
      ['vrrpd check -f FILE', ['node', vrrpd, 'check', '-f', confFile]],
      ['keepalived --version', ['keepalived', '--version']],
    ];
    // One warm-up of each (page cache), then the commands interleaved run by run so a change in
    // the machine's load falls on all of them alike.
    for (const [name, argv] of commands) timed(name, argv);
    for (let i = 0; i < runs; i++) {
      for (const [name, argv] of commands) samples.push(timed(name, argv));
      await sleep(20);
    }
    await killDaemon(daemon);
  } finally {
    await lab.destroy();
  }
  const floor = samples.filter((s) => s.command === 'node -e 0');
  const floorWall = median(floor.map((s) => s.wallMs));
  const floorPeak = median(floor.map((s) => s.peakMiB));
  const names = [...new Set(samples.map((s) => s.command))];
  const rows = names.map((name) => {
    const of = samples.filter((s) => s.command === name);
    const wall = median(of.map((s) => s.wallMs));
    const peak = median(of.map((s) => s.peakMiB));
    const failed = of.filter((s) => s.exitCode !== 0).length;
    return [name, fmt(wall), fmt(median(of.map((s) => s.cpuMs))), fmt(peak), `${(wall / floorWall).toFixed(2)}x`, `${(peak / floorPeak).toFixed(2)}x`, failed === 0 ? `${of.length}` : `${of.length} (${failed} failed)`];
  });
  return {
    name: 'cli',
    title: `CLI commands as whole processes, medians of ${runs} runs (wall and CPU in ms, peak RSS in MiB; ratios to node -e 0; goal 1.5x wall, 1.2x peak)`,
    text: table(['command', 'wall', 'CPU', 'peak', 'wall / node', 'peak / node', 'runs'], rows),
    data: { samples },
  };
}
