// Runs checks inside a lab namespace (`ip netns exec NS node run-check.mjs JSON`) with the Linux
// adapter, and prints one JSON line per check: {ok, detail, reason, attempts, elapsedMs}. The
// argument is {spec, count?, gapMs?}; Uint8Array fields of the spec are given as hex strings.
// Uses dist/ (test/helpers/global-setup.ts builds it).
import { Checker } from '../../dist/checkers/checker.js';
import { LinuxCheckerIo } from '../../dist/linux/checkers/io.js';
import { RealClock } from '../../dist/linux/real-clock.js';

const { spec, count = 1, gapMs = 0 } = JSON.parse(process.argv[2]);
const hex = (value) => (typeof value === 'string' ? Buffer.from(value.replace(/\s+/g, ''), 'hex') : value);
if (spec.payload !== undefined) spec.payload = hex(spec.payload);
if (spec.requireReply?.data !== undefined) spec.requireReply.data = hex(spec.requireReply.data);
if (spec.requireReply?.mask !== undefined) spec.requireReply.mask = hex(spec.requireReply.mask);
const io = new LinuxCheckerIo();
const clock = new RealClock();
const checker = new Checker(spec, { io, clock });
for (let i = 0; i < count; i++) {
  if (i > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
  const result = await checker.run();
  console.log(JSON.stringify({ ok: result.ok, detail: result.detail, reason: result.failure?.reason, attempts: result.attempts, elapsedMs: Math.round(result.elapsedMs) }));
}
io.close();
