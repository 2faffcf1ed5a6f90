import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/run/runner.js';
import type { AnyTraceEvent } from '../src/sim/events.js';
import { PLAIN, timelineLine } from '../src/trace/timeline.js';
import { plural } from '../src/util/plural.js';
import { runCli } from './helpers/cli.js';
import { shippedScenario } from './helpers/scenario.js';
import { writeTraceFile } from './helpers/trace-files.js';

/** What a new user sees: timelines, replay filters, names, labels, end times and counted nouns. */

/** A timeline line's who column, after the 7-wide time and two spaces. */
function whoOf(line: string): string {
  return line.slice(9, 18).trim();
}

/** Every event the simulator emits over some seeds of the nemesis scenarios, by type (and message type). */
function emittedEvents(scenarioName: string, seeds: number, bugs: readonly (string | undefined)[] = [undefined]): Map<string, AnyTraceEvent> {
  const scenario = shippedScenario(scenarioName);
  const byKind = new Map<string, AnyTraceEvent>();
  for (const bug of bugs) {
    for (let seed = 1; seed <= seeds; seed++) {
      for (const event of runScenario(scenario, { seed, bug, record: true }).events!) {
        const kind = 'msg' in event ? `${event.type}:${event.msg.type}` : event.type;
        if (!byKind.has(kind)) byKind.set(kind, event);
      }
    }
  }
  return byKind;
}

