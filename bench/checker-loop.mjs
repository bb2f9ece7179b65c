// Run by bench/checkers.ts in a lab host as `node bench/checker-loop.mjs JSON`, against the built
// dist/: `checkers` built-in checkers, each checking one of `specs` (round robin) every
// `intervalMs` (staggered), for `durationMs`, with the Linux adapter, as vrrpd runs them. Beside
// them, what the protocol needs of the event loop: a timer every 10 ms (an advertisement timer at
// VRRPv3's finest advert_int is 10 ms) whose lateness is recorded, and Node's event-loop delay
// histogram. `thread`: 'main' runs the checks on this loop, 'worker' in the checkers' worker
// thread (src/linux/checkers/worker-checkers.ts), as the daemon does. Prints one JSON object:
// checks done and their reasons, lateness and delay in ms, CPU (the whole process, every thread).
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { inThreadCheckers } from '../dist/checkers/checker.js';
import { LinuxCheckerIo } from '../dist/linux/checkers/io.js';
import { WorkerCheckers } from '../dist/linux/checkers/worker-checkers.js';
import { RealClock } from '../dist/linux/real-clock.js';

const { specs, checkers, intervalMs, durationMs, thread = 'main' } = JSON.parse(process.argv[2]);
const io = new LinuxCheckerIo();
const clock = new RealClock();
const host = thread === 'worker' ? new WorkerCheckers(inThreadCheckers({ io, clock })) : inThreadCheckers({ io, clock });
const reasons = {};
let done = 0;
let stopping = false;
const loops = [];
for (let i = 0; i < checkers; i++) {
  const checker = host.checker(specs[i % specs.length]);
  loops.push(
    (async () => {
      await new Promise((resolve) => setTimeout(resolve, (intervalMs * i) / checkers));
      while (!stopping) {
        const started = performance.now();
        const result = await checker.run();
        if (stopping) break;
        done++;
        const reason = result.failure?.reason ?? 'ok';
        reasons[reason] = (reasons[reason] ?? 0) + 1;
        const wait = intervalMs - (performance.now() - started);
        if (wait > 0 && !stopping) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    })(),
  );
}
const TICK_MS = 10;
const lateness = [];
let due = performance.now() + TICK_MS;
const tick = () => {
  const now = performance.now();
  lateness.push(now - due);
  due += TICK_MS;
  if (due < now) due = now + TICK_MS;
  if (!stopping) setTimeout(tick, due - now);
};
setTimeout(tick, TICK_MS);
const histogram = monitorEventLoopDelay({ resolution: 10 });
const cpuBefore = process.cpuUsage();
histogram.enable();
await new Promise((resolve) => setTimeout(resolve, durationMs));
histogram.disable();
const cpu = process.cpuUsage(cpuBefore);
stopping = true;
await Promise.all(loops);
io.close();
if (thread === 'worker') await host.close();
lateness.sort((a, b) => a - b);
const at = (q) => lateness[Math.min(lateness.length - 1, Math.floor(q * lateness.length))] ?? Number.NaN;
process.stdout.write(
  JSON.stringify({
    checks: done,
    reasons,
    timerLateP50: at(0.5),
    timerLateP99: at(0.99),
    timerLateMax: lateness[lateness.length - 1] ?? Number.NaN,
    loopDelayP99: histogram.percentile(99) / 1e6,
    loopDelayMax: histogram.max / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000,
    seconds: durationMs / 1000,
  }) + '\n',
);
