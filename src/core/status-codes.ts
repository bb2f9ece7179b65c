// HTTP_GET / SSL_GET `status_code`: codes and ranges ("200", "200-299 400-499 503"), kept as
// sorted, merged ranges within 100..599 as keepalived takes them (HTTP_STATUS_CODE_MIN/MAX). In
// core/: the checkers judge responses with them and the configuration reads them.

export const STATUS_CODE_MIN = 100;
export const STATUS_CODE_MAX = 599;

/** Inclusive ranges, sorted, not overlapping or touching. */
export type StatusCodes = ReadonlyArray<readonly [number, number]>;

/** keepalived's default when a url names none. */
export const DEFAULT_STATUS_CODES: StatusCodes = [[200, 299]];

/** One word of `status_code`: a code or a range; undefined when keepalived would refuse it. */
export function parseStatusWord(word: string): readonly [number, number] | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(word);
  if (!match) return undefined;
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  if (min < STATUS_CODE_MIN || max > STATUS_CODE_MAX || min > max) return undefined;
  return [min, max];
}

/** Merges ranges into StatusCodes form. */
export function statusCodes(ranges: Iterable<readonly [number, number]>): StatusCodes {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [min, max] of sorted) {
    const last = merged[merged.length - 1];
    if (last && min <= last[1] + 1) last[1] = Math.max(last[1], max);
    else merged.push([min, max]);
  }
  return merged;
}

export function statusAccepted(codes: StatusCodes, status: number): boolean {
  return codes.some(([min, max]) => status >= min && status <= max);
}

/** As keepalived.conf writes it: "200-299 404". */
export function formatStatusCodes(codes: StatusCodes): string {
  return codes.map(([min, max]) => (min === max ? `${min}` : `${min}-${max}`)).join(' ');
}
