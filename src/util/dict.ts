/**
 * Objects used as maps keyed by user text (node ids, client ids, keys, event
 * types). A plain `{}` inherits `__proto__`, `constructor`, `toString`…:
 * reading `obj["constructor"]` finds Object, and writing `obj["__proto__"]`
 * changes the prototype instead of storing anything. A dict has no prototype,
 * so every string is an ordinary key, and it stays plain data (JSON.stringify
 * writes it as any object).
 */
export type Dict<V> = Record<string, V>;

export function emptyDict<V>(): Dict<V> {
  return Object.create(null) as Dict<V>;
}

/** A dict from entries, in their order (later entries win). */
export function dictFrom<V>(entries: Iterable<readonly [string, V]>): Dict<V> {
  const dict = emptyDict<V>();
  for (const [key, value] of entries) dict[key] = value;
  return dict;
}
