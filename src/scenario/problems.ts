import type { Scenario } from './scenario.js';

/** A problem the user must fix, already formatted as one line: `file:line: field: message`. */
export type LoadResult = { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly errors: readonly string[] };

export type PathSegment = string | number;

/** Where an error is reported: the file label, and (when known) a line for a path. */
export interface SourceLocator {
  readonly file: string;
  lineOf(path: readonly PathSegment[]): number | undefined;
}

export function formatProblem(locator: SourceLocator, path: readonly PathSegment[], message: string): string {
  const line = locator.lineOf(path);
  const where = line === undefined ? locator.file : `${locator.file}:${line}`;
  return `${where}: ${formatPath(path)}: ${message}`;
}

export function formatPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return '(top level)';
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text;
}

