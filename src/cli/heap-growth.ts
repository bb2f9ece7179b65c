// How far V8 lets the daemon's heap grow between collections: V8's defaults suit a program that
// allocates in bursts and wants few pauses; a daemon allocates a little all the time, and a static
// pod's memory request has to cover whatever V8 leaves resident (issue 16; bench/RESULTS.md,
// "Memory").
//
// The young generation: V8 doubles its two semi-spaces whenever more has survived its scavenges
// since the last doubling than they hold, up to 16 MB each on a 64-bit host. A daemon's steady
// allocation (a packet, a timer, a log record at a time, nearly all dead by the next scavenge) got
// there within seconds with 1,000 instances, and the 32 MB stayed resident, the largest single
// part of its RSS. A growth factor of 1 keeps the size start-up gave it (2 MB semi-spaces).
// The old generation: after each full collection V8 lets it grow by up to 4x what survived before
// the next one; 1.1x (with V8's own minimum step of a few MB) keeps it near what is live.
//
// Flags set at run time, not on node's command line (`--max-semi-space-size`): V8 takes a code
// cache only under the flags it was made with, so a command-line flag would make it refuse the
// daemon bundle's cache (src/cli/code-cache.ts) and Node's own, built into the node binary, for
// every command bin/vrrpd runs, which costs start-up time. V8 reads these two each time it sizes a
// generation, so setting them once the daemon bundle is compiled is enough. Node modules compiled
// after it (those the daemon loads lazily) compile without Node's cache, once.
// Set through the native shim (native-shims/v8_flags.cc), not node:v8, whose module loads Node's
// stream modules and heap-snapshot code before the configuration (~5 ms of CPU; issue 16).
import { onFirstUse } from '../core/on-first-use.js';
import { nativeShims } from '../linux/native.js';

/** node:v8, for a shim built before it had setV8Flags (`npm run build` does not rebuild the shim). */
const nodeV8 = onFirstUse<typeof import('node:v8')>('node:v8');

/** From now on V8 no longer grows the young generation, and grows the old one by 10 % at a time. */
export function holdHeapGrowth(): void {
  setV8Flags('--semi-space-growth-factor=1');
  setV8Flags('--heap-growing-percent=10');
}

function setV8Flags(flags: string): void {
  const shims = nativeShims();
  if (typeof shims.setV8Flags === 'function') shims.setV8Flags(flags);
  else nodeV8().setFlagsFromString(flags);
}
