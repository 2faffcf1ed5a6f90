import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { violationKind } from '../src/check/violation-kind.js';
import { runChunk, seedResultsOf } from '../src/run/fuzz-worker.js';
import { defineProtocol } from '../src/run/protocol-definition.js';
import { runCli } from './helpers/cli.js';
import { shippedScenario } from './helpers/scenario.js';
import { useTempDir } from './helpers/temp-dir.js';

/**
 * A user protocol is code paxsim does not trust (issue 10, and "no wrong
 * verdict, no lost failure"): values crossing its boundary are copied like a
 * network or a disk would, so aliasing cannot hide a forgotten persist or
 * change a message in flight; a handler that throws is a failure of that
 * seed (kept, shrunk, replayable), not bad input that loses it.
 */

const temp = useTempDir('paxsim-user-protocols-');
let dirCount = 0;

/** A fresh subdirectory of the file's scratch directory. */
function makeTempDir(): string {
  dirCount += 1;
  const dir = join(temp.path, `case-${dirCount}`);
  mkdirSync(dir);
  return dir;
}

const LATE_CLOCK = join(import.meta.dirname, 'fixtures', 'protocols', 'late-clock.js');
const ALIASING = join(import.meta.dirname, 'fixtures', 'protocols', 'aliasing.js');

function scenario(dir: string, config: string, extra = ''): string {
  const file = join(dir, `aliasing-${readdirSync(dir).length}.yaml`);
  writeFileSync(file, `name: aliasing\nprotocol: ${ALIASING}\nnodes: [A, B, C]\nconfig: ${config}\nproposals:\n  - { at: 0, node: A, value: X }\n${extra}`);
  return file;
}

interface Line {
  readonly type: string;
  readonly node?: string;
  readonly n?: number;
  readonly promised?: number;
  readonly checker?: string;
}

function traceOf(file: string): Line[] {
  return readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Line);
}

