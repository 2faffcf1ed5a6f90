import type { PageEvent, PageMessage } from '../page-data.js';
import { AXIS } from './geometry.js';
import { fieldsOf } from './text.js';
import type { Lanes } from './lanes.js';
import type { ProtocolPart } from './part.js';

/**
 * The run as a list of items, each with a time span [t0, t1]: only the items
 * whose span meets the rendered window are turned into SVG.
 */
export interface Arrow {
  readonly kind: 'deliver' | 'drop';
  /** Index of the deliver or drop event. */
  readonly index: number;
  readonly id: number | undefined;
  /** Deliveries of this id so far (1, or more for a duplicate); 0 for a drop. */
  readonly copy: number;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly t0: number;
  readonly t1: number;
  readonly msg: PageMessage | null;
  readonly send: PageEvent | null;
  readonly event: PageEvent;
  readonly reason?: string | undefined;
}

/** A mark on a lane: an observation, a timer, …; consecutive slots at one instant make one mark. */
export interface Mark {
  readonly kind: string;
  readonly index: number;
  readonly indices: number[];
  readonly node: string | undefined;
  readonly t0: number;
  readonly t1: number;
  readonly event: PageEvent;
  readonly events: PageEvent[];
  slotFrom?: number;
  slotTo?: number;
  /** Its label's row among the labelled marks of its node at its instant (0: beside the mark), so they do not overprint. */
  labelRow?: number;
}

export interface Interval {
  readonly kind: 'crashed' | 'paused';
  readonly node: string;
  readonly t0: number;
  readonly t1: number;
}

export interface Band {
  readonly kind: 'partition' | 'cut' | 'burst';
  readonly t0: number;
  readonly t1: number;
  readonly label: string;
  readonly x0: number;
  readonly x1: number;
}

export interface ChosenLine {
  readonly index: number;
  readonly t0: number;
  readonly t1: number;
  readonly event: PageEvent;
}

/** A client operation, from its invoke to its complete or timeout (or the end). */
export interface Operation {
  readonly node: string | undefined;
  readonly index: number;
  readonly t0: number;
  t1: number;
  outcome: 'open' | 'complete' | 'timeout';
  readonly event: PageEvent;
  end: PageEvent | null;
}

export interface Model {
  readonly arrows: Arrow[];
  readonly marks: Mark[];
  readonly intervals: Interval[];
  readonly bands: Band[];
  readonly lines: ChosenLine[];
  readonly ops: Operation[];
  /** The distinct event times, ascending, 0 and the end included. */
  readonly times: number[];
  readonly idle: Uint8Array;
  readonly endT: number;
}

/** What a protocol part may add to the model for an event the core does not draw. */
export interface ModelBuilder {
  /** A mark of this kind for the event. */
  mark(kind: string, e: PageEvent, index: number): Mark;
  /** A mark that consecutive slots applied (or learned) by one node at one instant join, as after a catch-up. */
  slotMark(kind: string, e: PageEvent, index: number): void;
}

/** The events the core itself turns into marks (any protocol may emit them). */
const CORE_MARKS: ReadonlySet<string> = new Set(['timer', 'request-lost', 'drift', 'leader']);

