// Runs checks inside a lab namespace (`ip netns exec NS node run-check.mjs JSON`) with the Linux
// adapter, and prints one JSON line per check: {ok, detail, reason, attempts, elapsedMs}. The
// argument is {spec, count?, gapMs?} (one checker, `count` checks in a row) or {specs} (one check
// of each, all at once in this process, printed in the order given). Uint8Array fields of a spec
// are given as hex strings. `thread: 'worker'` runs them in the checkers' worker thread as vrrpd
// does (default: on this loop); `abortAfterMs` aborts each check that long after it starts;
// `retry` is each run's own (Checker.run's second argument); `restartWorker` ends the worker
// thread between runs of one checker (the next run starts a new one, as after the worker died).
// `thread: 'placed'` places each run as vrrpd does (placement.ts: the first twenty runs a second
// of light checks on this loop, the rest in the worker) and prints, last, a line
// {placement: {mainLoop, worker}}; `thread: 'worker'` puts every run in the worker.
// {sequence: [spec, ...]} checks each in turn, one after another in this process, and prints
// last a line {tlsStreams: [SSL objects made, reused, plain TCP streams]} from the shim's
// TlsStream on this thread.
// Uses dist/ (test/helpers/global-setup.ts builds it).
import { inThreadCheckers } from '../../dist/checkers/checker.js';
import { LinuxCheckerIo } from '../../dist/linux/checkers/io.js';
import { nativeShims } from '../../dist/linux/native.js';
import { WorkerCheckers } from '../../dist/linux/checkers/worker-checkers.js';
import { RealClock } from '../../dist/linux/real-clock.js';

const { spec, specs, sequence, count = 1, gapMs = 0, thread = 'main', abortAfterMs, retry, restartWorker = false } = JSON.parse(process.argv[2]);
const hex = (value) => (typeof value === 'string' ? Buffer.from(value.replace(/\s+/g, ''), 'hex') : value);
const io = new LinuxCheckerIo();
const clock = new RealClock();
if (thread === 'worker') process.env.VRRPD_CHECKER_THREAD = 'worker';
const host = thread === 'worker' || thread === 'placed' ? new WorkerCheckers(inThreadCheckers({ io, clock })) : inThreadCheckers({ io, clock });
const checkerOf = (given) => {
  if (given.payload !== undefined) given.payload = hex(given.payload);
  if (given.requireReply?.data !== undefined) given.requireReply.data = hex(given.requireReply.data);
  if (given.requireReply?.mask !== undefined) given.requireReply.mask = hex(given.requireReply.mask);
  const checker = host.checker(given);
  return { run: () => checker.run(abortAfterMs === undefined ? undefined : AbortSignal.timeout(abortAfterMs), retry) };
};
const line = (result) => JSON.stringify({ ok: result.ok, detail: result.detail, reason: result.failure?.reason, attempts: result.attempts, elapsedMs: Math.round(result.elapsedMs) });
if (sequence) {
  for (const given of sequence) console.log(line(await checkerOf(given).run()));
  console.log(JSON.stringify({ tlsStreams: nativeShims().TlsStream?.counts?.() ?? null }));
} else if (specs) {
  const results = await Promise.all(specs.map((given) => checkerOf(given).run()));
  for (const result of results) console.log(line(result));
} else {
  const checker = checkerOf(spec);
  for (let i = 0; i < count; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    if (i > 0 && restartWorker) await host.close();
    console.log(line(await checker.run()));
  }
}
if (thread === 'placed') console.log(JSON.stringify({ placement: host.runs }));
io.close();
if (thread !== 'main') await host.close();
