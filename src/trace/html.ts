import type { AnyTraceEvent, TraceMeta } from '../sim/events.js';

/**
 * A run as one self-contained HTML page: a message-sequence diagram with one
 * lane per node and virtual time flowing down. Nothing is fetched: the style,
 * the script and the trace itself (as JSON) are inline, so the file can be
 * attached to a bug report or a CI artifact and opened anywhere, offline.
 *
 * The page draws with SVG, but only the part of the run near the viewport (a
 * window of about three screens, redrawn as you scroll), so a 20,000-event
 * trace opens as fast as a 100-event one. `window.paxsimDiagram` exposes
 * counts and controls for tests and for the curious.
 */
export interface SequenceDiagramViolation {
  readonly checker: string;
  readonly message: string;
  /** Virtual time of the violating event. */
  readonly t: number;
  /** Index of the violating event in `events`. */
  readonly event: number;
}

export interface SequenceDiagramInput {
  readonly meta: TraceMeta;
  readonly events: readonly AnyTraceEvent[];
  readonly violations: readonly SequenceDiagramViolation[];
  /** Page title; default "paxsim: <scenario>, seed <n>". */
  readonly title?: string | undefined;
}

/** The message types the filter offers, in protocol order. */
export const DIAGRAM_MESSAGE_TYPES = ['prepare', 'promise', 'accept', 'accepted', 'nack', 'catchup', 'decided'] as const;