describe('values crossing a user protocol boundary are copies', () => {
  it('a message changed by its sender after send arrives as sent, and a receiver changing it does not touch the other copies', async () => {
    const dir = makeTempDir();
    const trace = join(dir, 'trace.jsonl');
    const outcome = await runCli(['run', scenario(dir, '{ does: mutate-after-send }'), '--quiet', '--trace', trace]);
    expect(outcome.code).toBe(0);
    const got = traceOf(trace).filter((line) => line.type === 'got');
    expect(got).toHaveLength(3);
    expect(got.map((line) => line.n)).toEqual([1, 1, 1]);
  });

  it('a record changed in memory after it was written does not survive a crash (a forgotten persist shows)', async () => {
    const dir = makeTempDir();
    const trace = join(dir, 'trace.jsonl');
    const faults = 'faults:\n  - { at: 100, crash: B }\n  - { at: 200, restart: B }\n';
    const outcome = await runCli(['run', scenario(dir, '{ does: mutate-after-write }', faults), '--quiet', '--trace', trace]);
    expect(outcome.code).toBe(0);
    const recovered = traceOf(trace).filter((line) => line.type === 'recovered');
    expect(recovered).toEqual([expect.objectContaining({ node: 'B', promised: 1 })]);
  });

  it('a message that is not plain data is one line naming the node, the handler and the path (exit 2)', async () => {
    const dir = makeTempDir();
    const outcome = await runCli(['run', scenario(dir, '{ does: map-message }'), '--quiet']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr.trimEnd().split('\n')).toEqual([
      'paxsim: protocol aliasing: node A in onRequest: the message to A.n is a Map, not plain data (use arrays and plain objects); messages, stored records, observations and requests must be plain data',
    ]);
  });

  it('an observation may not write the node or time paxsim writes (it would let a node speak for another)', async () => {
    const dir = makeTempDir();
    const outcome = await runCli(['run', scenario(dir, '{ does: node-field }'), '--quiet']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('the observation has a field "node", which paxsim writes itself');
  });
});

describe('a handler that throws is a failure of that seed', () => {
  it('run: the no-exceptions checker fails, the run stops at the throw, the trace says which node and handler (exit 1)', async () => {
    const dir = makeTempDir();
    const trace = join(dir, 'trace.jsonl');
    const outcome = await runCli(['run', scenario(dir, '{ does: throw-on, throwAfter: 1 }'), '--trace', trace]);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toMatch(/✗ no-exceptions +[ABC] threw in onMessage: Error: boom after 2 messages/);
    const lines = traceOf(trace);
    const thrownAt = lines.findIndex((line) => line.type === 'exception');
    expect(thrownAt).toBeGreaterThan(0);
    expect(lines[thrownAt + 1]).toMatchObject({ type: 'violation', checker: 'no-exceptions' });
    expect(lines).toHaveLength(thrownAt + 2);
    // The trace alone carries the finding: `check` with the module judges it the same way.
    const checked = await runCli(['check', trace, '--protocol', ALIASING]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(/✗ no-exceptions +[ABC] threw in onMessage: Error: boom after 2 messages/);
  });

  it('fuzz keeps the failing seed, shrinks it to the same exception and writes a file that replays it (it was exit 2 with no seed)', async () => {
    const dir = makeTempDir();
    const out = join(dir, 'failures');
    const file = scenario(dir, '{ does: throw-on, throwAfter: 2 }', 'nemesis: { kinds: [crash, partition] }\n');
    const outcome = await runCli(['fuzz', file, '--seeds', '3', '--workers', '1', '--no-progress', '--out', out]);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toContain('no-exceptions');
    const shrunk = readdirSync(out).find((name) => name.endsWith('.min.yaml'));
    expect(shrunk).toBeDefined();
    const replay = await runCli(['run', join(out, shrunk!), '--quiet', '--json']);
    expect(replay.code).toBe(1);
    const verdict = JSON.parse(replay.stdout) as { violations: { checker: string; message: string }[] };
    expect(verdict.violations.map((violation) => violation.checker)).toEqual(['no-exceptions']);
    expect(verdict.violations[0]!.message).toMatch(/threw in onMessage: Error: boom after 3 messages$/);
  });

  it('a contract breach at a later seed stops fuzzing with one line naming that seed, after writing what earlier seeds found (it lost them)', async () => {
    const dir = makeTempDir();
    const file = join(dir, 'late-clock.yaml');
    writeFileSync(file, `name: late-clock\nprotocol: ${LATE_CLOCK}\nnodes: [A, B, C]\nnemesis: { kinds: [crash] }\n`);
    const stderrs: string[] = [];
    for (const workers of ['1', '2']) {
      const out = join(dir, `failures-${workers}`);
      const outcome = await runCli(['fuzz', file, '--seeds', '200', '--keep-going', '--no-shrink', '--workers', workers, '--no-progress', '--out', out]);
      expect(outcome.code).toBe(2);
      const lines = outcome.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^paxsim: fuzz stopped at late-clock seed \d+: protocol late-clock: node [ABC] called Math\.random\(\) in onMessage, .* \(rerun: paxsim fuzz .* --from \d+ --seeds 1\)$/);
      expect(outcome.stdout).toMatch(/── fuzz summary \(stopped at late-clock seed \d+, which could not be run\) ──/);
      expect(readdirSync(out).filter((name) => name.endsWith('.yaml')).length).toBeGreaterThan(0);
      stderrs.push(lines[0]!);
    }
    // The seed it stops at is the first in seed order, whatever the worker count.
    expect(stderrs[1]).toBe(stderrs[0]);
  });

  it('paxsim failing inside a seed is reported as that seed, internal (exit 3 path), not thrown out of the worker', () => {
    const scenario = { ...shippedScenario('seed-example'), protocol: 'not-registered' };
    const result = runChunk({ scenarios: [scenario], bug: undefined, determinismEvery: 0 }, { scenarioIndex: 0, seeds: [1, 2] });
    expect(seedResultsOf(scenario.name, result)).toHaveLength(0);
    expect(result.aborted).toMatchObject({ seed: 1, kind: 'internal' });
    expect(result.aborted!.message).toContain('not-registered');
  });

  it('the shrinker keeps the handler and the error, not the node or the numbers', () => {
    // The shape is the protocol definition's reading of its own checker (no-exceptions), as the shrinker asks it.
    const definition = defineProtocol({ name: 'kinds', createNode: () => ({ start() {}, recover() {}, onMessage() {}, onTimer() {}, onRequest() {}, volatileState: () => ({}) }) });
    const kind = (message: string): string => violationKind({ checker: 'no-exceptions', message }, definition.violationShape);
    expect(kind('A threw in onMessage: Error: boom at slot 3')).toBe(kind('C threw in onMessage: Error: boom at slot 12'));
    expect(kind('A threw in onMessage: Error: boom')).not.toBe(kind('A threw in onTimer: Error: boom'));
    expect(kind('A threw in onMessage: TypeError: x is undefined')).not.toBe(kind('A threw in onMessage: Error: boom'));
  });
});
