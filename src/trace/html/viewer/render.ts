import type { LeaderTerm } from '../page-data.js';
import { AXIS, LABEL_AT, TERM_LABEL_EVERY, TERM_W } from './geometry.js';
import type { Describer } from './describe.js';
import type { Lanes } from './lanes.js';
import type { Arrow, Mark, Model } from './model.js';
import type { MarkPen, ProtocolPart } from './part.js';
import type { TimeScale } from './scale.js';
import { opLong } from './commands.js';
import { ballot, esc, ident, json, n1 } from './text.js';

/** What the drawing depends on besides the model: zoom, filter, selection. */
export interface ViewState {
  /** Message types unticked in the filter. */
  readonly hidden: Set<string>;
  /** Key of the pinned item. */
  selected: string | null;
  /** Canvas y range currently rendered. */
  readonly win: { top: number; bottom: number };
}

export function typeOf(a: Arrow): string {
  return a.msg ? String(a.msg.type) : 'unknown';
}

/** An arrow's label (also the details panel's first line). */
export function arrowLabel(part: ProtocolPart, a: Arrow): string {
  return a.msg ? part.messageLabel(a.msg) : '?';
}

/**
 * Turns the part of the model whose time span meets a window of the canvas
 * into SVG markup: bands, lanes, crash and pause intervals, leader terms,
 * client operations, chosen lines, arrows and marks, in that order (later on top).
 */
export class Renderer {
  constructor(
    private readonly model: Model,
    private readonly lanes: Lanes,
    private readonly time: TimeScale,
    private readonly part: ProtocolPart,
    private readonly describe: Describer,
    private readonly state: ViewState,
    private readonly terms: readonly LeaderTerm[],
    private readonly nodeColors: Readonly<Record<string, string>>,
    /** Indices of violating events: drawn in red. */
    private readonly culprits: ReadonlySet<number>,
    private readonly labelMinScale: number,
  ) {}

  window(y0: number, y1: number): string {
    const { model, lanes, time, state } = this;
    const t0 = time.timeAt(y0);
    const t1 = time.timeAt(y1);
    const out: string[] = [];
    const showLabels = time.scale >= this.labelMinScale;
    const right = lanes.lanesRight;
    const meets = (item: { t0: number; t1: number }): boolean => item.t1 >= t0 && item.t0 <= t1;
    if (lanes.clientLeft >= 0) out.push('<rect class="clientcol" x="' + lanes.clientLeft + '" y="' + n1(y0) + '" width="' + (lanes.lanesRight - lanes.clientLeft) + '" height="' + n1(Math.max(1, y1 - y0)) + '"/>');
    this.axis(out, y0, y1, t0, t1, right);
    for (const b of model.bands) {
      if (!meets(b)) continue;
      const ya = time.yAt(b.t0);
      const yb = Math.max(time.yAt(b.t1), ya + 2);
      out.push('<g class="band ' + b.kind + '"><title>' + esc(b.label + ', t=' + b.t0 + '\u2026' + b.t1) + '</title><rect x="' + b.x0 + '" y="' + n1(ya) + '" width="' + (b.x1 - b.x0) + '" height="' + n1(yb - ya) + '"/><text x="' + (b.x1 - 4) + '" y="' + n1(ya + 11) + '">' + esc(b.label) + '</text></g>');
    }
    for (const node of lanes.nodes) {
      const x = lanes.x(node);
      out.push('<line class="lane' + (lanes.isClient(node) ? ' client' : this.part.isAuxiliary(node) ? ' aux' : '') + '" x1="' + x + '" x2="' + x + '" y1="' + n1(y0) + '" y2="' + n1(y1) + '"/>');
    }
    for (const iv of model.intervals) {
      if (!meets(iv)) continue;
      const ya = time.yAt(iv.t0);
      const yb = Math.max(time.yAt(iv.t1), ya + 2);
      const x = lanes.x(iv.node);
      const w = lanes.laneWidth(iv.node) * 0.6;
      out.push('<g class="iv"><title>' + esc(iv.node + ' ' + iv.kind + ', t=' + iv.t0 + '\u2026' + iv.t1) + '</title><rect class="' + iv.kind + '" x="' + (x - w / 2) + '" y="' + n1(ya) + '" width="' + w + '" height="' + n1(yb - ya) + '"/><text x="' + (x + 4) + '" y="' + n1(ya + 11) + '">' + iv.kind + '</text></g>');
    }
    this.terms.forEach((term, i) => {
      if (meets(term)) out.push(this.term(term, i, y0, y1, showLabels));
    });
    model.ops.forEach((op, i) => {
      if (!meets(op)) return;
      const ya = time.yAt(op.t0);
      const yb = Math.max(time.yAt(op.t1), ya + 2);
      const x = lanes.x(op.node);
      out.push('<g class="op ' + op.outcome + '" data-key="o' + i + '"><title>' + esc(this.describe.operation(op)) + '</title><rect x="' + (x - 2) + '" y="' + n1(ya) + '" width="4" height="' + n1(yb - ya) + '"/></g>');
    });
    let lastChosenY = -1e9;
    for (const c of model.lines) {
      if (!meets(c)) continue;
      const y = n1(time.yAt(c.t0));
      const e = c.event;
      const slot = e.slot !== undefined;
      const labelled = !slot || y - lastChosenY >= 12; // zoomed out, chosen slots crowd: label only those with room
      if (labelled) lastChosenY = y;
      const text = this.part.chosenText(e, showLabels);
      out.push(
        '<g class="chosen mark' + (slot ? ' slot' : '') + (this.culprits.has(c.index) ? ' culprit' : '') + '" data-key="c' + c.index + '"' + (slot ? ' data-slot="' + esc(e.slot) + '"' : '') + '><title>' + esc(this.part.describeChosen(e)) +
          '</title><line x1="' + AXIS + '" x2="' + (slot ? lanes.replicaRight : right) + '" y1="' + y + '" y2="' + y + '"/>' + (labelled ? '<text x="' + (AXIS + 4) + '" y="' + (y - 3) + '">' + esc(text) + '</text>' : '') + '</g>',
      );
    }
    model.arrows.forEach((a, i) => {
      if (meets(a) && !state.hidden.has(typeOf(a))) out.push(this.arrow(a, i, showLabels));
    });
    model.marks.forEach((m, i) => {
      if (meets(m) && !this.markHidden(m)) out.push(this.mark(m, i, showLabels));
    });
    return out.join('');
  }

