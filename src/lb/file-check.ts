// FILE_CHECK's verdict (keepalived's check_file.c and track_file.c): what a track_file's number
// does to the real server that watches it. Pure: the number in, the verdict out.

/** keepalived's IPVS_WEIGHT_FAULT: a weighted number at or below it takes the server out. */
export const WEIGHT_FAULT = -2_147_483_648;
const INT_MAX = 2_147_483_647;

export interface FileCheckVerdict {
  /** Whether the checker passes (the server stays in service as far as this checker goes). */
  readonly up: boolean;
  /** What it adds to the server's weight while up (0 with weight 0). */
  readonly adjustment: number;
}

/**
 * - weight 0: the server is out while the number is not 0 (with reverse, while it is 0);
 * - otherwise the number times the weight (negated by reverse), held to a C int, is added to the
 *   server's weight, and a result at or below INT_MIN takes the server out: with weight -1,
 *   writing 2147483648 (keepalived reads up to INT_MAX + 1 for this) does.
 * The server's weight itself is then held to 0..65535 by the pool (0: quiescent, still alive).
 */
export function fileCheckVerdict(value: number, weight: number, reverse: boolean): FileCheckVerdict {
  if (weight === 0) return { up: reverse ? value !== 0 : value === 0, adjustment: 0 };
  const product = Math.min(INT_MAX, Math.max(WEIGHT_FAULT, value * weight * (reverse ? -1 : 1)));
  return product <= WEIGHT_FAULT ? { up: false, adjustment: 0 } : { up: true, adjustment: product };
}
