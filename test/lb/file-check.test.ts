// FILE_CHECK's verdict as keepalived's track_file.c reaches it (update_track_file_status and
// process_update_checker_track_file_status): one row per case, the number read, the weight that
// applies, and what the real server gets.
import { describe, expect, it } from 'vitest';
import { fileCheckVerdict } from '../../src/lb/file-check.js';

const CASES: ReadonlyArray<readonly [string, number, number, boolean, { up: boolean; adjustment: number }]> = [
  ['weight 0: 0 passes', 0, 0, false, { up: true, adjustment: 0 }],
  ['weight 0: any other number fails', 7, 0, false, { up: false, adjustment: 0 }],
  ['weight 0: a negative number fails too', -1, 0, false, { up: false, adjustment: 0 }],
  ['weight 0 reverse: 0 fails', 0, 0, true, { up: false, adjustment: 0 }],
  ['weight 0 reverse: another number passes', 3, 0, true, { up: true, adjustment: 0 }],
  ['weight 1 (a track_file\'s default): the number is added', 4, 1, false, { up: true, adjustment: 4 }],
  ['weight -10: subtracted, still up (the pool holds the weight at 0, quiescent)', 5, -10, false, { up: true, adjustment: -50 }],
  ['weight 10 reverse: negated', 2, 10, true, { up: true, adjustment: -20 }],
  ['0 adds nothing', 0, 10, false, { up: true, adjustment: 0 }],
  ['weight -1 and 2147483648 (INT_MAX + 1, which keepalived reads for this): at INT_MIN, down', 2_147_483_648, -1, false, { up: false, adjustment: 0 }],
  ['weight 1 and -2147483648: down', -2_147_483_648, 1, false, { up: false, adjustment: 0 }],
  ['a product past INT_MIN is held there: down', 100_000, -100_000, false, { up: false, adjustment: 0 }],
  ['a product past INT_MAX is held there: up', 100_000, 100_000, false, { up: true, adjustment: 2_147_483_647 }],
  ['one above INT_MIN: up', -2_147_483_647, 1, false, { up: true, adjustment: -2_147_483_647 }],
];

describe('FILE_CHECK verdict', () => {
  it.each(CASES)('%s', (_name, value, weight, reverse, expected) => {
    expect(fileCheckVerdict(value, weight, reverse)).toEqual(expected);
  });
});
