/**
 * A value's JSON with every object's keys sorted: equal plain data gives
 * equal text whatever order its keys were built in (JSON.stringify keeps
 * insertion order, so `{a, b}` and `{b, a}` would read as two values).
 * Arrays keep their order. Undefined for what JSON.stringify cannot write.
 */
export function canonicalJson(value: unknown): string | undefined {
  return JSON.stringify(value, sortedKeys);
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  // No prototype: a key named `__proto__` is an ordinary key here (on `{}` it would set the prototype and vanish from the text).
  const sorted: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value).sort()) sorted[key] = (value as Record<string, unknown>)[key];
  return sorted;
}