  /** A leader's heartbeat timer goes with its heartbeats: hiding them hides it too. */
  private markHidden(m: Mark): boolean {
    return m.kind === 'timer' && m.event['timer'] === 'heartbeat' && this.state.hidden.has('heartbeat');
  }

  /**
   * A leader's term: a faint tint over its lane and a coloured stripe on it, from
   * its election to its step-down, the ballot written along it every few hundred
   * px; hatched red from when a higher ballot was elected elsewhere (stale).
   */
  private term(term: LeaderTerm, i: number, y0: number, y1: number, showLabels: boolean): string {
    const { lanes, time } = this;
    const x = lanes.x(term.node);
    const w = lanes.laneWidth(term.node) * 0.84;
    const ya = time.yAt(term.t0);
    const yb = Math.max(time.yAt(term.t1), ya + 2);
    const ca = Math.max(ya, y0 - 20); // clipped to the window
    const cb = Math.min(yb, y1 + 20);
    const ys = term.staleFrom === null ? null : Math.max(ya, time.yAt(term.staleFrom));
    const color = this.nodeColors[term.node] ?? '#94a3b8';
    const key = 'r' + i;
    const parts = [
      '<g class="term' + (term.staleFrom === null ? '' : ' has-stale') + (this.state.selected === key ? ' selected' : '') + '" data-key="' + key + '" data-node="' + esc(term.node) + '" data-ballot="' + esc(term.ballot.join(',')) + '" data-t0="' + term.t0 + '" data-t1="' + term.t1 + '"' +
        (term.staleFrom === null ? '' : ' data-stale-from="' + term.staleFrom + '"') + ' style="color:' + esc(color) + '">',
    ];
    parts.push('<title>' + esc(this.describe.term(term)) + '</title>');
    const freshEnd = ys === null ? cb : Math.min(cb, ys);
    if (freshEnd > ca) parts.push('<rect class="tint" x="' + n1(x - w / 2) + '" y="' + n1(ca) + '" width="' + n1(w) + '" height="' + n1(freshEnd - ca) + '"/>');
    if (ys !== null && cb > Math.max(ca, ys)) parts.push('<rect class="stale-tint" x="' + n1(x - w / 2) + '" y="' + n1(Math.max(ca, ys)) + '" width="' + n1(w) + '" height="' + n1(cb - Math.max(ca, ys)) + '"/>');
    parts.push('<rect class="stripe" x="' + n1(x - TERM_W / 2) + '" y="' + n1(ca) + '" width="' + TERM_W + '" height="' + n1(Math.max(1, cb - ca)) + '"/>');
    if (ys !== null && cb > Math.max(ca, ys)) {
      parts.push('<rect class="stale" x="' + n1(x - TERM_W / 2) + '" y="' + n1(Math.max(ca, ys)) + '" width="' + TERM_W + '" height="' + n1(cb - Math.max(ca, ys)) + '"/>');
      if (ys >= ca) parts.push('<line class="from" x1="' + n1(x - w / 2) + '" x2="' + n1(x + w / 2) + '" y1="' + n1(ys) + '" y2="' + n1(ys) + '"/>');
    }
    if (term.end && yb <= cb) {
      parts.push('<line class="stop" x1="' + n1(x - TERM_W) + '" x2="' + n1(x + TERM_W) + '" y1="' + n1(yb) + '" y2="' + n1(yb) + '"/>');
      if (showLabels) parts.push('<text class="stop" x="' + n1(x + TERM_W + 3) + '" y="' + n1(yb + 4) + '">steps down: ' + esc(term.end.reason) + '</text>');
    }
    // The ballot along the stripe, at fixed canvas positions so it does not jump when the window moves.
    const base = ya + 60;
    const first = base + Math.max(0, Math.ceil((ca - 40 - base) / TERM_LABEL_EVERY)) * TERM_LABEL_EVERY;
    for (let y = first; yb - ya >= 90 && y < cb - 20; y += TERM_LABEL_EVERY) {
      const stale = ys !== null && y >= ys;
      const text = (stale ? 'stale ' : 'leader ') + term.node + ' ' + this.part.termLabel(term.ballot);
      parts.push('<text class="along" transform="translate(' + n1(x - 4) + ' ' + n1(y) + ') rotate(90)">' + esc(text) + '</text>');
    }
    parts.push('</g>');
    return parts.join('');
  }

