import { Command, CommanderError } from 'commander';
import { printable, printableLines } from '../trace/format.js';
import { InvariantError } from '../util/assert.js';
import { ScheduleError } from '../explore/schedule-replay.js';
import { packageVersion } from '../util/package-root.js';
import { EXIT, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { checkCommand } from './check-command.js';
import { diffCommand } from './diff-command.js';
import { exploreCommand } from './explore-command.js';
import { fuzzCommand } from './fuzz-command.js';
import { replayCommand } from './replay-command.js';
import { initCommand } from './init-command.js';
import { listCommand } from './list-command.js';
import { runCommand } from './run-command.js';
import { shrinkCommand } from './shrink-command.js';

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
    .version(packageVersion(), '--version', 'print the version and exit')
    .option('--debug', 'show stack traces for errors')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: (text) => io.stderr(printableLines(text)) });

  program
    .command('run')
    .description('run one scenario with one seed, print its timeline and a verdict (default: the built-in seed example)')
    .argument('[scenario]', 'scenario file (YAML or JSON)')
    .option('--protocol <module>', "a user protocol module (path or npm package) instead of the scenario's protocol")
    .option('--seed <n>', "seed (default: the scenario's seed)")
    .option('--trace <file>', 'write the trace as JSON Lines')
    .option('--json', 'print one JSON object instead of the timeline and verdict')
    .option('--quiet', 'print only the verdict')
    .option('--sends', 'show send events in the timeline too (deliveries are always shown)')
    .option('--bug <name>', 'swap in a known-broken protocol variant (see paxsim list)')
    .option('--check-determinism', 'run twice and compare trace hashes; on a mismatch report the first divergent event')
    .option('--shiviz <file>', 'write the run as a ShiViz log (vector clocks)')
    .option('--html <file>', 'write the run as a self-contained HTML sequence diagram')
    .option('--no-color', 'no colors (also: NO_COLOR=1, or output not a terminal)')
    .action((file: string | undefined, flags) => {
      exitCode = runCommand(file, flags, io);
    });

  program
    .command('explore')
    .description('search every schedule of a small configuration (BFS: shortest counterexample first); safety only')
    .argument('<scenario>', 'scenario file or shipped name (bounds from its `explore` key)')
    .option('--depth <n>', 'do not expand states deeper than n steps')
    .option('--max-states <n>', 'stop after n distinct states')
    .option('--time <duration>', 'stop after this long (60s, 5m)')
    .option('--strategy <bfs|dfs>', 'breadth-first (shortest counterexample) or depth-first', 'bfs')
    .option('--bug <name>', 'swap in a known-broken protocol variant (see paxsim list)')
    .option('--faults <kinds>', 'fault kinds allowed: drop,duplicate,crash (or none); unlisted kinds get no budget')
    .option('--max-drops <k>', 'messages dropped per schedule')
    .option('--max-duplicates <k>', 'messages duplicated per schedule')
    .option('--max-crashes <k>', 'crashes per schedule (a crashed node may restart)')
    .option('--max-timers <k>', 'timer firings per schedule')
    .option('--symmetry', 'count states equal up to a permutation of interchangeable nodes once')
    .option('--workers <k>', 'search on k worker threads (BFS only; same counts and verdict as 1, the default)')
    .option('--out <dir>', 'where a counterexample (scenario, trace, HTML) goes', 'explore-counterexamples')
    .option('--json', 'print one JSON object')
    .action(async (file: string, flags) => {
      exitCode = await exploreCommand(file, flags, io);
    });

  program
    .command('replay')
    .description('replay one seed, byte for byte, with filters, node-state tables and a step mode')
    .argument('<scenario>', 'scenario or failure file (YAML or JSON)')
    .option('--protocol <module>', "a user protocol module (path or npm package) instead of the scenario's protocol")
    .option('--seed <n>', "seed (default: the scenario's seed)")
    .option('--bug <name>', "protocol bug (default: the scenario's bug)")
    .option('--node <ids>', 'only events involving these nodes (A,C)')
    .option('--from <t>', 'only events at or after virtual time t')
    .option('--to <t>', 'only events at or before virtual time t')
    .option('--type <types>', 'only these event or message types (prepare,accept,learn,crash,…)')
    .option('--until-violation', 'stop at the first violating event and show every node’s state there')
    .option('--state-at <t>', 'show every node’s state at virtual time t')
    .option('--step', 'advance event by event (Enter: next, c: continue to the next violation, q: quit)')
    .option('--sends', 'show send events too')
    .option('--trace <file>', 'write the trace as JSON Lines')
    .option('--shiviz <file>', 'write the run as a ShiViz log (vector clocks)')
    .option('--html <file>', 'write the run as a self-contained HTML sequence diagram')
    .option('--no-color', 'no colors')
    .action(async (file: string, flags) => {
      exitCode = await replayCommand(file, flags, io);
    });

  program
    .command('diff')
    .description('compare two runs and show where their traces first diverge')
    .argument('<scenarios...>', 'two scenario files (one seed), or one file with --seeds N,M')
    .option('--protocol <module>', "a user protocol module (path or npm package) instead of the scenario's protocol")
    .option('--seed <n>', 'seed for both scenarios (default: each file’s seed)')
    .option('--seeds <n,m>', 'two seeds of one scenario')
    .option('--bug <name>', 'protocol bug for both runs')
    .option('--context <n>', 'events shown around the divergence', '5')
    .option('--no-color', 'no colors')
    .action((files: string[], flags) => {
      exitCode = diffCommand(files, flags, io);
    });

  program
    .command('fuzz')
    .description('run many seeds of each scenario under a nemesis (default: the built-in five-node fuzz scenario); write, shrink and explain failures')
    .argument('[scenarios...]', 'scenario files (default: scenarios/fuzz-default.yaml)')
    .option('--protocol <module>', "a user protocol module (path or npm package) instead of the scenario's protocol")
    .option('--seeds <n>', `seeds per scenario (default ${1000})`)
    .option('--time <duration>', 'run for this long instead (60s, 5m, 1h)')
    .option('--from <seed>', 'first seed (default 1)')
    .option('--workers <k>', 'worker threads (default: all cores; 0 runs in the main thread)')
    .option('--shard <i/n>', 'run only shard i of n (seeds s with (s - from) mod n = i - 1)')
    .option('--bug <name>', 'swap in a known-broken protocol variant (see paxsim list)')
    .option('--out <dir>', 'where failure files go', 'fuzz-failures')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--json', 'print the summary as one JSON object')
    .option('--keep-going', 'go on after the first failing seed of a scenario')
    .option('--no-shrink', 'do not shrink the first failure')
    .option('--determinism-every <n>', 'run every n-th seed twice and compare fingerprints (0: never)', '20')
    .option('--check-determinism', 'run every seed twice (same as --determinism-every 1)')
    .option('--nemesis', 'generate faults with the default nemesis even for a scenario without a nemesis block (replaces its faults)')
    .option('--window <duration>', 'nemesis: fault window, virtual ms (or 2s)')
    .option('--quiet-tail <duration>', 'nemesis: healed tail after the window, virtual ms')
    .option('--faults <kinds>', 'nemesis: comma-separated fault kinds (partition,isolate,cut,crash,pause,drift,burst)')
    .option('--fault-rate <n>', 'nemesis: mean faults per second of window')
    .option('--max-down <n>', 'nemesis: most nodes crashed or paused at once')
    .option('--no-swarm', 'nemesis: the same fault mix for every seed')
    .option('--no-progress', 'no progress line on stderr')
    .option('--no-color', 'no colors')
    .action(async (files: string[], flags) => {
      exitCode = await fuzzCommand(files, flags, io);
    });

  program
    .command('shrink')
    .description('shrink a failing scenario to a minimal one that fails the same checker with the same seed')
    .argument('<scenario>', 'a failing scenario file (for example one written by paxsim fuzz)')
    .option('--protocol <module>', "a user protocol module (path or npm package) instead of the scenario's protocol")
    .option('--seed <n>', "seed (default: the scenario's seed)")
    .option('--bug <name>', "protocol bug (default: the scenario's bug)")
    .option('--out <file>', 'where to write the result (default: <scenario>.min.yaml)')
    .option('--max-attempts <n>', 'most runs to spend', '400')
    .option('--time <duration>', 'most time to spend', '30s')
    .option('--no-color', 'no colors')
    .action((file: string, flags) => {
      exitCode = shrinkCommand(file, flags, io);
    });

  program
    .command('check')
    .description('run every checker over an existing JSON Lines trace (from paxsim run --trace or another implementation)')
    .argument('<trace>', 'trace file (JSON Lines: a meta line, then one event per line)')
    .option('--json', 'print one JSON object instead of the verdict')
    .option('--liveness-within <ms>', 'also check liveness: after the last fault, every connected learner learns (Multi-Paxos: every client operation completes) within this many virtual ms')
    .option('--protocol <module>', "the user protocol module (path or npm package) that wrote the trace: its definition's checks judge it")
    .option('--no-color', 'no colors (also: NO_COLOR=1, or output not a terminal)')
    .action((file: string, flags) => {
      exitCode = checkCommand(file, flags, io);
    });

  program
    .command('list')
    .description('list shipped scenarios, injectable bugs and checkers')
    .option('--protocol <module>', 'also load a user protocol module (path or npm package) and list its bugs and checkers')
    .option('--no-color', 'no colors')
    .action((flags) => {
      exitCode = listCommand(flags, io);
    });

  program
    .command('init')
    .description('scaffold a project for your own protocol: package.json, tsconfig, src/protocol.ts, scenarios, a fuzzing test')
    .argument('[dir]', 'where to create it (default: the current directory)')
    .action((dir: string | undefined) => {
      exitCode = initCommand(dir, io);
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
  // A user protocol's own fault (it threw, or read a clock): one line, like bad input. Errors from fuzz workers arrive as plain copies.
  if (error instanceof Error && error.name === 'ProtocolError') {
    io.stderr(`paxsim: ${printable(error.message)}\n`);
    if (debug) io.stderr(`${error.stack ?? ''}\n`);
    return EXIT.usage;
  }
  if (error instanceof ScheduleError) {
    io.stderr(`${printable(error.message)}\n`);
    return EXIT.usage;
  }
  if (error instanceof UsageError) {
    io.stderr(error.lines.map(printable).join('\n') + '\n');
    if (debug) io.stderr(`${error.stack ?? ''}\n`);
    return EXIT.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  const kind = error instanceof InvariantError ? 'broken invariant' : 'internal error';
  io.stderr(`paxsim: ${kind}: ${printable(message)}\nThis is a bug in paxsim, not in your scenario.${debug ? '' : ' Rerun with --debug for the stack trace.'}\n`);
  if (debug && error instanceof Error) io.stderr(`${error.stack ?? ''}\n`);
  return EXIT.internal;
}