describe('timeline: every event the simulator emits reads as a line, never as raw JSON', () => {
  it.each([
    ['fuzz-default', 40, [undefined, 'forget-promise']],
    ['multipaxos-nemesis', 12, [undefined, 'apply-unchosen']],
  ] as const)('%s over %i seeds', (name, seeds, bugs) => {
    const events = emittedEvents(name, seeds, bugs);
    // The nemesis faults this audit is about must have been drawn, or the test proves nothing.
    for (const kind of ['pause', 'resume', 'drift', 'burst', 'crash', 'partition', 'heal']) expect([...events.keys()]).toContain(kind);
    for (const [kind, event] of events) {
      const line = timelineLine(event, PLAIN, { showSends: true });
      expect(line, kind).not.toBeNull();
      expect(whoOf(line!), `${kind}: ${line}`).not.toBe('?');
      expect(line, kind).not.toMatch(/\{"|undefined|NaN|\[object/);
    }
  });

  it('nemesis faults: PAUSE/RESUME and clock drift on the node, bursts as ~ lines with what they change', () => {
    const line = (event: AnyTraceEvent) => timelineLine(event, PLAIN)!;
    expect(line({ t: 681, type: 'pause', node: 'A' })).toMatch(/^ {4}681 {2}A {9}PAUSE/);
    expect(line({ t: 700, type: 'resume', node: 'A' })).toMatch(/^ {4}700 {2}A {9}RESUME/);
    expect(line({ t: 5, type: 'drift', node: 'C', rate: 2 })).toContain('C         clock drift: runs at 2× from now on');
    expect(line({ t: 255, type: 'burst', for: 392, duplicate: 0.5 })).toContain('~         burst 392 ms: duplicate 0.5');
    expect(line({ t: 356, type: 'burst', for: 1, drop: 0.4, delay: { distribution: 'uniform', min: 1, max: 50 } })).toContain('burst 1 ms: drop 0.4, delay 1–50 ms');
    expect(line({ t: 9, type: 'burst', for: 10, delay: { distribution: 'exponential', mean: 20, min: 1, max: 200 } })).toContain('delay exponential mean 20 ms (1–200)');
  });
});

describe('shipped scenarios by name, and --version', () => {
  it('paxsim --version prints package.json\'s version', async () => {
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('every name paxsim list shows runs by name, the same run as its file, with a replay line that names it', async () => {
    const listed = (await runCli(['list'])).stdout.split('\n\n')[0]!.split('\n').slice(1).map((line) => line.trim().split(/\s+/)[0]!);
    expect(listed).toContain('dueling-proposers');
    expect(listed).toContain('multipaxos-kv');
    for (const name of listed) {
      const byName = await runCli(['run', name, '--json', '--seed', '2']);
      expect(byName.stderr, name).toBe('');
      const byFile = await runCli(['run', `scenarios/${name}.yaml`, '--json', '--seed', '2']);
      expect(JSON.parse(byName.stdout), name).toEqual(JSON.parse(byFile.stdout));
    }
    const verdict = await runCli(['run', 'dueling-proposers', '--quiet']);
    expect(verdict.code).toBe(0);
    expect(verdict.stdout).toMatch(/^replay {4}paxsim run dueling-proposers --seed 1$/m);
  });

  it.each([
    ['replay', ['replay', 'leader-crash', '--type', 'leader'], /leads with ballot/],
    ['diff', ['diff', 'seed-example', '--seeds', '1,2'], /first divergence/],
    ['shrink', ['shrink', 'seed-example'], /^seed-example: nothing to shrink: no checker fails with seed 1$/m],
    ['fuzz', ['fuzz', 'seed-example', '--seeds', '2', '--workers', '0', '--no-progress'], /seed-example/],
  ])('%s takes a shipped scenario by name', async (_command, argv, shows) => {
    const outcome = await runCli(argv);
    expect(outcome.stderr).not.toMatch(/no such file|shipped scenario/);
    expect(outcome.stdout + outcome.stderr).toMatch(shows);
  });

  it('a misspelled name is one line, exit 2, with a suggestion', async () => {
    const outcome = await runCli(['run', 'dueling-proposer']);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toBe('dueling-proposer: no such file, nor a shipped scenario of that name (did you mean "dueling-proposers"?); paxsim list shows them\n');
  });
});

describe('replay filters: a filter that can match nothing is named, not shown as an empty timeline', () => {
  /** The timeline part of replay's output: the lines before the verdict. */
  async function timeline(argv: readonly string[]): Promise<string[]> {
    const outcome = await runCli(['replay', ...argv]);
    expect(outcome.stderr).toBe('');
    return outcome.stdout.split('\n── verdict')[0]!.split('\n').filter((line) => line.trim() !== '');
  }

  it('accepts the words the timeline prints: --type promised shows the promises', async () => {
    const promised = await timeline(['dueling-proposers', '--type', 'promised']);
    expect(promised.length).toBeGreaterThan(2);
    for (const line of promised) expect(line).toMatch(/● promised \(/);
    // `CRASH` as printed, any case; `learned` as printed; `accepted` is the message and the printed word for accept.
    expect(await timeline(['acceptor-crash-recovery', '--type', 'CRASH'])).not.toHaveLength(0);
    const learned = await timeline(['seed-example', '--type', 'learned']);
    expect(learned).toHaveLength(5);
    const accepted = await timeline(['seed-example', '--type', 'accepted']);
    expect(accepted.some((line) => line.includes('● accepted "X"'))).toBe(true);
    expect(accepted.some((line) => /→\S+ +accepted \(10,A\) "X"/.test(line))).toBe(true);
    const gaveUpOrLeads = await timeline(['leader-crash', '--type', 'leads']);
    expect(gaveUpOrLeads.length).toBeGreaterThan(0);
    for (const line of gaveUpOrLeads) expect(line).toContain('● leads with ballot');
  });

  it.each([
    [['seed-example', '--type', 'bogus'], /^--type: unknown paxos event or message type "bogus"; known: accept, accepted, adopt, burst, catchup, chosen, .*, violation$/],
    [['seed-example', '--type', 'learn,prepair'], /^--type: unknown paxos event or message type "prepair" \(did you mean "prepare"\?\); known: /],
    [['multipaxos-kv', '--type', 'heartbeats'], /^--type: unknown multipaxos event or message type "heartbeats" \(did you mean "heartbeat"\?\)/],
    [['seed-example', '--type', 'leader'], /^--type: unknown paxos event or message type "leader"/],
    [['seed-example', '--node', 'Q'], /^--node: unknown node "Q"; nodes: A, B, C, D, E$/],
    [['seed-example', '--node', 'A,c'], /^--node: unknown node "c" \(did you mean "C"\?\); nodes: A, B, C, D, E$/],
    [['seed-example', '--from', '50', '--to', '10'], /^--from 50 is after --to 10: no event can be in that window$/],
    [['seed-example', '--from', '20000'], /^--from 20000 is after the end of the run \(until 10000\): no event can be shown$/],
  ])('replay %j: exit 2, one line', async (argv, message) => {
    const outcome = await runCli(['replay', ...argv]);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    const lines = outcome.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('--type send shows the sends without also needing --sends', async () => {
    const sends = await timeline(['seed-example', '--type', 'send']);
    expect(sends.length).toBeGreaterThan(5);
    for (const line of sends) expect(line).toMatch(/ send (prepare|promise|accept|accepted|catchup|decided|nack)\b/);
  });

  it('Multi-Paxos clients are nodes a filter may name', async () => {
    const lines = await timeline(['multipaxos-kv', '--node', 'c1', '--type', 'invoke']);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/c1 +▶ invoke/);
  });
});

describe('diff names its sides left and right, never like a node', () => {
  it('a divergence, the events after it and the outcomes are labelled left/right', async () => {
    const outcome = await runCli(['diff', 'lossy-network', '--seeds', '1,2', '--context', '2']);
    expect(outcome.code).toBe(1);
    const lines = outcome.stdout.split('\n');
    expect(lines[0]).toBe('── diff: left lossy-network seed 1  vs  right lossy-network seed 2 ──');
    const labelled = lines.filter((line) => /^ {2}(left |right) {2}/.test(line));
    // the divergent pair, two events after it on each side, and the two outcomes
    expect(labelled.filter((line) => line.startsWith('  left '))).toHaveLength(4);
    expect(labelled.filter((line) => line.startsWith('  right'))).toHaveLength(4);
    // Node ids sit in the who column of timeline lines; no line may start with a bare side letter.
    expect(lines.filter((line) => /^ {2}[AB] {2}/.test(line))).toEqual([]);
    expect(lines.at(-4)).toBe('outcome'); // then left, right and the final newline
  });
});

describe('check ends where the run ended: the meta line records untilMs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paxsim-ux-'));

  it('run --trace, then check: the same end time, and the meta line says it', async () => {
    const file = join(dir, 'seed-example.jsonl');
    const ran = await runCli(['run', 'seed-example', '--trace', file, '--json']);
    const runJson = JSON.parse(ran.stdout) as { endMs: number; events: number };
    expect(runJson.endMs).toBe(10000);
    const meta = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!) as Record<string, unknown>;
    expect(meta['untilMs']).toBe(10000);
    const checked = await runCli(['check', file]);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(new RegExp(`^result +PASS {2}${runJson.events} events, ended t=10000$`, 'm'));
    const checkJson = JSON.parse((await runCli(['check', file, '--json'])).stdout) as { endMs: number };
    expect(checkJson.endMs).toBe(10000);
  });

  it('Multi-Paxos too', async () => {
    const file = join(dir, 'multipaxos-kv.jsonl');
    const runJson = JSON.parse((await runCli(['run', 'multipaxos-kv', '--trace', file, '--json'])).stdout) as { endMs: number };
    const checkJson = JSON.parse((await runCli(['check', file, '--json'])).stdout) as { endMs: number };
    expect(checkJson.endMs).toBe(runJson.endMs);
  });

  /** A proposal nobody acts on, then silence: whether liveness is violated depends on how long the silence lasted. */
  function silentTrace(name: string, meta: Record<string, unknown>): string {
    return writeTraceFile(dir, name, [
      { type: 'meta', nodes: ['A', 'B', 'C'], ...meta },
      { t: 0, type: 'propose', node: 'A', value: 'X', ballot: [1, 'A'] },
      { t: 3, type: 'promise', node: 'B', ballot: [1, 'A'] },
    ]);
  }

  it('liveness is judged at untilMs: a deadline inside the silence is missed, not inconclusive', async () => {
    const judged = JSON.parse((await runCli(['check', silentTrace('until.jsonl', { untilMs: 5000 }), '--json', '--liveness-within', '1000'])).stdout) as Record<string, unknown>;
    expect(judged['endMs']).toBe(5000);
    expect(judged['livenessInconclusive']).toBe(false);
    expect((judged['violations'] as { checker: string }[]).map((violation) => violation.checker)).toEqual(['liveness']);
    // Without untilMs the trace may have been cut short at its last event: too early to tell.
    const cut = JSON.parse((await runCli(['check', silentTrace('no-until.jsonl', {}), '--json', '--liveness-within', '1000'])).stdout) as Record<string, unknown>;
    expect(cut['endMs']).toBe(3);
    expect(cut['livenessInconclusive']).toBe(true);
    expect(cut['violations']).toEqual([]);
  });

  it.each([
    [{ untilMs: 2 }, /^.*until-early\.jsonl:3: t: 3 is after the meta line's untilMs 2, when the run ended$/],
    [{ untilMs: -1 }, /^.*until-early\.jsonl:1: untilMs: must be a non-negative integer \(virtual ms the run ran until\), got -1$/],
    [{ untilMs: '10s' }, /^.*until-early\.jsonl:1: untilMs: must be a non-negative integer .*, got "10s"$/],
  ])('a meta line with %j: exit 2, one line naming the line and field', async (meta, message) => {
    const outcome = await runCli(['check', silentTrace('until-early.jsonl', meta)]);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(outcome.stderr.trimEnd()).toMatch(message);
  });

  it('a trace cut at its first violation (replay --until-violation) says no end', async () => {
    const file = join(dir, 'cut.jsonl');
    const scenario = shippedScenario('fuzz-default');
    let seed = 1;
    while (runScenario(scenario, { seed, bug: 'ignore-accepted', hash: false }).violations.length === 0) seed += 1;
    await runCli(['replay', 'fuzz-default', '--seed', String(seed), '--bug', 'ignore-accepted', '--until-violation', '--trace', file]);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.some((line) => line.includes('"type":"violation"'))).toBe(true);
    expect((JSON.parse(lines.at(-1)!) as { t: number }).t).toBeLessThan(scenario.untilMs);
    expect(JSON.parse(lines[0]!)).not.toHaveProperty('untilMs');
  });
});

describe('counted nouns agree with their counts', () => {
  it('plural: one is singular, zero and many are plural', () => {
    expect([0, 1, 2].map((count) => plural(count, 'slot'))).toEqual(['0 slots', '1 slot', '2 slots']);
    expect(plural(1, 'policy', 'policies')).toBe('1 policy');
    expect(plural(3, 'policy', 'policies')).toBe('3 policies');
  });

  it('a one-operation Multi-Paxos run says "1 slot chosen" and "1 operation"; a one-learner Paxos run "1 connected learner"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paxsim-ux-'));
    const multi = join(dir, 'one-op.yaml');
    writeFileSync(multi, 'name: one-op\nprotocol: multipaxos\nnodes: [A, B, C]\nclients: [ { id: c1, ops: [ { put: { key: x, value: "1" } } ] } ]\nuntil: 2000\n');
    const multiJson = JSON.parse((await runCli(['run', multi, '--json'])).stdout) as { summary: Record<string, string> };
    expect(multiJson.summary['log']).toMatch(/^1 slot chosen; /);
    expect(multiJson.summary['clients']).toMatch(/^1 operation: 1 completed/);
    const paxos = join(dir, 'one-learner.yaml');
    writeFileSync(paxos, 'name: one-learner\nnodes: [A, B, C]\nroles: { learners: [A] }\nproposals: [ { at: 0, node: A, value: X } ]\nexpect: { liveness: { within: 2000 } }\n');
    const verdict = (await runCli(['run', paxos, '--quiet'])).stdout;
    expect(verdict).toMatch(/✓ liveness +1 connected learner learned by t=\d+/);
  });
});

