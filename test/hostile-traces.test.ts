import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTrace } from '../src/check/check-trace.js';
import { runFuzzSeed } from '../src/run/fuzz-seed.js';
import { runScenario, traceLines } from '../src/run/runner.js';
import { readTrace } from '../src/trace/read-trace.js';
import { MAX_TRACE_LINE_BYTES, readTraceLines } from '../src/trace/trace-file.js';
import { StringSink, TRACE_CHUNK_CHARS, TraceSerializer } from '../src/trace/trace-writer.js';
import { runCli } from './helpers/cli.js';
import { shippedScenario } from './helpers/scenario.js';
import { writeTraceFile } from './helpers/trace-files.js';

/**
 * Traces that would hurt a reader that holds the whole file or builds
 * messages from whole node lists, and the streamed writing and reading that
 * replaced it.
 */

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paxsim-hostile-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every stderr line, which must be short: a message names a few nodes, never a whole list. */
function boundedLines(stderr: string): string[] {
  const lines = stderr.trimEnd().split('\n');
  for (const line of lines) expect(line.length, line.slice(0, 200)).toBeLessThan(400);
  return lines;
}

describe('paxsim check on hostile traces', () => {
  it('a 20,000-node meta line and 20,000 bad lines: short messages, the first 20 and a count', async () => {
    const nodes = Array.from({ length: 20_000 }, (_, index) => `n${index}`);
    const meta = JSON.stringify({ type: 'meta', nodes });
    const bad = Array.from({ length: 20_000 }, (_, index) => JSON.stringify({ t: index, type: 'crash', node: `ghost${index}` }));
    const file = writeTraceFile(dir, 'wide.jsonl', [meta, ...bad]);
    const result = await runCli(['check', file]);
    expect(result.code).toBe(2);
    const lines = boundedLines(result.stderr);
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe(`${file}:2: crash.node: "ghost0" is not a node in the meta line (nodes: n0, n1, n2, n3, n4, n5, n6, n7, … and 19992 more)`);
    expect(lines[20]).toBe(`${file}: … and 19980 more problems`);
  }, 60_000);

  it('names a few role members, not all, when an event comes from a node without the role', () => {
    const nodes = Array.from({ length: 1000 }, (_, index) => `n${index}`);
    const read = readTrace(
      [JSON.stringify({ type: 'meta', nodes, acceptors: nodes.slice(1) }), JSON.stringify({ t: 0, type: 'promise', node: 'n0', ballot: [1, 'n1'] })].join('\n'),
      'roles.jsonl',
    );
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.errors).toEqual([`roles.jsonl:2: promise.node: "n0" is not one of the meta line's acceptors (n1, n2, n3, n4, n5, n6, n7, n8, … and 991 more)`]);
  });

  it('a meta line listing 20,000 nodes twice: each duplicate found (a set, not a scan per node), messages capped', async () => {
    const nodes = Array.from({ length: 20_000 }, (_, index) => `n${index}`);
    const file = writeTraceFile(dir, 'twice.jsonl', [{ type: 'meta', nodes: [...nodes, ...nodes] }]);
    const result = await runCli(['check', file]);
    expect(result.code).toBe(2);
    const lines = boundedLines(result.stderr);
    expect(lines[0]).toBe(`${file}:1: nodes[20000]: "n0" is listed twice`);
    expect(lines.at(-1)).toBe(`${file}: … and 19980 more problems`);
  }, 60_000);

  it('/dev/zero (no newline, no end): exit 2 at the line cap, one line, without reading on', async () => {
    const result = await runCli(['check', '/dev/zero']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`/dev/zero:1: line longer than ${MAX_TRACE_LINE_BYTES} bytes; a trace line is one JSON event (is this a trace file?)\n`);
  });

  it('caps the line length with file:line', () => {
    const file = path.join(dir, 'long-line.jsonl');
    fs.writeFileSync(file, `{"type":"meta","nodes":["A"]}\n{"t":0,"type":"heal","pad":"${'x'.repeat(200)}"}\n`);
    const lines: string[] = [];
    expect(readTraceLines(file, (line) => lines.push(line), { maxLineBytes: 100, chunkBytes: 16 })).toBe(`${file}:2: line longer than 100 bytes; a trace line is one JSON event (is this a trace file?)`);
    expect(lines).toEqual(['{"type":"meta","nodes":["A"]}']);
  });

  it('a directory as the trace: exit 2, one line', async () => {
    const result = await runCli(['check', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${dir}: cannot read the trace (is a directory)\n`);
  });

  it('a FIFO as the trace: exit 2, one line, without waiting for a writer', async () => {
    const fifo = path.join(dir, 'pipe.jsonl');
    execFileSync('mkfifo', [fifo]);
    const result = await runCli(['check', fifo]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${fifo}: cannot read the trace (is a FIFO (named pipe); a trace must be a file)\n`);
  });

  it('a missing file: exit 2, one line', async () => {
    const result = await runCli(['check', path.join(dir, 'nope.jsonl')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${path.join(dir, 'nope.jsonl')}: cannot read the trace (no such file)\n`);
  });
});

describe('reading a trace file line by line', () => {
  it('gives the same lines as splitting the text, whatever the read size: multi-byte characters, CRLF, no final newline', () => {
    const text = '{"type":"meta","nodes":["Ä","B"]}\r\n{"t":0,"type":"heal","note":"日本語 ✓"}\n\n{"t":1,"type":"heal"}';
    const file = path.join(dir, 'split.jsonl');
    fs.writeFileSync(file, text);
    for (const chunkBytes of [1, 2, 3, 7, 64, 1 << 20]) {
      const lines: [string, number][] = [];
      expect(readTraceLines(file, (line, lineNumber) => lines.push([line, lineNumber]), { chunkBytes })).toBeNull();
      expect(lines).toEqual(text.split('\n').map((line, index) => [line.replace(/\r$/, ''), index + 1]));
    }
  });

  it('check of a streamed file agrees with checking the whole trace in memory (Paxos with a violation, Multi-Paxos with liveness)', async () => {
    const cases = [
      { scenario: shippedScenario('fuzz-default'), seed: 3, bug: 'same-ballot', liveness: undefined },
      { scenario: shippedScenario('leader-partitioned'), seed: 1, bug: undefined, liveness: 2000 },
    ];
    for (const { scenario, seed, bug, liveness } of cases) {
      const result = runScenario(scenario, { seed, bug, record: true });
      const file = path.join(dir, `${scenario.name}.jsonl`);
      fs.writeFileSync(file, traceLines(result).join('\n') + '\n');
      const read = readTrace(fs.readFileSync(file, 'utf8'), file);
      if (!read.ok) throw new Error(read.errors.join('\n'));
      const inMemory = checkTrace(read.meta, read.events, { livenessWithinMs: liveness });
      const cli = await runCli(['check', file, '--json', ...(liveness === undefined ? [] : ['--liveness-within', String(liveness)])]);
      const json = JSON.parse(cli.stdout) as { events: number; violations: { checker: string; event: number }[] };
      expect(json.events).toBe(inMemory.eventCount);
      expect(json.violations.map((violation) => [violation.checker, violation.event])).toEqual(inMemory.violations.map((violation) => [violation.checker, violation.event]));
      expect(cli.code).toBe(inMemory.violations.length > 0 ? 1 : 0);
    }
  });
});

describe('writing a trace as the run goes', () => {
  it('hands the trace to its sinks in chunks during the run; their bytes are the trace, and traceHash is their sha256', () => {
    const scenario = shippedScenario('multipaxos-kv');
    const chunks: string[] = [];
    let eventsWhenFirstChunk = -1;
    let eventsSeen = 0;
    const result = runScenario(scenario, {
      seed: 1,
      traceSinks: [{ write: (text) => {
        if (chunks.length === 0) eventsWhenFirstChunk = eventsSeen;
        chunks.push(text);
      } }],
      observe: () => {
        eventsSeen += 1;
      },
    });
    const text = chunks.join('');
    expect(chunks.length).toBeGreaterThan(1);
    expect(eventsWhenFirstChunk).toBeLessThan(result.eventCount);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBeGreaterThanOrEqual(TRACE_CHUNK_CHARS);
    expect(text).toBe(traceLines(runScenario(scenario, { seed: 1, record: true })).join('\n') + '\n');
    expect(createHash('sha256').update(text).digest('hex')).toBe(result.traceHash);
  });

  it('writes every event of every shipped scenario as JSON.stringify did when it was emitted (the short way for network events changes no byte)', () => {
    for (const name of fs.readdirSync('scenarios').filter((file) => file.endsWith('.yaml'))) {
      const scenario = shippedScenario(name.replace(/\.yaml$/, ''));
      for (const seed of [1, 2]) {
        const expected: string[] = [];
        const sink = new StringSink();
        const result = runScenario(scenario, { seed, traceSinks: [sink], observe: (event) => expected.push(JSON.stringify(event)) });
        expect(sink.text()).toBe([JSON.stringify(result.meta), ...expected].join('\n') + '\n');
      }
    }
  });

  it('a network event of another shape (keys in another order, extra keys) is stringified whole', () => {
    const odd = [
      { type: 'send', t: 1, from: 'A', to: 'B', id: 1, msg: { type: 'prepare' } },
      { t: 1, type: 'drop', from: 'A', to: 'B', id: 2, reason: 'random', extra: true },
      { t: 1, type: 'deliver', from: 'A', to: 'B', id: 1.5, msg: {} },
      { t: 2, type: 'duplicate', from: 'A', to: 'B', id: 3 },
      { t: 2, type: 'send', from: 'A', to: 'B', id: 4, msg: undefined },
      { t: 2, type: 'drop', from: 'A', to: 'B', id: 5, reason: undefined },
      { t: 2, type: 'deliver', from: 'A', to: 'B', id: 6, msg: 'text' },
    ];
    const sink = new StringSink();
    const serializer = new TraceSerializer([sink], false);
    for (const event of odd) serializer.event(event as never);
    serializer.finish();
    expect(sink.text()).toBe(odd.map((event) => JSON.stringify(event) + '\n').join(''));
  });

  it('paxsim run --trace writes the file the hash is of, and check reads it back', async () => {
    const file = path.join(dir, 'run.jsonl');
    const run = await runCli(['run', 'scenarios/lossy-network.yaml', '--trace', file, '--json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { traceHash: string; events: number };
    expect(createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(summary.traceHash);
    const check = await runCli(['check', file, '--json']);
    expect(check.code).toBe(0);
    expect((JSON.parse(check.stdout) as { events: number }).events).toBe(summary.events);
  });

  it('an output path that cannot be opened fails before the run, exit 2, one line naming the flag', async () => {
    // Missing directories are made (see hostile-outputs); a path under a regular file can never be.
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, 'not a directory');
    const result = await runCli(['run', 'scenarios/seed-example.yaml', '--html', path.join(blocker, 'x.html'), '--quiet']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`--html ${path.join(blocker, 'x.html')}`);
  });
});

describe('the fuzzer determinism fingerprint', () => {
  const scenario = shippedScenario('fuzz-default');

  it('is the same for the same seed whether network events are traced or not, and differs between seeds', () => {
    const quiet = runScenario(scenario, { seed: 5, hash: false, fingerprint: true });
    const traced = runScenario(scenario, { seed: 5, record: true, fingerprint: true });
    expect(quiet.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(traced.fingerprint).toBe(quiet.fingerprint);
    expect(runScenario(scenario, { seed: 6, hash: false, fingerprint: true }).fingerprint).not.toBe(quiet.fingerprint);
    expect(quiet.traceHash).toBeNull();
  });

  it('fuzz rechecks a seed by fingerprint: the same seed agrees, with or without a planted bug', () => {
    for (const bug of [undefined, 'same-ballot']) {
      for (const seed of [1, 2, 3]) expect(runFuzzSeed(scenario, seed, { bug, checkDeterminism: true }).deterministic).toBe(true);
    }
    expect(runFuzzSeed(scenario, 1).deterministic).toBeNull();
  });
});
