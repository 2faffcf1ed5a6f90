import type { TraceMeta } from '../../sim/events.js';

/**
 * What the diagram page embeds, shared by the writer (Node, src/trace/html.ts)
 * and the viewer that reads it in the browser (src/trace/html/viewer/). Both
 * compile against these types, so a field renamed on one side fails to build
 * on the other. Type-only apart from the element ids, {@link cssIdent} and {@link isBallot}.
 */

/** Ids of the two JSON elements: the events (written first, as the run goes) and {@link DiagramPageData} (at the end). */
export const EVENTS_ELEMENT_ID = 'paxsim-events';
export const DATA_ELEMENT_ID = 'paxsim-data';

/** A ballot as the trace writes it: `[10, "A"]`. A Raft leader term reads as `[term, leader]`. */
export type PageBallot = readonly [number, string];

/** A string usable inside a class name: `t-<message type>` colours a type's arrows and its filter. */
export function cssIdent(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

export function isBallot(value: unknown): value is PageBallot {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'string';
}

export interface SequenceDiagramViolation {
  readonly checker: string;
  readonly message: string;
  /** Virtual time of the violating event. */
  readonly t: number;
  /** Index of the violating event in `events`. */
  readonly event: number;
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
  readonly ballot: PageBallot;
  readonly t0: number;
  /** End of the term: the step-down time, or the trace's last time when `end` is null. */
  readonly t1: number;
  /** Index of the `leader` event. */
  readonly event: number;
  readonly end: LeaderTermEnd | null;
  readonly staleFrom: number | null;
  readonly staleBy: { readonly node: string; readonly ballot: PageBallot } | null;
}

/** The JSON in the `paxsim-data` element: what the page knows beyond the events. */
export interface DiagramPageData {
  readonly meta: TraceMeta;
  /** The part of the viewer that draws it. */
  readonly view: ViewKind;
  /** The whole run's violations (event indices may lie beyond the embedded events). */
  readonly violations: readonly SequenceDiagramViolation[];
  readonly terms: readonly LeaderTerm[];
  /** Stripe colour per node that led at some point. */
  readonly nodeColors: Readonly<Record<string, string>>;
  readonly totalEvents: number;
  readonly shownEvents: number;
}

/**
 * One embedded event (the `paxsim-events` element holds an array of them): a
 * trace event as written, read by the viewer without trusting its shape. A
 * user protocol's observations carry fields of their own, so every field but
 * `t` and `type` is optional, and any other is `unknown` until checked.
 */
export interface PageEvent {
  readonly t: number;
  readonly type: string;
  readonly node?: string;
  /** The sender of a message (network events); an `adopt` observation's ballot. */
  readonly from?: unknown;
  readonly to?: string;
  readonly id?: number;
  /** A message, as its protocol defines it (read through {@link PageMessage}). */
  readonly msg?: object;
  readonly reason?: string;
  readonly groups?: readonly (readonly string[])[];
  readonly slot?: number;
  readonly client?: string;
  readonly requestId?: number;
  readonly [field: string]: unknown;
}

/** A message as the viewer reads it: its `type` names its arrow's colour and filter; the rest is the protocol's. */
export type PageMessage = Readonly<Record<string, unknown>>;

/**
 * Which part of the viewer draws a protocol's specifics (its lane roles, arrow
 * labels, marks and summary): single-decree Paxos (also a foreign trace that
 * names no protocol), the multi-slot family (Multi-Paxos, Cheap Paxos), Raft,
 * and the generic view every other protocol (a user's, loaded from a module)
 * gets. The page's writer picks it from the protocol's trace format
 * (trace/html.ts, `viewOf`) and hands it over in {@link DiagramPageData}.
 */
export type ViewKind = 'paxos' | 'multi-slot' | 'raft' | 'generic';
