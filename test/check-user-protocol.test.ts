import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { useTempDir } from './helpers/temp-dir.js';

/**
 * `paxsim check` on a user protocol's trace (issue 10): the definition named
 * by `--protocol` builds the checks, exactly those of a run (its checker
 * families and its own invariants); without the module, one line and exit 2.
 * The protocol modules import 'paxsim': this package's build (npm test builds first).
 */

const ROOT = join(import.meta.dirname, '..');
const REGISTER = join(ROOT, 'examples', 'register', 'register.mjs');
const REGISTER_SCENARIOS = join(ROOT, 'examples', 'register', 'scenarios');
const FIXTURES = join(import.meta.dirname, 'fixtures', 'protocols');

const temp = useTempDir('paxsim-check-user-');

interface JsonVerdict {
  protocol: string;
  chosen: string | null;
  violations: { checker: string; message: string; t: number; event: number }[];
}

/** `paxsim run FILE --trace` with `--json`: the run's verdict and the trace it wrote. */
async function traced(scenario: string, name: string, extra: string[] = []): Promise<{ trace: string; run: JsonVerdict }> {
  const trace = join(temp.path, `${name}.trace.jsonl`);
  const outcome = await runCli(['run', scenario, '--trace', trace, '--json', ...extra]);
  expect(outcome.stderr).toBe('');
  return { trace, run: JSON.parse(outcome.stdout) as JsonVerdict };
}

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

