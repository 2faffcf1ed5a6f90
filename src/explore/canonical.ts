/**
 * Canonical text of plain data, for state fingerprints: object keys sorted,
 * Maps and Sets as sorted entry lists, so two equal states print the same
 * whatever order their fields were built in (DESIGN.md rule 5).
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'u';
    case 'object':
      return value === null ? 'null' : canonicalObject(value);
    default:
      return JSON.stringify(String(value));
  }
}

function canonicalObject(value: object): string {
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index++) text += (index === 0 ? '' : ',') + canonicalJson(value[index]);
    return text + ']';
  }
  if (value instanceof Map) return 'M' + sortedJoin([...value].map(([key, entry]) => canonicalJson(key) + ':' + canonicalJson(entry)));
  if (value instanceof Set) return 'S' + sortedJoin([...value].map((entry) => canonicalJson(entry)));
  const keys = Object.keys(value).sort();
  let text = '{';
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    text += (index === 0 ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson((value as Record<string, unknown>)[key]);
  }
  return text + '}';
}

function sortedJoin(parts: string[]): string {
  return '[' + parts.sort().join(',') + ']';
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
