import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFuzzSeed } from '../src/run/fuzz-seed.js';
import { runScenario, type RunResult } from '../src/run/runner.js';
import type { AnyTraceEvent, TraceEvent } from '../src/sim/events.js';
import { sequenceDiagramHtml } from '../src/trace/html.js';
import { runCli } from './helpers/cli.js';
import { scenarioFromYaml, shippedScenario } from './helpers/scenario.js';

// The HTML sequence diagram, opened for real in headless Chromium (Debian's
// package; `apt-get install chromium`). Nothing here asserts a tight timing:
// load times are printed, and bounds are generous timeouts.

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`html.browser.test.ts: SKIPPED, Chromium is not installed at ${CHROMIUM} (Debian: apt-get install -y chromium)`);
}

/** What the page exposes as window.paxsimDiagram (the parts the tests use). */
interface DiagramApi {
  ready: boolean;
  deliveredCount: number;
  droppedCount: number;
  duplicateCount: number;
  protocol: string;
  view: string;
  types: string[];
  hiddenTypes(): string[];
  lanes(): { node: string; x: number; client: boolean }[];
  leaderTerms(): { node: string; ballot: [number, string]; t0: number; t1: number; staleFrom: number | null }[];
  drawnArrowCount(): number;
  drawnKeys(): string[];
  renderedWindow(): { y0: number; y1: number; t0: number; t1: number };
  visibleTimes(): { t0: number; t1: number };
  totalHeight(): number;
  scale(): number;
  setScale(scale: number, anchorPx?: number): void;
  zoomToFit(): void;
  scrollToTime(t: number): void;
  renderNow(): void;
  setTypeVisible(type: string, visible: boolean): void;
  yAt(t: number): number;
}
declare global {
  interface Window {
    paxsimDiagram: DiagramApi;
  }
}

function eventsOf(result: RunResult): readonly TraceEvent[] {
  if (result.events === null) throw new Error('run without record: true');
  return result.events as readonly TraceEvent[];
}

function count(events: readonly TraceEvent[], type: TraceEvent['type']): number {
  return events.filter((event) => event.type === type).length;
}

/** Deliveries of an id already delivered before: the duplicates the diagram must badge. */
function duplicateDeliveries(events: readonly TraceEvent[]): number {
  const seen = new Set<number>();
  let duplicates = 0;
  for (const event of events) {
    if (event.type !== 'deliver') continue;
    if (seen.has(event.id)) duplicates += 1;
    seen.add(event.id);
  }
  return duplicates;
}

/**
 * A long, busy run for the performance check: a proposal every 40 ms for
 * 9.6 s on a lossy, duplicating network, with a crash and a partition. Every
 * request starts a full ballot, so traffic never dies down (about 22,000 events).
 */
function bigRun(): RunResult {
  const proposals = Array.from({ length: 240 }, (_, i) => ({ at: i * 40, node: ['A', 'B', 'C'][i % 3], value: `V${i}` }));
  const scenario = scenarioFromYaml(
    JSON.stringify({
      name: 'big',
      nodes: ['A', 'B', 'C', 'D', 'E'],
      network: { delay: { min: 1, max: 30 }, drop: 0.2, duplicate: 0.1 },
      proposals,
      faults: [
        { at: 500, crash: 'D' },
        { at: 1500, restart: 'D' },
        { at: 2000, partition: [['A', 'B']] },
        { at: 2600, heal: 'all' },
      ],
      until: 12_000,
      expect: { safety: 'hold' },
    }),
    'big.json',
  );
  return runScenario(scenario, { record: true });
}

/** Tiny PNG decoder (8-bit RGB/RGBA, non-interlaced, as Chromium writes them): the pixels as RGBA. */
function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.subarray(offset + 4, offset + 8).toString('latin1');
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect(body[8]).toBe(8); // bit depth
      colorType = body[9] ?? -1;
      expect(body[12]).toBe(0); // no interlace
    } else if (type === 'IDAT') {
      idat.push(body);
    }
    offset += 12 + length;
  }
  const channels = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  expect(channels).toBeGreaterThan(0);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)] ?? 0;
    for (let x = 0; x < stride; x += 1) {
      const value = raw[y * (stride + 1) + 1 + x] ?? 0;
      const left = x >= channels ? (pixels[y * stride + x - channels] ?? 0) : 0;
      const up = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
      const upLeft = y > 0 && x >= channels ? (pixels[(y - 1) * stride + x - channels] ?? 0) : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      pixels[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i += 1) {
    for (let c = 0; c < 3; c += 1) rgba[i * 4 + c] = pixels[i * channels + c] ?? 0;
    rgba[i * 4 + 3] = channels === 4 ? (pixels[i * channels + 3] ?? 255) : 255;
  }
  return { width, height, rgba };
}

