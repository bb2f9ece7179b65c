// keepalived's arithmetic of tracking weights, case by case.
import { describe, expect, test } from 'vitest';
import { evaluateTracking, type TrackerReading } from '../../src/tracking/weights.js';

const script = (state: TrackerReading['state'], weight: number, reverse = false): TrackerReading => ({ name: 'chk', kind: 'script', arithmetic: 'state', state, weight, reverse });
const file = (value: number, weight: number, reverse = false): TrackerReading => ({ name: 'f', kind: 'file', arithmetic: 'value', state: 'ok', weight, reverse, value });

describe('evaluateTracking', () => {
  test.each([
    ['weight 0 OK', [script('ok', 0)], 100, []],
    ['weight 0 failed: Fault', [script('failed', 0)], 100, ['script chk failed']],
    ['weight 0 reverse OK: Fault', [script('ok', 0, true)], 100, ['script chk ok']],
    ['positive weight added while OK', [script('ok', 20)], 120, []],
    ['positive weight not added while failed', [script('failed', 20)], 100, []],
    ['negative weight subtracted while failed', [script('failed', -30)], 70, []],
    ['negative weight not applied while OK', [script('ok', -30)], 100, []],
    ['reverse positive weight: subtracted while OK', [script('ok', 20, true)], 80, []],
    ['reverse negative weight: added while failed', [script('failed', -30, true)], 130, []],
    ['a script before its first result changes nothing', [script('init', -30), script('init', 0)], 100, []],
    ['clamped to 254', [script('ok', 200)], 254, []],
    ['clamped to 1', [script('failed', -200)], 1, []],
    ['file value times weight', [file(3, 10)], 130, []],
    ['file negative value', [file(-4, 5)], 80, []],
    ['file reverse', [file(3, 10, true)], 70, []],
    ['file weight 0: non-zero is Fault', [file(1, 0)], 100, ['file f value 1']],
    ['file weight 0: zero is OK', [file(0, 0)], 100, []],
    ['file total -254 or less is Fault', [file(-254, 1)], 100, ['file f value -254']],
  ] as const)('%s', (_name, readings, priority, faults) => {
    const outcome = evaluateTracking(100, readings, true);
    expect(outcome.priority).toBe(priority);
    expect(outcome.faults).toEqual(faults);
  });

  test('without weights (owner, sync group member) weighted trackers are ignored; weight 0 still faults', () => {
    const outcome = evaluateTracking(100, [script('failed', -30), script('ok', 20), file(5, 10)], false);
    expect(outcome.priority).toBe(100);
    expect(outcome.faults).toEqual([]);
    expect(outcome.contributions.map((c) => [c.weight, c.applied, c.ignored])).toEqual([
      [-30, 0, true],
      [20, 0, true],
      [10, 0, true],
    ]);
    expect(evaluateTracking(100, [script('failed', 0)], false).faults).toEqual(['script chk failed']);
  });

  test('the owner keeps 255 whatever the weights', () => {
    expect(evaluateTracking(255, [script('failed', -30)], true).priority).toBe(255);
  });

  test('contributions say what each tracker adds', () => {
    const outcome = evaluateTracking(150, [script('failed', -30), { name: 'eth1', kind: 'interface', arithmetic: 'state', state: 'ok', weight: 10, reverse: false }], true);
    expect(outcome.contributions).toEqual([
      { name: 'chk', kind: 'script', state: 'failed', weight: -30, reverse: false, applied: -30, fault: false },
      { name: 'eth1', kind: 'interface', state: 'ok', weight: 10, reverse: false, applied: 10, fault: false },
    ]);
    expect(outcome.priority).toBe(130);
  });
});