export function buildModel(events: readonly PageEvent[], lanes: Lanes, part: ProtocolPart): Model {
  const sends = new Map<unknown, PageEvent>(); // id -> send event: an arrow starts at its send time
  const copies = new Map<unknown, number>(); // id -> deliveries so far, so the second one is marked as a duplicate
  const arrows: Arrow[] = [];
  const marks: Mark[] = [];
  const intervals: Interval[] = [];
  const bands: Band[] = [];
  const lines: ChosenLine[] = [];
  const ops: Operation[] = [];
  const open = new Map<string, { kind: Interval['kind']; node: string; t0: number }>(); // intervals still in force
  const openOps = new Map<string, Operation>(); // 'c1#4' -> operation in progress
  const grouped = new Map<string, Mark>(); // 'apply:A' -> last apply (or learn) mark of A, which the next slot at the same time joins
  let partition: { t: number; groups: readonly (readonly string[])[] } | null = null;
  let cuts: { t: number; from: string; to: string }[] = [];
  let endT = 0;
  for (const e of events) if (e.t > endT) endT = e.t;

  function openInterval(kind: Interval['kind'], node: string | undefined, t: number): void {
    open.set(kind + ':' + String(node), { kind, node: String(node), t0: t });
  }
  function closeInterval(kind: Interval['kind'], node: string | undefined, t: number): void {
    const key = kind + ':' + String(node);
    const running = open.get(key);
    if (running === undefined) return;
    intervals.push({ kind, node: running.node, t0: running.t0, t1: t });
    open.delete(key);
  }
  function closePartition(t: number): void {
    if (partition) bands.push({ kind: 'partition', t0: partition.t, t1: t, label: partitionLabel(partition.groups, lanes), x0: AXIS, x1: lanes.replicaRight });
    partition = null;
  }
  function closeCuts(t: number): void {
    for (const c of cuts) {
      const a = lanes.x(c.from);
      const b = lanes.x(c.to);
      bands.push({ kind: 'cut', t0: c.t, t1: t, label: 'cut ' + c.from + '\u219b' + c.to, x0: Math.min(a, b) - 20, x1: Math.max(a, b) + 20 });
    }
    cuts = [];
  }
  const builder: ModelBuilder = {
    mark(kind, e, index) {
      const m: Mark = { kind, index, indices: [index], node: e.node, t0: e.t, t1: e.t, event: e, events: [e] };
      marks.push(m);
      return m;
    },
    slotMark(kind, e, index) {
      const key = kind + ':' + String(e.node);
      const last = grouped.get(key);
      if (last && last.t0 === e.t && last.slotTo !== undefined && last.slotTo + 1 === e.slot && !!last.event['duplicate'] === !!e['duplicate']) {
        last.slotTo = e.slot;
        last.indices.push(index);
        last.events.push(e);
        return;
      }
      const m = builder.mark(kind, e, index);
      m.slotFrom = e.slot;
      m.slotTo = e.slot;
      grouped.set(key, m);
    },
  };
  events.forEach((e, index) => {
    switch (e.type) {
      case 'send':
        sends.set(e.id, e);
        break;
      case 'deliver': {
        const s = sends.get(e.id);
        const copy = (copies.get(e.id) ?? 0) + 1;
        copies.set(e.id, copy);
        arrows.push({ kind: 'deliver', index, id: e.id, copy, from: nodeOf(e.from), to: e.to, t0: s ? s.t : e.t, t1: e.t, msg: fieldsOf(e.msg), send: s ?? null, event: e });
        break;
      }
      case 'drop': {
        const s = sends.get(e.id);
        arrows.push({ kind: 'drop', index, id: e.id, copy: 0, from: nodeOf(e.from), to: e.to, t0: s ? s.t : e.t, t1: e.t, msg: fieldsOf(s?.msg), send: s ?? null, event: e, reason: e.reason });
        break;
      }
      case 'crash':
        openInterval('crashed', e.node, e.t);
        break;
      case 'restart':
        closeInterval('crashed', e.node, e.t);
        break;
      case 'pause':
        openInterval('paused', e.node, e.t);
        break;
      case 'resume':
        closeInterval('paused', e.node, e.t);
        break;
      case 'partition':
        closePartition(e.t);
        partition = { t: e.t, groups: e.groups ?? [] };
        break;
      case 'cut':
        cuts.push({ t: e.t, from: String(e.from), to: String(e.to) });
        break;
      case 'heal':
        closePartition(e.t);
        closeCuts(e.t);
        break;
      case 'burst':
        bands.push({ kind: 'burst', t0: e.t, t1: Math.min(e.t + Number(e['for']), endT), label: burstLabel(e), x0: AXIS, x1: lanes.lanesRight });
        break;
      case 'chosen':
        lines.push({ index, t0: e.t, t1: e.t, event: e });
        break;
      // The client vocabulary: an operation spans its invoke to its complete or timeout.
      case 'invoke': {
        builder.mark('invoke', e, index);
        const op: Operation = { node: e.node, index, t0: e.t, t1: endT, outcome: 'open', event: e, end: null };
        ops.push(op);
        openOps.set(String(e.client) + '#' + String(e.requestId), op);
        break;
      }
      case 'complete':
      case 'timeout': {
        builder.mark(e.type === 'timeout' ? 'optimeout' : 'complete', e, index);
        const key = String(e.client) + '#' + String(e.requestId);
        const running = openOps.get(key);
        if (running) {
          running.t1 = e.t;
          running.outcome = e.type;
          running.end = e;
          openOps.delete(key);
        }
        break;
      }
      case 'duplicate': // drawn by the deliveries
      case 'violation': // drawn from data.violations
        break;
      default:
        if (CORE_MARKS.has(e.type)) builder.mark(e.type, e, index);
        else part.observe(e, index, builder);
        break;
    }
  });
  for (const running of open.values()) intervals.push({ kind: running.kind, node: running.node, t0: running.t0, t1: endT });
  closePartition(endT);
  closeCuts(endT);
  const timeSet = new Set<number>([0, endT]);
  for (const e of events) timeSet.add(e.t);
  const times = Array.from(timeSet).sort((a, b) => a - b);
  return { arrows, marks, intervals, bands, lines, ops, times, idle: idleGaps(times, arrows), endT };
}

