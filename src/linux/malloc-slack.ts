// How much freed memory glibc's malloc keeps: the daemon's share of issue 16's memory goal that is
// not V8's heap. Every thread that mallocs gets an arena of its own, and V8's platform workers
// (concurrent marking, sweeping, compilation) kept 1.5-2.7 MB free at the top of theirs each, 8.4 MB
// with 130 KB in use at 1,000 instances (malloc_stats), because glibc raises the trim threshold to
// twice any freed mmapped chunk. Fixed at glibc's own default, each arena's free top goes back to
// the kernel as it frees (native-shims/malloc_trim.cc).
import { nativeShims } from './native.js';

/** glibc's initial M_TRIM_THRESHOLD (128 KiB), kept from now on instead of rising. */
export const MALLOC_TRIM_THRESHOLD = 128 * 1024;

/** From now on, free memory above 128 KiB at the top of any malloc arena is given back. */
export function holdMallocSlack(): void {
  nativeShims().setMallocTrimThreshold(MALLOC_TRIM_THRESHOLD);
}
