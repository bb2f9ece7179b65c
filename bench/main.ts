// `npm run bench [-- --quick|--tiny] [--only failover,stability,scale,memory,startup,timers,soak,bfd,probes,cli,checkers,checker-loop] [--trials N]
// [--minutes M] [--seed S] [--scenarios sigterm@20,crash@1000] [--no-save]`: builds nothing itself (the npm script builds first), runs
// the chosen benchmarks with vrrpd and keepalived side by side, prints their tables and saves raw
// data to bench/results/NAME[-MODE].json. Needs root (namespace labs) and keepalived.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bfdBench } from './bfd.js';
import { versions } from './lib/daemons.js';
import type { BenchOptions, BenchReport, Mode } from './lib/report.js';
import { repoRoot } from './lib/root.js';
import { checkerLoopBench, checkersBench } from './checkers.js';
import { cliBench } from './cli.js';
import { failoverBench } from './failover.js';
import { lbFairnessBench } from './lb-fairness.js';
import { lbBench } from './lb.js';
import { memoryBench } from './memory.js';
import { probesBench } from './probes.js';
import { scaleBench } from './scale.js';
import { soakBench } from './soak.js';
import { stabilityBench } from './stability.js';
import { startupBench } from './startup.js';
import { timersBench } from './timers.js';
import { removeScratchDirs } from '../test/helpers/scratch.js';

type Bench = (options: BenchOptions) => Promise<BenchReport>;
const BENCHES: Record<string, Bench> = {
  failover: failoverBench,
  startup: startupBench,
  scale: scaleBench,
  memory: memoryBench,
  stability: stabilityBench,
  soak: soakBench,
  timers: timersBench,
  bfd: bfdBench,
  probes: probesBench,
  cli: cliBench,
  checkers: checkersBench,
  'checker-loop': checkerLoopBench,
  lb: lbBench,
  'lb-fairness': lbFairnessBench,
};
/**
 * Soak (long), memory (RSS over minutes), timers (vrrpd's clock against Node's), bfd (needs frr), probes (vrrpd's probe
 * kinds), cli (each CLI command against `node -e 0`), checkers (built-in against curl),
 * checker-loop (the event loop under checks) and the load balancer's run with `--only`.
 */
const DEFAULT_SET = ['failover', 'startup', 'scale', 'stability'];

const USAGE = `usage: npm run bench -- [--quick | --tiny] [--only NAME[,NAME...]] [--trials N] [--minutes M] [--seed S]
                        [--scenarios sigterm@20,crash@1000,...] [--bfd-rt-priority N] [--no-save]
  --quick, --tiny  shorter runs (figures for trying a benchmark out, not for RESULTS.md)
  --only           benchmarks to run (default ${DEFAULT_SET.join(',')}); known:
                   ${Object.keys(BENCHES).join(', ')}
  --scenarios      failover scenarios (sigterm@20,crash@1000), scale / memory layouts ('1000 instances'), or the bfd bench's half (failover, jitter; hog, notify: jitter's CPU-hog or notify-burst phase alone) to run
  --trials N       trials per scenario; --minutes M: soak length; --seed S: the random seed
  --bfd-rt-priority N   the bfd bench: bfd_rt_priority N (1..99, SCHED_RR) for every daemon, vrrpd and keepalived
  --no-save        print only; otherwise each report is saved to bench/results/NAME[-MODE].json
Needs root (network namespaces), keepalived, and a quiet machine for figures worth keeping.`;

/** A bad command line: its message and the usage are printed, without a stack. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

function positiveNumber(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new BenchUsageError(`--${option} takes a positive number, not "${text}"`);
  return value;
}

export async function main(argv: readonly string[], log: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<BenchReport[]> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean' },
        tiny: { type: 'boolean' },
        only: { type: 'string' },
        trials: { type: 'string' },
        minutes: { type: 'string' },
        seed: { type: 'string' },
        scenarios: { type: 'string' },
        'bfd-rt-priority': { type: 'string' },
        'no-save': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    // node:util's parseArgs: an unknown option or a missing value (ERR_PARSE_ARGS_*).
    throw new BenchUsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    log(USAGE);
    return [];
  }
  const trials = positiveNumber('trials', values.trials);
  const minutes = positiveNumber('minutes', values.minutes);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new BenchUsageError(`--seed takes an integer, not "${values.seed}"`);
  const bfdRtPriority = values['bfd-rt-priority'] === undefined ? undefined : Number(values['bfd-rt-priority']);
  if (bfdRtPriority !== undefined && !(Number.isInteger(bfdRtPriority) && bfdRtPriority >= 1 && bfdRtPriority <= 99)) {
    throw new BenchUsageError(`--bfd-rt-priority takes a SCHED_RR priority 1..99, not "${values['bfd-rt-priority']}"`);
  }
  if (process.getuid?.() !== 0) throw new Error('the benchmarks build network namespaces: run them as root');
  const mode: Mode = values.tiny ? 'tiny' : values.quick ? 'quick' : 'full';
  const names = values.only ? values.only.split(',') : DEFAULT_SET;
  for (const name of names) if (!(name in BENCHES)) throw new BenchUsageError(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(', ')}`);
  const options: BenchOptions = {
    mode,
    log,
    ...(trials !== undefined ? { trials } : {}),
    ...(minutes !== undefined ? { minutes } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(values.scenarios ? { scenarios: values.scenarios.split(',') } : {}),
    ...(bfdRtPriority !== undefined ? { bfdRtPriority } : {}),
  };
  const v = versions();
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? '?'}`;
  log(`# vrrpd benchmarks (${mode}) ${new Date().toISOString()}`);
  log(`machine: ${machine}; vrrpd ${v.vrrpd}; ${v.keepalived}; node ${v.node}; kernel ${v.kernel}`);
  const reports: BenchReport[] = [];
  for (const name of names) {
    log(`\n## ${name}`);
    const started = Date.now();
    const report = await BENCHES[name]!(options);
    reports.push(report);
    log(`\n${report.title}\n\n${report.text}\n(${((Date.now() - started) / 1000).toFixed(0)} s)`);
    if (!values['no-save']) {
      const dir = join(repoRoot(), 'bench', 'results');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${name}${mode === 'full' ? '' : `-${mode}`}.json`);
      writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), mode, machine, versions: v, argv, title: report.title, text: report.text, data: report.data }, null, 1) + '\n');
      log(`saved ${file}`);
    }
  }
  return reports;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  // Interrupted (Ctrl-C, a CI timeout): exiting runs the labs' exit hook, which kills the daemons
  // and deletes the namespaces; a signal's default action would leave them behind.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  // The benchmarks' configurations, sockets and captures: gone with the process, however it ends.
  process.once('exit', removeScratchDirs);
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof BenchUsageError) {
        process.stderr.write(`bench: ${error.message}\n${USAGE}\n`);
        process.exit(2);
      }
      process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