  /** Ticks at round times; squeezed idle stretches get a zigzag and their length instead. */
  private axis(out: string[], y0: number, y1: number, t0: number, t1: number, right: number): void {
    const { time } = this;
    const { times, ys } = time;
    const step = niceStep(44 / time.scale);
    let lastY = -1e9;
    const tick = (t: number): void => {
      const y = time.yAt(t);
      if (y < y0 - 20 || y > y1 + 20 || y - lastY < 16) return;
      lastY = y;
      out.push('<g class="tick"><line x1="' + (AXIS - 4) + '" x2="' + right + '" y1="' + n1(y) + '" y2="' + n1(y) + '"/><text x="' + (AXIS - 6) + '" y="' + n1(y + 3) + '">' + t + '</text></g>');
    };
    for (let i = Math.max(1, time.timeIndex(t0)); i < times.length && times[i - 1]! <= t1; i++) {
      const a = times[i - 1]!;
      const b = times[i]!;
      const squeezed = ys[i]! - ys[i - 1]! < (b - a) * time.scale - 0.5;
      if (squeezed) {
        tick(a);
        out.push('<g class="idle"><rect x="' + AXIS + '" y="' + n1(ys[i - 1]! + 6) + '" width="' + (right - AXIS) + '" height="' + n1(ys[i]! - ys[i - 1]! - 12) + '"/><text x="' + n1((AXIS + right) / 2) + '" y="' + n1((ys[i - 1]! + ys[i]!) / 2 + 3) + '">\u22ef ' + (b - a) + ' ms with no message in flight \u22ef</text></g>');
        lastY = -1e9;
        tick(b);
      } else {
        for (let t = Math.ceil(Math.max(a, t0) / step) * step; t <= Math.min(b, t1); t += step) tick(t);
      }
    }
    if (times.length === 1) tick(0);
  }