(haveChromium ? describe : describe.skip)('HTML sequence diagram in headless Chromium', () => {
  let browser: Browser;
  let dir: string;
  const seedExample = runScenario(shippedScenario('seed-example'), { record: true });
  const lossy = runScenario(shippedScenario('lossy-network'), { record: true });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paxsim-html-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Script errors and requests that left the file, per open page: both must stay empty. */
  const problems = new Map<Page, string[]>();

  function diagramOf(result: RunResult): string {
    if (result.events === null) throw new Error('run without record: true');
    return sequenceDiagramHtml({ meta: result.meta, events: result.events, violations: result.violations });
  }

  /** Writes the diagram to a file, opens it via file:// and waits until the page says it is ready. */
  async function open(name: string, html: string, viewport = { width: 1400, height: 900 }): Promise<{ page: Page; loadMs: number }> {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport });
    const seen: string[] = [];
    problems.set(page, seen);
    page.on('pageerror', (error) => seen.push(`script error: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) seen.push(`request to ${request.url()}`);
    });
    const started = Date.now();
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => window.paxsimDiagram?.ready === true, undefined, { timeout: 30_000 });
    const loadMs = Date.now() - started;
    expect(seen).toEqual([]);
    return { page, loadMs };
  }

  async function close(page: Page): Promise<void> {
    expect(problems.get(page)).toEqual([]);
    problems.delete(page);
    await page.close();
  }

  /** Inked (not near-white) pixels and distinct colours in a screenshot of the diagram's scroll area. */
  async function ink(page: Page): Promise<{ inked: number; colors: number; area: number }> {
    const { width, height, rgba } = decodePng(await page.locator('#scroller').screenshot());
    let inked = 0;
    const colors = new Set<number>();
    for (let i = 0; i < width * height; i += 1) {
      const r = rgba[i * 4] ?? 255;
      const g = rgba[i * 4 + 1] ?? 255;
      const b = rgba[i * 4 + 2] ?? 255;
      if (r < 235 || g < 235 || b < 235) inked += 1;
      colors.add((r << 16) | (g << 8) | b);
    }
    return { inked, colors: colors.size, area: width * height };
  }

  it('seed-example: zoomed to fit, one arrow per deliver event, with the trace ids; no violation element', async () => {
    const events = eventsOf(seedExample);
    const { page, loadMs } = await open('seed-example', diagramOf(seedExample));
    console.log(`seed-example (${events.length} events): ready ${loadMs} ms after navigation`);
    await page.evaluate(() => window.paxsimDiagram.zoomToFit());
    const drawn = await page.evaluate(() => window.paxsimDiagram.drawnArrowCount());
    expect(drawn).toBe(count(events, 'deliver'));
    expect(await page.evaluate(() => window.paxsimDiagram.deliveredCount)).toBe(count(events, 'deliver'));
    const ids = await page.$$eval('#content .msg.deliver[data-id]', (elements) => elements.map((element) => Number(element.getAttribute('data-id'))));
    const traceIds = events.flatMap((event) => (event.type === 'deliver' ? [event.id] : []));
    expect([...ids].sort((a, b) => a - b)).toEqual([...traceIds].sort((a, b) => a - b));
    expect(await page.$('#violation')).toBeNull();
    expect(await page.$$('[data-violation]')).toHaveLength(0);
    // a learn mark per learner and a chosen line
    expect(await page.$$('#content .mark.learn')).toHaveLength(5);
    expect(await page.$$('#content .chosen')).toHaveLength(1);

    // ctrl+wheel zooms (a plain wheel scrolls).
    const before = await page.evaluate(() => window.paxsimDiagram.scale());
    await page.mouse.move(400, 400);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -300);
    await page.keyboard.up('Control');
    await page.waitForFunction((scale) => window.paxsimDiagram.scale() > scale, before);
    await close(page);
  });

  it('lossy-network: every delivery drawn, drops end in a cross with their reason, duplicates badged', async () => {
    const events = eventsOf(lossy);
    expect(count(events, 'drop')).toBeGreaterThan(0);
    expect(duplicateDeliveries(events)).toBeGreaterThan(0);
    const { page } = await open('lossy-network', diagramOf(lossy));
    await page.evaluate(() => window.paxsimDiagram.zoomToFit());
    expect(await page.evaluate(() => window.paxsimDiagram.drawnArrowCount())).toBe(count(events, 'deliver'));
    expect(await page.$$('#content .msg.drop')).toHaveLength(count(events, 'drop'));
    expect(await page.$$('#content .msg.drop .x')).toHaveLength(count(events, 'drop'));
    expect(await page.$$('#content .msg.deliver.dup')).toHaveLength(duplicateDeliveries(events));
    const dropTitle = await page.$eval('#content .msg.drop title', (element) => element.textContent ?? '');
    expect(dropTitle).toMatch(/dropped \((random|partition|crashed)\)/);

    // Hovering a message shows it in full, as JSON, in the details panel; a click pins it.
    await page.evaluate(() => window.paxsimDiagram.setScale(window.paxsimDiagram.scale() * 8));
    await page.evaluate(() => window.paxsimDiagram.scrollToTime(0));
    const arrow = page.locator('#content .msg.deliver.t-prepare').first();
    await arrow.dispatchEvent('mouseover');
    const details = await page.locator('#detail-json').textContent();
    expect(details).toContain('"type": "prepare"');
    expect(details).toContain('"delivered":');
    await close(page);
  });

  it('a failing run (fuzz-default, bug forget-promise) shows the violation in red at its time', async () => {
    const base = shippedScenario('fuzz-default');
    let seed = 1;
    while (runFuzzSeed(base, seed, { bug: 'forget-promise' }).firstViolation === null) {
      seed += 1;
      expect(seed).toBeLessThanOrEqual(2000);
    }
    const failing = runScenario(base, { seed, bug: 'forget-promise', record: true });
    const violation = failing.violations[0]!;
    const { page } = await open('failing', diagramOf(failing));
    const element = page.locator('#violation');
    expect(await element.count()).toBe(1);
    expect(await element.textContent()).toContain(`${violation.checker}: ${violation.message}`);
    expect(await element.evaluate((el) => getComputedStyle(el).borderTopColor)).toBe('rgb(220, 38, 38)');
    const top = await element.evaluate((el) => parseFloat((el as HTMLElement).style.top));
    const expected = await page.evaluate((t) => window.paxsimDiagram.yAt(t), violation.t);
    expect(top).toBeCloseTo(expected, 3);
    await page.click('#jump-violation');
    expect(await element.isVisible()).toBe(true);
    await close(page);
  });

  it('a screenshot of the diagram is not blank: far more ink than the same page with no events', async () => {
    const viewport = { width: 1200, height: 900 };
    const empty = await open('empty', sequenceDiagramHtml({ meta: seedExample.meta, events: [], violations: [] }), viewport);
    const baseline = await ink(empty.page); // lanes and node names only
    await close(empty.page);
    const { page } = await open('screenshot', diagramOf(seedExample), viewport);
    const drawn = await ink(page);
    await close(page);
    console.log(`screenshot ink: seed-example ${drawn.inked} px in ${drawn.colors} colours; empty trace ${baseline.inked} px in ${baseline.colors}`);
    expect(drawn.inked).toBeGreaterThan(drawn.area * 0.03);
    expect(drawn.inked).toBeGreaterThan(baseline.inked * 5);
    expect(drawn.colors).toBeGreaterThan(baseline.colors * 2);
  });

  it('leader-partitioned (Multi-Paxos, seed 1): replicas then clients, both leaders\' overlapping terms, every delivery of the visible types drawn', async () => {
    const run = runScenario(shippedScenario('leader-partitioned'), { record: true });
    expect(run.meta.seed).toBe(1);
    const events = (run.events ?? []) as readonly AnyTraceEvent[];
    const deliveries = events.flatMap((event) => (event.type === 'deliver' ? [event] : []));
    const deliveredOf = (type: string): number => deliveries.filter((event) => event.msg.type === type).length;
    const leaders = events.flatMap((event) => (event.type === 'leader' ? [event] : []));
    const { page, loadMs } = await open('leader-partitioned', diagramOf(run));
    console.log(`leader-partitioned (${events.length} events, ${deliveries.length} deliveries, ${leaders.length} elections): ready ${loadMs} ms after navigation`);
    const api = await page.evaluate(() => ({ protocol: window.paxsimDiagram.protocol, types: window.paxsimDiagram.types, hidden: window.paxsimDiagram.hiddenTypes(), lanes: window.paxsimDiagram.lanes(), scale: window.paxsimDiagram.scale() }));
    expect(api.protocol).toBe('multipaxos');

    // Lanes: the five replicas, then the three clients, drawn apart (dashed, italic heads).
    expect(api.lanes.map((lane) => lane.node)).toEqual([...run.meta.nodes, ...(run.meta.clients ?? [])]);
    expect(api.lanes.map((lane) => lane.client)).toEqual([false, false, false, false, false, true, true, true]);
    expect(await page.$$eval('#lanehead div.client', (heads) => heads.map((head) => head.getAttribute('data-node')))).toEqual(run.meta.clients);
    expect(await page.$$('#content .lane.client')).toHaveLength(3);
    expect(await page.$eval('#lanehead div.client', (el) => getComputedStyle(el).fontStyle)).toBe('italic');

    // The filter offers the types in the trace; heartbeats (449) start hidden.
    expect(api.types).toEqual(['prepare', 'promise', 'nack', 'accept', 'accepted', 'commit', 'heartbeat', 'catchup', 'request', 'reply', 'redirect']);
    expect(deliveredOf('heartbeat')).toBeGreaterThan(200);
    expect(api.hidden).toEqual(['heartbeat']);
    expect(await page.isChecked('input[data-type="heartbeat"]')).toBe(false);
    await page.evaluate(() => window.paxsimDiagram.zoomToFit());
    expect(await page.evaluate(() => window.paxsimDiagram.drawnArrowCount())).toBe(deliveries.length - deliveredOf('heartbeat'));
    expect(await page.$$('#content .msg.t-heartbeat')).toHaveLength(0);

    // Every type on: one arrow per deliver event, per type too.
    await page.click('input[data-type="heartbeat"]');
    expect(await page.evaluate(() => window.paxsimDiagram.hiddenTypes())).toEqual([]);
    expect(await page.evaluate(() => window.paxsimDiagram.drawnArrowCount())).toBe(deliveries.length);
    for (const type of api.types) expect(await page.$$(`#content .msg.deliver.t-${type}`), type).toHaveLength(deliveredOf(type));

    // Leader terms: A's (1,A) and C's (2,C) overlap in time, A's hatched as stale from C's election.
    const terms = await page.$$eval('#content .term', (elements) =>
      elements.map((el) => ({
        node: el.getAttribute('data-node') ?? '',
        ballot: el.getAttribute('data-ballot') ?? '',
        t0: Number(el.getAttribute('data-t0')),
        t1: Number(el.getAttribute('data-t1')),
        staleFrom: el.hasAttribute('data-stale-from') ? Number(el.getAttribute('data-stale-from')) : null,
        staleDrawn: el.querySelector('rect.stale') !== null,
        text: Array.from(el.querySelectorAll('text'), (text) => text.textContent ?? ''),
      })),
    );
    expect(terms.length).toBeGreaterThanOrEqual(2);
    const overlapping = terms.flatMap((a) => terms.filter((b) => b.node !== a.node && Math.max(a.t0, b.t0) < Math.min(a.t1, b.t1)).map((b) => [a.node, b.node]));
    expect(overlapping).toContainEqual(['A', 'C']);
    const a = terms.find((term) => term.node === 'A')!;
    const c = terms.find((term) => term.node === 'C')!;
    expect([a.ballot, a.t0, c.ballot, c.t0]).toEqual(['1,A', leaders[0]!.t, '2,C', leaders[1]!.t]);
    expect(a.staleFrom).toBe(leaders[1]!.t);
    expect(a.staleDrawn).toBe(true);
    expect(c.staleFrom).toBeNull();
    expect(a.t1).toBeGreaterThan(1500);
    expect(a.text.join(' ')).toContain('stale A (1,A)');
    expect(c.text.join(' ')).toContain('leader C (2,C)');
    const stripes = await page.$$eval('#content .term .stripe', (rects) => rects.map((rect) => ({ x: Number(rect.getAttribute('x')), h: Number(rect.getAttribute('height')) })));
    for (const stripe of stripes) expect(stripe.h).toBeGreaterThan(20);
    expect(await page.evaluate(() => window.paxsimDiagram.leaderTerms().map((term) => term.node))).toEqual(['A', 'C']);

    // Marks: an election crown per leader event, chosen-slot lines, applies on replica lanes, invokes and completes on client lanes.
    expect(await page.$$eval('#content .mark.leader', (marks) => marks.map((mark) => mark.getAttribute('data-node')))).toEqual(leaders.map((event) => event.node));
    expect(await page.$$('#content .chosen.slot')).toHaveLength(events.filter((event) => event.type === 'chosen').length);
    const markNodes = async (kind: string): Promise<string[]> => page.$$eval(`#content .mark.${kind}`, (marks) => [...new Set(marks.map((mark) => mark.getAttribute('data-node') ?? ''))].sort());
    expect(await markNodes('apply')).toEqual(run.meta.nodes);
    expect(await markNodes('invoke')).toEqual(run.meta.clients);
    expect(await markNodes('complete')).toEqual(run.meta.clients);
    expect(await page.$$('#content .op')).toHaveLength(events.filter((event) => event.type === 'invoke').length);

    // Zoomed in (the initial scale) near the start, arrows carry Multi-Paxos labels.
    await page.evaluate((scale) => window.paxsimDiagram.setScale(scale), api.scale);
    await page.evaluate(() => window.paxsimDiagram.scrollToTime(0));
    const labels = await page.$$eval('#content .msg.deliver', (arrows) => arrows.map((arrow) => [arrow.getAttribute('class') ?? '', arrow.querySelector('text')?.textContent ?? ''] as const));
    const labelOf = (type: string): string[] => labels.filter(([cls]) => cls.split(' ').includes(`t-${type}`)).map(([, text]) => text);
    const expected: Record<string, RegExp> = {
      prepare: /^prepare \(1,A\) from s0$/,
      promise: /^promise \(1,A\)( \+\d+ acc)?$/,
      accept: /^accept s\d+ \(1,A\)$/,
      accepted: /^accepted s\d+ \(1,A\)$/,
      commit: /^commit s\d+$/,
      heartbeat: /^heartbeat \(1,A\) c=\d+$/,
      request: /^request c[123]#\d+ (put|get|cas) [xy]$/,
      reply: /^reply #\d+$/,
      redirect: /^redirect →([A-E]|\?)$/,
    };
    for (const [type, pattern] of Object.entries(expected)) {
      const texts = labelOf(type);
      expect(texts.length, type).toBeGreaterThan(0);
      for (const text of texts) expect(text).toMatch(pattern);
    }
    expect(await page.$$eval('#content .mark.leader text', (texts) => texts.map((text) => text.textContent))).toEqual(['leader (1,A)']);

    // Hovering A's term explains it; its chip above the diagram scrolls to it.
    await page.locator('#content .term[data-node="A"] .stripe').first().dispatchEvent('mouseover');
    const details = (await page.locator('#detail-json').textContent()) ?? '';
    expect(details).toContain('A leads with (1,A) from t=13');
    expect(details).toContain(`stale from t=${leaders[1]!.t}: C was elected with the higher ballot (2,C)`);
    await page.click('.termchip[data-node="C"]');
    const visible = await page.evaluate(() => window.paxsimDiagram.visibleTimes());
    expect(visible.t0 <= leaders[1]!.t && leaders[1]!.t <= visible.t1).toBe(true);
    expect(await page.$$('#content .term.selected[data-node="C"]')).toHaveLength(1);
    await close(page);
  });

  it('leader-partitioned: a screenshot is not blank, and the term stripes are in it', async () => {
    const run = runScenario(shippedScenario('leader-partitioned'), { record: true });
    const viewport = { width: 1400, height: 900 };
    const empty = await open('mp-empty', sequenceDiagramHtml({ meta: run.meta, events: [], violations: [] }), viewport);
    const baseline = await ink(empty.page); // lanes, client shading and names only
    await close(empty.page);
    const { page } = await open('mp-screenshot', diagramOf(run), viewport);
    await page.evaluate(() => window.paxsimDiagram.scrollToTime(360)); // C's election, while A still leads
    expect(await page.$$('#content .term')).toHaveLength(2);
    const drawn = await ink(page);
    await close(page);
    console.log(`screenshot ink: leader-partitioned ${drawn.inked} px in ${drawn.colors} colours; empty trace ${baseline.inked} px in ${baseline.colors}`);
    expect(drawn.inked).toBeGreaterThan(drawn.area * 0.05);
    expect(drawn.inked).toBeGreaterThan(baseline.inked * 2);
    expect(drawn.colors).toBeGreaterThan(baseline.colors * 2);
  });

  it('a 20,000-event trace opens quickly, draws only near the viewport, and scrolls and filters correctly', async () => {
    const big = bigRun();
    const events = eventsOf(big);
    expect(events.length).toBeGreaterThanOrEqual(20_000);
    const delivered = count(events, 'deliver');
    const { page, loadMs } = await open('big', diagramOf(big));
    console.log(`big trace (${events.length} events, ${delivered} deliveries): ready ${loadMs} ms after navigation`);
    expect(await page.evaluate(() => window.paxsimDiagram.deliveredCount)).toBe(delivered);

    // Virtualized: at the default zoom only a small part is in the DOM.
    const drawnAtStart = await page.evaluate(() => window.paxsimDiagram.drawnArrowCount());
    expect(drawnAtStart).toBeGreaterThan(0);
    expect(drawnAtStart).toBeLessThan(delivered / 10);

    // Real scrolling (the scroll event, then a frame) redraws around the new viewport.
    await page.evaluate(() => {
      const scroller = document.getElementById('scroller')!;
      scroller.scrollTop = window.paxsimDiagram.totalHeight() / 2;
    });
    await page.waitForFunction(() => {
      const drawn = window.paxsimDiagram.renderedWindow();
      const visible = window.paxsimDiagram.visibleTimes();
      return drawn.t0 <= visible.t0 && drawn.t1 >= visible.t1;
    });
    const { drawnWindow, visible, spans } = await page.evaluate(() => ({
      drawnWindow: window.paxsimDiagram.renderedWindow(),
      visible: window.paxsimDiagram.visibleTimes(),
      spans: Array.from(document.querySelectorAll('#content .msg'), (el) => [Number(el.getAttribute('data-t0')), Number(el.getAttribute('data-t1'))] as const),
    }));
    expect(spans.length).toBeGreaterThan(0);
    for (const [t0, t1] of spans) expect(t1 >= drawnWindow.t0 - 1 && t0 <= drawnWindow.t1 + 1).toBe(true);
    expect(spans.some(([t0, t1]) => t1 >= visible.t0 && t0 <= visible.t1)).toBe(true);

    // Scrolling from top to bottom draws every delivered message exactly once as an arrow somewhere.
    const sweep = await page.evaluate(() => {
      const scroller = document.getElementById('scroller')!;
      const keys = new Set<string>();
      const step = scroller.clientHeight - 40;
      let steps = 0;
      for (let y = 0; y <= window.paxsimDiagram.totalHeight(); y += step) {
        scroller.scrollTop = y;
        window.paxsimDiagram.renderNow();
        steps += 1;
        for (const el of document.querySelectorAll('#content .msg.deliver')) keys.add(el.getAttribute('data-key') ?? '');
      }
      return { keys: keys.size, steps };
    });
    expect(sweep.keys).toBe(delivered);

    // Filtering by type (through the checkbox) hides exactly that type, and brings it back.
    await page.evaluate(() => window.paxsimDiagram.scrollToTime(3000));
    await page.waitForFunction(() => document.querySelectorAll('#content .msg.t-prepare').length > 0);
    await page.click('input[data-type="prepare"]');
    expect(await page.$$('#content .msg.t-prepare')).toHaveLength(0);
    expect(await page.$$('#content .msg.t-accepted')).not.toHaveLength(0);
    await page.click('input[data-type="prepare"]');
    expect(await page.$$('#content .msg.t-prepare')).not.toHaveLength(0);

    // Zoom buttons change the scale; fit shows everything (every arrow in the DOM at once).
    const before = await page.evaluate(() => window.paxsimDiagram.scale());
    await page.click('#zoom-in');
    expect(await page.evaluate(() => window.paxsimDiagram.scale())).toBeGreaterThan(before);
    await page.click('#zoom-out');
    await page.click('#zoom-out');
    expect(await page.evaluate(() => window.paxsimDiagram.scale())).toBeLessThan(before);
    await page.click('#zoom-fit');
    expect(await page.evaluate(() => window.paxsimDiagram.drawnArrowCount())).toBe(delivered);
    await close(page);
  }, 120_000);
  // A user protocol (loaded from a module, here the example) gets the generic part of the viewer.
  // The fixture and the example import 'paxsim', which resolves to this package's build (npm test builds first).
  it('a user protocol (examples/register): a lane per node, its own message types as arrows, its observations as marks with their fields', async () => {
    const html = join(dir, 'register.html');
    const trace = join(dir, 'register.jsonl');
    const outcome = await runCli(['run', 'examples/register/scenarios/register.yaml', '--quiet', '--html', html, '--trace', trace]);
    expect(outcome.code).toBe(0);
    const [meta, ...events] = readFileSync(trace, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as AnyTraceEvent & { msg?: { type: string } });
    expect(meta).toMatchObject({ protocol: 'register' });
    const deliveries = events.filter((event) => event.type === 'deliver');
    const sentTypes = [...new Set(events.flatMap((event) => (event.type === 'send' ? [event.msg!.type] : [])))];
    const CORE = new Set(['send', 'deliver', 'drop', 'duplicate', 'crash', 'restart', 'pause', 'resume', 'partition', 'cut', 'heal', 'drift', 'burst', 'timer', 'request-lost', 'chosen', 'violation', 'leader', 'invoke', 'complete', 'timeout']);
    const observations = events.filter((event) => !CORE.has(event.type));
    expect(observations.length).toBeGreaterThan(5);

    const { page } = await open('register', readFileSync(html, 'utf8'));
    const api = await page.evaluate(() => ({ protocol: window.paxsimDiagram.protocol, view: window.paxsimDiagram.view, types: window.paxsimDiagram.types, lanes: window.paxsimDiagram.lanes() }));
    expect(api.protocol).toBe('register');
    expect(api.view).toBe('generic');
    expect(api.lanes.map((lane) => lane.node)).toEqual(['A', 'B', 'C']);
    // Its message types, in the order the run first sent them (prepare, promised, …), not Paxos' list.
    expect(api.types).toEqual(sentTypes);
    expect(api.types).toContain('promised');
    expect(api.types).not.toContain('nack');

    await page.evaluate(() => window.paxsimDiagram.zoomToFit());
    expect(await page.evaluate(() => window.paxsimDiagram.drawnArrowCount())).toBe(deliveries.length);
    for (const type of api.types) {
      expect(await page.$$(`#content .msg.deliver.t-${type}`), type).toHaveLength(deliveries.filter((event) => event.msg!.type === type).length);
    }
    // Each type has its own colour (the page styles the types paxsim's stylesheet does not know).
    const colors = await page.$$eval('.controls label.filter', (labels) => labels.map((label) => getComputedStyle(label).color));
    expect(new Set(colors).size).toBe(api.types.length);
    // One mark per observation, on its node's lane, its type in the class; the checkers' chosen line.
    const marks = await page.$$eval('#content .mark.observation', (elements) => elements.map((el) => ({ node: el.getAttribute('data-node'), t: Number(el.getAttribute('data-t')), title: el.querySelector('title')?.textContent ?? '' })));
    expect(marks.map((mark) => `${mark.node}@${mark.t}`)).toEqual(observations.map((event) => `${(event as { node: string }).node}@${event.t}`));
    const propose = observations.find((event) => event.type === 'propose') as { node: string; t: number; value: string } | undefined;
    expect(propose).toBeDefined();
    const proposeTitle = marks.find((mark) => mark.title.startsWith(`${propose!.node}: propose at t=${propose!.t}`))?.title ?? '';
    expect(proposeTitle).toContain(`value: ${JSON.stringify(propose!.value)}`);
    expect(proposeTitle).toMatch(/ballot: \[1,"[AC]"\]/);
    expect(await page.$$('#content .chosen')).toHaveLength(events.filter((event) => event.type === 'chosen').length);

    // Zoomed in at the start, arrows and marks carry their values, as the built-ins' do.
    await page.evaluate(() => window.paxsimDiagram.setScale(40));
    await page.evaluate(() => window.paxsimDiagram.scrollToTime(0));
    const prepareLabels = await page.$$eval('#content .msg.deliver.t-prepare text', (texts) => texts.map((text) => text.textContent));
    expect(prepareLabels.length).toBeGreaterThan(0);
    for (const label of prepareLabels) expect(label).toMatch(/^prepare \(1,[AC]\)$/);
    expect(await page.$$eval('#content .mark.observation text', (texts) => texts.map((text) => text.textContent))).toContain(`propose "X" (1,A)`);
    // Hovering a mark shows the observation in full.
    await page.locator('#content .mark.observation').first().dispatchEvent('mouseover');
    expect(await page.locator('#detail-json').textContent()).toContain('"type": "propose"');
    await close(page);
  });

  it('a user protocol\'s own invariant: its violation is marked at its time, the observation that broke it in red', async () => {
    const scenario = join(dir, 'double-proposer.yaml');
    const protocol = join(import.meta.dirname, 'fixtures', 'protocols', 'counter-invariant.js');
    writeFileSync(scenario, `name: double-proposer\nprotocol: ${JSON.stringify(protocol)}\nnodes: [A, B, C]\nproposals:\n  - { at: 0, node: A, value: X }\n`);
    const html = join(dir, 'double-proposer.html');
    const outcome = await runCli(['run', scenario, '--quiet', '--html', html]);
    expect(outcome.code).toBe(1);
    const { page } = await open('double-proposer', readFileSync(html, 'utf8'));
    expect(await page.evaluate(() => window.paxsimDiagram.view)).toBe('generic');
    const violation = page.locator('#violation');
    expect(await violation.textContent()).toContain('propose-once: A proposed twice');
    const top = await violation.evaluate((el) => parseFloat((el as HTMLElement).style.top));
    expect(top).toBeCloseTo(await page.evaluate(() => window.paxsimDiagram.yAt(10)), 3);
    const culprits = await page.$$eval('#content .mark.culprit', (elements) => elements.map((el) => [el.getAttribute('data-node'), el.getAttribute('data-t'), el.getAttribute('class')]));
    expect(culprits).toEqual([['A', '10', 'mark observation o-propose culprit']]);
    expect(await page.$eval('#content .mark.culprit path', (el) => getComputedStyle(el).stroke)).toBe('rgb(220, 38, 38)');
    await close(page);
  });

  it('an adopt observation\'s ballot is not taken for a node: the lanes are the run\'s nodes (lossy-network has adopts)', async () => {
    expect(eventsOf(lossy).some((event) => event.type === 'adopt')).toBe(true);
    const { page } = await open('lossy-lanes', diagramOf(lossy));
    expect(await page.evaluate(() => window.paxsimDiagram.lanes().map((lane) => lane.node))).toEqual(lossy.meta.nodes);
    expect(await page.$$eval('#lanehead div', (heads) => heads.map((head) => head.getAttribute('data-node')))).toEqual(lossy.meta.nodes);
    await close(page);
  });
  it('a user protocol\'s names stay text: markup in message types, observation types, field names and values draws nothing and runs nothing', async () => {
    const evil = '</script><img src=x onerror="window.pwned=1">';
    const meta = { ...seedExample.meta, protocol: 'hostile', nodes: ['A', 'B'], acceptors: ['A', 'B'], proposers: ['A'], learners: ['B'] };
    const events = [
      { t: 0, type: 'send', from: 'A', to: 'B', id: 1, msg: { type: evil, [evil]: evil } },
      { t: 3, type: 'deliver', from: 'A', to: 'B', id: 1, msg: { type: evil, [evil]: evil } },
      { t: 3, type: `${evil}obs`, node: 'B', [`<b>${evil}`]: { nested: evil } },
      { t: 3, type: '__proto__', node: 'B', constructor: 'toString' },
    ] as unknown as AnyTraceEvent[];
    const { page } = await open('hostile-user', sequenceDiagramHtml({ meta, events, violations: [{ checker: evil, message: evil, t: 3, event: 2 }] }));
    await page.evaluate(() => window.paxsimDiagram.setScale(40));
    expect(await page.evaluate(() => window.paxsimDiagram.types)).toEqual([evil]);
    expect(await page.$$('img, b')).toHaveLength(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.$$('#content .msg.deliver')).toHaveLength(1);
    expect(await page.$eval('#content .msg.deliver text', (el) => el.textContent)).toContain('</script><img');
    const marks = await page.$$eval('#content .mark.observation title', (titles) => titles.map((title) => title.textContent ?? ''));
    expect(marks).toHaveLength(2);
    expect(marks[0]).toContain(`B: ${evil}obs at t=3`);
    expect(marks[1]).toContain('B: __proto__ at t=3\n  constructor: "toString"');
    expect(await page.$$('#content .mark.observation.culprit')).toHaveLength(1);
    await close(page);
  });
});