/** A node id field as read: a string (a foreign trace's number reads as its decimal string). */
export function nodeOf(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

/**
 * A gap between two consecutive event times is idle when no message is in
 * flight across it: squeezing it then bends no arrow, it only skips waiting.
 */
function idleGaps(times: readonly number[], arrows: readonly Arrow[]): Uint8Array {
  const ends = new Map<number, number>(); // start time -> latest end of an arrow starting then
  for (const a of arrows) if ((ends.get(a.t0) ?? -1) < a.t1) ends.set(a.t0, a.t1);
  const idle = new Uint8Array(times.length);
  let busyUntil = -1;
  for (let i = 0; i < times.length; i++) {
    idle[i] = i > 0 && busyUntil <= times[i - 1]! ? 1 : 0; // gap (times[i-1], times[i])
    const end = ends.get(times[i]!);
    if (end !== undefined && end > busyUntil) busyUntil = end;
  }
  return idle;
}

function partitionLabel(groups: readonly (readonly string[])[], lanes: Lanes): string {
  const listed = new Set<string>();
  for (const group of groups) for (const node of group) listed.add(node);
  const rest = lanes.nodes.filter((node) => !listed.has(node) && !lanes.isClient(node));
  const all = rest.length ? [...groups, rest] : groups;
  return 'partition ' + all.map((group) => '{' + group.join(' ') + '}').join(' | ');
}

function burstLabel(e: PageEvent): string {
  const parts: string[] = [];
  if (e['drop'] !== undefined) parts.push('drop ' + String(e['drop']));
  if (e['duplicate'] !== undefined) parts.push('duplicate ' + String(e['duplicate']));
  if (e['delay'] !== undefined) parts.push('delay ' + JSON.stringify(e['delay']));
  return 'burst ' + String(e['for']) + ' ms: ' + (parts.join(', ') || 'base network');
}

/** Start so that a typical message flight is about 160 px tall. */
export function defaultScale(arrows: readonly Arrow[]): number {
  const delays = arrows
    .map((a) => a.t1 - a.t0)
    .filter((d) => d > 0)
    .sort((a, b) => a - b);
  const median = delays.length ? delays[delays.length >> 1]! : 5;
  return Math.max(0.5, Math.min(40, 160 / median));
}
