import { describe, expect, it } from 'vitest';
import { runFuzzSeed } from '../src/run/fuzz-seed.js';
import { runScenario, type RunResult } from '../src/run/runner.js';
import type { Scenario } from '../src/scenario/scenario.js';
import type { TraceEvent, TraceMeta } from '../src/sim/events.js';
import { DIAGRAM_MESSAGE_TYPES, sequenceDiagramHtml } from '../src/trace/html.js';
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

/** The JSON the page carries in <script type="application/json" id="paxsim-data">. */
function embeddedData(html: string): { meta: TraceMeta; events: TraceEvent[]; violations: unknown[] } {
  const match = /<script type="application\/json" id="paxsim-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match?.[1]) throw new Error('no embedded data');
  return JSON.parse(match[1]) as { meta: TraceMeta; events: TraceEvent[]; violations: unknown[] };
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
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the data element's and the script's own
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('<title>&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;</title>');
    expect(embeddedData(html).events).toEqual(events);
  });

  it('is a pure function of its input', () => {
    expect(diagramOf(failing)).toBe(diagramOf(failing));
  });
});
