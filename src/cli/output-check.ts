import { outputDirectoryProblem, outputFileProblem, writeOutputFile } from '../util/output-path.js';
import { UsageError } from './errors.js';

/**
 * Output flags are checked before any work starts (`--out`, `--junit`,
 * `--trace`, `--html`, `--shiviz`): an unwritable path is bad input, one line
 * and exit 2, not a crash after a long run that loses what it found.
 */
export function checkOutputFile(path: string | undefined, flag: string): void {
  if (path === undefined) return;
  const problem = outputFileProblem(path);
  if (problem !== null) throw new UsageError([`${flag} ${path}: ${problem}`]);
}

export function checkOutputDirectory(path: string | undefined, flag: string): void {
  if (path === undefined) return;
  const problem = outputDirectoryProblem(path);
  if (problem !== null) throw new UsageError([`${flag} ${path}: ${problem}`]);
}

/** Writes an output file whose path was checked; a failure now (a full disk) is still one line and exit 2. */
export function writeCheckedOutput(path: string, text: string, flag: string): void {
  const problem = writeOutputFile(path, text);
  if (problem !== null) throw new UsageError([`${flag} ${path}: ${problem}`]);
}
