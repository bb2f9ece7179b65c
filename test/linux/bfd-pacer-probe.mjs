// Runs inside a lab namespace (`node bfd-pacer-probe.mjs JSON`): one BFD session to `peer` on a
// BfdEngine on this script's only JavaScript loop, its timers and receiving on the native pacer
// thread (`native: true`) or on this loop. Prints {"ready":true}, then {"up":true} once the session
// is Up; holds the loop in a busy wait of `blockMs`, `blocks` times, `gapMs` apart, each announced
// by {"holding":N}; prints {"done":true, "session": its status, "discarded": the engine's discard
// counters}; keeps the session until its stdin ends (the test has read what FRR sees by then; a
// fixed wait raced it on a loaded machine), then stops (AdminDown) and exits. Uses dist/ (global-setup
// builds it).
import { BfdEngine } from '../../dist/linux/bfd/engine.js';
import { RealClock } from '../../dist/linux/real-clock.js';

const options = JSON.parse(process.argv[2]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line) => console.log(JSON.stringify(line));
const engine = new BfdEngine(
  new RealClock({ lateExpiryTurns: 1 }),
  Math.random,
  { stateChanged: (session, change) => say({ change }), error: (error) => say({ error: error.message }) },
  options.native ? { native: {} } : {},
);
const interval = options.intervalMs * 1000;
engine.configure([
  {
    name: 'up',
    family: 'ipv4',
    peer: options.peer,
    local: options.local,
    multihop: false,
    ttl: 255,
    minimumTtl: 255,
    parameters: { desiredMinTxInterval: interval, requiredMinRxInterval: interval, idleTxInterval: 1_000_000, detectMult: options.multiplier, passive: false },
  },
]);
say({ ready: true });
const session = () => engine.status().sessions[0];
const until = performance.now() + 20_000;
while (session()?.state !== 'Up' && performance.now() < until) await sleep(20);
say({ up: session()?.state === 'Up' });
for (let i = 0; i < options.blocks; i++) {
  await sleep(options.gapMs);
  say({ holding: i });
  const end = performance.now() + options.blockMs;
  while (performance.now() < end);
}
await sleep(options.gapMs);
say({ done: true, session: session(), discarded: engine.status().discarded });
const stdinEnded = new Promise((resolve) => process.stdin.once('end', resolve));
process.stdin.resume();
await stdinEnded;
engine.stop();
process.exit(0);