export function sequenceDiagramHtml(input: SequenceDiagramInput): string {
  const { meta, events, violations } = input;
  const title = input.title ?? `paxsim: ${meta.scenario}, seed ${meta.seed}${meta.bug ? ` (bug ${meta.bug})` : ''}`;
  const data = { meta, events, violations };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="paxsim">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>${escapeHtml(title)}</h1>
  <div class="summary">${escapeHtml(summaryLine(input))}</div>
  ${violations.length > 0 ? violationSummary(violations) : ''}
  <div class="controls">
    <span class="group" role="group" aria-label="zoom">
      <button type="button" id="zoom-out" title="zoom out (−, or ctrl+wheel)">−</button>
      <button type="button" id="zoom-in" title="zoom in (+, or ctrl+wheel)">+</button>
      <button type="button" id="zoom-fit" title="the whole run on one screen">fit</button>
      <label title="draw stretches where no message is in flight shorter than their real length"><input type="checkbox" id="squeeze" checked> squeeze idle time</label>
    </span>
    <span class="group" role="group" aria-label="message types">
      ${DIAGRAM_MESSAGE_TYPES.map((type) => `<label class="filter t-${type}"><input type="checkbox" data-type="${type}" checked> ${type}</label>`).join('\n      ')}
    </span>
  </div>
</header>
<main>
  <div id="scroller" tabindex="0">
    <div id="lanehead"></div>
    <div id="canvas">
      <svg id="diagram"><defs>
        <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff7ed"/><line x1="0" y1="0" x2="0" y2="6" stroke="#fb923c" stroke-width="2"/></pattern>
        <pattern id="zigzag" width="12" height="8" patternUnits="userSpaceOnUse"><path d="M0 6 L3 2 L9 6 L12 2" fill="none" stroke="#cbd5e1"/></pattern>
      </defs><g id="content"></g></svg>
${violations.map((violation, index) => violationElement(violation, index)).join('\n')}
    </div>
  </div>
  <aside>
    <section id="details"><h2>Details</h2><p class="hint">Hover over an arrow or a mark; click to pin it.</p><pre id="detail-json"></pre></section>
    <section class="legend"><h2>Legend</h2>${LEGEND}</section>
  </aside>
</main>
<script type="application/json" id="paxsim-data">${embedJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** JSON that is safe inside a <script> element: no `</script>` or `<!--` can end or confuse it. */
function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function summaryLine(input: SequenceDiagramInput): string {
  const seen = new Set<number>();
  let delivered = 0;
  let duplicates = 0;
  let dropped = 0;
  let lastT = 0;
  const chosen: string[] = [];
  for (const event of input.events) {
    lastT = Math.max(lastT, event.t);
    if (event.type === 'deliver') {
      delivered += 1;
      if (seen.has(event.id)) duplicates += 1;
      seen.add(event.id);
    } else if (event.type === 'drop') {
      dropped += 1;
    } else if (event.type === 'chosen') {
      const what = 'slot' in event ? `slot ${event.slot}` : `"${event.value}"`;
      chosen.push(`${what} in (${event.ballot[0]},${event.ballot[1]}) at t=${event.t}`);
    }
  }
  return [
    `${input.meta.nodes.length} nodes`,
    `${input.events.length} events`,
    `${delivered} delivered (${duplicates} duplicate${duplicates === 1 ? '' : 's'})`,
    `${dropped} dropped`,
    `t = 0…${lastT} ms`,
    chosen.length === 0 ? 'nothing chosen' : `chosen ${chosen.join(', then ')}`,
  ].join(' · ');
}

function violationSummary(violations: readonly SequenceDiagramViolation[]): string {
  const first = violations[0];
  if (first === undefined) return '';
  const more = violations.length > 1 ? ` (+${violations.length - 1} more)` : '';
  return `<div class="vsummary">✗ ${escapeHtml(first.checker)}: ${escapeHtml(first.message)} at t=${first.t}${more} <button type="button" id="jump-violation">show</button></div>`;
}

/** Rendered here, not by the script, so the page says what failed even before (or without) the script. */
function violationElement(violation: SequenceDiagramViolation, index: number): string {
  const id = index === 0 ? ' id="violation"' : '';
  const text = `✗ ${violation.checker}: ${violation.message} (t=${violation.t}, event ${violation.event})`;
  return `      <div class="violation"${id} data-violation data-t="${violation.t}" data-event="${violation.event}" title="${escapeHtml(text)}"><span>${escapeHtml(text)}</span></div>`;
}

const LEGEND = `
<div><svg width="44" height="12"><line x1="2" y1="6" x2="36" y2="6" stroke="#2563eb" stroke-width="1.5"/><path d="M42 6 L35 2.5 L35 9.5 Z" fill="#2563eb"/></svg> delivered message (colour = type)</div>
<div><svg width="44" height="12"><line x1="2" y1="6" x2="36" y2="6" stroke="#7c3aed" stroke-width="1.5" stroke-dasharray="5 3"/><path d="M42 6 L35 2.5 L35 9.5 Z" fill="#7c3aed"/></svg> duplicate copy (<span class="dupbadge">dup</span>)</div>
<div><svg width="44" height="12"><line x1="2" y1="6" x2="32" y2="6" stroke="#dc2626" stroke-width="1.2" stroke-dasharray="2 2"/><path d="M32 2 L40 10 M40 2 L32 10" stroke="#dc2626" stroke-width="2"/></svg> dropped (reason on hover)</div>
<div><span class="sw crashed"></span> node crashed · <span class="sw paused"></span> paused</div>
<div><span class="sw partition"></span> partition · <span class="sw cut"></span> one-way cut · <span class="sw burst"></span> burst</div>
<div><b>●</b> propose · <span style="color:#ca8a04">★</span> learned · <span style="color:#059669">┄</span> chosen · <span style="color:#dc2626">━</span> violation</div>
<div class="hint">Zoom with −/+, fit, or ctrl+wheel. Time is virtual ms; with "squeeze idle time", stretches where no message is in flight are drawn short and labelled.</div>
`;

const STYLE = `
*{box-sizing:border-box}
html,body{margin:0;height:100%}
body{display:flex;flex-direction:column;font:12px/1.4 system-ui,"DejaVu Sans","Liberation Sans",sans-serif;color:#0f172a;background:#fff}
header{padding:8px 12px;border-bottom:1px solid #e2e8f0;background:#f8fafc}
h1{font-size:15px;margin:0 0 2px}
h2{font-size:12px;margin:0 0 4px;text-transform:uppercase;letter-spacing:.04em;color:#475569}
.summary{color:#475569}
.vsummary{margin-top:4px;color:#b91c1c;font-weight:600}
.controls{margin-top:6px;display:flex;flex-wrap:wrap;gap:12px;align-items:center}
.group{display:inline-flex;gap:6px;align-items:center;flex-wrap:wrap}
button{font:inherit;padding:1px 8px;border:1px solid #cbd5e1;border-radius:4px;background:#fff;cursor:pointer}
button:hover{background:#f1f5f9}
label{cursor:pointer;user-select:none;white-space:nowrap}
.filter{padding:1px 6px;border-radius:10px;border:1px solid currentColor}
main{flex:1;display:flex;min-height:0}
#scroller{flex:1;overflow:auto;position:relative;outline:none}
#lanehead{position:sticky;top:0;z-index:3;height:34px;background:#fff;border-bottom:1px solid #e2e8f0}
#lanehead div{position:absolute;top:3px;transform:translateX(-50%);text-align:center;font-weight:700;font-size:13px}
#lanehead small{display:block;font-weight:400;font-size:10px;color:#64748b}
#canvas{position:relative}
#diagram{position:absolute;left:0;top:0;overflow:visible}
aside{width:330px;border-left:1px solid #e2e8f0;padding:8px 10px;overflow:auto;background:#f8fafc}
aside section{margin-bottom:14px}
aside .legend div{margin:3px 0;display:flex;gap:6px;align-items:center;flex-wrap:wrap}
#detail-json{margin:4px 0 0;white-space:pre-wrap;word-break:break-word;font:11px/1.35 "DejaVu Sans Mono",monospace;background:#fff;border:1px solid #e2e8f0;padding:6px;min-height:40px}
.hint{color:#64748b;margin:0}
.sw{display:inline-block;width:14px;height:10px;border:1px solid #94a3b8}
.sw.crashed{background:#cbd5e1}.sw.paused{background:repeating-linear-gradient(45deg,#fff7ed 0 2px,#fb923c 2px 4px)}
.sw.partition{background:#dbeafe}.sw.cut{background:#ffedd5}.sw.burst{background:#fef9c3}
.dupbadge{font-size:9px;font-weight:700;color:#fff;background:#7c3aed;border-radius:3px;padding:0 3px}
.violation{position:absolute;left:0;height:0;border-top:2px solid #dc2626;z-index:2;pointer-events:none}
.violation span{position:absolute;right:8px;top:2px;max-width:70%;background:#fef2f2;color:#b91c1c;border:1px solid #dc2626;border-radius:4px;padding:2px 6px;font-weight:600;pointer-events:auto}
svg text{font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.lane{stroke:#94a3b8;stroke-width:1}
.tick line{stroke:#e2e8f0}.tick text{fill:#64748b;font-size:10px;text-anchor:end}
.idle rect{fill:url(#zigzag)}.idle text{fill:#64748b;font-size:10px;text-anchor:middle;font-style:italic}
.crashed{fill:#cbd5e1;opacity:.8}.paused{fill:url(#hatch);opacity:.9}
.iv text{fill:#475569;font-size:10px}
.band rect{opacity:.55}.band text{font-size:10px;fill:#334155;text-anchor:end}
.band.partition rect{fill:#dbeafe}.band.cut rect{fill:#ffedd5}.band.burst rect{fill:#fef9c3}
.msg{cursor:pointer}
.msg .hit{stroke:transparent;stroke-width:9;fill:none;pointer-events:stroke}
.msg .ln{stroke:currentColor;stroke-width:1.4;fill:none}
.msg .hd{fill:currentColor}
.msg text{fill:currentColor}
.msg.dup .ln{stroke-dasharray:5 3}
.msg.dup .badge{fill:#7c3aed;stroke:none}
.msg.dup .badge+text{fill:#fff;stroke:none;font-size:8px;font-weight:700}
.msg.drop .ln{stroke-dasharray:2 2;opacity:.75}
.msg.drop .x{stroke:#dc2626;stroke-width:2}
.msg:hover .ln,.msg.selected .ln{stroke-width:3}
.msg.selected text{font-weight:700}
.t-prepare{color:#2563eb}.t-promise{color:#0891b2}.t-accept{color:#7c3aed}.t-accepted{color:#059669}
.t-nack{color:#d97706}.t-catchup{color:#64748b}.t-decided{color:#be185d}.t-unknown{color:#334155}
.mark{cursor:pointer}
.mark text{font-size:11px}
.mark.propose circle{fill:#0f172a}.mark.propose text{font-weight:700}
.mark.adopt circle{fill:#fff;stroke:#0f172a;stroke-width:1.5}
.mark.promise circle{fill:#0891b2}.mark.accept rect{fill:#7c3aed}
.mark.learn text.star{fill:#ca8a04;font-size:16px}.mark.learn text{fill:#854d0e;font-weight:700}
.mark.timeout circle{fill:#fff;stroke:#94a3b8}
.mark.lost text,.mark.lost path{fill:#dc2626;stroke:#dc2626}
.mark.drift text{fill:#92400e}
.chosen line{stroke:#059669;stroke-width:1.5;stroke-dasharray:6 3}.chosen text{fill:#047857;font-weight:700}
.culprit .ln,.culprit circle,.culprit rect{stroke:#dc2626!important;stroke-width:3!important}
.culprit text{fill:#dc2626!important}
`;

// The page's script. Kept as plain ES2020 in a raw string (no template literals
// inside, so it never collides with this file's own), and built around one idea:
// the run becomes a list of items with a time span [t0, t1], and only the items
// whose span meets the rendered window are turned into SVG.
const SCRIPT = String.raw`
(function () {
  'use strict';
  // Geometry in CSS pixels.
  var AXIS = 64;                // left gutter for the time axis
  var LANE = 170;               // distance between two node lanes
  var TOP = 24, BOTTOM = 60;    // margins above the first and below the last event
  var HEAD = 34;                // height of the sticky row of node names
  var IDLE_PX = 72;             // an idle stretch is drawn at most this tall when squeezing
  var LABEL_MIN_SCALE = 1.2;    // px per ms below which arrow labels would only be noise
  var LABEL_AT = 0.62;          // labels sit past the middle: the arrows of one broadcast have spread apart there
  var TYPES = ['prepare', 'promise', 'accept', 'accepted', 'nack', 'catchup', 'decided'];

  var data = JSON.parse(document.getElementById('paxsim-data').textContent);
  var nodes = data.meta.nodes.slice();
  var scroller = document.getElementById('scroller');
  var canvas = document.getElementById('canvas');
  var svg = document.getElementById('diagram');
  var content = document.getElementById('content');
  var detail = document.getElementById('detail-json');
  var violationEls = Array.prototype.slice.call(document.querySelectorAll('[data-violation]'));
  var culprits = new Set(data.violations.map(function (v) { return v.event; }));

  var model = buildModel(data.events);
  var width = AXIS + LANE * nodes.length + 40;
  var state = {
    scale: defaultScale(model.arrows),   // px per virtual ms (outside squeezed stretches)
    squeeze: true,
    hidden: new Set(),                   // message types unticked in the filter
    selected: null,                      // key of the pinned item
    win: { top: 0, bottom: -1 },         // canvas y range currently rendered
  };
  var Y = new Float64Array(model.times.length);  // y of each distinct event time, recomputed on zoom

  // ---- the model: events -> arrows, marks, lane intervals, bands -------------

  function laneIndex(node) {
    var i = nodes.indexOf(node);
    if (i < 0) { nodes.push(node); i = nodes.length - 1; }  // a node missing from meta still gets a lane
    return i;
  }
  function laneX(node) { return AXIS + LANE * (laneIndex(node) + 0.5); }

  function buildModel(events) {
    var sends = new Map();     // id -> send event: an arrow starts at its send time
    var copies = new Map();    // id -> deliveries so far, so the second one is marked as a duplicate
    var arrows = [], marks = [], intervals = [], bands = [], lines = [];
    var open = new Map();      // 'crashed:A' -> start time of an interval still in force
    var partition = null, cuts = [];
    var endT = 0;
    events.forEach(function (e) { if (e.t > endT) endT = e.t; });
    function closeInterval(kind, node, t) {
      var key = kind + ':' + node;
      if (!open.has(key)) return;
      intervals.push({ kind: kind, node: node, t0: open.get(key), t1: t });
      open.delete(key);
    }
    function closePartition(t) {
      if (partition) bands.push({ kind: 'partition', t0: partition.t, t1: t, label: partitionLabel(partition.groups), x0: AXIS, x1: AXIS + LANE * nodes.length });
      partition = null;
    }
    function closeCuts(t) {
      cuts.forEach(function (c) {
        var a = laneX(c.from), b = laneX(c.to);
        bands.push({ kind: 'cut', t0: c.t, t1: t, label: 'cut ' + c.from + '\u219b' + c.to, x0: Math.min(a, b) - 20, x1: Math.max(a, b) + 20 });
      });
      cuts = [];
    }
    events.forEach(function (e, index) {
      switch (e.type) {
        case 'send': sends.set(e.id, e); break;
        case 'deliver': {
          var s = sends.get(e.id), copy = (copies.get(e.id) || 0) + 1;
          copies.set(e.id, copy);
          arrows.push({ kind: 'deliver', index: index, id: e.id, copy: copy, from: e.from, to: e.to, t0: s ? s.t : e.t, t1: e.t, msg: e.msg, send: s || null, event: e });
          break;
        }
        case 'drop': {
          var sd = sends.get(e.id);
          arrows.push({ kind: 'drop', index: index, id: e.id, copy: 0, from: e.from, to: e.to, t0: sd ? sd.t : e.t, t1: e.t, msg: sd ? sd.msg : null, send: sd || null, event: e, reason: e.reason });
          break;
        }
        case 'crash': open.set('crashed:' + e.node, e.t); break;
        case 'restart': closeInterval('crashed', e.node, e.t); break;
        case 'pause': open.set('paused:' + e.node, e.t); break;
        case 'resume': closeInterval('paused', e.node, e.t); break;
        case 'partition': closePartition(e.t); partition = { t: e.t, groups: e.groups }; break;
        case 'cut': cuts.push({ t: e.t, from: e.from, to: e.to }); break;
        case 'heal': closePartition(e.t); closeCuts(e.t); break;
        case 'burst': bands.push({ kind: 'burst', t0: e.t, t1: Math.min(e.t + e['for'], endT), label: burstLabel(e), x0: AXIS, x1: AXIS + LANE * nodes.length }); break;
        case 'chosen': lines.push({ index: index, t0: e.t, t1: e.t, event: e }); break;
        case 'propose': case 'adopt': case 'promise': case 'accept': case 'learn':
        case 'timer': case 'request-lost': case 'drift':
          marks.push({ kind: e.type, index: index, node: e.node, t0: e.t, t1: e.t, event: e });
          break;
        default: break;  // violation events are drawn from data.violations, duplicate events by the deliveries
      }
    });
    open.forEach(function (t0, key) {
      var kind = key.slice(0, key.indexOf(':')), node = key.slice(key.indexOf(':') + 1);
      intervals.push({ kind: kind, node: node, t0: t0, t1: endT });
    });
    closePartition(endT);
    closeCuts(endT);
    var timeSet = new Set([0, endT]);
    events.forEach(function (e) { timeSet.add(e.t); });
    var times = Array.from(timeSet).sort(function (a, b) { return a - b; });
    return { arrows: arrows, marks: marks, intervals: intervals, bands: bands, lines: lines, times: times, idle: idleGaps(times, arrows), endT: endT };
  }

  // A gap between two consecutive event times is idle when no message is in
  // flight across it: squeezing it then bends no arrow, it only skips waiting.
  function idleGaps(times, arrows) {
    var ends = new Map();  // start time -> latest end of an arrow starting then
    arrows.forEach(function (a) { if ((ends.get(a.t0) || -1) < a.t1) ends.set(a.t0, a.t1); });
    var idle = new Uint8Array(times.length), busyUntil = -1;
    for (var i = 0; i < times.length; i++) {
      idle[i] = i > 0 && busyUntil <= times[i - 1] ? 1 : 0;  // gap (times[i-1], times[i])
      var end = ends.get(times[i]);
      if (end !== undefined && end > busyUntil) busyUntil = end;
    }
    return idle;
  }

  function partitionLabel(groups) {
    var listed = new Set();
    groups.forEach(function (g) { g.forEach(function (n) { listed.add(n); }); });
    var rest = nodes.filter(function (n) { return !listed.has(n); });
    var all = rest.length ? groups.concat([rest]) : groups;
    return 'partition ' + all.map(function (g) { return '{' + g.join(' ') + '}'; }).join(' | ');
  }
  function burstLabel(e) {
    var parts = [];
    if (e.drop !== undefined) parts.push('drop ' + e.drop);
    if (e.duplicate !== undefined) parts.push('duplicate ' + e.duplicate);
    if (e.delay !== undefined) parts.push('delay ' + JSON.stringify(e.delay));
    return 'burst ' + e['for'] + ' ms: ' + (parts.join(', ') || 'base network');
  }

  // Start so that a typical message flight is about 160 px tall.
  function defaultScale(arrows) {
    var delays = arrows.map(function (a) { return a.t1 - a.t0; }).filter(function (d) { return d > 0; }).sort(function (a, b) { return a - b; });
    var median = delays.length ? delays[delays.length >> 1] : 5;
    return Math.max(0.5, Math.min(40, 160 / median));
  }

  // ---- time <-> y -------------------------------------------------------------

  function gapPx(i) {
    var px = (model.times[i] - model.times[i - 1]) * state.scale;
    return state.squeeze && model.idle[i] && px > IDLE_PX ? IDLE_PX : px;
  }
  function layout() {
    Y[0] = TOP;
    for (var i = 1; i < Y.length; i++) Y[i] = Y[i - 1] + gapPx(i);
    canvas.style.height = totalHeight() + 'px';
    canvas.style.width = width + 'px';
    svg.setAttribute('width', String(width));
    violationEls.forEach(function (el) { el.style.top = yAt(Number(el.dataset.t)) + 'px'; el.style.width = width + 'px'; });
  }
  function totalHeight() { return Y[Y.length - 1] + BOTTOM; }
  // Index of the last distinct time <= t (binary search).
  function timeIndex(t) {
    var lo = 0, hi = model.times.length - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (model.times[mid] <= t) lo = mid; else hi = mid - 1; }
    return lo;
  }
  function yAt(t) {
    var i = timeIndex(t), t0 = model.times[i];
    if (i + 1 >= Y.length || t <= t0) return Y[i] + Math.max(0, t - t0) * state.scale;
    return Y[i] + (Y[i + 1] - Y[i]) * (t - t0) / (model.times[i + 1] - t0);
  }
  function timeAt(y) {
    var lo = 0, hi = Y.length - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (Y[mid] <= y) lo = mid; else hi = mid - 1; }
    if (lo + 1 >= Y.length || Y[lo + 1] === Y[lo]) return model.times[lo] + Math.max(0, y - Y[lo]) / state.scale;
    return model.times[lo] + (model.times[lo + 1] - model.times[lo]) * Math.max(0, y - Y[lo]) / (Y[lo + 1] - Y[lo]);
  }

  // ---- rendering the window ------------------------------------------------------

  function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'); }
  function n1(x) { return Math.round(x * 10) / 10; }
  function ballot(b) { return '(' + b[0] + ',' + b[1] + ')'; }
  function label(msg) {
    if (!msg) return '?';
    var text = msg.type + (msg.ballot ? ' ' + ballot(msg.ballot) : '');
    if (msg.value !== undefined) text += ' "' + msg.value + '"';
    if (msg.type === 'nack') text += ', promised ' + ballot(msg.promised);
    if (msg.type === 'promise' && msg.accepted) text += ' acc "' + msg.accepted.value + '"';
    return text;
  }
  function typeOf(a) { return a.msg ? a.msg.type : 'unknown'; }
  function viewHeight() { return Math.max(50, scroller.clientHeight - HEAD); }

  // Redraw when the viewport has come near the edge of what is drawn (or when forced by zoom or filter).
  function render(force) {
    var view = viewHeight(), top = scroller.scrollTop, bottom = top + view;
    var win = state.win, total = totalHeight();
    var nearTop = win.top > 0 && top - win.top < view / 3;
    var nearBottom = win.bottom < total && win.bottom - bottom < view / 3;
    if (!force && !nearTop && !nearBottom && top >= win.top && bottom <= win.bottom) return;
    win.top = Math.max(0, top - view);
    win.bottom = Math.min(total, bottom + view);
    drawWindow(win.top, win.bottom);
  }

  function drawWindow(y0, y1) {
    var t0 = timeAt(y0), t1 = timeAt(y1), out = [];
    var showLabels = state.scale >= LABEL_MIN_SCALE;
    var right = AXIS + LANE * nodes.length;
    function meets(item) { return item.t1 >= t0 && item.t0 <= t1; }
    drawAxis(out, y0, y1, t0, t1, right);
    model.bands.forEach(function (b) {
      if (!meets(b)) return;
      var ya = yAt(b.t0), yb = Math.max(yAt(b.t1), ya + 2);
      out.push('<g class="band ' + b.kind + '"><title>' + esc(b.label + ', t=' + b.t0 + '\u2026' + b.t1) + '</title><rect x="' + b.x0 + '" y="' + n1(ya) + '" width="' + (b.x1 - b.x0) + '" height="' + n1(yb - ya) + '"/><text x="' + (b.x1 - 4) + '" y="' + n1(ya + 11) + '">' + esc(b.label) + '</text></g>');
    });
    nodes.forEach(function (node) {
      var x = laneX(node);
      out.push('<line class="lane" x1="' + x + '" x2="' + x + '" y1="' + n1(y0) + '" y2="' + n1(y1) + '"/>');
    });
    model.intervals.forEach(function (iv) {
      if (!meets(iv)) return;
      var ya = yAt(iv.t0), yb = Math.max(yAt(iv.t1), ya + 2), x = laneX(iv.node);
      out.push('<g class="iv"><title>' + esc(iv.node + ' ' + iv.kind + ', t=' + iv.t0 + '\u2026' + iv.t1) + '</title><rect class="' + iv.kind + '" x="' + (x - LANE * 0.3) + '" y="' + n1(ya) + '" width="' + LANE * 0.6 + '" height="' + n1(yb - ya) + '"/><text x="' + (x + 4) + '" y="' + n1(ya + 11) + '">' + iv.kind + '</text></g>');
    });
    model.lines.forEach(function (c) {
      if (!meets(c)) return;
      var y = n1(yAt(c.t0)), e = c.event;
      out.push('<g class="chosen mark' + (culprits.has(c.index) ? ' culprit' : '') + '" data-key="c' + c.index + '"><line x1="' + AXIS + '" x2="' + right + '" y1="' + y + '" y2="' + y + '"/><text x="' + (AXIS + 4) + '" y="' + (y - 3) + '">CHOSEN "' + esc(e.value) + '" ' + ballot(e.ballot) + '</text></g>');
    });
    model.arrows.forEach(function (a, i) {
      if (meets(a) && !state.hidden.has(typeOf(a))) out.push(arrowSvg(a, i, showLabels));
    });
    model.marks.forEach(function (m, i) { if (meets(m)) out.push(markSvg(m, i, showLabels)); });
    content.innerHTML = out.join('');
    svg.style.top = y0 + 'px';
    svg.setAttribute('height', String(Math.max(1, y1 - y0)));
    svg.setAttribute('viewBox', '0 ' + y0 + ' ' + width + ' ' + Math.max(1, y1 - y0));
  }

  // Ticks at round times; squeezed idle stretches get a zigzag and their length instead.
  function drawAxis(out, y0, y1, t0, t1, right) {
    var step = niceStep(44 / state.scale), lastY = -1e9;
    function tick(t) {
      var y = yAt(t);
      if (y < y0 - 20 || y > y1 + 20 || y - lastY < 16) return;
      lastY = y;
      out.push('<g class="tick"><line x1="' + (AXIS - 4) + '" x2="' + right + '" y1="' + n1(y) + '" y2="' + n1(y) + '"/><text x="' + (AXIS - 6) + '" y="' + n1(y + 3) + '">' + t + '</text></g>');
    }
    for (var i = Math.max(1, timeIndex(t0)); i < model.times.length && model.times[i - 1] <= t1; i++) {
      var a = model.times[i - 1], b = model.times[i];
      var squeezed = Y[i] - Y[i - 1] < (b - a) * state.scale - 0.5;
      if (squeezed) {
        tick(a);
        out.push('<g class="idle"><rect x="' + AXIS + '" y="' + n1(Y[i - 1] + 6) + '" width="' + (right - AXIS) + '" height="' + n1(Y[i] - Y[i - 1] - 12) + '"/><text x="' + n1((AXIS + right) / 2) + '" y="' + n1((Y[i - 1] + Y[i]) / 2 + 3) + '">\u22ef ' + (b - a) + ' ms with no message in flight \u22ef</text></g>');
        lastY = -1e9;
        tick(b);
      } else {
        for (var t = Math.ceil(Math.max(a, t0) / step) * step; t <= Math.min(b, t1); t += step) tick(t);
      }
    }
    if (model.times.length === 1) tick(0);
  }
  function niceStep(minMs) {
    var steps = [1, 2, 5];
    for (var p = 1; ; p *= 10) for (var k = 0; k < 3; k++) if (steps[k] * p >= minMs) return steps[k] * p;
  }

  function arrowSvg(a, i, showLabels) {
    var key = 'a' + i, type = typeOf(a);
    var x0 = laneX(a.from), x1 = laneX(a.to), ya = yAt(a.t0), yb = yAt(a.t1);
    var cls = 'msg ' + a.kind + ' t-' + type + (a.copy > 1 ? ' dup' : '') + (culprits.has(a.index) ? ' culprit' : '') + (state.selected === key ? ' selected' : '');
    var attrs = ' data-key="' + key + '" data-id="' + a.id + '" data-t0="' + a.t0 + '" data-t1="' + a.t1 + '"' + (a.kind === 'deliver' ? ' data-copy="' + a.copy + '"' : ' data-reason="' + esc(a.reason) + '"');
    var path, ex, ey, lx, ly, anchor = 'middle';
    if (a.from === a.to) {
      // A message to itself: a small loop left of the lane (mark labels go right).
      var h = Math.max(8, yb - ya);
      ex = x0 - 2; ey = ya + h;
      path = 'M' + x0 + ' ' + n1(ya) + 'h-16v' + n1(h) + 'H' + ex;
      lx = x0 - 20; ly = ya + h / 2 + 4; anchor = 'end';
    } else if (a.kind === 'drop') {
      // Lost at the sender (no time passed): a short stub; lost in flight: nearly all the way.
      var f = a.t1 > a.t0 ? 0.85 : 0.3;
      ex = x0 + (x1 - x0) * f; ey = a.t1 > a.t0 ? yb : ya + 10;
      path = 'M' + x0 + ' ' + n1(ya) + 'L' + n1(ex) + ' ' + n1(ey);
      lx = x0 + (ex - x0) * LABEL_AT; ly = ya + (ey - ya) * LABEL_AT - 3;
    } else {
      ex = x1; ey = yb;
      path = 'M' + x0 + ' ' + n1(ya) + 'L' + ex + ' ' + n1(ey);
      lx = x0 + (ex - x0) * LABEL_AT; ly = ya + (ey - ya) * LABEL_AT - 3;
    }
    var parts = ['<g class="' + cls + '"' + attrs + '>'];
    if (a.kind === 'drop') parts.push('<title>' + esc('dropped (' + a.reason + '): ' + label(a.msg) + ' #' + a.id) + '</title>');
    // A wide transparent twin makes a thin arrow easy to hover; zoomed far out, arrows are too dense for it to help.
    if (showLabels) parts.push('<path class="hit" d="' + path + '"/>');
    parts.push('<path class="ln" d="' + path + '"/>');
    if (a.kind === 'drop') parts.push('<path class="x" d="M' + n1(ex - 4) + ' ' + n1(ey - 4) + 'l8 8m0 -8l-8 8"/>');
    else parts.push(arrowHead(a.from === a.to ? x0 - 16 : x0, a.from === a.to ? ey : ya, ex, ey));
    if (a.copy > 1) {
      // Duplicate badge near the arrow's head, readable even without labels.
      var bx = n1(ex + (x0 < ex ? -30 : 12)), by = n1(ey - 12);
      parts.push('<rect class="badge" x="' + bx + '" y="' + by + '" width="20" height="10" rx="2"/><text x="' + n1(bx + 2) + '" y="' + n1(by + 8) + '">dup</text>');
    }
    if (showLabels) parts.push('<text x="' + n1(lx) + '" y="' + n1(ly) + '" text-anchor="' + anchor + '">' + esc(label(a.msg)) + (a.kind === 'drop' ? ' \u2717' : '') + '</text>');
    parts.push('</g>');
    return parts.join('');
  }
  function arrowHead(xs, ys, xe, ye) {
    var dx = xe - xs, dy = ye - ys, len = Math.sqrt(dx * dx + dy * dy) || 1;
    var ux = dx / len, uy = dy / len, bx = xe - ux * 8, by = ye - uy * 8;
    return '<path class="hd" d="M' + n1(xe) + ' ' + n1(ye) + 'L' + n1(bx - uy * 3.5) + ' ' + n1(by + ux * 3.5) + 'L' + n1(bx + uy * 3.5) + ' ' + n1(by - ux * 3.5) + 'Z"/>';
  }

  function markSvg(m, i, showLabels) {
    var e = m.event, x = laneX(m.node), y = n1(yAt(m.t0));
    var cls = 'mark ' + (m.kind === 'request-lost' ? 'lost' : m.kind) + (culprits.has(m.index) ? ' culprit' : '') + (state.selected === 'm' + i ? ' selected' : '');
    var open = '<g class="' + cls + '" data-key="m' + i + '"><title>' + esc(describeMark(e)) + '</title>';
    var text = function (s, dx) { return showLabels ? '<text x="' + (x + (dx || 8)) + '" y="' + (y + 4) + '">' + esc(s) + '</text>' : ''; };
    switch (m.kind) {
      case 'propose': return open + '<circle cx="' + x + '" cy="' + y + '" r="4.5"/>' + text('propose "' + e.value + '" ' + ballot(e.ballot)) + '</g>';
      case 'adopt': return open + '<circle cx="' + x + '" cy="' + y + '" r="4"/>' + text('adopt "' + e.value + '" from ' + ballot(e.from)) + '</g>';
      case 'promise': return open + '<circle cx="' + (x - 6) + '" cy="' + y + '" r="2.5"/></g>';
      case 'accept': return open + '<rect x="' + (x - 9) + '" y="' + (y - 2.5) + '" width="5" height="5"/></g>';
      case 'learn': return open + '<text class="star" x="' + (x - 6) + '" y="' + (y + 6) + '">\u2605</text><text x="' + (x + 9) + '" y="' + (y + 4) + '">"' + esc(e.value) + '"</text></g>';
      case 'timer': return open + '<circle cx="' + (x - 6) + '" cy="' + y + '" r="3"/></g>';
      case 'request-lost': return open + '<path d="M' + (x - 4) + ' ' + (y - 4) + 'l8 8m0 -8l-8 8"/>' + text('request "' + e.value + '" lost') + '</g>';
      case 'drift': return open + text('clock \u00d7' + e.rate, 6) + '</g>';
      default: return '';
    }
  }
  function describeMark(e) {
    switch (e.type) {
      case 'propose': return e.node + ' proposes "' + e.value + '" with ballot ' + ballot(e.ballot) + ' at t=' + e.t;
      case 'adopt': return e.node + ' adopts "' + e.value + '" (accepted in ' + ballot(e.from) + ') for ' + ballot(e.ballot);
      case 'promise': return e.node + ' promised ' + ballot(e.ballot) + ' at t=' + e.t;
      case 'accept': return e.node + ' accepted "' + e.value + '" in ' + ballot(e.ballot) + ' at t=' + e.t;
      case 'learn': return e.node + ' learned "' + e.value + '" at t=' + e.t;
      case 'timer': return e.node + ': ' + e.timer + ' timer fired at t=' + e.t;
      case 'request-lost': return 'request to propose "' + e.value + '" reached ' + e.node + ' while down';
      case 'drift': return e.node + "'s clock now runs at " + e.rate + '\u00d7';
      default: return JSON.stringify(e);
    }
  }

  // ---- details panel ------------------------------------------------------------

  function itemFor(key) {
    if (!key) return null;
    var i = Number(key.slice(1));
    if (key[0] === 'a') return model.arrows[i];
    if (key[0] === 'm') return model.marks[i];
    return model.lines.find(function (c) { return c.index === i; }) || null;
  }
  function showDetails(key) {
    var item = itemFor(key);
    if (!item) { detail.textContent = ''; return; }
    if (item.msg !== undefined) {
      var info = { id: item.id, from: item.from, to: item.to, sent: item.send ? item.send.t : null };
      if (item.kind === 'deliver') { info.delivered = item.t1; info.copy = item.copy; if (item.copy > 1) info.duplicate = true; }
      else { info.dropped = item.t1; info.reason = item.reason; }
      info.msg = item.msg;
      info.event = item.index;
      detail.textContent = item.from + ' \u2192 ' + item.to + '  ' + label(item.msg) + (item.kind === 'drop' ? '  (dropped: ' + item.reason + ')' : '') + '\n' + pretty(info);
    } else {
      detail.textContent = (item.event.type === 'chosen' ? 'chosen' : describeMark(item.event)) + '\n' + pretty(Object.assign({ index: item.index }, item.event));
    }
  }
  // Indented JSON, but a ballot stays on one line: [10, "A"].
  function pretty(value) {
    return JSON.stringify(value, null, 2).replace(/\[\s*([^\[\]{}]*?)\s*\]/g, function (all, inner) { return '[' + inner.split(/,\s*/).join(', ') + ']'; });
  }
  function keyOf(target) {
    var el = target && target.closest ? target.closest('[data-key]') : null;
    return el ? el.getAttribute('data-key') : null;
  }
  svg.addEventListener('mouseover', function (ev) { var key = keyOf(ev.target); if (key && !state.selected) showDetails(key); });
  svg.addEventListener('click', function (ev) {
    var key = keyOf(ev.target);
    state.selected = key && key !== state.selected ? key : null;
    showDetails(state.selected || key);
    render(true);
  });

  // ---- zoom, scroll, filter -------------------------------------------------------

  function setScale(scale, anchorPx) {
    var anchor = anchorPx === undefined ? viewHeight() / 2 : anchorPx;
    var t = timeAt(scroller.scrollTop + anchor);   // keep the time under the anchor where it is
    state.scale = Math.max(1e-5, Math.min(400, scale));
    layout();
    scroller.scrollTop = yAt(t) - anchor;
    render(true);
  }
  function zoomToFit() {
    // Total height grows with scale (squeezed stretches are capped), so bisect on log(scale).
    var target = viewHeight() - 4, lo = Math.log(1e-5), hi = Math.log(400);
    for (var k = 0; k < 50; k++) {
      var mid = (lo + hi) / 2;
      state.scale = Math.exp(mid);
      layout();
      if (totalHeight() <= target) lo = mid; else hi = mid;
    }
    state.scale = Math.exp(lo);
    layout();
    scroller.scrollTop = 0;
    render(true);
  }
  function scrollToTime(t) {
    scroller.scrollTop = Math.max(0, yAt(t) - viewHeight() / 3);
    render(false);
  }

  var pending = false;
  scroller.addEventListener('scroll', function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; render(false); });
  });
  window.addEventListener('resize', function () { render(true); });
  scroller.addEventListener('wheel', function (ev) {
    if (!ev.ctrlKey) return;   // plain wheel scrolls; ctrl+wheel (and pinch) zooms
    ev.preventDefault();
    var rect = scroller.getBoundingClientRect();
    setScale(state.scale * Math.exp(-ev.deltaY * 0.002), ev.clientY - rect.top - HEAD);
  }, { passive: false });
  document.getElementById('zoom-in').addEventListener('click', function () { setScale(state.scale * 1.5); });
  document.getElementById('zoom-out').addEventListener('click', function () { setScale(state.scale / 1.5); });
  document.getElementById('zoom-fit').addEventListener('click', zoomToFit);
  document.getElementById('squeeze').addEventListener('change', function (ev) { state.squeeze = ev.target.checked; setScale(state.scale); });
  document.addEventListener('keydown', function (ev) {
    if (ev.target && ev.target.tagName === 'INPUT') return;
    if (ev.key === '+' || ev.key === '=') setScale(state.scale * 1.5);
    else if (ev.key === '-') setScale(state.scale / 1.5);
  });
  Array.prototype.forEach.call(document.querySelectorAll('input[data-type]'), function (box) {
    box.addEventListener('change', function () { setTypeVisible(box.getAttribute('data-type'), box.checked); });
  });
  function setTypeVisible(type, visible) {
    if (visible) state.hidden.delete(type); else state.hidden.add(type);
    var box = document.querySelector('input[data-type="' + type + '"]');
    if (box) box.checked = visible;
    render(true);
  }
  var jump = document.getElementById('jump-violation');
  if (jump) jump.addEventListener('click', function () { scrollToTime(data.violations[0].t); });

  function drawLaneHeads() {
    var head = document.getElementById('lanehead');
    head.style.width = width + 'px';
    head.innerHTML = nodes.map(function (node) {
      var roles = [['proposers', 'P'], ['acceptors', 'A'], ['learners', 'L']]
        .filter(function (r) { return (data.meta[r[0]] || []).indexOf(node) >= 0; })
        .map(function (r) { return r[1]; }).join(' ');
      return '<div style="left:' + laneX(node) + 'px">' + esc(node) + '<small>' + esc(roles) + '</small></div>';
    }).join('');
  }

  // ---- start -------------------------------------------------------------------

  nodes.forEach(laneIndex);
  model.arrows.forEach(function (a) { laneIndex(a.from); laneIndex(a.to); });
  width = AXIS + LANE * nodes.length + 40;
  drawLaneHeads();
  layout();
  render(true);

  var delivered = model.arrows.filter(function (a) { return a.kind === 'deliver'; });
  window.paxsimDiagram = {
    ready: true,
    deliveredCount: delivered.length,
    droppedCount: model.arrows.length - delivered.length,
    duplicateCount: delivered.filter(function (a) { return a.copy > 1; }).length,
    types: TYPES.slice(),
    /** Delivered-message arrows in the DOM now: inside the rendered window and not filtered out. */
    drawnArrowCount: function () { return content.querySelectorAll('.msg.deliver').length; },
    drawnKeys: function () { return Array.prototype.map.call(content.querySelectorAll('.msg'), function (g) { return g.getAttribute('data-key'); }); },
    renderedWindow: function () { return { y0: state.win.top, y1: state.win.bottom, t0: timeAt(state.win.top), t1: timeAt(state.win.bottom) }; },
    visibleTimes: function () { return { t0: timeAt(scroller.scrollTop), t1: timeAt(scroller.scrollTop + viewHeight()) }; },
    totalHeight: totalHeight,
    scale: function () { return state.scale; },
    setScale: setScale,
    zoomIn: function () { setScale(state.scale * 1.5); },
    zoomOut: function () { setScale(state.scale / 1.5); },
    zoomToFit: zoomToFit,
    scrollToTime: scrollToTime,
    /** Redraw for the current scroll position now, without waiting for a frame. */
    renderNow: function () { render(false); },
    setTypeVisible: setTypeVisible,
    yAt: yAt,
    timeAt: timeAt,
  };
  document.documentElement.setAttribute('data-ready', 'true');
})();
`;
