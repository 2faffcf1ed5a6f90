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
