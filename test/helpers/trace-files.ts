import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';

/** Writes a trace file: each entry is a raw line (string) or an object written as one JSON line. */
export function writeTraceFile(dir: string, name: string, traceLines: readonly unknown[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, traceLines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');
  return file;
}

/** The lines of a command's output, which must end with a newline. */
export function outputLines(text: string): string[] {
  expect(text.endsWith('\n'), `ends with a newline: ${JSON.stringify(text.slice(-40))}`).toBe(true);
  return text.slice(0, -1).split('\n');
}
