import { describe, expect, it } from 'vitest';
import { runFuzzSeed } from '../src/run/fuzz-seed.js';
import { runScenario, type RunResult } from '../src/run/runner.js';
import type { Scenario } from '../src/scenario/scenario.js';
import type { AnyTraceEvent, TraceEvent, TraceMeta } from '../src/sim/events.js';
import {
  DIAGRAM_MESSAGE_TYPES,
  diagramTypeFilters,
  HIDE_HEARTBEATS_OVER,
  leaderTerms,
  MULTIPAXOS_DIAGRAM_MESSAGE_TYPES,
  sequenceDiagramHtml,
  SequenceDiagramWriter,
  MAX_DIAGRAM_EVENTS,
} from '../src/trace/html.js';
import { StringSink } from '../src/trace/trace-writer.js';
import { shippedScenario } from './helpers/scenario.js';

function diagramOf(result: RunResult, title?: string): string {
  if (result.events === null) throw new Error('run without record: true');
  return sequenceDiagramHtml({ meta: result.meta, events: result.events, violations: result.violations, title });
}

/** The first seed (deterministic) whose fuzz-default run with the given bug ends in a checker violation. */
function firstFailingSeed(scenario: Scenario, bug: 'forget-promise'): number {
  for (let seed = 1; seed <= 2000; seed += 1) {
    if (runFuzzSeed(scenario, seed, { bug }).firstViolation !== null) return seed;
  }
  throw new Error(`no seed in 1..2000 fails with bug ${bug}`);
}

/** The JSON the page carries in <script type="application/json" id="paxsim-data">, with the events it embeds first (id="paxsim-events"). */
function embeddedData(html: string): { meta: TraceMeta; events: TraceEvent[]; violations: unknown[] } {
  const match = /<script type="application\/json" id="paxsim-data">([\s\S]*?)<\/script>/.exec(html);
  const events = /<script type="application\/json" id="paxsim-events">([\s\S]*?)<\/script>/.exec(html);
  if (!match?.[1] || !events?.[1]) throw new Error('no embedded data');
  return { ...(JSON.parse(match[1]) as { meta: TraceMeta; violations: unknown[] }), events: JSON.parse(events[1]) as TraceEvent[] };
}

let seedExampleRun: RunResult | undefined;
/** seed-example (single-decree), run once. */
function seedExample(): RunResult {
  seedExampleRun ??= runScenario(shippedScenario('seed-example'), { record: true });
  return seedExampleRun;
}

