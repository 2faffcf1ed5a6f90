import { UsageError } from './errors.js';

/** `60s`, `2m`, `1h`, `500ms`, or a bare number in `bareUnit`, in milliseconds. */
export function parseDuration(text: string, flag: string, bareUnit: 'ms' | 's' = 's'): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError([`${flag}: must be a duration like 60s, 5m or 1h, got "${text}"`]);
  const amount = Number(match[1]);
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? bareUnit) as 'ms' | 's' | 'm' | 'h'];
  const milliseconds = Math.round(amount * unitMs);
  if (milliseconds <= 0) throw new UsageError([`${flag}: must be longer than zero`]);
  return milliseconds;
}

export function parseCount(text: string, flag: string, minimum = 1): number {
  if (!/^\d+$/.test(text) || Number(text) < minimum || !Number.isSafeInteger(Number(text))) {
    throw new UsageError([`${flag}: must be an integer of at least ${minimum}, got "${text}"`]);
  }
  return Number(text);
}

/** `i/n` with 1 ≤ i ≤ n, as CI matrices number their jobs; returned 0-based. */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) throw new UsageError([`--shard: must be i/n with 1 <= i <= n, got "${text}"`]);
  return { index: index - 1, count };
}
