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

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
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