describe('run --json: Multi-Paxos facts as numbers, not only prose', () => {
  it('slotsChosen, applied per replica, operations and the last leader agree with the summary lines and with check --json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paxsim-ux-'));
    const file = join(dir, 'kv.jsonl');
    const json = JSON.parse((await runCli(['run', 'multipaxos-kv', '--json', '--trace', file])).stdout) as Record<string, unknown>;
    expect(json['protocol']).toBe('multipaxos');
    const operations = json['operations'] as { total: number; completed: number; gaveUp: number; inFlight: number };
    expect(operations).toEqual({ total: 60, completed: 60, gaveUp: 0, inFlight: 0 });
    expect(json['slotsChosen']).toBe(60);
    expect(json['applied']).toEqual({ A: 60, B: 60, C: 60, D: 60, E: 60 });
    expect(json['leader']).toMatchObject({ node: expect.any(String) as string, ballot: [expect.any(Number), expect.any(String)], t: expect.any(Number) as number });
    const summary = json['summary'] as Record<string, string>;
    expect(summary['log']).toBe('60 slots chosen; applied: A 60 · B 60 · C 60 · D 60 · E 60');
    const leader = json['leader'] as { node: string; t: number };
    expect(summary['leader']).toContain(`last elected: ${leader.node} `);
    const checked = JSON.parse((await runCli(['check', file, '--json'])).stdout) as Record<string, unknown>;
    for (const key of ['slotsChosen', 'applied', 'operations', 'leader', 'summary']) expect(checked[key], key).toEqual(json[key]);
  });

  it('Paxos runs say their protocol and carry no Multi-Paxos keys', async () => {
    const json = JSON.parse((await runCli(['run', '--json'])).stdout) as Record<string, unknown>;
    expect(json['protocol']).toBe('paxos');
    expect(json).not.toHaveProperty('slotsChosen');
    expect(json['summary']).toEqual({});
  });
});

