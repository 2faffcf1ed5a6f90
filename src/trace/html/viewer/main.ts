import { DATA_ELEMENT_ID, EVENTS_ELEMENT_ID, type DiagramPageData, type PageEvent } from '../page-data.js';
import { Describer } from './describe.js';
import { HEAD, LABEL_MIN_SCALE } from './geometry.js';
import { Lanes } from './lanes.js';
import { buildModel, defaultScale, type Arrow, type ChosenLine, type Mark } from './model.js';
import { partFor } from './parts/index.js';
import { arrowLabel, Renderer, type ViewState } from './render.js';
import { TimeScale } from './scale.js';
import { esc, pretty } from './text.js';

/**
 * The diagram page's script, compiled from this folder and inlined into every
 * page (scripts/build-viewer.mjs). It reads the two JSON elements the writer
 * embedded, draws the part of the run near the viewport, and exposes
 * `window.paxsimDiagram` for tests and the curious.
 */

function element<T extends Element>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error('paxsim diagram: the page has no #' + id);
  return found as unknown as T;
}

function readJson<T>(id: string): T {
  return JSON.parse(element<HTMLElement>(id).textContent ?? 'null') as T;
}

const data = readJson<DiagramPageData>(DATA_ELEMENT_ID);
// The events come first in the page (written as the run went), the rest after them.
const events = readJson<PageEvent[]>(EVENTS_ELEMENT_ID);
const part = partFor(data.meta, data.view);
const describe = new Describer(part);

const scroller = element<HTMLDivElement>('scroller');
const canvas = element<HTMLDivElement>('canvas');
const svg = element<SVGSVGElement>('diagram');
const content = element<SVGGElement>('content');
const detail = element<HTMLPreElement>('detail-json');
const violationEls = Array.from(document.querySelectorAll<HTMLElement>('[data-violation]'));
const boxes = Array.from(document.querySelectorAll<HTMLInputElement>('input[data-type]'));
const TYPES = boxes.map((box) => box.getAttribute('data-type') ?? '');
const terms = data.terms;
const culprits = new Set(data.violations.map((v) => v.event));

const lanes = new Lanes(data.meta, events);
const model = buildModel(events, lanes, part);
const time = new TimeScale(model.times, model.idle, defaultScale(model.arrows));
const state: ViewState = { hidden: new Set(), selected: null, win: { top: 0, bottom: -1 } };
// The filter's initial state is in the markup (heartbeats may start unticked); a reload must not restore another.
for (const box of boxes) {
  box.checked = box.defaultChecked;
  if (!box.checked) state.hidden.add(box.getAttribute('data-type') ?? '');
}
const renderer = new Renderer(model, lanes, time, part, describe, state, terms, data.nodeColors, culprits, LABEL_MIN_SCALE);

// ---- layout and the rendered window ---------------------------------------------

function viewHeight(): number {
  return Math.max(50, scroller.clientHeight - HEAD);
}

function layout(): void {
  time.layout();
  canvas.style.height = time.totalHeight() + 'px';
  canvas.style.width = lanes.width + 'px';
  svg.setAttribute('width', String(lanes.width));
  for (const el of violationEls) {
    el.style.top = time.yAt(Number(el.dataset['t'])) + 'px';
    el.style.width = lanes.width + 'px';
  }
}

/** Redraw when the viewport has come near the edge of what is drawn (or when forced by zoom or filter). */
function render(force: boolean): void {
  const view = viewHeight();
  const top = scroller.scrollTop;
  const bottom = top + view;
  const win = state.win;
  const total = time.totalHeight();
  const nearTop = win.top > 0 && top - win.top < view / 3;
  const nearBottom = win.bottom < total && win.bottom - bottom < view / 3;
  if (!force && !nearTop && !nearBottom && top >= win.top && bottom <= win.bottom) return;
  win.top = Math.max(0, top - view);
  win.bottom = Math.min(total, bottom + view);
  const y0 = win.top;
  const y1 = win.bottom;
  content.innerHTML = renderer.window(y0, y1);
  svg.style.top = y0 + 'px';
  svg.setAttribute('height', String(Math.max(1, y1 - y0)));
  svg.setAttribute('viewBox', '0 ' + y0 + ' ' + lanes.width + ' ' + Math.max(1, y1 - y0));
}

// ---- details panel ------------------------------------------------------------

type Item = { kind: 'arrow'; arrow: Arrow } | { kind: 'mark'; mark: Mark } | { kind: 'term'; index: number } | { kind: 'op'; index: number } | { kind: 'chosen'; line: ChosenLine };

