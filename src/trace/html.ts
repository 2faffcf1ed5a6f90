import { RAFT_MESSAGE_TYPES } from './raft-format.js';
import { builtInTraceFormatOf, type BuiltInTraceFormat } from './trace-format.js';
import { compareBallots, type Ballot } from '../protocols/paxos/ballot.js';
import type { AnyTraceEvent, TraceMeta } from '../sim/events.js';
import { plural } from '../util/plural.js';
import { dictFrom } from '../util/dict.js';
import { StringSink, TRACE_CHUNK_CHARS, type TextSink } from './trace-writer.js';
import {
  cssIdent,
  DATA_ELEMENT_ID,
  EVENTS_ELEMENT_ID,
  isBallot,
  type DiagramPageData,
  type LeaderTerm,
  type LeaderTermEnd,
  type PageEvent,
  type SequenceDiagramViolation,
  type ViewKind,
} from './html/page-data.js';
import { STYLE, STYLED_TYPES } from './html/page-style.js';
import { VIEWER_SCRIPT } from './html/viewer-script.generated.js';

export type { LeaderTerm, LeaderTermEnd, SequenceDiagramViolation } from './html/page-data.js';

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
 *
 * The page's script is the compiled viewer (src/trace/html/viewer/, inlined by
 * scripts/build-viewer.mjs); it reads what {@link DiagramPageData} describes.
 * What differs per protocol lives in one view each ({@link viewOf}): here the
 * filter, legend and summary ({@link PAGE_VIEWS}), in the viewer its parts.
 *
 * Multi-Paxos runs (`meta.protocol: "multipaxos"`) get the replicas' lanes and
 * then the clients' (shaded, dashed), each leader's term as a coloured stripe
 * on its lane (hatched once a higher ballot was elected elsewhere, so a stale
 * leader and its successor are both visible), apply / invoke / complete /
 * timeout marks, a `chosen slot N` line per slot, and a type filter over the
 * message types the trace actually has (heartbeats start hidden when there are
 * more than {@link HIDE_HEARTBEATS_OVER}).
 */
export interface SequenceDiagramInput {
  readonly meta: TraceMeta;
  readonly events: readonly AnyTraceEvent[];
  readonly violations: readonly SequenceDiagramViolation[];
  /** Page title; default "paxsim: <scenario>, seed <n>". */
  readonly title?: string | undefined;
}

/** The message types the filter offers for single-decree Paxos (all of them, always), in protocol order. */
export const DIAGRAM_MESSAGE_TYPES = ['prepare', 'promise', 'accept', 'accepted', 'nack', 'catchup', 'decided'] as const;

/** Multi-Paxos message types in protocol order; the filter offers those present in the trace. */
export const MULTIPAXOS_DIAGRAM_MESSAGE_TYPES = ['prepare', 'promise', 'nack', 'accept', 'accepted', 'commit', 'heartbeat', 'catchup', 'request', 'reply', 'redirect'] as const;

/** With more delivered heartbeats than this, the heartbeat filter starts unticked. */
export const HIDE_HEARTBEATS_OVER = 200;

/** Colours of the leader-term stripes, by replica index. */
const TERM_COLORS = ['#f59e0b', '#10b981', '#0ea5e9', '#d946ef', '#84cc16', '#f97316', '#14b8a6', '#eab308', '#fb7185', '#8b5cf6'];

/** One entry of the type filter. */
export interface DiagramTypeFilter {
  readonly type: string;
  /** Delivered messages of this type. */
  readonly delivered: number;
  /** Ticked (shown) when the page opens. */
  readonly shown: boolean;
}

/**
 * Most events a diagram embeds. A browser parses the embedded JSON as one
 * string (V8 caps strings at about 512 MB) and the page builds a model of
 * every embedded event, so beyond this the page shows the first events only;
 * the summary, leader terms, filter counts and violations above the diagram
 * still cover the whole run, and the JSON Lines trace has every event.
 */
