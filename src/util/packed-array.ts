/**
 * Arrays that hot code reads (per event, per seed) must have one elements kind
 * from the first seed to the last. `Array.prototype.map` does not: run by the
 * interpreter it returns a PACKED array, but once its caller is optimized
 * (TurboFan inlines `map`) it returns a HOLEY one. Every function optimized on
 * the packed arrays of the first seeds then deopts ("wrong map") and is
 * recompiled when the holey ones arrive, seeds or thousands of seeds later:
 * that is most of a fuzz worker's warm-up. A loop that pushes onto `[]` gives
 * a packed array in both tiers.
 */
export function mapPacked<T, U>(items: readonly T[], toItem: (item: T, index: number) => U): U[] {
  const mapped: U[] = [];
  for (let index = 0; index < items.length; index++) mapped.push(toItem(items[index]!, index));
  return mapped;
}

/**
 * `items.filter(keep)` whose result is packed in every tier. `filter` flips
 * the other way from `map`: run by the interpreter it returns its source's
 * elements kind (the scenario's node and role lists are holey), inlined by
 * TurboFan a packed array; same deopts, same fix.
 */
export function filterPacked<T>(items: readonly T[], keep: (item: T) => boolean): T[] {
  const kept: T[] = [];
  for (let index = 0; index < items.length; index++) {
    const item = items[index]!;
    if (keep(item)) kept.push(item);
  }
  return kept;
}
