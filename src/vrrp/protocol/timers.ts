// The RFC's derived timer values. All results are in milliseconds and exact (the divisions
// by 256 are representable in binary floating point), so simulated runs can be checked to the tick.
import type { VrrpVersion } from '../packet/advertisement.js';

/**
 * Skew_Time. RFC 3768 §6.1 (v2): (256 - Priority) / 256 seconds.
 * RFC 5798 §6.1 (v3): ((256 - Priority) * Master_Adver_Interval) / 256.
 */
export function skewTime(version: VrrpVersion, priority: number, masterAdverIntervalMs: number): number {
  if (version === 2) return ((256 - priority) * 1000) / 256;
  return ((256 - priority) * masterAdverIntervalMs) / 256;
}

/**
 * Master_Down_Interval: (3 * Master_Adver_Interval) + Skew_Time (RFC 3768 §6.1, RFC 5798 §6.1;
 * RFC 9568 calls it Active_Down_Interval). In v2 Master_Adver_Interval is our own
 * Advertisement_Interval, which every router of the VRID must share.
 */
export function masterDownInterval(version: VrrpVersion, priority: number, masterAdverIntervalMs: number): number {
  return 3 * masterAdverIntervalMs + skewTime(version, priority, masterAdverIntervalMs);
}
