import { accessSync, closeSync, constants, mkdirSync, openSync, rmdirSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Output paths are checked before a run starts, so a long fuzz run never
 * ends by losing its summary to an unwritable `--out`. Directories are made
 * one level at a time: Node's recursive mkdir loops forever under /proc,
 * where mkdir says ENOENT although the parent exists.
 *
 * Every function returns a problem (a short reason, without the path's flag)
 * or null: errors are values here, the CLI words them.
 */

/** Why `directory` cannot hold output files, or null. Creates nothing that it does not remove again. */
export function outputDirectoryProblem(directory: string): string | null {
  const missing: string[] = [];
  let existing = resolve(directory);
  let stats = statOrNull(existing);
  while (stats === null) {
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) return `cannot find any existing parent of ${directory}`;
    existing = parent;
    stats = statOrNull(existing);
  }
  if (!stats.isDirectory()) return missing.length === 0 ? 'is not a directory' : `${existing} is not a directory`;
  if (!canWrite(existing)) return `${existing} is not writable`;
  const first = missing[0];
  if (first === undefined) return null;
  // Try the first missing level for real: the only way to learn that /proc or /sys refuse it.
  try {
    mkdirSync(first);
  } catch (error) {
    return `cannot create directory ${first} (${codeOf(error)})`;
  }
  rmdirSync(first);
  return null;
}

/** Why `file` cannot be written, or null. Probes a missing file by creating and removing it. */
export function outputFileProblem(file: string): string | null {
  const stats = statOrNull(file);
  if (stats !== null) {
    if (stats.isDirectory()) return 'is a directory';
    return canWrite(file) ? null : 'is not writable';
  }
  const parent = dirname(resolve(file));
  if (statOrNull(parent)?.isDirectory() === false) return `${dirname(file)} is not a directory`;
  const parentProblem = outputDirectoryProblem(parent);
  if (parentProblem !== null) return parentProblem;
  if (statOrNull(parent) === null) return null; // created at write time; the probe above showed it can be
  try {
    closeSync(openSync(file, 'wx'));
  } catch (error) {
    return `cannot create (${codeOf(error)})`;
  }
  unlinkSync(file);
  return null;
}

/** Makes `directory` and its missing parents, one level at a time; returns a problem or null. */
export function makeDirectory(directory: string): string | null {
  const path = resolve(directory);
  const stats = statOrNull(path);
  if (stats !== null) return stats.isDirectory() ? null : `${directory} is not a directory`;
  const parent = dirname(path);
  if (parent !== path) {
    const problem = makeDirectory(parent);
    if (problem !== null) return problem;
  }
  try {
    mkdirSync(path);
    return null;
  } catch (error) {
    if (codeOf(error) === 'EEXIST' && statOrNull(path)?.isDirectory()) return null;
    return `cannot create directory ${path} (${codeOf(error)})`;
  }
}

/** Writes `text` to `file`, making its directory first; returns a problem or null. */
export function writeOutputFile(file: string, text: string): string | null {
  const problem = makeDirectory(dirname(file));
  if (problem !== null) return problem;
  try {
    writeFileSync(file, text);
    return null;
  } catch (error) {
    return `cannot write (${codeOf(error)})`;
  }
}

export function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | null)?.code ?? String(error);
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
