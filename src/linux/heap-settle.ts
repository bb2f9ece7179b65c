// The garbage of a burst, collected once the burst is over (issue 16's memory goal; bench/RESULTS.md,
// "eighth sitting"). A start, a reload, or a takeover and give-back of 1,000 instances leave V8's old
// generation full of what they allocated: a Backup that was briefly Master of every instance read
// 82-89 MB against 73 for one that was not, 32 MB of its old space used of which 15 MB were live.
// V8 collects at its allocation limit, which a quiet daemon may not reach for hours, and its memory
// reducer wakes only after a collection that freed much. So the daemon looks at its old generation
// every 15 s and, 45 s after start and whenever it has grown by a quarter (4 MB at least) since the
// last settled reading, tells V8 of moderate memory pressure: an incremental mark-compact that
// compacts and gives pages back, marking beside JavaScript, a pause of a few ms to finish (not
// gc()'s atomic collection, 90-190 ms at 1,000 instances). The first waits until start-up is over
// (at 1,000 instances the gratuitous ARPs' refresh, garp_master_delay after becoming Master, ends
// 10-15 s after start): the collection's CPU (~45 ms on the main thread at 1,000 instances) is
// start-up's, not the steady state's.
import { onFirstUse } from '../core/on-first-use.js';
import { nativeShims } from './native.js';

/**
 * node:v8, for a shim built before oldSpaceUsedBytes only: loading it brought Node's stream
 * modules, 15 s after start, amid start-up's last work.
 */
const v8 = onFirstUse<typeof import('node:v8')>('node:v8');

const CHECK_MS = 15_000;
/** Checks before the first request: 45 s after start. */
const FIRST_AT_CHECK = 3;
/** Growth of the old generation's used bytes over the last settled reading that asks for a collection. */
export function shouldSettle(usedBytes: number, settledBytes: number): boolean {
  return usedBytes > settledBytes + Math.max(4 * 1024 * 1024, settledBytes / 4);
}

function oldSpaceUsed(): number {
  const shims = nativeShims();
  if (shims.oldSpaceUsedBytes) return shims.oldSpaceUsedBytes();
  return v8().getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')?.space_used_size ?? 0;
}

/** Starts the checks; the returned function stops them. */
export function settleHeapAfterBursts(notify: () => void = () => nativeShims().notifyMemoryPressure(), used: () => number = oldSpaceUsed): () => void {
  let ticks = 0;
  let settled: number | undefined;
  let notified = false;
  const timer = setInterval(() => {
    ticks++;
    if (notified) {
      // The collection asked for at the last check has run (a few hundred ms): what is left is live.
      notified = false;
      settled = used();
      return;
    }
    if (settled === undefined ? ticks >= FIRST_AT_CHECK : shouldSettle(used(), settled)) {
      notified = true;
      notify();
    }
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
