import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { runCli } from './cli.js';

/** How to rewrite a trace: its meta line as an object, its event lines as text. */
export interface TraceEdit {
  /** Changes the meta line in place. */
  readonly meta?: (meta: Record<string, unknown>) => void;
  /** The event lines to write instead of `events` (without the meta line). */
  readonly events?: (events: string[]) => string[];
}

/** Rewrites the trace `file` in place; returns it. */
export function editTrace(file: string, edit: TraceEdit): string {
  const [metaLine, ...events] = readFileSync(file, 'utf8').split('\n');
  const meta = JSON.parse(metaLine!) as Record<string, unknown>;
  edit.meta?.(meta);
  writeFileSync(file, [JSON.stringify(meta), ...(edit.events?.(events) ?? events)].join('\n'));
  return file;
}

/** The trace `paxsim run ARGV --trace FILE` writes (the run must exit `code`), rewritten by `edit`. */
export async function recordTrace(file: string, argv: readonly string[], code: number, edit: TraceEdit = {}): Promise<string> {
  expect((await runCli(['run', ...argv, '--quiet', '--trace', file])).code).toBe(code);
  return editTrace(file, edit);
}

/** Writes a trace made by hand: one line per entry (the meta line first), each ended by a newline; returns `file`. */
export function writeTraceLines(file: string, lines: readonly string[]): string {
  writeFileSync(file, lines.map((line) => `${line}\n`).join(''));
  return file;
}