/** The item a `data-key` names: a3 arrow, m3 mark, r3 leader term, o3 operation, c3 chosen line (by event index). */
function itemFor(key: string | null): Item | null {
  if (!key) return null;
  const i = Number(key.slice(1));
  switch (key[0]) {
    case 'a': {
      const arrow = model.arrows[i];
      return arrow ? { kind: 'arrow', arrow } : null;
    }
    case 'm': {
      const mark = model.marks[i];
      return mark ? { kind: 'mark', mark } : null;
    }
    case 'r':
      return terms[i] ? { kind: 'term', index: i } : null;
    case 'o':
      return model.ops[i] ? { kind: 'op', index: i } : null;
    default: {
      const line = model.lines.find((c) => c.index === i);
      return line ? { kind: 'chosen', line } : null;
    }
  }
}

function showDetails(key: string | null): void {
  const item = itemFor(key);
  detail.textContent = item === null ? '' : detailText(item);
}

function detailText(item: Item): string {
  switch (item.kind) {
    case 'term': {
      const term = terms[item.index]!;
      return describe.term(term) + '\n' + pretty(term);
    }
    case 'op': {
      const op = model.ops[item.index]!;
      return describe.operation(op) + '\n' + pretty({ invoke: op.event, end: op.end });
    }
    case 'arrow': {
      const a = item.arrow;
      const info: Record<string, unknown> = { id: a.id, from: a.from, to: a.to, sent: a.send ? a.send.t : null };
      if (a.kind === 'deliver') {
        info['delivered'] = a.t1;
        info['copy'] = a.copy;
        if (a.copy > 1) info['duplicate'] = true;
      } else {
        info['dropped'] = a.t1;
        info['reason'] = a.reason;
      }
      info['msg'] = a.msg;
      info['event'] = a.index;
      return String(a.from) + ' \u2192 ' + String(a.to) + '  ' + arrowLabel(part, a) + (a.kind === 'drop' ? '  (dropped: ' + String(a.reason) + ')' : '') + '\n' + pretty(info);
    }
    case 'mark': {
      const m = item.mark;
      if (m.events.length > 1) return describe.mark(m) + '\n' + pretty({ indices: m.indices, events: m.events });
      return describe.mark(m) + '\n' + pretty(Object.assign({ index: m.index }, m.event));
    }
    case 'chosen':
      return part.describeChosen(item.line.event) + '\n' + pretty(Object.assign({ index: item.line.index }, item.line.event));
  }
}

function keyOf(target: EventTarget | null): string | null {
  const el = target instanceof Element ? target.closest('[data-key]') : null;
  return el ? el.getAttribute('data-key') : null;
}
svg.addEventListener('mouseover', (ev) => {
  const key = keyOf(ev.target);
  if (key && !state.selected) showDetails(key);
});
svg.addEventListener('click', (ev) => {
  const key = keyOf(ev.target);
  state.selected = key && key !== state.selected ? key : null;
  showDetails(state.selected ?? key);
  render(true);
});

// ---- zoom, scroll, filter -------------------------------------------------------

const MIN_SCALE = 1e-5;
const MAX_SCALE = 400;

function setScale(scale: number, anchorPx?: number): void {
  const anchor = anchorPx === undefined ? viewHeight() / 2 : anchorPx;
  const t = time.timeAt(scroller.scrollTop + anchor); // keep the time under the anchor where it is
  time.scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, scale));
  layout();
  scroller.scrollTop = time.yAt(t) - anchor;
  render(true);
}

function zoomToFit(): void {
  // Total height grows with scale (squeezed stretches are capped), so bisect on log(scale).
  const target = viewHeight() - 4;
  let lo = Math.log(MIN_SCALE);
  let hi = Math.log(MAX_SCALE);
  for (let k = 0; k < 50; k++) {
    const mid = (lo + hi) / 2;
    time.scale = Math.exp(mid);
    layout();
    if (time.totalHeight() <= target) lo = mid;
    else hi = mid;
  }
  time.scale = Math.exp(lo);
  layout();
  scroller.scrollTop = 0;
  render(true);
}

function scrollToTime(t: number): void {
  scroller.scrollTop = Math.max(0, time.yAt(t) - viewHeight() / 3);
  render(false);
}

function setTypeVisible(type: string, visible: boolean): void {
  if (visible) state.hidden.delete(type);
  else state.hidden.add(type);
  for (const box of boxes) if (box.getAttribute('data-type') === type) box.checked = visible;
  render(true);
}

