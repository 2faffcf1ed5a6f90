import { Chalk, supportsColor } from 'chalk';
import type { Palette } from '../trace/timeline.js';

/** Everything the CLI touches outside itself, so tests can drive `run(argv, io)` in process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly isTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The next line the user types (replay --step), or null at end of input. */
  readonly readLine?: () => Promise<string | null>;
}

/**
 * What became of writes to stdout and stderr. A reader that goes away
 * (`paxsim run | head -1`, EPIPE) is the reader's choice: the rest of the
 * output is dropped quietly and the exit code stays the verdict's. Any other
 * write error (a full disk: ENOSPC) is one line on stderr and exit 2, never
 * 1, which would read as "a violation".
 */
export interface StandardStreams {
  /** The exit code to use, given the command's own. */
  exitCodeFor(commandExitCode: number): number;
}

const streamState = { stdoutClosed: false, stderrClosed: false, writeFailed: false };
const WRITE_FAILED_EXIT = 2;

export function guardStandardStreams(): StandardStreams {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (streamState.stdoutClosed) return;
    streamState.stdoutClosed = true;
    if (error.code === 'EPIPE') return;
    streamState.writeFailed = true;
    // The error may come after the command returned: set the exit code here too.
    process.exitCode = WRITE_FAILED_EXIT;
    writeStderr(`paxsim: cannot write to stdout (${error.code ?? error.message})\n`);
  });
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (streamState.stderrClosed) return;
    streamState.stderrClosed = true;
    if (error.code === 'EPIPE') return;
    streamState.writeFailed = true;
    process.exitCode = WRITE_FAILED_EXIT;
  });
  return { exitCodeFor: (code) => (streamState.writeFailed ? WRITE_FAILED_EXIT : code) };
}

function writeStdout(text: string): void {
  if (!streamState.stdoutClosed) process.stdout.write(text);
}

function writeStderr(text: string): void {
  if (!streamState.stderrClosed) process.stderr.write(text);
}

export function processIo(): CliIo {
  return {
    stdout: writeStdout,
    stderr: writeStderr,
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    readLine: stdinLines(),
  };
}

/** Lines from stdin, read only when asked for, so commands that never prompt never touch stdin. */
function stdinLines(): () => Promise<string | null> {
  let lines: AsyncIterator<string> | null = null;
  return async () => {
    if (lines === null) {
      const { createInterface } = await import('node:readline');
      lines = createInterface({ input: process.stdin, terminal: false })[Symbol.asyncIterator]();
    }
    const next = await lines.next();
    return next.done ? null : next.value;
  };
}

/**
 * Color only on a terminal, never with NO_COLOR set (chalk itself ignores
 * NO_COLOR) or with --no-color; FORCE_COLOR forces it on for pipes.
 */
export function colorLevel(io: CliIo, colorFlag: boolean): 0 | 1 | 2 | 3 {
  if (!colorFlag) return 0;
  if (io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '') return 0;
  const forced = io.env['FORCE_COLOR'];
  if (forced !== undefined && forced !== '0' && forced !== 'false') return 1;
  if (!io.isTTY) return 0;
  return supportsColor ? supportsColor.level : 1;
}

export interface Styles extends Palette {
  readonly bold: (text: string) => string;
  readonly pass: (text: string) => string;
  readonly fail: (text: string) => string;
}

export function stylesFor(level: 0 | 1 | 2 | 3): Styles {
  const chalk = new Chalk({ level });
  return {
    dim: chalk.dim,
    message: chalk.cyan,
    drop: chalk.red,
    fault: chalk.yellow.bold,
    protocol: chalk.magenta,
    decision: chalk.green.bold,
    violation: chalk.red.bold.inverse,
    bold: chalk.bold,
    pass: chalk.green.bold,
    fail: chalk.red.bold,
  };
}
