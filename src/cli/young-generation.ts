// The daemon's young generation kept at the size start-up gave it. V8 doubles its two semi-spaces
// whenever more has survived its scavenges since the last doubling than they hold, up to 16 MB
// each on a 64-bit host: a daemon's steady allocation (a packet, a timer, a log record at a time,
// nearly all dead by the next scavenge) gets there within seconds with 1,000 instances, and the
// 32 MB stay resident, the largest single part of its RSS (bench/RESULTS.md, "Memory").
//
// Why a flag set at run time, not `--max-semi-space-size` on node's command line: V8 takes a code
// cache only under the flags it was made with, so a command-line flag would make it refuse the
// daemon bundle's cache (src/cli/code-cache.ts) and Node's own, built into the node binary, for
// every command bin/vrrpd runs, which costs start-up time. The growth factor is read each time V8
// grows the young generation, so setting it once the daemon bundle is compiled is enough; a factor
// of 1 turns each growth into no change. Node modules compiled after it (those the daemon loads
// lazily) compile without Node's cache, once.
import { setFlagsFromString } from 'node:v8';

/** From now on V8 no longer grows the young generation (it may still shrink it when idle). */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