export const MAX_DIAGRAM_EVENTS = 100_000;

export function sequenceDiagramHtml(input: SequenceDiagramInput): string {
  const sink = new StringSink();
  const writer = new SequenceDiagramWriter(sink, input.meta, { title: input.title });
  for (const event of input.events) writer.observe(event);
  writer.finish(input.violations);
  return sink.text();
}

export interface SequenceDiagramOptions {
  /** Page title; default "paxsim: <scenario>, seed <n>". */
  readonly title?: string | undefined;
  /** Most events embedded (default {@link MAX_DIAGRAM_EVENTS}). */
  readonly maxEvents?: number;
}

/**
 * Writes the diagram page as the run goes: the events are embedded as they
 * arrive (first in the page, in a JSON element the script reads), and the
 * header, which summarizes the whole run, follows at `finish`. Memory is the
 * summary's (leader terms, counts, duplicated message ids), not the trace's.
 */
export class SequenceDiagramWriter {
  private readonly view: PageView;
  private readonly summary: DiagramSummary;
  private readonly terms = new LeaderTermTracker();
  private readonly filters: TypeFilterCounter;
  private readonly maxEvents: number;
  private readonly title: string;
  private index = 0;
  private pending = '';

  constructor(
    private readonly sink: TextSink,
    private readonly meta: TraceMeta,
    options: SequenceDiagramOptions = {},
  ) {
    this.title = options.title ?? `paxsim: ${meta.scenario}, seed ${meta.seed}${meta.bug ? ` (bug ${meta.bug})` : ''}`;
    this.maxEvents = options.maxEvents ?? MAX_DIAGRAM_EVENTS;
    this.view = pageView(meta);
    this.summary = new DiagramSummary(meta, this.view);
    this.filters = new TypeFilterCounter(this.view);
    sink.write(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="paxsim">
<title>${escapeHtml(this.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<script type="application/json" id="${EVENTS_ELEMENT_ID}">[`);
  }

  observe(event: AnyTraceEvent): void {
    // The viewer reads every embedded event as a PageEvent: this line keeps the two types compatible.
    const embedded: PageEvent = event;
    this.summary.observe(event);
    this.terms.observe(event, this.index);
    this.filters.observe(event);
    if (this.index < this.maxEvents) {
      this.pending += (this.index === 0 ? '' : ',') + embedJson(embedded);
      if (this.pending.length >= TRACE_CHUNK_CHARS) this.flush();
    }
    this.index += 1;
  }

  private flush(): void {
    if (this.pending === '') return;
    this.sink.write(this.pending);
    this.pending = '';
  }

  /** Writes the rest of the page; the violations are those of the whole run. */
  finish(violations: readonly SequenceDiagramViolation[]): void {
    this.flush();
    const { meta, title, view } = this;
    const terms = this.terms.terms();
    const nodeColors = termColors(meta, terms);
    const shownEvents = Math.min(this.index, this.maxEvents);
    const data: DiagramPageData = { meta, view: viewOf(meta.protocol), violations, terms, nodeColors, totalEvents: this.index, shownEvents };
    const filters = this.filters.filters();
    this.sink.write(`]</script>
${view.colorTypes ? typeColorStyle(filters) : ''}<header>
  <h1>${escapeHtml(title)}</h1>
  <div class="summary">${escapeHtml(this.summary.line(shownEvents))}</div>
  ${terms.length > 0 ? termSummary(terms, nodeColors, view.raftTerms) : ''}
  ${violations.length > 0 ? violationSummary(violations) : ''}
  <div class="controls">
    <span class="group" role="group" aria-label="zoom">
      <button type="button" id="zoom-out" title="zoom out (−, or ctrl+wheel)">−</button>
      <button type="button" id="zoom-in" title="zoom in (+, or ctrl+wheel)">+</button>
      <button type="button" id="zoom-fit" title="the whole run on one screen">fit</button>
      <label title="draw stretches where no message is in flight shorter than their real length"><input type="checkbox" id="squeeze" checked> squeeze idle time</label>
    </span>
    <span class="group" role="group" aria-label="message types">
      ${filters.map(filterElement).join('\n      ')}
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
        <pattern id="stale" width="7" height="7" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="7" stroke="#b91c1c" stroke-width="2.5"/></pattern>
      </defs><g id="content"></g></svg>
${violations.map((violation, index) => violationElement(violation, index)).join('\n')}
    </div>
  </div>
  <aside>
    <section id="details"><h2>Details</h2><p class="hint">Hover over an arrow or a mark; click to pin it.</p><pre id="detail-json"></pre></section>
    <section class="legend"><h2>Legend</h2>${view.legend}${LEGEND_HINT}</section>
  </aside>
</main>
<script type="application/json" id="${DATA_ELEMENT_ID}">${embedJson(data)}</script>
<script>${VIEWER_SCRIPT}</script>
</body>
</html>
`);
  }
}

/**
 * What the page writer does differently per view (the browser side has its
 * parts in src/trace/html/viewer/parts/): which message types the filter
 * offers, the legend, and how the summary counts.
 */
interface PageView {
  /** The message types the filter knows, in protocol order; null: those in the trace, in the order they first appear. */
  readonly knownTypes: readonly string[] | null;
  /** Offer only the known types the trace has (single-decree Paxos offers all, always). */
  readonly offerPresentOnly: boolean;
  /** Heartbeats start unticked when there are more than {@link HIDE_HEARTBEATS_OVER}. */
  readonly hideHeartbeats: boolean;
  readonly legend: string;
  /** The summary counts replicas and clients, chosen slots and operations. */
  readonly multiSlot: boolean;
  /** Leader-term chips say `term 3`, not `(3,A)`. */
  readonly raftTerms: boolean;
  /** Message types the stylesheet has no colour for get one from {@link TYPE_PALETTE}. */
  readonly colorTypes: boolean;
}

/**
 * The view that draws a protocol's page, from its trace format: the one place
 * the HTML page maps a meta line's `protocol` to a view. No protocol named:
 * single-decree Paxos (a foreign trace); a name with no built-in format: a
 * user's protocol, drawn generically.
 */
export function viewOf(protocol: string | undefined): ViewKind {
  if (protocol === undefined || protocol === '') return 'paxos';
  const format = builtInTraceFormatOf(protocol);
  return format === undefined ? 'generic' : FORMAT_VIEWS[format];
}

const FORMAT_VIEWS: Readonly<Record<BuiltInTraceFormat, ViewKind>> = { paxos: 'paxos', multipaxos: 'multi-slot', 'cheap-paxos': 'multi-slot', raft: 'raft' };

function pageView(meta: TraceMeta): PageView {
  return PAGE_VIEWS[viewOf(meta.protocol)];
}

/** The `type` of a send or deliver event's message, when it has one (foreign traces may not). */
function messageType(event: AnyTraceEvent): string | null {
  if (event.type !== 'send' && event.type !== 'deliver') return null;
  const msg: unknown = event.msg;
  if (typeof msg !== 'object' || msg === null) return null;
  const type = (msg as { type?: unknown }).type;
  return typeof type === 'string' ? type : null;
}

/**
 * What the type filter offers. Single-decree Paxos: every Paxos message type,
 * ticked (as always). Multi-Paxos, Cheap Paxos and Raft: the types that occur
 * in the trace, in protocol order; heartbeats start unticked when there are
 * more than {@link HIDE_HEARTBEATS_OVER} of them. Types no protocol of
 * paxsim's sends (a foreign trace) follow, alphabetically. Any other protocol
 * (a user's): its types, in the order they first appear in the trace.
 */
export function diagramTypeFilters(meta: TraceMeta, events: readonly AnyTraceEvent[]): DiagramTypeFilter[] {
  const counter = new TypeFilterCounter(pageView(meta));
  for (const event of events) counter.observe(event);
  return counter.filters();
}

/** {@link diagramTypeFilters}, one event at a time. */
class TypeFilterCounter {
  private readonly present = new Set<string>();
  private readonly delivered = new Map<string, number>();

  constructor(private readonly view: PageView) {}

  observe(event: AnyTraceEvent): void {
    const type = messageType(event);
    if (type === null) return;
    this.present.add(type);
    if (event.type === 'deliver') this.delivered.set(type, (this.delivered.get(type) ?? 0) + 1);
  }

  filters(): DiagramTypeFilter[] {
    const { view, present, delivered } = this;
    const known = view.knownTypes;
    const types =
      known === null
        ? [...present]
        : [...(view.offerPresentOnly ? known.filter((type) => present.has(type)) : known), ...[...present].filter((type) => !known.includes(type)).sort()];
    return types.map((type) => {
      const count = delivered.get(type) ?? 0;
      return { type, delivered: count, shown: !(view.hideHeartbeats && type === 'heartbeat' && count > HIDE_HEARTBEATS_OVER) };
    });
  }
}

/** Colours for a user protocol's message types, in filter order: apart from each other and from the styled ones. */
const TYPE_PALETTE = ['#c026d3', '#65a30d', '#e11d48', '#0f766e', '#b45309', '#4338ca', '#0369a1', '#9333ea', '#15803d', '#db2777', '#a16207', '#0284c7'];

/** A colour per offered type the stylesheet does not colour, so a user protocol's arrows and filters are told apart. */
function typeColorStyle(filters: readonly DiagramTypeFilter[]): string {
  const rules = filters
    .filter((filter) => !STYLED_TYPES.has(filter.type))
    .map((filter, index) => `.t-${cssIdent(filter.type)}{color:${TYPE_PALETTE[index % TYPE_PALETTE.length]!}}`);
  return rules.length === 0 ? '' : `<style>${rules.join('')}</style>\n`;
}

function filterElement(filter: DiagramTypeFilter): string {
  const type = escapeHtml(filter.type);
  const hint = filter.shown ? `${filter.delivered} delivered` : `${filter.delivered} delivered: hidden at first (more than ${HIDE_HEARTBEATS_OVER}); tick to show`;
  return `<label class="filter t-${cssIdent(filter.type)}" title="${escapeHtml(hint)}"><input type="checkbox" data-type="${type}"${filter.shown ? ' checked' : ''}> ${type} <small>${filter.delivered}</small></label>`;
}

function formatBallot(ballot: Ballot): string {
  return `(${ballot[0]},${ballot[1]})`;
}

/** Why a message delivered to a leader of `ballot` makes it step down, or null when it does not. */
function stepDownCause(msg: unknown, ballot: Ballot): string | null {
  if (typeof msg !== 'object' || msg === null) return null;
  const { type, ballot: carried, promised, term } = msg as { type?: unknown; ballot?: unknown; promised?: unknown; term?: unknown };
  // Raft: any message of a higher term (the stripe's ballot is [term, leader]).
  if (typeof term === 'number' && carried === undefined) return term > ballot[0] ? `${String(type)} of term ${term}` : null;
  if (!isBallot(carried)) return null;
  if (type === 'nack') {
    // Its own ballot refused: an acceptor promised a higher one.
    return isBallot(promised) && compareBallots(carried, ballot) === 0 && compareBallots(promised, ballot) > 0 ? `nack: promised ${formatBallot(promised)}` : null;
  }
  if (type === 'prepare' || type === 'accept' || type === 'heartbeat') {
    return compareBallots(carried, ballot) > 0 ? `${type} ${formatBallot(carried)}` : null;
  }
  return null;
}

/** Each replica's terms as leader, read from `leader` events and what ends them (see {@link LeaderTerm}). */
export function leaderTerms(events: readonly AnyTraceEvent[]): LeaderTerm[] {
  const tracker = new LeaderTermTracker();
  events.forEach((event, index) => tracker.observe(event, index));
  return tracker.terms();
}

interface OpenTerm {
  node: string;
  ballot: Ballot;
  t0: number;
  event: number;
  staleFrom: number | null;
  staleBy: { node: string; ballot: Ballot } | null;
}

/** {@link leaderTerms}, one event at a time: only the open terms and the closed ones are kept. */
class LeaderTermTracker {
  private readonly closed: LeaderTerm[] = [];
  private readonly open = new Map<string, OpenTerm>();
  private endT = 0;

  private close(node: string, end: LeaderTermEnd | null): void {
    const term = this.open.get(node);
    if (term === undefined) return;
    this.open.delete(node);
    this.closed.push({ ...term, t1: end === null ? this.endT : end.t, end });
  }

  observe(event: AnyTraceEvent, index: number): void {
    this.endT = Math.max(this.endT, event.t);
    const open = this.open;
    switch (event.type) {
      case 'leader': {
        // A Raft leader's term reads as the ballot [term, leader]: terms order the same way.
        const raftTerm = (event as { term?: unknown }).term;
        const ballot: unknown = isBallot(event.ballot) ? event.ballot : typeof raftTerm === 'number' ? [raftTerm, event.node] : undefined;
        if (!isBallot(ballot)) return;
        this.close(event.node, { t: event.t, event: index, reason: `elected again with ${formatBallot(ballot)}` });
        for (const term of open.values()) {
          if (term.staleFrom === null && compareBallots(ballot, term.ballot) > 0) {
            term.staleFrom = event.t;
            term.staleBy = { node: event.node, ballot };
          }
        }
        open.set(event.node, { node: event.node, ballot, t0: event.t, event: index, staleFrom: null, staleBy: null });
        return;
      }
      case 'crash':
        this.close(event.node, { t: event.t, event: index, reason: 'crashed' });
        return;
      case 'deliver': {
        const term = open.get(event.to);
        if (term === undefined || event.from === event.to) return;
        const cause = stepDownCause(event.msg, term.ballot);
        if (cause !== null) this.close(event.to, { t: event.t, event: index, reason: `${cause} from ${event.from}` });
        return;
      }
      case 'promise':
      case 'accept': {
        const term = open.get(event.node);
        if (term === undefined || !isBallot(event.ballot) || compareBallots(event.ballot, term.ballot) <= 0) return;
        this.close(event.node, { t: event.t, event: index, reason: `${event.type === 'promise' ? 'promised' : 'accepted in'} ${formatBallot(event.ballot)}` });
        return;
      }
      default:
        return;
    }
  }

  /** The terms so far, those still open ending at the last event's time. */
  terms(): LeaderTerm[] {
    const endT = this.endT;
    const stillOpen = [...this.open.values()].map((term) => ({ ...term, t1: endT, end: null }));
    return [...this.closed, ...stillOpen].sort((a, b) => a.t0 - b.t0 || a.event - b.event);
  }
}

/** A stripe colour per replica that led at some point (by its lane order), so a node keeps its colour. */
function termColors(meta: TraceMeta, terms: readonly LeaderTerm[]): Record<string, string> {
  const order = [...meta.nodes];
  for (const term of terms) if (!order.includes(term.node)) order.push(term.node);
  return dictFrom(order.map((node, index) => [node, TERM_COLORS[index % TERM_COLORS.length]!]));
}

/** The terms listed above the diagram (a click scrolls to one): readable before, or without, the script. */
/** A Raft stripe's ballot is [term, leader]: a Raft user reads it as a term. */
function formatLeaderTerm(ballot: Ballot, raft: boolean): string {
  return raft ? `term ${ballot[0]}` : formatBallot(ballot);
}

function termSummary(terms: readonly LeaderTerm[], colors: Record<string, string>, raft: boolean): string {
  const SHOWN = 12;
  const chips = terms.slice(0, SHOWN).map((term, index) => {
    const stale = term.staleFrom === null ? '' : ` data-stale-from="${term.staleFrom}"`;
    const span = `t=${term.t0}…${term.t1}${term.end === null ? ' (end)' : ''}`;
    const text = `${term.node}: leader ${formatLeaderTerm(term.ballot, raft)} ${span}${term.staleFrom === null ? '' : `, stale from t=${term.staleFrom}`}`;
    const title = `${term.node} led with ${formatLeaderTerm(term.ballot, raft)} from t=${term.t0}${term.end === null ? ' to the end of the trace' : ` until t=${term.t1} (${term.end.reason})`}${
      term.staleBy === null ? '' : `; from t=${term.staleFrom} ${term.staleBy.node} led with the higher ${formatLeaderTerm(term.staleBy.ballot, raft)}`
    }`;
    return `<button type="button" class="termchip${term.staleFrom === null ? '' : ' stale'}" data-term="${index}" data-node="${escapeHtml(term.node)}" data-ballot="${escapeHtml(`${term.ballot[0]},${term.ballot[1]}`)}" data-t0="${term.t0}" data-t1="${term.t1}"${stale} style="border-color:${colors[term.node] ?? '#94a3b8'}" title="${escapeHtml(title)}"><span class="dot" style="background:${colors[term.node] ?? '#94a3b8'}"></span>${escapeHtml(text)}</button>`;
  });
  const more = terms.length > SHOWN ? ` <span class="hint">(+${terms.length - SHOWN} more)</span>` : '';
  return `<div class="terms">leader terms: ${chips.join(' ')}${more}</div>`;
}

/** JSON that is safe inside a <script> element: no `</script>` or `<!--` can end or confuse it. */
function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * The line under the title, counted one event at a time. A duplicate is a
 * second delivery of a message the network duplicated (the `duplicate` event
 * comes first), so only duplicated ids are remembered.
 */
class DiagramSummary {
  private events = 0;
  private delivered = 0;
  private duplicates = 0;
  private dropped = 0;
  private lastT = 0;
  private readonly chosen: string[] = [];
  private readonly chosenSlots = new Set<number>();
  private completed = 0;
  private timedOut = 0;
  /** Duplicated message id → delivered yet? */
  private readonly duplicated = new Map<number, boolean>();

  constructor(
    private readonly meta: TraceMeta,
    private readonly view: PageView,
  ) {}

  observe(event: AnyTraceEvent): void {
    this.events += 1;
    this.lastT = Math.max(this.lastT, event.t);
    if (event.type === 'deliver') {
      this.delivered += 1;
      const seen = this.duplicated.get(event.id);
      if (seen === true) this.duplicates += 1;
      else if (seen === false) this.duplicated.set(event.id, true);
    } else if (event.type === 'duplicate') {
      if (!this.duplicated.has(event.id)) this.duplicated.set(event.id, false);
    } else if (event.type === 'drop') {
      this.dropped += 1;
    } else if (event.type === 'chosen') {
      if ('slot' in event) this.chosenSlots.add(event.slot);
      else this.chosen.push(`"${event.value}" in (${event.ballot[0]},${event.ballot[1]}) at t=${event.t}`);
    } else if (event.type === 'complete') {
      this.completed += 1;
    } else if (event.type === 'timeout') {
      this.timedOut += 1;
    }
  }

  line(shownEvents: number): string {
    const { meta, view, chosen, completed, timedOut, duplicates } = this;
    const clients = meta.clients ?? [];
    const slots = [...this.chosenSlots].sort((a, b) => a - b);
    // A user protocol is judged per slot or single-decree (its definition says which): the checkers' chosen events tell.
    const multi = view.multiSlot || (view.knownTypes === null && slots.length > 0);
    const operations = view.multiSlot || clients.length > 0 || completed + timedOut > 0;
    const chosenText = multi
      ? slots.length === 0
        ? 'no slot chosen'
        : `${plural(slots.length, 'slot')} chosen (${slots[0]}…${slots[slots.length - 1]})`
      : chosen.length === 0
        ? 'nothing chosen'
        : `chosen ${chosen.join(', then ')}`;
    const capped = shownEvents < this.events ? ` (the diagram shows the first ${shownEvents}; the JSON Lines trace has them all)` : '';
    return [
      view.multiSlot ? `${plural(meta.nodes.length, 'replica')}, ${plural(clients.length, 'client')}` : plural(meta.nodes.length, 'node') + (clients.length > 0 ? `, ${plural(clients.length, 'client')}` : ''),
      `${plural(this.events, 'event')}${capped}`,
      `${this.delivered} delivered (${plural(duplicates, 'duplicate')})`,
      `${this.dropped} dropped`,
      `t = 0…${this.lastT} ms`,
      chosenText,
      ...(operations ? [`${plural(completed, 'operation')} completed, ${timedOut} timed out`] : []),
    ].join(' · ');
  }
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
`;

/** The single-decree marks, also shown by the multi-slot views. */
const PAXOS_MARKS_LEGEND = `<div><b>●</b> propose · <span style="color:#ca8a04">★</span> learned · <span style="color:#059669">┄</span> chosen · <span style="color:#dc2626">━</span> violation</div>
`;

/** A user protocol: its observations are diamonds with their type and fields. */
const GENERIC_LEGEND = `<div><span style="color:#0f766e">◆</span> observation (hover: every field)</div>
<div><span style="color:#059669">┄</span> chosen · <span style="color:#dc2626">━</span> violation (checker or invariant)</div>
`;

const MULTIPAXOS_LEGEND = `
<div><span class="sw term"></span> leader term (ballot along it)</div>
<div><span class="sw stale"></span> stale: a higher ballot leads elsewhere</div>
<div><svg width="14" height="12"><path d="M1 10 V3 L4 6 L7 1 L10 6 L13 3 V10 Z" fill="#f59e0b" stroke="#0f172a" stroke-width=".8"/></svg> elected · <span class="sw apply"></span> applied slot <i>N</i> · <span style="color:#059669">┄</span> chosen slot <i>N</i></div>
<div><span class="sw clientcol"></span> client lane · <span class="sw op"></span> operation in flight</div>
<div><span style="color:#4f46e5">▶</span> invoke · <span style="color:#0d9488">●</span> complete · <span style="color:#dc2626">✕</span> timed out</div>
<div class="hint">Heartbeats start hidden when there are more than ${HIDE_HEARTBEATS_OVER}; tick "heartbeat" above to show them.</div>
`;

const PAGE_VIEWS: Readonly<Record<ViewKind, PageView>> = {
  paxos: { knownTypes: DIAGRAM_MESSAGE_TYPES, offerPresentOnly: false, hideHeartbeats: false, legend: LEGEND + PAXOS_MARKS_LEGEND, multiSlot: false, raftTerms: false, colorTypes: false },
  'multi-slot': { knownTypes: MULTIPAXOS_DIAGRAM_MESSAGE_TYPES, offerPresentOnly: true, hideHeartbeats: true, legend: LEGEND + PAXOS_MARKS_LEGEND + MULTIPAXOS_LEGEND, multiSlot: true, raftTerms: false, colorTypes: false },
  raft: { knownTypes: Object.keys(RAFT_MESSAGE_TYPES), offerPresentOnly: true, hideHeartbeats: true, legend: LEGEND + PAXOS_MARKS_LEGEND + MULTIPAXOS_LEGEND, multiSlot: true, raftTerms: true, colorTypes: false },
  generic: { knownTypes: null, offerPresentOnly: true, hideHeartbeats: true, legend: LEGEND + GENERIC_LEGEND, multiSlot: false, raftTerms: false, colorTypes: true },
};

const LEGEND_HINT = `
<div class="hint">Zoom with −/+, fit, or ctrl+wheel. Time is virtual ms; with "squeeze idle time", stretches where no message is in flight are drawn short and labelled.</div>
`;
