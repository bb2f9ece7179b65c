// Equality by value of configuration-shaped data (plain objects, arrays, primitives, Maps): what a
// reload compares to tell a changed setting or tracker from an unchanged one. Undefined-valued
// and absent keys are equal, as an optional setting left out and one set to undefined mean the same.

export function equalValues(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => equalValues(item, b[index]));
  }
  if (a instanceof Map || b instanceof Map) {
    return a instanceof Map && b instanceof Map && a.size === b.size && [...a].every(([key, value]) => b.has(key) && equalValues(value, b.get(key)));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) if (!equalValues(left[key], right[key])) return false;
  return true;
}
