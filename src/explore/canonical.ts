/**
 * Canonical text of plain data, for state fingerprints: object keys sorted,
 * Maps and Sets as sorted entry lists, so two equal states print the same
 * whatever order their fields were built in (DESIGN.md rule 5): a learner's
 * votes keyed by ballot, say, filled in arrival order.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortedKeys) ?? 'u';
}

/**
 * JSON.stringify's replacer: objects whose keys are out of order are
 * re-made in sorted order, Maps and Sets become sorted entry lists; the rest
 * (most values) pass through, so the native serializer does the work.
 */
function sortedKeys(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value === undefined ? 'u' : value;
  if (value instanceof Map) return ['M', ...[...value].map(([key, entry]) => canonicalJson(key) + ':' + canonicalJson(entry)).sort()];
  if (value instanceof Set) return ['S', ...[...value].map((entry) => canonicalJson(entry)).sort()];
  const keys = Object.keys(value);
  let sorted = true;
  for (let index = 1; index < keys.length; index++) {
    if (keys[index - 1]! > keys[index]!) {
      sorted = false;
      break;
    }
  }
  if (sorted) return value;
  const copy: Record<string, unknown> = {};
  for (const key of keys.sort()) copy[key] = (value as Record<string, unknown>)[key];
  return copy;
}

/**
 * A 53-bit fingerprint of a string (two independent 32-bit FNV-1a style
 * hashes combined), so the visited set holds numbers, not state texts. Like
 * TLC's 64-bit fingerprints, a collision could merge two states: with N
 * states the chance is about N² / 2^54 (1e-4 at a million states).
 */
export function fingerprint53(text: string): number {
  let low = 0x811c9dc5;
  let high = 0x01000193 ^ text.length;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    low = Math.imul(low ^ code, 0x01000193);
    high = Math.imul(high ^ code, 0x5bd1e995);
    high ^= high >>> 15;
  }
  low ^= low >>> 13;
  low = Math.imul(low, 0xc2b2ae35);
  low ^= low >>> 16;
  return (high & 0x1fffff) * 0x100000000 + (low >>> 0);
}

/** Folds a 53-bit hash into a running pair of 32-bit lanes (order matters): for fingerprints built from parts. */
export function mixHash(accumulator: number, value: number): number {
  const low = Math.imul((accumulator >>> 0) ^ (value >>> 0), 0x9e3779b1);
  const high = Math.imul(Math.floor(accumulator / 0x100000000) ^ Math.floor(value / 0x100000000) ^ (low >>> 17), 0x85ebca6b);
  return ((high ^ (high >>> 13)) & 0x1fffff) * 0x100000000 + ((low ^ (low >>> 15)) >>> 0);
}