/** The trace with its meta line (line 1) or one event line changed. */
function editTrace(trace: string, name: string, edit: (lines: Record<string, unknown>[]) => void): string {
  const lines = readFileSync(trace, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  edit(lines);
  return temp.write(name, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
}

describe('the meta line of a user protocol run', () => {
  it('names the module by file name (never a path) and carries the parsed config', async () => {
    const { trace } = await traced(join(REGISTER_SCENARIOS, 'register.yaml'), 'meta');
    const meta = JSON.parse(readFileSync(trace, 'utf8').split('\n')[0]!) as Record<string, unknown>;
    expect(meta).toMatchObject({ protocol: 'register', protocolModule: 'register.mjs', config: { retryMs: 40 } });
  });
});

describe('check TRACE --protocol MODULE', () => {
  it('without the module: one line naming the protocol and the flag, exit 2 (it passed silently with Paxos checkers before)', async () => {
    const { trace } = await traced(join(REGISTER_SCENARIOS, 'register.yaml'), 'no-module');
    const outcome = await runCli(['check', trace]);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(oneLine(outcome.stderr)).toBe(
      `${trace}:1: protocol: "register" is a user protocol (module register.mjs); pass --protocol PATH, its module, to check the trace with its own checkers`,
    );
  });

  it('with it: the checks of a run, its own invariant included, in the verdict', async () => {
    const { trace } = await traced(join(REGISTER_SCENARIOS, 'register.yaml'), 'clean');
    const outcome = await runCli(['check', trace, '--protocol', REGISTER, '--no-color']);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/^── check: .*clean\.trace\.jsonl, register, scenario register, seed 1 ──\n/);
    expect(outcome.stdout).toMatch(/\nchosen {4}"[XY]" in ballot/);
    expect(outcome.stdout).toMatch(/\n {10}✓ learned-once {9}no node learns twice\n/);
    expect(outcome.stdout).toMatch(/\n {10}- liveness {13}not checked: pass --liveness-within MS\n/);
    const withLiveness = await runCli(['check', trace, '--protocol', REGISTER, '--liveness-within', '3000', '--no-color']);
    expect(withLiveness.code).toBe(0);
    expect(withLiveness.stdout).toMatch(/\n {10}✓ liveness {13}3 connected learners learned/);
  });

  it("a definition's own invariant violation is found again, at the run's event", async () => {
    const scenario = temp.write('double.yaml', `name: double\nprotocol: ${join(FIXTURES, 'counter-invariant.js')}\nnodes: [A, B, C]\nproposals:\n  - { at: 0, node: A, value: X }\n`);
    const { trace, run } = await traced(scenario, 'double');
    expect(run.violations.map((violation) => violation.checker)).toEqual(['propose-once']);
    const outcome = await runCli(['check', trace, '--protocol', join(FIXTURES, 'counter-invariant.js'), '--json']);
    expect(outcome.code).toBe(1);
    const json = JSON.parse(outcome.stdout) as JsonVerdict & { unreproduced: unknown[] };
    expect(json.protocol).toBe('double-proposer');
    expect(json.violations).toEqual(run.violations);
    expect(json.unreproduced).toEqual([]);
  });

  it('a bug found by fuzzing: check of its failure trace reports the same violations as the run', async () => {
    const out = join(temp.path, 'fuzz');
    const fuzz = await runCli(['fuzz', join(REGISTER_SCENARIOS, 'register-nemesis.yaml'), '--bug', 'stale-read', '--seeds', '200', '--workers', '0', '--no-progress', '--no-shrink', '--out', out]);
    expect(fuzz.code).toBe(1);
    const failure = /failure\s+register-nemesis seed (\d+)/.exec(fuzz.stdout);
    expect(failure).not.toBeNull();
    const stem = join(out, `register-nemesis-stale-read-seed-${failure![1]}`);
    const run = JSON.parse((await runCli(['run', `${stem}.yaml`, '--json'])).stdout) as JsonVerdict;
    expect(run.violations.some((violation) => violation.checker === 'agreement')).toBe(true);
    const outcome = await runCli(['check', `${stem}.trace.jsonl`, '--protocol', REGISTER, '--json']);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(1);
    const json = JSON.parse(outcome.stdout) as JsonVerdict & { unreproduced: unknown[] };
    const safety = (verdict: JsonVerdict) => verdict.violations.filter((violation) => violation.checker !== 'liveness');
    expect(safety(json)).toEqual(safety(run));
    expect(json.chosen).toBe(run.chosen);
  });

  it("a protocol with its own vocabulary (an `accept` that is not Paxos's) is read as its own, not validated as Paxos", async () => {
    const rumor = join(FIXTURES, 'rumor.js');
    const scenario = temp.write('rumor.yaml', `name: rumor\nprotocol: ${rumor}\nnodes: [A, B, C]\nproposals:\n  - { at: 0, node: A, value: X }\n`);
    const { trace } = await traced(scenario, 'rumor');
    const outcome = await runCli(['check', trace, '--protocol', rumor, '--no-color']);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    // No checker family and no invariants of its own: only no-exceptions, which every user protocol gets.
    expect(outcome.stdout).toMatch(/\ncheckers  ✓ no-exceptions        no node handler threw\nresult    PASS  12 events, ended t=10000\n$/);
  });

  it('a module defining another protocol than the trace is exit 2, one line', async () => {
    const { trace } = await traced(join(REGISTER_SCENARIOS, 'register.yaml'), 'other');
    const outcome = await runCli(['check', trace, '--protocol', join(FIXTURES, 'counter-invariant.js')]);
    expect(outcome.code).toBe(2);
    expect(oneLine(outcome.stderr)).toMatch(/^--protocol: .*counter-invariant\.js defines protocol "double-proposer", but .*other\.trace\.jsonl is a trace of protocol "register"$/);
  });

  it('a missing module is exit 2, one line', async () => {
    const { trace } = await traced(join(REGISTER_SCENARIOS, 'register.yaml'), 'missing');
    const outcome = await runCli(['check', trace, '--protocol', './nowhere.mjs']);
    expect(outcome.code).toBe(2);
    expect(oneLine(outcome.stderr)).toMatch(/^--protocol: no module at .*nowhere\.mjs$/);
  });

  it("the meta line's config is validated by the definition's schema: file:1 and the config path", async () => {
    const { trace } = await traced(join(REGISTER_SCENARIOS, 'register.yaml'), 'config');
    const edited = editTrace(trace, 'bad-config.jsonl', (lines) => {
      lines[0]!['config'] = { retryMs: 0 };
    });
    const outcome = await runCli(['check', edited, '--protocol', REGISTER]);
    expect(outcome.code).toBe(2);
    expect(oneLine(outcome.stderr)).toMatch(/bad-config\.jsonl:1: config\.retryMs: Too small: expected number to be >=1$/);
  });

  it('an event its checks cannot read is exit 2, one line naming file:line, no stack trace', async () => {
    const { trace } = await traced(join(REGISTER_SCENARIOS, 'register.yaml'), 'unreadable');
    let line = 0;
    const edited = editTrace(trace, 'unreadable-event.jsonl', (lines) => {
      line = lines.findIndex((event) => event['type'] === 'accept') + 1;
      lines[line - 1]!['ballot'] = null;
    });
    const outcome = await runCli(['check', edited, '--protocol', REGISTER]);
    expect(outcome.code).toBe(2);
    expect(oneLine(outcome.stderr)).toMatch(new RegExp(`unreadable-event\\.jsonl:${line}: protocol register's checks cannot read this event: `));
  });

  it('a fault naming an unknown node is still validated (liveness reads faults)', async () => {
    const { trace } = await traced(join(REGISTER_SCENARIOS, 'register.yaml'), 'fault');
    const edited = editTrace(trace, 'bad-fault.jsonl', (lines) => {
      lines.find((event) => event['type'] === 'crash')!['node'] = 'Z';
    });
    const outcome = await runCli(['check', edited, '--protocol', REGISTER]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/bad-fault\.jsonl:\d+: crash\.node: "Z" is not a node in the meta line/);
  });

  it('a built-in trace is checked as before, with or without --protocol naming it', async () => {
    const { trace } = await traced(join(ROOT, 'scenarios', 'seed-example.yaml'), 'builtin');
    const plain = await runCli(['check', trace, '--json']);
    const named = await runCli(['check', trace, '--protocol', 'paxos', '--json']);
    expect(plain.code).toBe(0);
    expect(named.stdout).toBe(plain.stdout);
    expect(JSON.parse(plain.stdout)).not.toHaveProperty('protocol');
  });
});