  private arrow(a: Arrow, i: number, showLabels: boolean): string {
    const { lanes, time } = this;
    const key = 'a' + i;
    const type = typeOf(a);
    const x0 = lanes.x(a.from);
    const x1 = lanes.x(a.to);
    const ya = time.yAt(a.t0);
    const yb = time.yAt(a.t1);
    const cls = 'msg ' + a.kind + ' t-' + ident(type) + (a.copy > 1 ? ' dup' : '') + (this.culprits.has(a.index) ? ' culprit' : '') + (this.state.selected === key ? ' selected' : '');
    const attrs = ' data-key="' + key + '" data-id="' + esc(a.id) + '" data-t0="' + a.t0 + '" data-t1="' + a.t1 + '"' + (a.kind === 'deliver' ? ' data-copy="' + a.copy + '"' : ' data-reason="' + esc(a.reason) + '"');
    let path: string;
    let ex: number;
    let ey: number;
    let lx: number;
    let ly: number;
    let anchor = 'middle';
    if (a.from === a.to) {
      // A message to itself: a small loop left of the lane (mark labels go right).
      const h = Math.max(8, yb - ya);
      ex = x0 - 2;
      ey = ya + h;
      path = 'M' + x0 + ' ' + n1(ya) + 'h-16v' + n1(h) + 'H' + ex;
      lx = x0 - 20;
      ly = ya + h / 2 + 4;
      anchor = 'end';
    } else if (a.kind === 'drop') {
      // Lost at the sender (no time passed): a short stub; lost in flight: nearly all the way.
      const f = a.t1 > a.t0 ? 0.85 : 0.3;
      ex = x0 + (x1 - x0) * f;
      ey = a.t1 > a.t0 ? yb : ya + 10;
      path = 'M' + x0 + ' ' + n1(ya) + 'L' + n1(ex) + ' ' + n1(ey);
      lx = x0 + (ex - x0) * LABEL_AT;
      ly = ya + (ey - ya) * LABEL_AT - 3;
    } else {
      ex = x1;
      ey = yb;
      path = 'M' + x0 + ' ' + n1(ya) + 'L' + ex + ' ' + n1(ey);
      lx = x0 + (ex - x0) * LABEL_AT;
      ly = ya + (ey - ya) * LABEL_AT - 3;
    }
    const parts = ['<g class="' + cls + '"' + attrs + '>'];
    if (a.kind === 'drop') parts.push('<title>' + esc('dropped (' + String(a.reason) + '): ' + arrowLabel(this.part, a) + ' #' + String(a.id)) + '</title>');
    // A wide transparent twin makes a thin arrow easy to hover; zoomed far out, arrows are too dense for it to help.
    if (showLabels) parts.push('<path class="hit" d="' + path + '"/>');
    parts.push('<path class="ln" d="' + path + '"/>');
    if (a.kind === 'drop') parts.push('<path class="x" d="M' + n1(ex - 4) + ' ' + n1(ey - 4) + 'l8 8m0 -8l-8 8"/>');
    else parts.push(arrowHead(a.from === a.to ? x0 - 16 : x0, a.from === a.to ? ey : ya, ex, ey));
    if (a.copy > 1) {
      // Duplicate badge near the arrow's head, readable even without labels.
      const bx = n1(ex + (x0 < ex ? -30 : 12));
      const by = n1(ey - 12);
      parts.push('<rect class="badge" x="' + bx + '" y="' + by + '" width="20" height="10" rx="2"/><text x="' + n1(bx + 2) + '" y="' + n1(by + 8) + '">dup</text>');
    }
    if (showLabels) parts.push('<text x="' + n1(lx) + '" y="' + n1(ly) + '" text-anchor="' + anchor + '">' + esc(arrowLabel(this.part, a)) + (a.kind === 'drop' ? ' \u2717' : '') + '</text>');
    parts.push('</g>');
    return parts.join('');
  }