describe('sequenceDiagramHtml', () => {
  const passing = runScenario(shippedScenario('seed-example'), { record: true });
  const fuzzDefault = shippedScenario('fuzz-default');
  const failingSeed = firstFailingSeed(fuzzDefault, 'forget-promise');
  const failing = runScenario(fuzzDefault, { seed: failingSeed, bug: 'forget-promise', record: true });

  it('is one self-contained HTML document: nothing is fetched from anywhere', () => {
    const html = diagramOf(passing);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toMatch(/<\/html>\s*$/);
    for (const external of [/src="http/i, /href="http/i, /@import/i, /url\(\s*['"]?http/i, /<link\b/i, /<script[^>]*\ssrc=/i, /<img\b/i, /<iframe\b/i]) {
      expect(html).not.toMatch(external);
    }
    expect(html).toContain('<style>');
    expect(html).toMatch(/<script>[\s\S]*paxsimDiagram[\s\S]*<\/script>/);
  });

  it('embeds the meta line, every event and the violations as JSON', () => {
    const html = diagramOf(passing);
    const data = embeddedData(html);
    expect(data.meta).toEqual(passing.meta);
    expect(data.events).toEqual(passing.events);
    expect(data.events.filter((event) => event.type === 'deliver')).toHaveLength(40);
    expect(data.violations).toEqual([]);
  });

  it('offers a filter checkbox for each message type', () => {
    const html = diagramOf(passing);
    for (const type of DIAGRAM_MESSAGE_TYPES) expect(html).toContain(`data-type="${type}" checked`);
  });

  it('has no violation element for a passing run', () => {
    expect(passing.violations).toEqual([]);
    const html = diagramOf(passing);
    expect(html).not.toContain('id="violation"');
    expect(html).not.toContain('data-violation ');
  });

  it(`marks the violation of a failing run (fuzz-default, forget-promise, first failing seed)`, () => {
    expect(failing.violations.length).toBeGreaterThan(0);
    const first = failing.violations[0]!;
    const html = diagramOf(failing);
    expect(html.split('id="violation"')).toHaveLength(2);
    expect(html.split('data-violation ')).toHaveLength(failing.violations.length + 1);
    expect(html).toContain(`data-t="${first.t}" data-event="${first.event}"`);
    expect(html).toContain(first.checker);
    expect(embeddedData(html).violations).toEqual(failing.violations);
    expect(html).toContain('(bug forget-promise)');
  });

  it('keeps hostile strings inert: no </script> or markup escapes from the data or the title', () => {
    const meta: TraceMeta = { ...passing.meta };
    const value = '</script><script>alert(1)</script><!--';
    const events: TraceEvent[] = [
      { t: 0, type: 'propose', node: 'A', value, ballot: [1, 'A'] },
      { t: 1, type: 'learn', node: 'B', value },
    ];
    const html = sequenceDiagramHtml({ meta, events, violations: [{ checker: 'validity', message: `learned ${value}`, t: 1, event: 1 }], title: '<b>x</b> & "y"' });
    expect(html.match(/<\/script>/g)).toHaveLength(3); // the events element's, the data element's and the script's own
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('<title>&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;</title>');
    expect(embeddedData(html).events).toEqual(events);
  });

  it('is a pure function of its input', () => {
    expect(diagramOf(failing)).toBe(diagramOf(failing));
  });

  it('streams: written in chunks as events arrive, the page is the same as built at once', () => {
    const chunks: string[] = [];
    const writer = new SequenceDiagramWriter({ write: (text) => chunks.push(text) }, failing.meta);
    expect(chunks.join('')).toContain('id="paxsim-events"'); // the page starts before the run ends
    for (const event of failing.events!) writer.observe(event);
    writer.finish(failing.violations);
    expect(chunks.join('')).toBe(diagramOf(failing));
  });

  it('embeds at most maxEvents events and says so, while the summary counts the whole run', () => {
    const sink = new StringSink();
    const writer = new SequenceDiagramWriter(sink, passing.meta, { maxEvents: 10 });
    for (const event of passing.events!) writer.observe(event);
    writer.finish(passing.violations);
    const html = sink.text();
    expect(embeddedData(html).events).toEqual(passing.events!.slice(0, 10));
    expect(html).toContain(`${passing.events!.length} events (the diagram shows the first 10; the JSON Lines trace has them all)`);
    expect(html).toContain(`${passing.events!.filter((event) => event.type === 'deliver').length} delivered`);
    expect(MAX_DIAGRAM_EVENTS).toBeGreaterThanOrEqual(20_000);
  });
});

describe('sequenceDiagramHtml for Multi-Paxos', () => {
  const partitioned = runScenario(shippedScenario('leader-partitioned'), { record: true });
  const events = (partitioned.events ?? []) as readonly AnyTraceEvent[];
  const leaders = events.flatMap((event) => (event.type === 'leader' ? [event] : []));
  const deliveredOf = (type: string): number => events.filter((event) => event.type === 'deliver' && event.msg.type === type).length;

  it('leader-partitioned, seed 1: one self-contained page that embeds the run and its leader terms', () => {
    expect(partitioned.meta.protocol).toBe('multipaxos');
    const html = diagramOf(partitioned);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    for (const external of [/src="http/i, /href="http/i, /@import/i, /url\(\s*['"]?http/i, /<link\b/i, /<script[^>]*\ssrc=/i, /<img\b/i, /<iframe\b/i]) {
      expect(html).not.toMatch(external);
    }
    const data = embeddedData(html) as unknown as { meta: TraceMeta; events: AnyTraceEvent[]; terms: unknown[]; nodeColors: Record<string, string> };
    expect(data.meta).toEqual(partitioned.meta);
    expect(data.events).toEqual(partitioned.events);
    expect(data.terms).toEqual(leaderTerms(events));
    for (const node of partitioned.meta.nodes) expect(data.nodeColors[node]).toMatch(/^#[0-9a-f]{6}$/);
    expect(html).toContain('5 replicas, 3 clients');
    expect(html).toMatch(/45 slots chosen \(0…44\)/);
  });

  it('the scenario has two leaders at once: A keeps (1,A) after C is elected with (2,C), until the heal', () => {
    expect(leaders.map((event) => [event.node, event.ballot])).toEqual([
      ['A', [1, 'A']],
      ['C', [2, 'C']],
    ]);
    const terms = leaderTerms(events);
    expect(terms).toHaveLength(2);
    const [a, c] = terms as [(typeof terms)[number], (typeof terms)[number]];
    const cElected = leaders[1]!.t;
    expect(a).toMatchObject({ node: 'A', ballot: [1, 'A'], t0: leaders[0]!.t, staleFrom: cElected, staleBy: { node: 'C', ballot: [2, 'C'] } });
    // A hears of the higher ballot only after the heal at t=1500: that is when it steps down.
    expect(a.t1).toBeGreaterThan(1500);
    expect(a.end?.reason).toMatch(/\(2,C\)/);
    expect(events[a.end!.event]!.t).toBe(a.t1);
    expect(c).toMatchObject({ node: 'C', ballot: [2, 'C'], t0: cElected, end: null, staleFrom: null });
    expect(c.t1).toBe(events[events.length - 1]!.t);
    // The two terms overlap.
    expect(Math.max(a.t0, c.t0)).toBeLessThan(Math.min(a.t1, c.t1));
  });

  it('labels the leader terms above the diagram (readable without the script) and explains them in the legend', () => {
    const html = diagramOf(partitioned);
    const chips = [...html.matchAll(/<button type="button" class="termchip[^"]*" data-term="(\d+)" data-node="([^"]*)" data-ballot="([^"]*)" data-t0="(\d+)" data-t1="(\d+)"( data-stale-from="(\d+)")?/g)];
    expect(chips.map((chip) => [chip[2], chip[3], chip[7] ?? null])).toEqual([
      ['A', '1,A', String(leaders[1]!.t)],
      ['C', '2,C', null],
    ]);
    expect(html).toContain('A: leader (1,A) t=13…');
    expect(html).toContain(`stale from t=${leaders[1]!.t}`);
    expect(html).toContain('C: leader (2,C) t=');
    expect(html).toContain('leader term (ballot along it)');
    expect(html).toContain('stale: a higher ballot leads elsewhere');
    // The single-decree page has neither.
    const single = diagramOf(seedExample());
    expect(single).not.toContain('class="terms"');
    expect(single).not.toContain('leader term (ballot along it)');
  });

  it('offers the message types present in the trace, in protocol order; heartbeats start hidden when there are more than 200', () => {
    const html = diagramOf(partitioned);
    const offered = [...html.matchAll(/<input type="checkbox" data-type="([^"]+)"( checked)?>/g)].map((match) => [match[1], match[2] !== undefined]);
    const present = MULTIPAXOS_DIAGRAM_MESSAGE_TYPES.filter((type) => events.some((event) => event.type === 'send' && event.msg.type === type));
    expect(offered.map(([type]) => type)).toEqual(present);
    expect(present).toEqual(expect.arrayContaining(['heartbeat', 'request', 'reply', 'redirect', 'commit', 'accept']));
    expect(deliveredOf('heartbeat')).toBeGreaterThan(HIDE_HEARTBEATS_OVER);
    for (const [type, checked] of offered) expect(checked).toBe(type !== 'heartbeat');
    expect(html).toMatch(new RegExp(`data-type="heartbeat"> heartbeat <small>${deliveredOf('heartbeat')}</small>`));

    // Few heartbeats: shown. Single-decree: every Paxos type, as before, ticked.
    const few = events.filter((event) => !(event.type === 'deliver' && event.msg.type === 'heartbeat') || event.t < 300);
    expect(diagramTypeFilters(partitioned.meta, few).find((filter) => filter.type === 'heartbeat')).toMatchObject({ shown: true });
    expect(diagramTypeFilters(seedExample().meta, seedExample().events ?? []).map((filter) => [filter.type, filter.shown])).toEqual(DIAGRAM_MESSAGE_TYPES.map((type) => [type, true]));
  });

  it('reads step-downs from the trace: a crash, a higher ballot delivered, a nack of its own ballot, its next election', () => {
    const crashed = runScenario(shippedScenario('leader-crash'), { record: true });
    const crashTerms = leaderTerms(crashed.events ?? []);
    expect(crashTerms[0]?.end?.reason).toBe('crashed');
    expect(crashTerms.at(-1)?.end).toBeNull();

    const hand: AnyTraceEvent[] = [
      { t: 0, type: 'leader', node: 'A', ballot: [1, 'A'] },
      { t: 5, type: 'leader', node: 'B', ballot: [2, 'B'] },
      { t: 7, type: 'deliver', from: 'A', to: 'B', id: 1, msg: { type: 'heartbeat', ballot: [1, 'A'], commitIndex: 0, appliedEverywhere: 0 } }, // lower: B stays
      { t: 8, type: 'deliver', from: 'C', to: 'A', id: 2, msg: { type: 'nack', ballot: [0, 'A'], promised: [2, 'B'] } }, // not A's ballot: stays
      { t: 9, type: 'deliver', from: 'C', to: 'A', id: 3, msg: { type: 'nack', ballot: [1, 'A'], promised: [2, 'B'] } }, // steps down
      { t: 10, type: 'leader', node: 'B', ballot: [4, 'B'] }, // B again
      { t: 12, type: 'leader', node: 'C', ballot: [5, 'C'] },
      { t: 13, type: 'promise', node: 'B', ballot: [6, 'D'] },
      { t: 14, type: 'deliver', from: 'D', to: 'C', id: 4, msg: { type: 'prepare', ballot: [6, 'D'], fromSlot: 0 } },
      { t: 20, type: 'timer', node: 'D', timer: 'election' },
    ];
    expect(leaderTerms(hand).map((term) => [term.node, term.t0, term.t1, term.staleFrom, term.end?.reason ?? null])).toEqual([
      ['A', 0, 9, 5, 'nack: promised (2,B) from C'],
      ['B', 5, 10, null, 'elected again with (4,B)'],
      ['B', 10, 13, 12, 'promised (6,D)'],
      ['C', 12, 14, null, 'prepare (6,D) from D'],
    ]);
  });

  it('a failing Multi-Paxos run (leader-partitioned, bug apply-unchosen) marks the violation', () => {
    const failingRun = runScenario(shippedScenario('leader-partitioned'), { bug: 'apply-unchosen', record: true });
    expect(failingRun.violations.length).toBeGreaterThan(0);
    const first = failingRun.violations[0]!;
    const html = diagramOf(failingRun);
    expect(html.split('id="violation"')).toHaveLength(2);
    expect(html).toContain(`data-t="${first.t}" data-event="${first.event}"`);
    expect(html).toContain('(bug apply-unchosen)');
  });

  it('is a pure function of its input', () => {
    expect(diagramOf(partitioned)).toBe(diagramOf(partitioned));
  });
});
