/** Bad input from the user (a flag, a file): one line on stderr, exit code 2, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(readonly lines: readonly string[]) {
    super(lines.join('\n'));
  }
}

export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 3 } as const;

export function parseSeed(text: string, flag = '--seed'): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError([`${flag}: must be a non-negative integer, got "${text}"`]);
  }
  return Number(text);
}
