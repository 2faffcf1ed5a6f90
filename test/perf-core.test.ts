import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/run/runner.js';
import type { AnyTraceEvent } from '../src/sim/events.js';
import { StringSink, TRACE_CHUNK_CHARS, TraceSerializer, type TextSink } from '../src/trace/trace-writer.js';
import { shippedScenario } from './helpers/scenario.js';

/**
 * The faster core (issue 9): trace lines are written as bytes into a reused
 * buffer with a per-event reservation, and the simulator counts sends by
 * type without a record store per send. These tests pin what those shortcuts
 * could get wrong.
 */

function stringified(lines: readonly unknown[]): string {
  return lines.map((line) => JSON.stringify(line) + '\n').join('');
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A sink that keeps copies of the bytes it is handed (they are a view of a reused buffer). */
class ByteSink implements TextSink {
  private readonly chunks: Buffer[] = [];
  write(text: string): void {
    this.chunks.push(Buffer.from(text, 'utf8'));
  }
  writeBytes(bytes: Buffer): void {
    this.chunks.push(Buffer.from(bytes));
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
  get chunkCount(): number {
    return this.chunks.length;
  }
}

describe('trace lines written as bytes', () => {
  it('writes known events with strings far longer than a line reservation, in and out of ASCII, byte for byte as JSON.stringify', () => {
    const long = 'v'.repeat(40_000);
    const longEscaped = '"\\\n'.repeat(700);
    const longWide = '節點\u{1F600}'.repeat(600);
    const events: object[] = [];
    // Fillers of growing size, so the long lines start anywhere in a chunk, at its end too, where the buffer must grow.
    for (let fillerChars = 0; fillerChars < TRACE_CHUNK_CHARS; fillerChars += 3001) {
      events.push({ t: 0, type: 'learn', node: 'F', value: 'f'.repeat(fillerChars) });
      for (const text of [long, longEscaped, longWide, 'x'.repeat(32), 'x'.repeat(33), 'é'.repeat(31)]) {
      events.push({ t: 1, type: 'send', from: text, to: 'B', id: 1, msg: { type: 'accept', ballot: [1, text], value: text } });
      events.push({ t: 2, type: 'deliver', from: 'A', to: text, id: 1, msg: { type: 'promise', ballot: [2, 'B'], accepted: { ballot: [1, text], value: text } } });
      events.push({ t: 3, type: 'adopt', node: text, ballot: [3, text], value: text, from: [1, text] });
      events.push({ t: 4, type: 'chosen', value: text, ballot: [3, text] });
      events.push({ t: 5, type: 'send', from: 'A', to: 'B', id: 2, msg: { type: 'user', payload: text } });
      }
    }
    const sink = new ByteSink();
    const serializer = new TraceSerializer([sink], true);
    for (const event of events) serializer.event(event as AnyTraceEvent);
    const hash = serializer.finish();
    expect(sink.text()).toBe(stringified(events));
    expect(hash).toBe(sha256(stringified(events)));
  });

  it('prints numbers exactly as JSON does: signs, -0, the digit/exponent edges, fractions, non-finite', () => {
    const numbers = [0, -0, 7, -7, 10, 99, 100, 2 ** 31, 2 ** 32 + 1, 1e15 - 1, -(1e15 - 1), 1e15, 2 ** 53, 1e21, 1.5, -0.25, 1e-7, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const events = numbers.flatMap((n) => [
      { t: n, type: 'drop', from: 'A', to: 'B', id: n, reason: 'random' },
      { t: 1, type: 'promise', node: 'A', ballot: [n, 'A'] },
    ]);
    const sink = new StringSink();
    const serializer = new TraceSerializer([sink], false);
    for (const event of events) serializer.event(event as AnyTraceEvent);
    serializer.indexedEvent(-0, events[0] as AnyTraceEvent);
    serializer.finish();
    expect(sink.text()).toBe(stringified(events) + JSON.stringify([-0, events[0]]) + '\n');
  });

  it('hands sinks whole lines in chunks of about 64 KB, and the chunks add up to the file', () => {
    const events = Array.from({ length: 3000 }, (_, index) => ({ t: index, type: 'learn', node: 'N', value: `value-${index}-${'w'.repeat(index % 90)}` }));
    const sink = new ByteSink();
    const serializer = new TraceSerializer([sink], true);
    for (const event of events) serializer.event(event as AnyTraceEvent);
    const hash = serializer.finish();
    const expected = stringified(events);
    expect(sink.text()).toBe(expected);
    expect(hash).toBe(sha256(expected));
    expect(sink.chunkCount).toBe(Math.ceil(Buffer.byteLength(expected) / TRACE_CHUNK_CHARS));
  });

  it('keeps serializers apart when their buffers are reused: two at once, and one written to after it finished', () => {
    const eventA = { t: 1, type: 'learn', node: 'A', value: 'first' };
    const eventB = { t: 2, type: 'learn', node: 'B', value: 'second' };
    const sinkA = new StringSink();
    const sinkB = new StringSink();
    const a = new TraceSerializer([sinkA], true);
    const b = new TraceSerializer([sinkB], true);
    a.event(eventA as AnyTraceEvent);
    b.event(eventB as AnyTraceEvent);
    a.finish();
    // c may take a's buffer; a written to after its end must not write into it.
    const sinkC = new StringSink();
    const c = new TraceSerializer([sinkC], true);
    c.event(eventB as AnyTraceEvent);
    a.event(eventA as AnyTraceEvent);
    b.event(eventA as AnyTraceEvent);
    c.event(eventA as AnyTraceEvent);
    const hashB = b.finish();
    const hashC = c.finish();
    expect(sinkA.text()).toBe(stringified([eventA]));
    expect(sinkB.text()).toBe(stringified([eventB, eventA]));
    expect(sinkC.text()).toBe(stringified([eventB, eventA]));
    expect(hashB).toBe(sha256(stringified([eventB, eventA])));
    expect(hashC).toBe(hashB);
  });
});

describe('sends counted by type without a record store per send', () => {
  it('matches the traced send events, count for count and in first-sent order, untraced or traced', () => {
    for (const name of ['fuzz-default', 'dueling-proposers', 'multipaxos-nemesis', 'raft-nemesis', 'cheap-nemesis']) {
      const scenario = shippedScenario(name);
      for (const seed of [1, 2, 3]) {
        const traced = runScenario(scenario, { seed, record: true, hash: false });
        const fromEvents: Record<string, number> = {};
        for (const event of traced.events!) {
          if (event.type === 'send') fromEvents[event.msg.type] = (fromEvents[event.msg.type] ?? 0) + 1;
        }
        const untraced = runScenario(scenario, { seed, hash: false });
        for (const counted of [traced.outcome.traffic.sentByType, untraced.outcome.traffic.sentByType]) {
          expect(Object.entries(counted), `${name} seed ${seed}`).toEqual(Object.entries(fromEvents));
        }
      }
    }
  });
});

describe('second copies delivered, counted without a lookup per delivery', () => {
  it('equals the ids the trace shows delivered twice, untraced or traced', () => {
    let seen = 0;
    for (const name of ['fuzz-default', 'lossy-network', 'multipaxos-nemesis']) {
      const scenario = shippedScenario(name);
      for (const seed of [1, 2, 3, 4, 5, 6]) {
        const traced = runScenario(scenario, { seed, record: true, hash: false });
        const deliveries = new Map<number, number>();
        for (const event of traced.events!) if (event.type === 'deliver') deliveries.set(event.id, (deliveries.get(event.id) ?? 0) + 1);
        const deliveredTwice = [...deliveries.values()].filter((count) => count >= 2).length;
        expect(traced.outcome.traffic.duplicateDeliveries, `${name} seed ${seed}`).toBe(deliveredTwice);
        expect(runScenario(scenario, { seed, hash: false }).outcome.traffic.duplicateDeliveries).toBe(deliveredTwice);
        seen += deliveredTwice;
      }
    }
    // The scenarios do duplicate: the comparison is not between two zeros.
    expect(seen).toBeGreaterThan(0);
  });
});