describe('the README documents what the CLI does', () => {
  const readme = readFileSync('README.md', 'utf8');

  /** The long flags a command's --help lists. */
  async function flagsOf(command: string): Promise<string[]> {
    const help = (await runCli([command, '--help'])).stdout;
    return [...new Set([...help.matchAll(/(--[a-z][a-z-]*)/g)].map((match) => match[1]!))].filter((flag) => flag !== '--help');
  }

  /** The lines of fenced synopsis blocks (they start with `paxsim `) that give `paxsim <command>`, with their continuation lines. */
  function synopsis(command: string): string {
    const blocks = [...readme.matchAll(/```\n(paxsim [\s\S]*?)```/g)].map((match) => match[1]!);
    const lines = blocks.flatMap((block) => block.split(/\n(?=paxsim )/)).filter((text) => text.startsWith(`paxsim ${command} `));
    expect(lines, `a synopsis for paxsim ${command}`).not.toEqual([]);
    return lines.join('\n');
  }

  it.each(['run', 'replay', 'diff', 'fuzz'])('the synopsis of paxsim %s names every flag', async (command) => {
    const documented = synopsis(command);
    expect((await flagsOf(command)).length).toBeGreaterThan(4);
    const missing = (await flagsOf(command)).filter((flag) => !documented.includes(flag) && !['--no-color', '--debug'].includes(flag) && !(command === 'fuzz' && ['--determinism-every', '--check-determinism'].includes(flag)));
    expect(missing).toEqual([]);
  });

  it('the quick start shows the result line paxsim run prints today (events, end, trace hash)', async () => {
    const result = (await runCli(['run'])).stdout.split('\n').find((line) => line.startsWith('result '));
    expect(result).toMatch(/trace [0-9a-f]{16}$/);
    expect(readme).toContain(result);
  });

  it('the trace format documents the meta line a run writes, untilMs included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paxsim-ux-'));
    await runCli(['run', '--trace', join(dir, 't.jsonl')]);
    const meta = JSON.parse(readFileSync(join(dir, 't.jsonl'), 'utf8').split('\n')[0]!) as Record<string, unknown>;
    const documented = /```json\n(\{"type":"meta".*\})\n```/.exec(readme)![1]!;
    expect(Object.keys(meta).map((key) => `"${key}"`).filter((key) => !documented.includes(key))).toEqual([]);
    expect(documented).toContain('"untilMs":10000');
  });
});
