// Effective priority, as keepalived computes it: the configured (or overridden) priority plus the
// weights of tracked objects, kept inside 1..254 so tracking can neither make a router the
// address owner nor take it out of the election. The owner (255) is exempt from weights.

export const OWNER_PRIORITY = 255;
export const MIN_ELECTION_PRIORITY = 1;
export const MAX_BACKUP_PRIORITY = 254;

export function effectivePriority(base: number, weights: readonly number[]): number {
  if (base === OWNER_PRIORITY) return OWNER_PRIORITY;
  const sum = weights.reduce((total, weight) => total + weight, base);
  return Math.min(MAX_BACKUP_PRIORITY, Math.max(MIN_ELECTION_PRIORITY, sum));
}