  private mark(m: Mark, i: number, showLabels: boolean): string {
    const x = this.lanes.x(m.node);
    const y = n1(this.time.yAt(m.t0));
    const culprit = m.indices.some((k) => this.culprits.has(k));
    const kindClass = (m.kind === 'request-lost' ? 'lost' : m.kind) + this.part.markClasses(m);
    const style = m.kind === 'leader' ? ' style="color:' + esc(this.nodeColors[String(m.node)] ?? '#f59e0b') + '"' : '';
    const cls = 'mark ' + kindClass + (culprit ? ' culprit' : '') + (this.state.selected === 'm' + i ? ' selected' : '');
    const pen: MarkPen = {
      open: '<g class="' + cls + '" data-key="m' + i + '" data-node="' + esc(m.node) + '" data-t="' + m.t0 + '"' + style + '><title>' + esc(this.describe.mark(m)) + '</title>',
      x,
      y,
      text: (label, dx, dy) => (showLabels ? '<text x="' + (x + (dx ?? 8)) + '" y="' + (y + 4 + (dy ?? 0)) + '">' + esc(label) + '</text>' : ''),
      // Left of the lane: an operation's end, so the next invoke at the same instant keeps the right side.
      textLeft: (label) => (showLabels ? '<text x="' + (x - 8) + '" y="' + (y + 4) + '" text-anchor="end">' + esc(label) + '</text>' : ''),
    };
    return coreMarkSvg(m, pen) ?? this.part.markSvg(m, pen) ?? '';
  }
}

/** The marks every protocol may have: timers, lost requests, clock drift, elections, client operations. */
function coreMarkSvg(m: Mark, pen: MarkPen): string | null {
  const e = m.event;
  const { open, x, y, text, textLeft } = pen;
  switch (m.kind) {
    case 'timer':
      return open + '<circle cx="' + (x - 6) + '" cy="' + y + '" r="3"/></g>';
    case 'request-lost':
      return open + '<path d="M' + (x - 4) + ' ' + (y - 4) + 'l8 8m0 -8l-8 8"/>' + text('request "' + String(e['value']) + '" lost') + '</g>';
    case 'drift':
      return open + text('clock \u00d7' + String(e['rate']), 6) + '</g>';
    case 'leader':
      // A crown on the lane; its label is always shown, even zoomed far out.
      return (
        open +
        '<path d="M' + (x - 8) + ' ' + (y + 5) + 'V' + (y - 3) + 'L' + (x - 4) + ' ' + (y + 1) + 'L' + x + ' ' + (y - 7) + 'L' + (x + 4) + ' ' + (y + 1) + 'L' + (x + 8) + ' ' + (y - 3) + 'V' + (y + 5) + 'Z"/><text x="' + (x + 11) + '" y="' + (y + 4) + '">leader ' + esc(leaderOf(m)) + '</text></g>'
      );
    case 'invoke':
      return open + '<path d="M' + (x - 6) + ' ' + (y - 5) + 'L' + (x + 3) + ' ' + y + 'L' + (x - 6) + ' ' + (y + 5) + 'Z"/>' + text('#' + String(e.requestId) + ' ' + opLong(e['op'])) + '</g>';
    case 'complete':
      return open + '<circle cx="' + x + '" cy="' + y + '" r="4"/>' + textLeft('#' + String(e.requestId) + ' \u2192 ' + json(e['result'])) + '</g>';
    case 'optimeout':
      return open + '<path d="M' + (x - 4) + ' ' + (y - 4) + 'l8 8m0 -8l-8 8"/>' + textLeft('#' + String(e.requestId) + ' timed out') + '</g>';
    default:
      return null;
  }
}

/** A Raft leader has a term, a Multi-Paxos one a ballot. */
function leaderOf(m: Mark): string {
  const e = m.event;
  return e['term'] !== undefined ? 'term ' + String(e['term']) : ballot(e['ballot']);
}

function arrowHead(xs: number, ys: number, xe: number, ye: number): string {
  const dx = xe - xs;
  const dy = ye - ys;
  const len = Math.sqrt(dx * dx + dy * dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const bx = xe - ux * 8;
  const by = ye - uy * 8;
  return '<path class="hd" d="M' + n1(xe) + ' ' + n1(ye) + 'L' + n1(bx - uy * 3.5) + ' ' + n1(by + ux * 3.5) + 'L' + n1(bx + uy * 3.5) + ' ' + n1(by - ux * 3.5) + 'Z"/>';
}

/** The smallest of 1, 2, 5, 10, 20, 50, … ms that is at least `minMs`. */
function niceStep(minMs: number): number {
  const steps = [1, 2, 5];
  for (let p = 1; ; p *= 10) for (const step of steps) if (step * p >= minMs) return step * p;
}
