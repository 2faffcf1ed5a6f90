import { LIMITS } from '../scenario/limits.js';
import { UsageError } from './errors.js';

/**
 * `60s`, `2m`, `1h`, `500ms`, or a bare number in `bareUnit`, in milliseconds,
 * at most `maxMs` (default: a week, for wall-clock budgets).
 */
export function parseDuration(text: string, flag: string, bareUnit: 'ms' | 's' = 's', maxMs: number = LIMITS.wallClockMs): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError([`${flag}: must be a duration like 60s, 5m or 1h, got "${text}"`]);
  const amount = Number(match[1]);
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? bareUnit) as 'ms' | 's' | 'm' | 'h'];
  const milliseconds = Math.round(amount * unitMs);
  if (milliseconds <= 0) throw new UsageError([`${flag}: must be longer than zero`]);
  if (!(milliseconds <= maxMs)) throw new UsageError([`${flag}: must be at most ${maxMs} ms, got "${text}"`]);
  return milliseconds;
}

/** A whole number written in plain digits, from `minimum` to `maximum` (default: the largest safe integer). */
export function parseCount(text: string, flag: string, minimum = 1, maximum = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < minimum || !Number.isSafeInteger(value)) {
    throw new UsageError([`${flag}: must be an integer of at least ${minimum}, got "${text}"`]);
  }
  if (value > maximum) throw new UsageError([`${flag}: must be at most ${maximum}, got "${text}"`]);
  return value;
}

/** A plain decimal number (no exponent, no Infinity, no hex) from 0 to `maximum`. */
export function parseRate(text: string, flag: string, maximum: number): number {
  const value = Number(text);
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text) || !Number.isFinite(value)) throw new UsageError([`${flag}: must be a non-negative number like 4 or 0.5, got "${text}"`]);
  if (value > maximum) throw new UsageError([`${flag}: must be at most ${maximum}, got "${text}"`]);
  return value;
}

/** `i/n` with 1 ≤ i ≤ n, as CI matrices number their jobs; returned 0-based. */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count || !Number.isSafeInteger(count)) {
    throw new UsageError([`--shard: must be i/n with 1 <= i <= n, got "${text}"`]);
  }
  return { index: index - 1, count };
}