let pending = false;
scroller.addEventListener('scroll', () => {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    render(false);
  });
});
window.addEventListener('resize', () => render(true));
scroller.addEventListener(
  'wheel',
  (ev) => {
    if (!ev.ctrlKey) return; // plain wheel scrolls; ctrl+wheel (and pinch) zooms
    ev.preventDefault();
    const rect = scroller.getBoundingClientRect();
    setScale(time.scale * Math.exp(-ev.deltaY * 0.002), ev.clientY - rect.top - HEAD);
  },
  { passive: false },
);
element('zoom-in').addEventListener('click', () => setScale(time.scale * 1.5));
element('zoom-out').addEventListener('click', () => setScale(time.scale / 1.5));
element('zoom-fit').addEventListener('click', zoomToFit);
element<HTMLInputElement>('squeeze').addEventListener('change', (ev) => {
  time.squeeze = (ev.target as HTMLInputElement).checked;
  setScale(time.scale);
});
document.addEventListener('keydown', (ev) => {
  if (ev.target instanceof HTMLInputElement) return;
  if (ev.key === '+' || ev.key === '=') setScale(time.scale * 1.5);
  else if (ev.key === '-') setScale(time.scale / 1.5);
});
for (const box of boxes) box.addEventListener('change', () => setTypeVisible(box.getAttribute('data-type') ?? '', box.checked));
const jump = document.getElementById('jump-violation');
const firstViolation = data.violations[0];
if (jump && firstViolation) jump.addEventListener('click', () => scrollToTime(firstViolation.t));
for (const chip of Array.from(document.querySelectorAll<HTMLElement>('.termchip[data-term]'))) {
  chip.addEventListener('click', () => {
    const index = Number(chip.getAttribute('data-term'));
    const term = terms[index];
    if (!term) return;
    scrollToTime(term.t0);
    state.selected = 'r' + index;
    showDetails(state.selected);
    render(true);
  });
}

function drawLaneHeads(): void {
  const head = element<HTMLDivElement>('lanehead');
  head.style.width = lanes.width + 'px';
  head.innerHTML = lanes.nodes
    .map((node) => {
      const client = lanes.isClient(node);
      const roles = client ? 'client' : part.laneRole(node);
      const cls = client ? 'client' : part.isAuxiliary(node) ? 'node aux' : 'node';
      return '<div class="' + cls + '" data-node="' + esc(node) + '" style="left:' + lanes.x(node) + 'px">' + esc(node) + '<small>' + esc(roles) + '</small></div>';
    })
    .join('');
}

// ---- start -------------------------------------------------------------------

drawLaneHeads();
layout();
render(true);

const delivered = model.arrows.filter((a) => a.kind === 'deliver');

/** What the page exposes as `window.paxsimDiagram`, for tests and the curious. */
const api = {
  ready: true,
  /** The meta line's protocol ("paxos" when it names none). */
  protocol: data.meta.protocol || 'paxos',
  /** Which part of the viewer draws it: paxos, multi-slot, raft or generic (a user protocol). */
  view: part.view,
  deliveredCount: delivered.length,
  droppedCount: model.arrows.length - delivered.length,
  duplicateCount: delivered.filter((a) => a.copy > 1).length,
  types: TYPES.slice(),
  /** Message types unticked in the filter now. */
  hiddenTypes: (): string[] => Array.from(state.hidden),
  /** Lanes left to right: the replicas (or nodes), then the clients. */
  lanes: () => lanes.nodes.map((node) => ({ node, x: lanes.x(node), client: lanes.isClient(node) })),
  /** Leader terms as read from the trace (see leaderTerms in src/trace/html.ts). */
  leaderTerms: () => terms.slice(),
  /** Delivered-message arrows in the DOM now: inside the rendered window and not filtered out. */
  drawnArrowCount: (): number => content.querySelectorAll('.msg.deliver').length,
  drawnKeys: (): (string | null)[] => Array.from(content.querySelectorAll('.msg'), (g) => g.getAttribute('data-key')),
  renderedWindow: () => ({ y0: state.win.top, y1: state.win.bottom, t0: time.timeAt(state.win.top), t1: time.timeAt(state.win.bottom) }),
  visibleTimes: () => ({ t0: time.timeAt(scroller.scrollTop), t1: time.timeAt(scroller.scrollTop + viewHeight()) }),
  totalHeight: (): number => time.totalHeight(),
  scale: (): number => time.scale,
  setScale,
  zoomIn: (): void => setScale(time.scale * 1.5),
  zoomOut: (): void => setScale(time.scale / 1.5),
  zoomToFit,
  scrollToTime,
  /** Redraw for the current scroll position now, without waiting for a frame. */
  renderNow: (): void => render(false),
  setTypeVisible,
  yAt: (t: number): number => time.yAt(t),
  timeAt: (y: number): number => time.timeAt(y),
};
(window as unknown as { paxsimDiagram: typeof api }).paxsimDiagram = api;
document.documentElement.setAttribute('data-ready', 'true');
