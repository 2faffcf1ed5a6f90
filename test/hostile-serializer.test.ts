import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/run/runner.js';
import type { AnyTraceEvent } from '../src/sim/events.js';
import { StringSink, TraceSerializer } from '../src/trace/trace-writer.js';
import { shippedScenario } from './helpers/scenario.js';

/** What the trace writer prints for these events, and its hash. */
function written(events: readonly object[]): { text: string; hash: string | null } {
  const sink = new StringSink();
  const serializer = new TraceSerializer([sink], true);
  for (const event of events) serializer.event(event as AnyTraceEvent);
  const hash = serializer.finish();
  return { text: sink.text(), hash };
}

function stringified(events: readonly object[]): string {
  return events.map((event) => JSON.stringify(event) + '\n').join('');
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

describe('trace events written from their shapes (event-json)', () => {
  it('prints every event of every shipped scenario, seeds 1–4, as JSON.stringify does, and hashes those bytes', () => {
    for (const name of fs.readdirSync('scenarios').filter((file) => file.endsWith('.yaml'))) {
      const scenario = shippedScenario(name.replace(/\.yaml$/, ''));
      for (const seed of [1, 2, 3, 4]) {
        const events: AnyTraceEvent[] = [];
        const sink = new StringSink();
        const result = runScenario(scenario, { seed, traceSinks: [sink], observe: (event) => events.push(event) });
        const expected = JSON.stringify(result.meta) + '\n' + stringified(events);
        expect(sink.text(), `${name} seed ${seed}`).toBe(expected);
        expect(result.traceHash).toBe(sha256(expected));
      }
    }
  });

  it('events and messages that only look like Paxos ones are stringified whole: other key orders, extra or missing keys, other value kinds', () => {
    const odd: object[] = [
      { t: 1, type: 'send', from: 'A', to: 'B', id: 1, msg: { ballot: [1, 'A'], type: 'prepare' } },
      { t: 1, type: 'send', from: 'A', to: 'B', id: 2, msg: { type: 'prepare', ballot: [1, 'A'], slot: 3 } },
      { t: 1, type: 'send', from: 'A', to: 'B', id: 3, msg: { type: 'accept', ballot: [1, 'A'] } },
      { t: 1, type: 'deliver', from: 'A', to: 'B', id: 4, msg: { type: 'accept', ballot: { round: 1, node: 'A' }, value: 'X' } },
      { t: 1, type: 'deliver', from: 'A', to: 'B', id: 5, msg: { type: 'accept', ballot: [1, 'A', 'extra'], value: 'X' } },
      { t: 1, type: 'deliver', from: 'A', to: 'B', id: 6, msg: { type: 'decided', value: 7 } },
      { t: 1, type: 'deliver', from: 'A', to: 'B', id: 7, msg: { type: 'promise', ballot: [2, 'B'], accepted: { value: 'X', ballot: [1, 'A'] } } },
      { t: 1, type: 'deliver', from: 'A', to: 'B', id: 8, msg: { type: 'promise', ballot: [2, 'B'], accepted: undefined } },
      { t: 1, type: 'deliver', from: 'A', to: 'B', id: 9, msg: { type: 'accept', ballot: [Number.NaN, 'A'], value: 'X' } },
      { t: 1, type: 'deliver', from: 'A', to: 'B', id: 10, msg: { type: 'command', slot: 4, op: { kind: 'put', key: 'k', value: 'v' } } },
      { t: 1, type: 'deliver', from: 'A', to: 'B', id: 11, msg: { type: 'accept', ballot: [1, 'A'], value: 'X', toJSON: () => 'hidden' } },
      { t: 1, type: 'deliver', from: 'A', to: 'B', id: 12, msg: [1, 2] },
      { t: 1, type: 'deliver', from: 'A', to: 'B', id: 13, msg: 'text' },
      { t: 1, type: 'deliver', from: 'A', to: 'B', id: 14 },
      { type: 'deliver', t: 1, from: 'A', to: 'B', id: 15, msg: { type: 'catchup' } },
      { t: 1.5, type: 'drop', from: 'A', to: 'B', id: -0, reason: 'random' },
      { t: Number.POSITIVE_INFINITY, type: 'duplicate', from: 'A', to: 'B', id: 16 },
      { t: 2, type: 'promise', node: 'A', ballot: [1, 'A'], extra: null },
      { t: 2, type: 'accept', node: 'A', slot: 1, ballot: [1, 'A'], command: { op: 'noop' } },
      { t: 2, type: 'learn', node: 'A', value: undefined },
      { t: 2, type: 'timer', node: 'A', timer: 'retry', extra: 1 },
    ];
    const { text, hash } = written(odd);
    expect(text).toBe(stringified(odd));
    expect(hash).toBe(sha256(text));
  });

  it('non-ASCII and escaped text gets the same bytes as UTF-8 JSON (names, values, lone surrogates, control characters)', () => {
    const names = ['Ä', '節點', '\u{1F600}', '\ud800', 'a"b\\c', '\u0000\n\u001b', '\u2028', '__proto__'];
    const events: object[] = [];
    for (const name of names) {
      events.push({ t: 1, type: 'send', from: name, to: 'B', id: 1, msg: { type: 'accept', ballot: [1, name], value: name } });
      events.push({ t: 1, type: 'learn', node: 'B', value: name });
      // An ASCII-only stretch after the non-ASCII one: the next chunk may take the fast encoding again.
      events.push({ t: 2, type: 'timer', node: 'B', timer: 'retry' });
    }
    const { text, hash } = written(events);
    expect(text).toBe(stringified(events));
    expect(hash).toBe(sha256(stringified(events)));
  });
});

describe('the writers fast paths at their edges (digit table, int arithmetic, word-wide pieces, fault events)', () => {
  /** Numbers on each side of every fast path: the digit table (below 10,000), 32-bit ints, the plain-digit limit, and what JSON prints otherwise. */
  const EDGE_NUMBERS = [0, -0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10_000, 10_001, 99_999, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32, -1, -9, -9999, -10_000, -(2 ** 31), 1e15 - 1, 1e15, 1e21, 0.5, 9999.5, -0.001, Number.NaN, Number.NEGATIVE_INFINITY];

  it('prints every numeric field of every known event and message as JSON does, at each fast path edge', () => {
    const events: object[] = [];
    for (const n of EDGE_NUMBERS) {
      events.push({ t: n, type: 'send', from: 'A', to: 'B', id: n, msg: { type: 'prepare', ballot: [n, 'A'] } });
      events.push({ t: n, type: 'deliver', from: 'A', to: 'B', id: n, msg: { type: 'promise', ballot: [n, 'B'], accepted: { ballot: [n, 'A'], value: 'X' } } });
      events.push({ t: n, type: 'deliver', from: 'A', to: 'B', id: n, msg: { type: 'nack', ballot: [n, 'B'], promised: [n, 'C'] } });
      events.push({ t: n, type: 'duplicate', from: 'A', to: 'B', id: n });
      events.push({ t: n, type: 'adopt', node: 'A', ballot: [n, 'A'], value: 'X', from: [n, 'B'] });
      events.push({ t: n, type: 'chosen', value: 'X', ballot: [n, 'A'] });
      events.push({ t: n, type: 'drift', node: 'A', rate: n });
      events.push({ t: n, type: 'heal' });
    }
    const { text, hash } = written(events);
    expect(text).toBe(stringified(events));
    expect(hash).toBe(sha256(text));
  });

  it('writes fault events from their shapes, and stringifies odd ones whole', () => {
    const sparse: string[][] = [['A'], ['B']];
    delete (sparse as unknown as Record<number, unknown>)[1];
    const events: object[] = [
      { t: 1, type: 'crash', node: 'A' },
      { t: 2, type: 'restart', node: 'A' },
      { t: 3, type: 'pause', node: 'B' },
      { t: 4, type: 'resume', node: 'B' },
      { t: 5, type: 'partition', groups: [['A', 'B'], ['C', 'D', 'E']] },
      { t: 6, type: 'partition', groups: [] },
      { t: 7, type: 'partition', groups: [[], ['Ä"\\']] },
      { t: 8, type: 'heal' },
      { t: 9, type: 'cut', from: 'A', to: 'B' },
      { t: 10, type: 'drift', node: 'C', rate: 0.8 },
      { t: 11, type: 'request-lost', node: 'D', value: 'X' },
      // Odd shapes: other value kinds, holes, toJSON, extra or missing keys, other key orders.
      { t: 12, type: 'crash', node: 7 },
      { t: 13, type: 'restart', node: 'A', incarnation: 2 },
      { type: 'pause', t: 14, node: 'B' },
      { t: 15, type: 'partition', groups: [['A', 1]] },
      { t: 16, type: 'partition', groups: sparse },
      { t: 17, type: 'partition', groups: [['A'], Object.assign(['B'], { toJSON: () => 'hidden' })] },
      { t: 18, type: 'partition', groups: 'A|B' },
      { t: 19, type: 'partition', groups: [[['A']]] },
      { t: 20, type: 'heal', extra: true },
      { t: 21, type: 'cut', from: 'A' },
      { t: 22, type: 'drift', node: 'C', rate: '0.8' },
      { t: 23, type: 'request-lost', node: 'D', value: null },
      { t: '24', type: 'heal' },
    ];
    const { text, hash } = written(events);
    expect(text).toBe(stringified(events));
    expect(hash).toBe(sha256(text));
  });

  it('a partition of many long names outgrows the line reservation and crosses chunk boundaries, byte for byte', () => {
    // Short ASCII names are written inline, long or wide ones from the quoted cache: both must find room.
    const names = Array.from({ length: 300 }, (_, index) => `node-${'x'.repeat(20)}-${index}`);
    const wideNames = Array.from({ length: 30 }, (_, index) => `節${'x'.repeat(400)}${index}`);
    const events: object[] = [];
    // Fillers of growing size, so the long partition line starts anywhere in a chunk, at its end too.
    for (let fillerChars = 0; fillerChars < 70_000; fillerChars += 2001) {
      events.push({ t: 0, type: 'learn', node: 'F', value: 'f'.repeat(fillerChars) });
      events.push({ t: 1, type: 'partition', groups: [names.slice(0, 150), wideNames, names.slice(150)] });
      events.push({ t: 2, type: 'send', from: 'A', to: 'B', id: 9999, msg: { type: 'accepted', ballot: [10_000, 'A'], value: 'X' } });
    }
    const { text, hash } = written(events);
    expect(text).toBe(stringified(events));
    expect(hash).toBe(sha256(text));
  });

  it('the fingerprint line ([index,event]) takes the same number paths', () => {
    const sink = new StringSink();
    const serializer = new TraceSerializer([sink], false);
    const event = { t: 9999, type: 'learn', node: 'A', value: 'X' };
    const expected: string[] = [];
    for (const index of EDGE_NUMBERS) {
      serializer.indexedEvent(index, event as AnyTraceEvent);
      expected.push(JSON.stringify([index, event]) + '\n');
    }
    serializer.finish();
    expect(sink.text()).toBe(expected.join(''));
  });
});
