import { describe, expect, test } from 'vitest';
import { equalValues } from '../../src/core/equal.js';

describe('equalValues', () => {
  test('plain data is compared by value, in depth', () => {
    expect(equalValues({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
    expect(equalValues({ a: 1, b: [1, { c: 'x' }] }, { a: 1, b: [1, { c: 'y' }] })).toBe(false);
    expect(equalValues([1, 2], [2, 1])).toBe(false);
    expect(equalValues([1], { 0: 1 })).toBe(false);
    expect(equalValues(Number.NaN, Number.NaN)).toBe(true);
    expect(equalValues(0, '0')).toBe(false);
    expect(equalValues(null, {})).toBe(false);
  });

  test('an absent key equals one set to undefined; a present value does not', () => {
    expect(equalValues({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(equalValues({ a: 1 }, { a: 1, b: 0 })).toBe(false);
  });

  test('maps by entries', () => {
    expect(equalValues(new Map([['a', { x: 1 }]]), new Map([['a', { x: 1 }]]))).toBe(true);
    expect(equalValues(new Map([['a', { x: 1 }]]), new Map([['a', { x: 2 }]]))).toBe(false);
    expect(equalValues(new Map([['a', 1]]), { a: 1 })).toBe(false);
  });
});
