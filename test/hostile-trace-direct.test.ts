import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PAXOS_BUGS } from '../src/protocols/paxos/config.js';
import { runScenario, type RunOptions, type RunResult } from '../src/run/runner.js';
import type { Scenario } from '../src/scenario/scenario.js';
import { StringSink, TraceSerializer } from '../src/trace/trace-writer.js';
import { shippedScenario } from './helpers/scenario.js';

/**
 * A traced run whose network events only the trace writer reads gets them
 * as fields, straight from the simulator (no event object). Everything it
 * produces must be what the object path produces: the bytes, the hash, the
 * event count, the violations with their indexes, the fingerprint.
 */

/** One run writing its trace to a string; `record` forces the object path (the recorded events are objects). */
function traced(scenario: Scenario, options: RunOptions & { record: boolean }): { result: RunResult; text: string; directLines: number } {
  const sink = new StringSink();
  const send = vi.spyOn(TraceSerializer.prototype, 'send');
  const deliver = vi.spyOn(TraceSerializer.prototype, 'deliver');
  try {
    const result = runScenario(scenario, { ...options, traceSinks: [sink], fingerprint: true });
    return { result, text: sink.text(), directLines: send.mock.calls.length + deliver.mock.calls.length };
  } finally {
    send.mockRestore();
    deliver.mockRestore();
  }
}

/** The direct path and the object path agree on everything a run reports; returns the direct run. */
function expectSameRun(scenario: Scenario, options: RunOptions, label: string): { result: RunResult; text: string; directLines: number } {
  const direct = traced(scenario, { ...options, record: false });
  const objects = traced(scenario, { ...options, record: true });
  expect(objects.directLines, `${label}: the recorded run builds every event`).toBe(0);
  expect(direct.text, label).toBe(objects.text);
  expect(direct.result.traceHash, label).toBe(objects.result.traceHash);
  expect(direct.result.eventCount, label).toBe(objects.result.eventCount);
  expect(direct.result.violations, label).toEqual(objects.result.violations);
  expect(direct.result.fingerprint, label).toBe(objects.result.fingerprint);
  expect(direct.result.outcome, label).toEqual(objects.result.outcome);
  return direct;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('network events written straight from the simulator (no event object)', () => {
  it('every shipped scenario, seeds 1–3: the same trace bytes, hash, counts, violations and fingerprint as the object path', () => {
    let directScenarios = 0;
    for (const name of fs.readdirSync('scenarios').filter((file) => file.endsWith('.yaml'))) {
      const scenario = shippedScenario(name.replace(/\.yaml$/, ''));
      for (const seed of [1, 2, 3]) {
        const direct = expectSameRun(scenario, { seed }, `${name} seed ${seed}`);
        if (direct.directLines > 0) directScenarios += 1;
        // Only single-decree Paxos takes the direct path: its checkers read no network event.
        if (scenario.protocol !== 'paxos') expect(direct.directLines, `${name}: object path`).toBe(0);
      }
    }
    expect(directScenarios).toBeGreaterThan(10);
  });

  it('a liveness deadline that passes at a network event is found at that event, with or without stopping there', () => {
    const base = shippedScenario('fuzz-default');
    // A 1 ms deadline passes during traffic: the checks must see each written network event's time and index.
    const impatient: Scenario = { ...base, expect: { ...base.expect, liveness: { withinMs: 1 } } };
    let atNetworkLine = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const stopOnViolation of [false, true]) {
        const { result, text, directLines } = expectSameRun(impatient, { seed, stopOnViolation }, `seed ${seed} stop ${stopOnViolation}`);
        expect(directLines).toBeGreaterThan(0);
        const liveness = result.violations.find((violation) => violation.checker === 'liveness');
        if (liveness === undefined) continue;
        // Line 0 is the meta line: event index i is line i + 1.
        const line = JSON.parse(text.split('\n')[liveness.event + 1]!) as { type: string };
        if (['send', 'deliver', 'drop', 'duplicate', 'timer'].includes(line.type)) atNetworkLine += 1;
      }
    }
    expect(atNetworkLine).toBeGreaterThan(0);
  });

  it('every planted Paxos bug, seeds 1–4, stopping at the first violation or not: the same verdicts at the same indexes', () => {
    const scenario = shippedScenario('fuzz-default');
    let violations = 0;
    for (const bug of Object.keys(PAXOS_BUGS)) {
      for (const seed of [1, 2, 3, 4]) {
        for (const stopOnViolation of [false, true]) {
          const { result } = expectSameRun(scenario, { seed, bug, stopOnViolation }, `${bug} seed ${seed} stop ${stopOnViolation}`);
          violations += result.violations.length;
        }
      }
    }
    expect(violations).toBeGreaterThan(0);
  });

  it('a trace-event bound that falls among network events stops both paths at the same line', () => {
    const scenario = shippedScenario('fuzz-default');
    for (const maxTraceEvents of [1, 7, 50, 333]) expectSameRun(scenario, { seed: 2, maxTraceEvents }, `max ${maxTraceEvents}`);
  });
});

describe('the network line writers, from fields', () => {
  /** Writes each event through its field writer and returns the text. */
  function writtenFromFields(events: readonly Record<string, unknown>[]): string {
    const sink = new StringSink();
    const serializer = new TraceSerializer([sink], false);
    for (const e of events) {
      const { t, from, to, id } = e as { t: number; from: string; to: string; id: number };
      if (e['type'] === 'send') serializer.send(t, from, to, id, e['msg']);
      else if (e['type'] === 'deliver') serializer.deliver(t, from, to, id, e['msg']);
      else if (e['type'] === 'drop') serializer.drop(t, from, to, id, e['reason'] as string);
      else if (e['type'] === 'duplicate') serializer.duplicate(t, from, to, id);
      else serializer.timer(t, e['node'] as string, e['timer'] as string);
    }
    serializer.finish();
    return sink.text();
  }

  it('print exactly JSON.stringify of the event object, for odd messages, numbers and names too', () => {
    const names = ['A', 'Ä', '節點', '\ud800', 'a"b\\c', '\u0000\n\u001b', '__proto__', 'x'.repeat(2000)];
    const messages: unknown[] = [
      { type: 'prepare', ballot: [1, 'A'] },
      { ballot: [1, 'A'], type: 'prepare' },
      { type: 'accept', ballot: [1, 'A'], value: 'X', toJSON: () => 'hidden' },
      { type: 'command', slot: 4, op: { kind: 'put', key: 'k', value: 'v' } },
      { type: 'promise', ballot: [2, 'B'], accepted: undefined },
      [1, 2],
      'text',
      undefined,
    ];
    const events: Record<string, unknown>[] = [];
    for (const [position, name] of names.entries()) {
      for (const n of [0, 9999, 10_000, 2 ** 31, -1, 0.5, Number.NaN]) {
        events.push({ t: n, type: 'send', from: name, to: 'B', id: n, msg: messages[position % messages.length] });
        events.push({ t: n, type: 'deliver', from: 'A', to: name, id: n, msg: messages[(position + 3) % messages.length] });
        events.push({ t: n, type: 'drop', from: name, to: 'B', id: n, reason: name });
        events.push({ t: n, type: 'duplicate', from: 'A', to: name, id: n });
        events.push({ t: n, type: 'timer', node: name, timer: name });
      }
    }
    expect(writtenFromFields(events)).toBe(events.map((event) => JSON.stringify(event) + '\n').join(''));
  });
});
