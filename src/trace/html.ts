import { RAFT_MESSAGE_TYPES } from './raft-format.js';
import { compareBallots, type Ballot } from '../protocols/paxos/ballot.js';
import type { AnyTraceEvent, TraceMeta } from '../sim/events.js';
import { plural } from '../util/plural.js';
import { dictFrom } from '../util/dict.js';
import { StringSink, TRACE_CHUNK_CHARS, type TextSink } from './trace-writer.js';

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
 * Multi-Paxos runs (`meta.protocol: "multipaxos"`) get the replicas' lanes and
 * then the clients' (shaded, dashed), each leader's term as a coloured stripe
 * on its lane (hatched once a higher ballot was elected elsewhere, so a stale
 * leader and its successor are both visible), apply / invoke / complete /
 * timeout marks, a `chosen slot N` line per slot, and a type filter over the
 * message types the trace actually has (heartbeats start hidden when there are
 * more than {@link HIDE_HEARTBEATS_OVER}).
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

/** Why a leader term ended, read from the trace. */
export interface LeaderTermEnd {
  readonly t: number;
  /** Index of the event that ended it. */
  readonly event: number;
  /** "crashed", "elected again with (3,A)", "heartbeat (2,C) from C", "nack: promised (2,C) from D", … */
  readonly reason: string;
}

/**
 * A replica's term as leader, as far as the replica itself believes it: from
 * its `leader` event until it steps down. A leader steps down (see the
 * Multi-Paxos replica) when a prepare, accept or heartbeat with a higher
 * ballot reaches it from another replica, when its own ballot is refused by a
 * nack, when it promises or accepts a higher ballot, at its next `leader`
 * event, or when it crashes; otherwise the term lasts until the trace ends.
 * `staleFrom` is when another replica was elected with a higher ballot while
 * this one still believed it led: from then on two replicas believe they lead.
 */
