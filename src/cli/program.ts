import { Command, CommanderError, Option } from 'commander';
import { InvariantError } from '../util/assert.js';
import { EXIT, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { runCommand } from './run-command.js';

/**
 * The whole CLI as a function: parse argv, run one command, return the exit
 * code. 0 all held and expectations met; 1 a violation or an unmet
 * expectation; 2 bad input; 3 an internal error (a bug in paxsim).
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const debug = argv.includes('--debug');
  const program = new Command('paxsim')
    .description('A deterministic simulator for Paxos-family consensus protocols')
    .option('--debug', 'show stack traces for errors')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('run')
    .description('run one scenario with one seed, print its timeline and a verdict (default: the built-in seed example)')
    .argument('[scenario]', 'scenario file (YAML or JSON)')
    .option('--seed <n>', "seed (default: the scenario's seed)")
    .option('--trace <file>', 'write the trace as JSON Lines')
    .option('--json', 'print one JSON object instead of the timeline and verdict')
    .option('--quiet', 'print only the verdict')
    .option('--sends', 'show send events in the timeline too (deliveries are always shown)')
    .addOption(new Option('--bug <name>', 'swap in a known-broken protocol variant').hideHelp())
    .option('--no-color', 'no colors (also: NO_COLOR=1, or output not a terminal)')
    .action((file: string | undefined, flags) => {
      exitCode = runCommand(file, flags, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return handleError(error, io, debug);
  }
}

function handleError(error: unknown, io: CliIo, debug: boolean): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof UsageError) {
    io.stderr(error.lines.join('\n') + '\n');
    if (debug) io.stderr(`${error.stack ?? ''}\n`);
    return EXIT.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  const kind = error instanceof InvariantError ? 'broken invariant' : 'internal error';
  io.stderr(`paxsim: ${kind}: ${message}\nThis is a bug in paxsim, not in your scenario.${debug ? '' : ' Rerun with --debug for the stack trace.'}\n`);
  if (debug && error instanceof Error) io.stderr(`${error.stack ?? ''}\n`);
  return EXIT.internal;
}
