import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { compileViewer } from '../scripts/build-viewer.mjs';
import { runScenario } from '../src/run/runner.js';
import type { AnyTraceEvent, TraceMeta } from '../src/sim/events.js';
import { diagramTypeFilters, sequenceDiagramHtml, viewOf } from '../src/trace/html.js';
import { shippedScenario } from './helpers/scenario.js';

/**
 * The HTML viewer's build (scripts/build-viewer.mjs: src/trace/html/viewer/
 * compiled with tsconfig.viewer.json and inlined into every page) and the page
 * writer's part for protocols paxsim does not ship. The pages themselves are
 * opened in Chromium by html.browser.test.ts.
 */

const ROOT = join(import.meta.dirname, '..');
const VIEWER = join(ROOT, 'src/trace/html/viewer');

/** The page's last <script>: the viewer. */
function inlineScript(html: string): string {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
  const last = scripts[scripts.length - 1]?.[1];
  if (last === undefined) throw new Error('the page has no inline script');
  return last;
}

describe('the viewer inlined into the page', () => {
  const compiled = compileViewer();

  it('is the viewer source as compiled now, and plain JavaScript (no TypeScript syntax survives)', () => {
    if (!compiled.ok) throw new Error(compiled.errors.join('\n'));
    const run = runScenario(shippedScenario('seed-example'), { record: true });
    const script = inlineScript(sequenceDiagramHtml({ meta: run.meta, events: run.events ?? [], violations: run.violations }));
    expect(script).toBe(compiled.script);
    // The source is TypeScript (annotations, interfaces, casts); the page's script parses as JavaScript.
    expect(readFileSync(join(VIEWER, 'render.ts'), 'utf8')).toMatch(/export interface ViewState|: string\b/);
    expect(() => new Script(script, { filename: 'viewer.js' })).not.toThrow();
    expect(script).not.toMatch(/\binterface \w+ \{|\bimport type\b|\bexport type\b/);
    // Every part is in it, and only modules under src/: the viewer takes no dependencies.
    for (const part of ['parts/single-decree', 'parts/multi-slot', 'parts/generic', 'main']) expect(script).toContain(`"trace/html/viewer/${part}"`);
  });

  it('a type error in the viewer fails the build, naming the file and line; so does Node API (the viewer compiles with the DOM only)', () => {
    const render = join(VIEWER, 'render.ts');
    const main = join(VIEWER, 'main.ts');
    const broken = compileViewer({
      overrides: {
        [render]: `${readFileSync(render, 'utf8')}\nexport const broken: number = 'text';\n`,
        [main]: `${readFileSync(main, 'utf8')}\nconsole.log(process.argv);\n`,
      },
    });
    expect(broken.ok).toBe(false);
    const errors = broken.ok ? [] : broken.errors;
    expect(errors).toContainEqual(expect.stringMatching(/^src\/trace\/html\/viewer\/render\.ts:\d+:\d+: error TS2322: Type 'string' is not assignable to type 'number'/));
    expect(errors).toContainEqual(expect.stringMatching(/^src\/trace\/html\/viewer\/main\.ts:\d+:\d+: error TS25\d\d: Cannot find name 'process'/));
  });

  it('a viewer module that imports a package fails the build: nothing is fetched or bundled from outside src/', () => {
    const text = join(VIEWER, 'text.ts');
    const broken = compileViewer({ overrides: { [text]: `import 'playwright-core';\n${readFileSync(text, 'utf8')}` } });
    expect(broken).toEqual({ ok: false, errors: ['viewer bundle: trace/html/viewer/text requires "playwright-core": the viewer takes no dependencies'] });
  });
});

describe('which part of the viewer draws a protocol', () => {
  it.each([
    ['paxos', 'paxos'],
    ['', 'paxos'],
    [undefined, 'paxos'],
    ['multipaxos', 'multi-slot'],
    ['cheap-paxos', 'multi-slot'],
    ['raft', 'raft'],
    ['register', 'generic'],
    ['./my-protocol.js', 'generic'],
    ['__proto__', 'generic'],
  ] as const)('%s → %s', (protocol, view) => {
    expect(viewOf(protocol)).toBe(view);
  });
});

describe('the page for a user protocol', () => {
  const meta: TraceMeta = { type: 'meta', scenario: 'gossip', seed: 3, nodes: ['A', 'B'], acceptors: ['A', 'B'], proposers: ['A', 'B'], learners: ['A', 'B'], protocol: 'gossip' };
  const send = (t: number, id: number, type: string, extra: Record<string, unknown> = {}): AnyTraceEvent[] =>
    [
      { t, type: 'send', from: 'A', to: 'B', id, msg: { type, ...extra } },
      { t: t + 1, type: 'deliver', from: 'A', to: 'B', id, msg: { type, ...extra } },
    ] as unknown as AnyTraceEvent[];
  const events: AnyTraceEvent[] = [
    ...send(0, 1, 'rumor', { value: 'x' }),
    ...send(2, 2, 'ack'),
    ...send(4, 3, 'prepare'),
    ...send(6, 4, 'rumor', { value: 'y' }),
    { t: 8, type: 'spread', node: 'B', value: 'x', hops: 2 } as unknown as AnyTraceEvent,
  ];

  it('offers its message types in the order they first appear (not paxsim\'s Paxos types), each with a colour', () => {
    expect(diagramTypeFilters(meta, events).map((filter) => [filter.type, filter.delivered, filter.shown])).toEqual([
      ['rumor', 2, true],
      ['ack', 1, true],
      ['prepare', 1, true],
    ]);
    const html = sequenceDiagramHtml({ meta, events, violations: [] });
    // Types the stylesheet has no colour for get one each; `prepare` keeps paxsim's.
    const style = /<style>(\.t-[^<]*)<\/style>/.exec(html)?.[1] ?? '';
    expect(style).toMatch(/^\.t-rumor\{color:#[0-9a-f]{6}\}\.t-ack\{color:#[0-9a-f]{6}\}$/);
    expect(style.match(/color:(#[0-9a-f]{6})/g)?.length).toBe(2);
    expect(new Set(style.match(/#[0-9a-f]{6}/g)).size).toBe(2);
  });

  it('says what it is in the summary and legend: nodes, no Multi-Paxos counts, observations as diamonds', () => {
    const html = sequenceDiagramHtml({ meta, events, violations: [] });
    expect(html).toContain('<div class="summary">2 nodes · 9 events · 4 delivered (0 duplicates) · 0 dropped · t = 0…8 ms · nothing chosen</div>');
    expect(html).toContain('observation (hover: every field)');
    expect(html).not.toContain('leader term (ballot along it)');
  });

  it('built-in protocols keep their filters: all Paxos types for a Paxos trace, only those present for Multi-Paxos', () => {
    expect(diagramTypeFilters({ ...meta, protocol: 'paxos' }, events).map((filter) => filter.type)).toEqual(['prepare', 'promise', 'accept', 'accepted', 'nack', 'catchup', 'decided', 'ack', 'rumor']);
    expect(diagramTypeFilters({ ...meta, protocol: 'multipaxos' }, events).map((filter) => filter.type)).toEqual(['prepare', 'ack', 'rumor']);
    expect(sequenceDiagramHtml({ meta: { ...meta, protocol: 'paxos' }, events, violations: [] })).not.toMatch(/<style>\.t-/);
  });
});