export interface LeaderTerm {
  readonly node: string;
  readonly ballot: Ballot;
  readonly t0: number;
  /** End of the term: the step-down time, or the trace's last time when `end` is null. */
  readonly t1: number;
  /** Index of the `leader` event. */
  readonly event: number;
  readonly end: LeaderTermEnd | null;
  readonly staleFrom: number | null;
  readonly staleBy: { readonly node: string; readonly ballot: Ballot } | null;
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
    this.summary = new DiagramSummary(meta);
    this.filters = new TypeFilterCounter(meta);
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
<script type="application/json" id="paxsim-events">[`);
  }

  observe(event: AnyTraceEvent): void {
    this.summary.observe(event);
    this.terms.observe(event, this.index);
    this.filters.observe(event);
    if (this.index < this.maxEvents) {
      this.pending += (this.index === 0 ? '' : ',') + embedJson(event);
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
    const { meta, title } = this;
    const terms = this.terms.terms();
    const nodeColors = termColors(meta, terms);
    const shownEvents = Math.min(this.index, this.maxEvents);
    const data = { meta, violations, terms, nodeColors, totalEvents: this.index, shownEvents };
    const filters = this.filters.filters();
    this.sink.write(`]</script>
<header>
  <h1>${escapeHtml(title)}</h1>
  <div class="summary">${escapeHtml(this.summary.line(shownEvents))}</div>
  ${terms.length > 0 ? termSummary(terms, nodeColors, meta.protocol === 'raft') : ''}
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
    <section class="legend"><h2>Legend</h2>${LEGEND}${isMultiPaxos(meta) ? MULTIPAXOS_LEGEND : ''}${LEGEND_HINT}</section>
  </aside>
</main>
<script type="application/json" id="paxsim-data">${embedJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`);
  }
}

/** Multi-Paxos, Cheap Paxos, or Raft (the same lanes: servers, then clients; for Raft, leader terms as stripes). */
function isMultiPaxos(meta: TraceMeta): boolean {
  return meta.protocol === 'multipaxos' || meta.protocol === 'raft' || meta.protocol === 'cheap-paxos';
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
 * ticked (as always). Multi-Paxos: the types that occur in the trace, in
 * protocol order; heartbeats start unticked when there are more than
 * {@link HIDE_HEARTBEATS_OVER} of them. Types no protocol of paxsim's sends
 * (a foreign trace) follow, alphabetically.
 */
export function diagramTypeFilters(meta: TraceMeta, events: readonly AnyTraceEvent[]): DiagramTypeFilter[] {
  const counter = new TypeFilterCounter(meta);
  for (const event of events) counter.observe(event);
  return counter.filters();
}

/** {@link diagramTypeFilters}, one event at a time. */
class TypeFilterCounter {
  private readonly present = new Set<string>();
  private readonly delivered = new Map<string, number>();

  constructor(private readonly meta: TraceMeta) {}

  observe(event: AnyTraceEvent): void {
    const type = messageType(event);
    if (type === null) return;
    this.present.add(type);
    if (event.type === 'deliver') this.delivered.set(type, (this.delivered.get(type) ?? 0) + 1);
  }

  filters(): DiagramTypeFilter[] {
    const { meta, present, delivered } = this;
    const known: readonly string[] = meta.protocol === 'raft' ? Object.keys(RAFT_MESSAGE_TYPES) : isMultiPaxos(meta) ? MULTIPAXOS_DIAGRAM_MESSAGE_TYPES : DIAGRAM_MESSAGE_TYPES;
    const offered = isMultiPaxos(meta) ? known.filter((type) => present.has(type)) : [...known];
    const extra = [...present].filter((type) => !known.includes(type)).sort();
    return [...offered, ...extra].map((type) => {
      const count = delivered.get(type) ?? 0;
      return { type, delivered: count, shown: !(isMultiPaxos(meta) && type === 'heartbeat' && count > HIDE_HEARTBEATS_OVER) };
    });
  }
}

function filterElement(filter: DiagramTypeFilter): string {
  const type = escapeHtml(filter.type);
  const hint = filter.shown ? `${filter.delivered} delivered` : `${filter.delivered} delivered: hidden at first (more than ${HIDE_HEARTBEATS_OVER}); tick to show`;
  return `<label class="filter t-${cssIdent(filter.type)}" title="${escapeHtml(hint)}"><input type="checkbox" data-type="${type}"${filter.shown ? ' checked' : ''}> ${type} <small>${filter.delivered}</small></label>`;
}

function isBallot(value: unknown): value is Ballot {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'string';
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

/** A string usable inside a class name (the page script sanitizes the same way). */
function cssIdent(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
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

  constructor(private readonly meta: TraceMeta) {}

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
    const { meta, chosen, completed, timedOut, duplicates } = this;
    const multi = isMultiPaxos(meta);
    const clients = meta.clients ?? [];
    const slots = [...this.chosenSlots].sort((a, b) => a - b);
    const chosenText = multi
      ? slots.length === 0
        ? 'no slot chosen'
        : `${plural(slots.length, 'slot')} chosen (${slots[0]}…${slots[slots.length - 1]})`
      : chosen.length === 0
        ? 'nothing chosen'
        : `chosen ${chosen.join(', then ')}`;
    const capped = shownEvents < this.events ? ` (the diagram shows the first ${shownEvents}; the JSON Lines trace has them all)` : '';
    return [
      multi ? `${plural(meta.nodes.length, 'replica')}, ${plural(clients.length, 'client')}` : plural(meta.nodes.length, 'node'),
      `${plural(this.events, 'event')}${capped}`,
      `${this.delivered} delivered (${plural(duplicates, 'duplicate')})`,
      `${this.dropped} dropped`,
      `t = 0…${this.lastT} ms`,
      chosenText,
      ...(multi ? [`${plural(completed, 'operation')} completed, ${timedOut} timed out`] : []),
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
<div><b>●</b> propose · <span style="color:#ca8a04">★</span> learned · <span style="color:#059669">┄</span> chosen · <span style="color:#dc2626">━</span> violation</div>
`;

const MULTIPAXOS_LEGEND = `
<div><span class="sw term"></span> leader term (ballot along it)</div>
<div><span class="sw stale"></span> stale: a higher ballot leads elsewhere</div>
<div><svg width="14" height="12"><path d="M1 10 V3 L4 6 L7 1 L10 6 L13 3 V10 Z" fill="#f59e0b" stroke="#0f172a" stroke-width=".8"/></svg> elected · <span class="sw apply"></span> applied slot <i>N</i> · <span style="color:#059669">┄</span> chosen slot <i>N</i></div>
<div><span class="sw clientcol"></span> client lane · <span class="sw op"></span> operation in flight</div>
<div><span style="color:#4f46e5">▶</span> invoke · <span style="color:#0d9488">●</span> complete · <span style="color:#dc2626">✕</span> timed out</div>
<div class="hint">Heartbeats start hidden when there are more than ${HIDE_HEARTBEATS_OVER}; tick "heartbeat" above to show them.</div>
`;

const LEGEND_HINT = `
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
.terms{margin-top:4px;color:#475569;display:flex;flex-wrap:wrap;gap:4px;align-items:center}
.termchip{border-width:2px;border-radius:10px;font-size:11px;padding:0 7px}
.termchip.stale{background:repeating-linear-gradient(45deg,#fff 0 4px,#fee2e2 4px 7px)}
.termchip .dot{display:inline-block;width:8px;height:8px;border-radius:4px;margin-right:4px}
.vsummary{margin-top:4px;color:#b91c1c;font-weight:600}
.controls{margin-top:6px;display:flex;flex-wrap:wrap;gap:12px;align-items:center}
.group{display:inline-flex;gap:6px;align-items:center;flex-wrap:wrap}
button{font:inherit;padding:1px 8px;border:1px solid #cbd5e1;border-radius:4px;background:#fff;cursor:pointer}
button:hover{background:#f1f5f9}
label{cursor:pointer;user-select:none;white-space:nowrap}
.filter{padding:1px 6px;border-radius:10px;border:1px solid currentColor}
.filter small{opacity:.75}
main{flex:1;display:flex;min-height:0}
#scroller{flex:1;overflow:auto;position:relative;outline:none}
#lanehead{position:sticky;top:0;z-index:3;height:34px;background:#fff;border-bottom:1px solid #e2e8f0}
#lanehead div{position:absolute;top:3px;transform:translateX(-50%);text-align:center;font-weight:700;font-size:13px}
#lanehead small{display:block;font-weight:400;font-size:10px;color:#64748b}
#lanehead div.client{color:#4338ca;font-style:italic}
#lanehead div.client small{color:#6366f1}
#lanehead div.aux{color:#94a3b8;font-weight:400}
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
.sw.term{width:8px;background:#f59e0b;border-color:#d97706}.sw.stale{width:8px;background:repeating-linear-gradient(45deg,#f59e0b 0 3px,#b91c1c 3px 5px);border-color:#b91c1c}
.sw.apply{width:8px;height:8px;background:#059669;border:none}.sw.clientcol{background:#eef2ff;border-style:dashed}.sw.op{width:4px;background:#a5b4fc;border:none}
.dupbadge{font-size:9px;font-weight:700;color:#fff;background:#7c3aed;border-radius:3px;padding:0 3px}
.violation{position:absolute;left:0;height:0;border-top:2px solid #dc2626;z-index:2;pointer-events:none}
.violation span{position:absolute;right:8px;top:2px;max-width:70%;background:#fef2f2;color:#b91c1c;border:1px solid #dc2626;border-radius:4px;padding:2px 6px;font-weight:600;pointer-events:auto}
svg text{font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.lane{stroke:#94a3b8;stroke-width:1}
.lane.client{stroke:#818cf8;stroke-dasharray:5 4}
.lane.aux{stroke:#cbd5e1;stroke-dasharray:2 3}
.mark.config{color:#7c3aed;fill:#7c3aed}
.mark.discard{color:#94a3b8;stroke:#94a3b8}
.clientcol{fill:#eef2ff;opacity:.6}
.tick line{stroke:#e2e8f0}.tick text{fill:#64748b;font-size:10px;text-anchor:end}
.idle rect{fill:url(#zigzag)}.idle text{fill:#64748b;font-size:10px;text-anchor:middle;font-style:italic}
.crashed{fill:#cbd5e1;opacity:.8}.paused{fill:url(#hatch);opacity:.9}
.iv text{fill:#475569;font-size:10px}
.band rect{opacity:.55}.band text{font-size:10px;fill:#334155;text-anchor:end}
.band.partition rect{fill:#dbeafe}.band.cut rect{fill:#ffedd5}.band.burst rect{fill:#fef9c3}
.term{cursor:pointer}
.term .tint{fill:currentColor;opacity:.09;pointer-events:none}
.term .stripe{fill:currentColor;opacity:.6}
.term .stale{fill:url(#stale);opacity:.8}
.term .stale-tint{fill:#dc2626;opacity:.05;pointer-events:none}
.term .from{stroke:currentColor;stroke-width:2}
.term .stop{stroke:#0f172a;stroke-width:2.5}
.term text{font-size:10px;font-weight:700;fill:#1e293b}
.term text.stop{font-weight:400;fill:#475569;stroke:#fff;stroke-width:3px}
.term.selected .stripe{opacity:.9}
.op rect{fill:#a5b4fc;opacity:.8}.op.timeout rect{fill:#fca5a5}.op.open rect{fill:#cbd5e1}
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
.t-commit{color:#be185d}.t-heartbeat{color:#a8a29e}.t-request{color:#4f46e5}.t-reply{color:#0d9488}.t-redirect{color:#ea580c}
.mark{cursor:pointer}
.mark text{font-size:11px}
.mark.propose circle{fill:#0f172a}.mark.propose text{font-weight:700}
.mark.adopt circle{fill:#fff;stroke:#0f172a;stroke-width:1.5}
.mark.promise circle{fill:#0891b2}.mark.accept rect{fill:#7c3aed}
.mark.learn text.star{fill:#ca8a04;font-size:16px}.mark.learn text{fill:#854d0e;font-weight:700}
.mark.learn.slots text.star{font-size:12px}
.mark.timer circle{fill:#fff;stroke:#94a3b8}
.mark.lost text,.mark.lost path{fill:#dc2626;stroke:#dc2626}
.mark.drift text{fill:#92400e}
.mark.leader path{fill:currentColor;stroke:#0f172a;stroke-width:.8}.mark.leader text{font-weight:700;fill:#0f172a}
.mark.apply rect{fill:#059669}.mark.apply text{fill:#065f46;font-size:10px}.mark.apply.dupe rect{fill:#7c3aed}
.mark.invoke path{fill:#4f46e5}.mark.invoke text{fill:#3730a3}
.mark.complete circle{fill:#0d9488}.mark.complete text{fill:#115e59}
.mark.optimeout path{stroke:#dc2626;stroke-width:2.2}.mark.optimeout text{fill:#b91c1c;font-weight:700}
.chosen line{stroke:#059669;stroke-width:1.5;stroke-dasharray:6 3}.chosen text{fill:#047857;font-weight:700}
.chosen.slot line{stroke-width:1;opacity:.7}.chosen.slot text{font-size:10px}
.culprit .ln,.culprit circle,.culprit rect,.culprit line,.culprit path{stroke:#dc2626!important;stroke-width:3!important}
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
  var LANE = 170;               // width of a node's lane (the distance between two node lanes)
  var CLIENT_LANE = 140;        // width of a client's lane (Multi-Paxos)
  var GROUP_GAP = 24;           // space between the replicas' lanes and the clients'
  var TOP = 24, BOTTOM = 60;    // margins above the first and below the last event
  var HEAD = 34;                // height of the sticky row of node names
  var IDLE_PX = 72;             // an idle stretch is drawn at most this tall when squeezing
  var LABEL_MIN_SCALE = 1.2;    // px per ms below which arrow labels would only be noise
  var LABEL_AT = 0.62;          // labels sit past the middle: the arrows of one broadcast have spread apart there
  var TERM_W = 14;              // width of a leader-term stripe
  var TERM_LABEL_EVERY = 420;   // px between the repeated ballot labels along a term stripe

  var data = JSON.parse(document.getElementById('paxsim-data').textContent);
  // The events come first in the page (written as the run went), the rest after them.
  data.events = JSON.parse(document.getElementById('paxsim-events').textContent);
  var multi = data.meta.protocol === 'multipaxos' || data.meta.protocol === 'raft' || data.meta.protocol === 'cheap-paxos';
  // Cheap Paxos: auxiliaries get lighter lanes; reconfigurations and discards are marks.
  var auxSet = new Set(data.meta.auxiliary || []);
  var scroller = document.getElementById('scroller');
  var canvas = document.getElementById('canvas');
  var svg = document.getElementById('diagram');
  var content = document.getElementById('content');
  var detail = document.getElementById('detail-json');
  var violationEls = Array.prototype.slice.call(document.querySelectorAll('[data-violation]'));
  var culprits = new Set(data.violations.map(function (v) { return v.event; }));
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[data-type]'));
  var TYPES = boxes.map(function (box) { return box.getAttribute('data-type'); });
  var terms = data.terms || [];
  var nodeColors = data.nodeColors || {};

  // ---- lanes: the replicas (meta.nodes), nodes the meta line forgot, then the clients --

  var clientSet = new Set(data.meta.clients || []);
  data.events.forEach(function (e) { if (e.type === 'invoke' || e.type === 'complete' || e.type === 'timeout') clientSet.add(e.node); });
  var nodes = [], laneXs = new Map();
  function addNode(node) { if (node !== undefined && node !== null && !laneXs.has(node)) { laneXs.set(node, 0); nodes.push(node); } }
  data.meta.nodes.forEach(function (n) { if (!clientSet.has(n)) addNode(n); });
  data.events.forEach(function (e) { [e.node, e.from, e.to].forEach(function (n) { if (n !== undefined && !clientSet.has(n)) addNode(n); }); });
  (data.meta.clients || []).forEach(addNode);
  clientSet.forEach(addNode);
  var replicaRight = AXIS, lanesRight = AXIS, clientLeft = -1;
  nodes.forEach(function (node) {
    var w = laneWidth(node);
    if (clientSet.has(node) && clientLeft < 0) { if (lanesRight > AXIS) lanesRight += GROUP_GAP; clientLeft = lanesRight; }
    laneXs.set(node, lanesRight + w / 2);
    lanesRight += w;
    if (!clientSet.has(node)) replicaRight = lanesRight;
  });
  var width = lanesRight + (clientLeft >= 0 ? 110 : 40);   // room for the labels of the last client's marks
  function laneX(node) { var x = laneXs.get(node); return x === undefined ? AXIS : x; }
  function laneWidth(node) { return clientSet.has(node) ? CLIENT_LANE : LANE; }
  function isClient(node) { return clientSet.has(node); }

  var model = buildModel(data.events);
  var state = {
    scale: defaultScale(model.arrows),   // px per virtual ms (outside squeezed stretches)
    squeeze: true,
    hidden: new Set(),                   // message types unticked in the filter
    selected: null,                      // key of the pinned item
    win: { top: 0, bottom: -1 },         // canvas y range currently rendered
  };
  // The filter's initial state is in the markup (heartbeats may start unticked); a reload must not restore another.
  boxes.forEach(function (box) { box.checked = box.defaultChecked; if (!box.checked) state.hidden.add(box.getAttribute('data-type')); });
  var Y = new Float64Array(model.times.length);  // y of each distinct event time, recomputed on zoom

  // ---- the model: events -> arrows, marks, lane intervals, bands -------------

  function buildModel(events) {
    var sends = new Map();     // id -> send event: an arrow starts at its send time
    var copies = new Map();    // id -> deliveries so far, so the second one is marked as a duplicate
    var arrows = [], marks = [], intervals = [], bands = [], lines = [], ops = [];
    var open = new Map();      // 'crashed:A' -> start time of an interval still in force
    var openOps = new Map();   // 'c1#4' -> operation in progress
    var grouped = new Map();   // 'apply:A' -> last apply (or learn) mark of A, which the next slot at the same time joins
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
      if (partition) bands.push({ kind: 'partition', t0: partition.t, t1: t, label: partitionLabel(partition.groups), x0: AXIS, x1: replicaRight });
      partition = null;
    }
    function closeCuts(t) {
      cuts.forEach(function (c) {
        var a = laneX(c.from), b = laneX(c.to);
        bands.push({ kind: 'cut', t0: c.t, t1: t, label: 'cut ' + c.from + '\u219b' + c.to, x0: Math.min(a, b) - 20, x1: Math.max(a, b) + 20 });
      });
      cuts = [];
    }
    function mark(kind, e, index) {
      var m = { kind: kind, index: index, indices: [index], node: e.node, t0: e.t, t1: e.t, event: e, events: [e] };
      marks.push(m);
      return m;
    }
    // Consecutive slots applied (or learned) by one node at one instant, as after a catch-up, make one mark.
    function slotMark(kind, e, index) {
      var key = kind + ':' + e.node, last = grouped.get(key);
      if (last && last.t0 === e.t && last.slotTo + 1 === e.slot && !!last.event.duplicate === !!e.duplicate) {
        last.slotTo = e.slot; last.indices.push(index); last.events.push(e);
        return;
      }
      var m = mark(kind, e, index);
      m.slotFrom = e.slot; m.slotTo = e.slot;
      grouped.set(key, m);
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
        case 'burst': bands.push({ kind: 'burst', t0: e.t, t1: Math.min(e.t + e['for'], endT), label: burstLabel(e), x0: AXIS, x1: lanesRight }); break;
        case 'chosen': lines.push({ index: index, t0: e.t, t1: e.t, event: e }); break;
        case 'learn':
          if (e.slot !== undefined) slotMark('learn', e, index); else mark('learn', e, index);
          break;
        case 'apply': slotMark('apply', e, index); break;
        case 'invoke': {
          mark('invoke', e, index);
          var op = { node: e.node, index: index, t0: e.t, t1: endT, outcome: 'open', event: e, end: null };
          ops.push(op);
          openOps.set(e.client + '#' + e.requestId, op);
          break;
        }
        case 'complete': case 'timeout': {
          mark(e.type === 'timeout' ? 'optimeout' : 'complete', e, index);
          var running = openOps.get(e.client + '#' + e.requestId);
          if (running) { running.t1 = e.t; running.outcome = e.type; running.end = e; openOps.delete(e.client + '#' + e.requestId); }
          break;
        }
        case 'leader': case 'propose': case 'adopt': case 'promise': case 'accept':
        case 'timer': case 'request-lost': case 'drift': case 'config': case 'discard':
          mark(e.type, e, index);
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
    return { arrows: arrows, marks: marks, intervals: intervals, bands: bands, lines: lines, ops: ops, times: times, idle: idleGaps(times, arrows), endT: endT };
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
    var rest = nodes.filter(function (n) { return !listed.has(n) && !isClient(n); });
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

  // ---- text -----------------------------------------------------------------------

  function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'); }
  function ident(s) { return String(s).replace(/[^A-Za-z0-9_-]/g, '_'); }
  function n1(x) { return Math.round(x * 10) / 10; }
  function ballot(b) { return Array.isArray(b) ? '(' + b[0] + ',' + b[1] + ')' : String(b); }
  // A Raft leader has a term, a Multi-Paxos one a ballot.
  // A Raft stripe's ballot is [term, leader]: label it as the term.
  function termLabel(b) { return data.meta.protocol === 'raft' && Array.isArray(b) ? 'term ' + b[0] : ballot(b); }
  function leaderOf(e) { return e.term !== undefined ? 'term ' + e.term : ballot(e.ballot); }
  function json(v) { return v === undefined ? '?' : JSON.stringify(v); }
  // "put x", "get x", "cas x": what an arrow label has room for.
  function opShort(op) { return op && op.kind ? op.kind + ' ' + op.key : '?'; }
  // 'put x="c1.2"', 'get x', 'cas x absent→"c1.3"': for marks and hover text.
  function opLong(op) {
    if (!op || !op.kind) return '?';
    if (op.kind === 'put') return 'put ' + op.key + '=' + json(op.value);
    if (op.kind === 'cas') return 'cas ' + op.key + ' ' + (op.expected === null ? 'absent' : json(op.expected)) + '\u2192' + json(op.value);
    return op.kind + ' ' + op.key;
  }
  function command(c, long) {
    if (!c) return '?';
    if (c.noop) return 'no-op';
    return c.client + '#' + c.requestId + ' ' + (long ? opLong(c.op) : opShort(c.op));
  }
  function label(msg) {
    if (!msg) return '?';
    if (multi) return multiLabel(msg);
    var text = msg.type + (msg.ballot ? ' ' + ballot(msg.ballot) : '');
    if (msg.value !== undefined) text += ' "' + msg.value + '"';
    if (msg.type === 'nack') text += ', promised ' + ballot(msg.promised);
    if (msg.type === 'promise' && msg.accepted) text += ' acc "' + msg.accepted.value + '"';
    return text;
  }
  function multiLabel(m) {
    switch (m.type) {
      case 'prepare': return 'prepare ' + ballot(m.ballot) + ' from s' + m.fromSlot;
      case 'promise': return 'promise ' + ballot(m.ballot) + (m.accepted && m.accepted.length ? ' +' + m.accepted.length + ' acc' : '');
      case 'nack': return 'nack ' + ballot(m.ballot) + ', promised ' + ballot(m.promised);
      case 'accept': return 'accept s' + m.slot + ' ' + ballot(m.ballot);
      case 'accepted': return 'accepted s' + m.slot + ' ' + ballot(m.ballot);
      case 'commit': return 'commit s' + m.slot;
      case 'heartbeat': return 'heartbeat ' + ballot(m.ballot) + ' c=' + m.commitIndex;
      case 'catchup': return 'catchup from s' + m.fromSlot;
      case 'request': return 'request ' + command(m.command, false);
      case 'reply': return 'reply #' + m.requestId;
      case 'redirect': return 'redirect \u2192' + (m.leaderHint === null || m.leaderHint === undefined ? '?' : m.leaderHint);
      default: return String(m.type) + (m.ballot ? ' ' + ballot(m.ballot) : '') + (m.slot !== undefined ? ' s' + m.slot : '');
    }
  }
  function slotsText(m) { return 's' + m.slotFrom + (m.slotTo > m.slotFrom ? '\u2013' + m.slotTo : ''); }
  // A leader's heartbeat timer goes with its heartbeats: hiding them hides it too.
  function markHidden(m) { return m.kind === 'timer' && m.event.timer === 'heartbeat' && state.hidden.has('heartbeat'); }
  function typeOf(a) { return a.msg ? String(a.msg.type) : 'unknown'; }
  function viewHeight() { return Math.max(50, scroller.clientHeight - HEAD); }

  // ---- rendering the window ------------------------------------------------------

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
    var right = lanesRight;
    function meets(item) { return item.t1 >= t0 && item.t0 <= t1; }
    if (clientLeft >= 0) out.push('<rect class="clientcol" x="' + clientLeft + '" y="' + n1(y0) + '" width="' + (lanesRight - clientLeft) + '" height="' + n1(Math.max(1, y1 - y0)) + '"/>');
    drawAxis(out, y0, y1, t0, t1, right);
    model.bands.forEach(function (b) {
      if (!meets(b)) return;
      var ya = yAt(b.t0), yb = Math.max(yAt(b.t1), ya + 2);
      out.push('<g class="band ' + b.kind + '"><title>' + esc(b.label + ', t=' + b.t0 + '\u2026' + b.t1) + '</title><rect x="' + b.x0 + '" y="' + n1(ya) + '" width="' + (b.x1 - b.x0) + '" height="' + n1(yb - ya) + '"/><text x="' + (b.x1 - 4) + '" y="' + n1(ya + 11) + '">' + esc(b.label) + '</text></g>');
    });
    nodes.forEach(function (node) {
      var x = laneX(node);
      out.push('<line class="lane' + (isClient(node) ? ' client' : auxSet.has(node) ? ' aux' : '') + '" x1="' + x + '" x2="' + x + '" y1="' + n1(y0) + '" y2="' + n1(y1) + '"/>');
    });
    model.intervals.forEach(function (iv) {
      if (!meets(iv)) return;
      var ya = yAt(iv.t0), yb = Math.max(yAt(iv.t1), ya + 2), x = laneX(iv.node), w = laneWidth(iv.node) * 0.6;
      out.push('<g class="iv"><title>' + esc(iv.node + ' ' + iv.kind + ', t=' + iv.t0 + '\u2026' + iv.t1) + '</title><rect class="' + iv.kind + '" x="' + (x - w / 2) + '" y="' + n1(ya) + '" width="' + w + '" height="' + n1(yb - ya) + '"/><text x="' + (x + 4) + '" y="' + n1(ya + 11) + '">' + iv.kind + '</text></g>');
    });
    terms.forEach(function (term, i) { if (meets(term)) out.push(termSvg(term, i, y0, y1, showLabels)); });
    model.ops.forEach(function (op, i) {
      if (!meets(op)) return;
      var ya = yAt(op.t0), yb = Math.max(yAt(op.t1), ya + 2), x = laneX(op.node);
      out.push('<g class="op ' + op.outcome + '" data-key="o' + i + '"><title>' + esc(describeOp(op)) + '</title><rect x="' + (x - 2) + '" y="' + n1(ya) + '" width="4" height="' + n1(yb - ya) + '"/></g>');
    });
    var lastChosenY = -1e9;
    model.lines.forEach(function (c) {
      if (!meets(c)) return;
      var y = n1(yAt(c.t0)), e = c.event, slot = e.slot !== undefined;
      var labelled = !slot || y - lastChosenY >= 12;   // zoomed out, chosen slots crowd: label only those with room
      if (labelled) lastChosenY = y;
      var text = slot ? 'chosen slot ' + e.slot + ' ' + ballot(e.ballot) + (showLabels ? ': ' + command(e.command, false) : '') : 'CHOSEN "' + esc(e.value) + '" ' + ballot(e.ballot);
      out.push('<g class="chosen mark' + (slot ? ' slot' : '') + (culprits.has(c.index) ? ' culprit' : '') + '" data-key="c' + c.index + '"' + (slot ? ' data-slot="' + esc(e.slot) + '"' : '') + '><title>' + esc(describeChosen(e)) + '</title><line x1="' + AXIS + '" x2="' + (slot ? replicaRight : right) + '" y1="' + y + '" y2="' + y + '"/>' + (labelled ? '<text x="' + (AXIS + 4) + '" y="' + (y - 3) + '">' + (slot ? esc(text) : text) + '</text>' : '') + '</g>');
    });
    model.arrows.forEach(function (a, i) {
      if (meets(a) && !state.hidden.has(typeOf(a))) out.push(arrowSvg(a, i, showLabels));
    });
    model.marks.forEach(function (m, i) { if (meets(m) && !markHidden(m)) out.push(markSvg(m, i, showLabels)); });
    content.innerHTML = out.join('');
    svg.style.top = y0 + 'px';
    svg.setAttribute('height', String(Math.max(1, y1 - y0)));
    svg.setAttribute('viewBox', '0 ' + y0 + ' ' + width + ' ' + Math.max(1, y1 - y0));
  }

  // A leader's term: a faint tint over its lane and a coloured stripe on it, from
  // its election to its step-down, the ballot written along it every few hundred
  // px; hatched red from when a higher ballot was elected elsewhere (stale).
  function termSvg(term, i, y0, y1, showLabels) {
    var x = laneX(term.node), w = laneWidth(term.node) * 0.84;
    var ya = yAt(term.t0), yb = Math.max(yAt(term.t1), ya + 2);
    var ca = Math.max(ya, y0 - 20), cb = Math.min(yb, y1 + 20);          // clipped to the window
    var ys = term.staleFrom === null ? null : Math.max(ya, yAt(term.staleFrom));
    var color = nodeColors[term.node] || '#94a3b8';
    var key = 'r' + i;
    var parts = ['<g class="term' + (term.staleFrom === null ? '' : ' has-stale') + (state.selected === key ? ' selected' : '') + '" data-key="' + key + '" data-node="' + esc(term.node) + '" data-ballot="' + esc(term.ballot.join(',')) + '" data-t0="' + term.t0 + '" data-t1="' + term.t1 + '"' + (term.staleFrom === null ? '' : ' data-stale-from="' + term.staleFrom + '"') + ' style="color:' + esc(color) + '">'];
    parts.push('<title>' + esc(describeTerm(term)) + '</title>');
    var freshEnd = ys === null ? cb : Math.min(cb, ys);
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
    var base = ya + 60, first = base + Math.max(0, Math.ceil((ca - 40 - base) / TERM_LABEL_EVERY)) * TERM_LABEL_EVERY;
    for (var y = first; yb - ya >= 90 && y < cb - 20; y += TERM_LABEL_EVERY) {
      var stale = ys !== null && y >= ys;
      var text = (stale ? 'stale ' : 'leader ') + term.node + ' ' + termLabel(term.ballot);
      parts.push('<text class="along" transform="translate(' + n1(x - 4) + ' ' + n1(y) + ') rotate(90)">' + esc(text) + '</text>');
    }
    parts.push('</g>');
    return parts.join('');
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
    var cls = 'msg ' + a.kind + ' t-' + ident(type) + (a.copy > 1 ? ' dup' : '') + (culprits.has(a.index) ? ' culprit' : '') + (state.selected === key ? ' selected' : '');
    var attrs = ' data-key="' + key + '" data-id="' + esc(a.id) + '" data-t0="' + a.t0 + '" data-t1="' + a.t1 + '"' + (a.kind === 'deliver' ? ' data-copy="' + a.copy + '"' : ' data-reason="' + esc(a.reason) + '"');
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
    var culprit = m.indices.some(function (k) { return culprits.has(k); });
    var kindClass = m.kind === 'request-lost' ? 'lost' : m.kind;
    if (m.kind === 'learn' && m.slotFrom !== undefined) kindClass += ' slots';
    if (m.kind === 'apply' && e.duplicate) kindClass += ' dupe';
    var style = m.kind === 'leader' ? ' style="color:' + esc(nodeColors[m.node] || '#f59e0b') + '"' : '';
    var cls = 'mark ' + kindClass + (culprit ? ' culprit' : '') + (state.selected === 'm' + i ? ' selected' : '');
    var open = '<g class="' + cls + '" data-key="m' + i + '" data-node="' + esc(m.node) + '" data-t="' + m.t0 + '"' + style + '><title>' + esc(describeMark(m)) + '</title>';
    var text = function (s, dx) { return showLabels ? '<text x="' + (x + (dx || 8)) + '" y="' + (y + 4) + '">' + esc(s) + '</text>' : ''; };
    // Left of the lane: an operation's end, so the next invoke at the same instant keeps the right side.
    var textLeft = function (s) { return showLabels ? '<text x="' + (x - 8) + '" y="' + (y + 4) + '" text-anchor="end">' + esc(s) + '</text>' : ''; };
    switch (m.kind) {
      case 'propose': return open + '<circle cx="' + x + '" cy="' + y + '" r="4.5"/>' + text('propose "' + e.value + '" ' + ballot(e.ballot)) + '</g>';
      case 'adopt': return open + '<circle cx="' + x + '" cy="' + y + '" r="4"/>' + text('adopt "' + e.value + '" from ' + ballot(e.from)) + '</g>';
      case 'promise': return open + '<circle cx="' + (x - 6) + '" cy="' + y + '" r="2.5"/></g>';
      case 'accept': return open + '<rect x="' + (x - 9) + '" y="' + (y - 2.5) + '" width="5" height="5"/></g>';
      case 'learn':
        if (m.slotFrom !== undefined) return open + '<text class="star" x="' + (x - 12) + '" y="' + (y + 4) + '">\u2605</text></g>';
        return open + '<text class="star" x="' + (x - 6) + '" y="' + (y + 6) + '">\u2605</text><text x="' + (x + 9) + '" y="' + (y + 4) + '">"' + esc(e.value) + '"</text></g>';
      case 'timer': return open + '<circle cx="' + (x - 6) + '" cy="' + y + '" r="3"/></g>';
      case 'request-lost': return open + '<path d="M' + (x - 4) + ' ' + (y - 4) + 'l8 8m0 -8l-8 8"/>' + text('request "' + e.value + '" lost') + '</g>';
      case 'drift': return open + text('clock \u00d7' + e.rate, 6) + '</g>';
      case 'leader':
        // A crown on the lane; its label is always shown, even zoomed far out.
        return open + '<path d="M' + (x - 8) + ' ' + (y + 5) + 'V' + (y - 3) + 'L' + (x - 4) + ' ' + (y + 1) + 'L' + x + ' ' + (y - 7) + 'L' + (x + 4) + ' ' + (y + 1) + 'L' + (x + 8) + ' ' + (y - 3) + 'V' + (y + 5) + 'Z"/><text x="' + (x + 11) + '" y="' + (y + 4) + '">leader ' + esc(leaderOf(e)) + '</text></g>';
      case 'config': return open + '<path d="M' + (x - 6) + ' ' + y + 'L' + x + ' ' + (y - 6) + 'L' + (x + 6) + ' ' + y + 'L' + x + ' ' + (y + 6) + 'Z"/>' + text('config s' + e.slot + ': main ' + (e.main || []).join(',') + ' aux ' + (e.auxiliary || []).join(','), 10) + '</g>';
      case 'discard': return open + '<path d="M' + (x - 5) + ' ' + y + 'h10"/>' + text('discard <s' + e.uptoSlot) + '</g>';
      case 'apply': return open + '<rect x="' + (x + 3) + '" y="' + (y - 3) + '" width="6" height="6"/>' + text(slotsText(m) + (e.duplicate ? ' (dup)' : ''), 12) + '</g>';
      case 'invoke': return open + '<path d="M' + (x - 6) + ' ' + (y - 5) + 'L' + (x + 3) + ' ' + y + 'L' + (x - 6) + ' ' + (y + 5) + 'Z"/>' + text('#' + e.requestId + ' ' + opLong(e.op)) + '</g>';
      case 'complete': return open + '<circle cx="' + x + '" cy="' + y + '" r="4"/>' + textLeft('#' + e.requestId + ' \u2192 ' + json(e.result)) + '</g>';
      case 'optimeout': return open + '<path d="M' + (x - 4) + ' ' + (y - 4) + 'l8 8m0 -8l-8 8"/>' + textLeft('#' + e.requestId + ' timed out') + '</g>';
      default: return '';
    }
  }
  function describeMark(m) {
    var e = m.event;
    if (m.slotFrom !== undefined && m.slotTo > m.slotFrom) {
      return m.node + (m.kind === 'apply' ? ' applied ' : ' learned ') + 'slots ' + m.slotFrom + '\u2013' + m.slotTo + ' at t=' + e.t + ':\n' + m.events.map(function (x) { return '  s' + x.slot + ' ' + command(x.command, true) + (m.kind === 'apply' ? ' \u2192 ' + json(x.result) + (x.duplicate ? ' (duplicate: skipped)' : '') : ''); }).join('\n');
    }
    return describeEvent(e);
  }
  function describeEvent(e) {
    switch (e.type) {
      case 'propose': return e.node + ' proposes "' + e.value + '" with ballot ' + ballot(e.ballot) + ' at t=' + e.t;
      case 'adopt': return e.node + ' adopts "' + e.value + '" (accepted in ' + ballot(e.from) + ') for ' + ballot(e.ballot);
      case 'promise': return e.node + ' promised ' + ballot(e.ballot) + ' at t=' + e.t;
      case 'accept':
        if (e.slot !== undefined) return e.node + ' accepted slot ' + e.slot + ': ' + command(e.command, true) + ' in ' + ballot(e.ballot) + ' at t=' + e.t;
        return e.node + ' accepted "' + e.value + '" in ' + ballot(e.ballot) + ' at t=' + e.t;
      case 'learn':
        if (e.slot !== undefined) return e.node + ' learned slot ' + e.slot + ': ' + command(e.command, true) + ' at t=' + e.t;
        return e.node + ' learned "' + e.value + '" at t=' + e.t;
      case 'timer': return e.node + ': ' + e.timer + ' timer fired at t=' + e.t;
      case 'request-lost': return 'request to propose "' + e.value + '" reached ' + e.node + ' while down';
      case 'drift': return e.node + "'s clock now runs at " + e.rate + '\u00d7';
      case 'leader': return e.node + ' leads with ' + (e.term !== undefined ? 'term ' + e.term : 'ballot ' + ballot(e.ballot)) + ' from t=' + e.t;
      case 'config': return e.node + ' takes up the configuration chosen at slot ' + e.slot + ' (main ' + (e.main || []).join(',') + ', auxiliary ' + (e.auxiliary || []).join(',') + ') at t=' + e.t;
      case 'discard': return 'auxiliary ' + e.node + ' discarded its accepted state below slot ' + e.uptoSlot + ' at t=' + e.t;
      case 'apply': return e.node + ' applied slot ' + e.slot + ': ' + command(e.command, true) + ' \u2192 ' + json(e.result) + (e.duplicate ? ' (duplicate request: skipped, stored result returned)' : '') + ' at t=' + e.t;
      case 'invoke': return e.client + ' invokes #' + e.requestId + ' ' + opLong(e.op) + ' at t=' + e.t;
      case 'complete': return e.client + ' #' + e.requestId + ' ' + opLong(e.op) + ' \u2192 ' + json(e.result) + ' at t=' + e.t;
      case 'timeout': return e.client + ' gave up on #' + e.requestId + ' ' + opLong(e.op) + ' at t=' + e.t + ' (outcome unknown)';
      default: return JSON.stringify(e);
    }
  }
  function describeChosen(e) {
    if (e.slot !== undefined) return 'chosen: slot ' + e.slot + ' = ' + command(e.command, true) + ' in ' + ballot(e.ballot) + ' at t=' + e.t;
    return 'chosen: "' + e.value + '" in ' + ballot(e.ballot) + ' at t=' + e.t;
  }
  function describeTerm(term) {
    var text = term.node + ' leads with ' + termLabel(term.ballot) + ' from t=' + term.t0;
    text += term.end ? ' until t=' + term.t1 + ' (steps down: ' + term.end.reason + ')' : ' to the end of the trace (t=' + term.t1 + ')';
    if (term.staleFrom !== null) text += '\nstale from t=' + term.staleFrom + ': ' + term.staleBy.node + ' was elected with the higher ' + (data.meta.protocol === 'raft' ? '' : 'ballot ') + termLabel(term.staleBy.ballot) + ', so two replicas believed they led for ' + (term.t1 - term.staleFrom) + ' ms';
    return text;
  }
  function describeOp(op) {
    var e = op.event;
    var text = e.client + ' #' + e.requestId + ' ' + opLong(e.op) + ': invoked t=' + op.t0;
    if (op.outcome === 'complete') text += ', completed t=' + op.t1 + ' \u2192 ' + json(op.end.result) + ' (' + (op.t1 - op.t0) + ' ms)';
    else if (op.outcome === 'timeout') text += ', gave up t=' + op.t1 + ' (outcome unknown)';
    else text += ', still in flight at the end';
    return text;
  }

  // ---- details panel ------------------------------------------------------------

  function itemFor(key) {
    if (!key) return null;
    var i = Number(key.slice(1));
    if (key[0] === 'a') return model.arrows[i];
    if (key[0] === 'm') return model.marks[i];
    if (key[0] === 'r') return terms[i] ? { term: terms[i] } : null;
    if (key[0] === 'o') return model.ops[i] ? { op: model.ops[i] } : null;
    return model.lines.find(function (c) { return c.index === i; }) || null;
  }
  function showDetails(key) {
    var item = itemFor(key);
    if (!item) { detail.textContent = ''; return; }
    if (item.term) {
      detail.textContent = describeTerm(item.term) + '\n' + pretty(item.term);
    } else if (item.op) {
      detail.textContent = describeOp(item.op) + '\n' + pretty({ invoke: item.op.event, end: item.op.end });
    } else if (item.msg !== undefined) {
      var info = { id: item.id, from: item.from, to: item.to, sent: item.send ? item.send.t : null };
      if (item.kind === 'deliver') { info.delivered = item.t1; info.copy = item.copy; if (item.copy > 1) info.duplicate = true; }
      else { info.dropped = item.t1; info.reason = item.reason; }
      info.msg = item.msg;
      info.event = item.index;
      detail.textContent = item.from + ' \u2192 ' + item.to + '  ' + label(item.msg) + (item.kind === 'drop' ? '  (dropped: ' + item.reason + ')' : '') + '\n' + pretty(info);
    } else if (item.events && item.events.length > 1) {
      detail.textContent = describeMark(item) + '\n' + pretty({ indices: item.indices, events: item.events });
    } else {
      detail.textContent = (item.event.type === 'chosen' ? describeChosen(item.event) : describeMark(item)) + '\n' + pretty(Object.assign({ index: item.index }, item.event));
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
  boxes.forEach(function (box) {
    box.addEventListener('change', function () { setTypeVisible(box.getAttribute('data-type'), box.checked); });
  });
  function setTypeVisible(type, visible) {
    if (visible) state.hidden.delete(type); else state.hidden.add(type);
    boxes.forEach(function (box) { if (box.getAttribute('data-type') === type) box.checked = visible; });
    render(true);
  }
  var jump = document.getElementById('jump-violation');
  if (jump) jump.addEventListener('click', function () { scrollToTime(data.violations[0].t); });
  Array.prototype.forEach.call(document.querySelectorAll('.termchip[data-term]'), function (chip) {
    chip.addEventListener('click', function () {
      var term = terms[Number(chip.getAttribute('data-term'))];
      if (!term) return;
      scrollToTime(term.t0);
      state.selected = 'r' + terms.indexOf(term);
      showDetails(state.selected);
      render(true);
    });
  });

  function drawLaneHeads() {
    var head = document.getElementById('lanehead');
    head.style.width = width + 'px';
    head.innerHTML = nodes.map(function (node) {
      var roles = isClient(node) ? 'client' : auxSet.has(node) ? 'auxiliary' : data.meta.protocol === 'cheap-paxos' ? 'main' : multi ? 'replica' : [['proposers', 'P'], ['acceptors', 'A'], ['learners', 'L']]
        .filter(function (r) { return (data.meta[r[0]] || []).indexOf(node) >= 0; })
        .map(function (r) { return r[1]; }).join(' ');
      return '<div class="' + (isClient(node) ? 'client' : auxSet.has(node) ? 'node aux' : 'node') + '" data-node="' + esc(node) + '" style="left:' + laneX(node) + 'px">' + esc(node) + '<small>' + esc(roles) + '</small></div>';
    }).join('');
  }

  // ---- start -------------------------------------------------------------------

  drawLaneHeads();
  layout();
  render(true);

  var delivered = model.arrows.filter(function (a) { return a.kind === 'deliver'; });
  window.paxsimDiagram = {
    ready: true,
    protocol: multi ? data.meta.protocol : 'paxos',
    deliveredCount: delivered.length,
    droppedCount: model.arrows.length - delivered.length,
    duplicateCount: delivered.filter(function (a) { return a.copy > 1; }).length,
    types: TYPES.slice(),
    /** Message types unticked in the filter now. */
    hiddenTypes: function () { return Array.from(state.hidden); },
    /** Lanes left to right: the replicas (or nodes), then the clients. */
    lanes: function () { return nodes.map(function (node) { return { node: node, x: laneX(node), client: isClient(node) }; }); },
    /** Leader terms as read from the trace (see leaderTerms in src/trace/html.ts). */
    leaderTerms: function () { return terms.slice(); },
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
