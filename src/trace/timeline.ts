import { formatBallot } from '../protocols/paxos/ballot.js';
import type { Ballot } from '../protocols/paxos/ballot.js';
import type { Command } from '../protocols/multipaxos/messages.js';
import { fatalEventText, isFatalEvent, type AnyTraceEvent, type MultiPaxosObservationEvent, type TraceEvent } from '../sim/events.js';
import { describeRaftEvent } from './raft-format.js';
import { describeCommand, describeDelay, describeMessage, describeOp, describeOwnMessage, describeRecord, describeResult, printable, quoted } from './format.js';

/** How the timeline is colored; the CLI passes chalk's functions, tests pass identity. */
export interface Palette {
  readonly dim: (text: string) => string;
  readonly message: (text: string) => string;
  readonly drop: (text: string) => string;
  readonly fault: (text: string) => string;
  readonly protocol: (text: string) => string;
  readonly decision: (text: string) => string;
  readonly violation: (text: string) => string;
}

export const PLAIN: Palette = {
  dim: identity,
  message: identity,
  drop: identity,
  fault: identity,
  protocol: identity,
  decision: identity,
  violation: identity,
};

export interface TimelineOptions {
  /** Also show `send` events (each delivery is shown anyway). */
  readonly showSends?: boolean;
  /**
   * The run is a user protocol's: its messages and observations are its own
   * vocabulary, shown as they are (`rumor {"value":"X"}`), except the
   * single-decree observations when they have that shape.
   */
  readonly ownVocabulary?: boolean;
}

const TIME_WIDTH = 7;
const WHO_WIDTH = 9;

/** One readable line per event, or null for events the timeline leaves out. */
export function timelineLine(event: AnyTraceEvent, palette: Palette, options: TimelineOptions = {}): string | null {
  const described = describeAnyEvent(event, palette, options);
  if (described === null) return null;
  const time = String(event.t).padStart(TIME_WIDTH);
  return `${palette.dim(time)}  ${printable(described.who).padEnd(WHO_WIDTH)} ${described.what}`;
}

/**
 * A user protocol's observation may share a name with paxsim's but not its
 * fields (`accept` without a slot, say): the timeline then shows its JSON
 * rather than fail (the checkers say what is wrong with it).
 */
function describeAnyEvent(event: AnyTraceEvent, palette: Palette, options: TimelineOptions): { who: string; what: string } | null {
  try {
    return describeEvent(event, palette, options);
  } catch {
    return describeObservation(event as unknown as Record<string, unknown>, palette);
  }
}

function describeEvent(anyEvent: AnyTraceEvent, palette: Palette, options: TimelineOptions): { who: string; what: string } | null {
  if (options.ownVocabulary === true) return describeOwnVocabularyEvent(anyEvent, palette, options);
  return describeBuiltInEvent(anyEvent, palette, options);
}

/** The simulator's events (faults, timers, the network) as for any protocol; the protocol's own messages and observations as they are. */
function describeOwnVocabularyEvent(event: AnyTraceEvent, palette: Palette, options: TimelineOptions): { who: string; what: string } | null {
  switch (event.type) {
    case 'send':
    case 'deliver':
      return describeMessageEvent(event, describeOwnMessage, palette, options);
    case 'drop':
    case 'duplicate':
    case 'crash':
    case 'restart':
    case 'partition':
    case 'cut':
    case 'heal':
    case 'pause':
    case 'resume':
    case 'drift':
    case 'burst':
    case 'timer':
    case 'violation':
      return describeBuiltInEvent(event, palette, options);
    default:
      if (isFatalEvent(event)) return describeFatal(event, palette);
      // `chosen` and the single-decree observations read as Paxos's when they have its shape (a built-in checker family derived or reads them).
      if (hasSingleDecreeShape(event)) return describeBuiltInEvent(event, palette, options);
      return describeObservation(event as unknown as Record<string, unknown>, palette);
  }
}

/** A send (shown only with showSends) or a delivery, its message described in the protocol's vocabulary. */
function describeMessageEvent<Message>(
  event: { readonly type: 'send' | 'deliver'; readonly from: string; readonly to: string; readonly id: number; readonly msg: Message },
  describe: (message: Message) => string,
  palette: Palette,
  options: TimelineOptions,
): { who: string; what: string } | null {
  const who = `${event.from}→${event.to}`;
  if (event.type === 'deliver') return { who, what: palette.message(describe(event.msg)) + palette.dim(`  #${event.id}`) };
  if (!options.showSends) return null;
  return { who, what: palette.dim(`send ${describe(event.msg)}  #${event.id}`) };
}

/** paxsim's line for a fatal event, such as a node whose handler threw (the run ends there). */
function describeFatal(event: AnyTraceEvent, palette: Palette): { who: string; what: string } {
  const node = (event as { node?: unknown }).node;
  return { who: typeof node === 'string' ? node : '?', what: palette.violation(`✗ ${printable(fatalEventText(event)!)}`) };
}

/** An observation (or any other event) of the protocol's own: `● heard {"from":"A","value":"X"}` at its node. */
function describeObservation(event: Record<string, unknown>, palette: Palette): { who: string; what: string } {
  const who = typeof event['node'] === 'string' ? event['node'] : '?';
  return { who, what: palette.protocol(`● ${describeRecord(event, ['t', 'type', 'node'])}`) };
}

function isBallot(value: unknown): boolean {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'string';
}

/** Whether a single-decree observation (or a derived `chosen`) has the fields its built-in line prints. */
function hasSingleDecreeShape(event: AnyTraceEvent): boolean {
  const fields = event as unknown as Record<string, unknown>;
  if ('slot' in fields) return false;
  const value = typeof fields['value'] === 'string';
  switch (event.type) {
    case 'propose':
    case 'accept':
    case 'chosen':
      return value && isBallot(fields['ballot']);
    case 'adopt':
      return value && isBallot(fields['ballot']) && isBallot(fields['from']);
    case 'promise':
      return isBallot(fields['ballot']);
    case 'learn':
    case 'request-lost':
      return value;
    default:
      return false;
  }
}

function describeBuiltInEvent(anyEvent: AnyTraceEvent, palette: Palette, options: TimelineOptions): { who: string; what: string } | null {
  const raft = describeRaftEvent(anyEvent);
  if (raft !== null) return { who: raft.who, what: raft.decision ? palette.decision(raft.what) : palette.protocol(raft.what) };
  const multiPaxos = describeMultiPaxosEvent(anyEvent, palette);
  if (multiPaxos !== null) return multiPaxos;
  const event = anyEvent as TraceEvent;
  switch (event.type) {
    case 'send':
    case 'deliver':
      return describeMessageEvent(event, describeMessage, palette, options);
    case 'drop':
      return { who: `${event.from}→${event.to}`, what: palette.drop(`✗ dropped (${printable(event.reason)})`) + palette.dim(`  #${event.id}`) };
    case 'duplicate':
      return { who: `${event.from}→${event.to}`, what: palette.dim(`duplicated  #${event.id}`) };
    case 'crash':
      return { who: event.node, what: palette.fault('CRASH') };
    case 'restart':
      return { who: event.node, what: palette.fault('RESTART (durable state only)') };
    case 'partition':
      return { who: '~', what: palette.fault(printable(`partition ${event.groups.map((group) => `{${group.join(' ')}}`).join(' | ')}`)) };
    case 'cut':
      return { who: '~', what: palette.fault(printable(`cut ${event.from}→${event.to}`)) };
    case 'heal':
      return { who: '~', what: palette.fault('heal all links') };
    case 'pause':
      return { who: event.node, what: palette.fault('PAUSE (processes nothing; its messages and timers wait)') };
    case 'resume':
      return { who: event.node, what: palette.fault('RESUME (handles what waited, in order)') };
    case 'drift':
      return { who: event.node, what: palette.fault(`clock drift: runs at ${event.rate}× from now on`) };
    case 'burst':
      return { who: '~', what: palette.fault(describeBurst(event)) };
    case 'timer':
      return { who: event.node, what: palette.dim(`timer ${printable(event.timer)} fired`) };
    case 'request-lost':
      return { who: event.node, what: palette.drop(`request to propose ${quoted(event.value)} lost: node is down`) };
    case 'propose':
      return { who: event.node, what: palette.protocol(`● propose ${quoted(event.value)} with ballot ${formatBallot(event.ballot)}`) };
    case 'adopt':
      return { who: event.node, what: palette.protocol(`● adopt ${quoted(event.value)} (accepted in ${formatBallot(event.from)}) for ballot ${formatBallot(event.ballot)}`) };
    case 'promise':
      return { who: event.node, what: palette.protocol(`● promised ${formatBallot(event.ballot)}`) };
    case 'accept':
      return { who: event.node, what: palette.protocol(`● accepted ${quoted(event.value)} in ${formatBallot(event.ballot)}`) };
    case 'learn':
      return { who: event.node, what: palette.decision(`● learned ${quoted(event.value)}`) };
    case 'chosen':
      return { who: '*', what: palette.decision(`CHOSEN ${quoted(event.value)} in ballot ${formatBallot(event.ballot)}`) };
    case 'violation':
      return { who: '!', what: palette.violation(`VIOLATION ${printable(`${event.checker}: ${event.message}`)}`) };
    default:
      return unknownEvent(event);
  }
}

/** `burst 300 ms: drop 0.5, delay 1–50 ms`: only the fields the burst changes. */
function describeBurst(event: Extract<TraceEvent, { type: 'burst' }>): string {
  const changes: string[] = [];
  if (event.drop !== undefined) changes.push(`drop ${event.drop}`);
  if (event.duplicate !== undefined) changes.push(`duplicate ${event.duplicate}`);
  if (event.delay !== undefined) changes.push(`delay ${describeDelay(event.delay)}`);
  return `burst ${event.for} ms: ${changes.length === 0 ? 'base network' : changes.join(', ')}`;
}

/**
 * An event outside the trace format (a foreign trace may carry its own). The
 * `never` makes the compiler name any simulator event type left unhandled above.
 */
function unknownEvent(event: never): { who: string; what: string } {
  return { who: '?', what: printable(JSON.stringify(event)) };
}

/** Multi-Paxos facts: the ones that carry a slot or a client, and leadership. */
function describeMultiPaxosEvent(event: AnyTraceEvent, palette: Palette): { who: string; what: string } | null {
  if (!isMultiPaxosObservation(event)) {
    if (event.type === 'chosen' && 'slot' in event) {
      return { who: '*', what: palette.decision(`CHOSEN slot ${event.slot}: ${describeCommand(event.command)} in ${formatBallot(event.ballot)}`) };
    }
    // A user protocol's multi-decree proposal (paxsim's Multi-Paxos does not observe one).
    if (event.type === 'propose' && 'slot' in event) {
      const proposal = event as unknown as { node: string; slot: number; command: Command; ballot?: Ballot };
      const ballot = proposal.ballot === undefined ? '' : ` in ${formatBallot(proposal.ballot)}`;
      return { who: proposal.node, what: palette.protocol(`● propose slot ${proposal.slot}: ${describeCommand(proposal.command)}${ballot}`) };
    }
    return describeCheapPaxosEvent(event as unknown as Record<string, unknown>, palette);
  }
  switch (event.type) {
    case 'leader':
      return { who: event.node, what: palette.decision(`● leads with ballot ${formatBallot(event.ballot)}`) };
    case 'promise':
      return { who: event.node, what: palette.protocol(`● promised ${formatBallot(event.ballot)}`) };
    case 'accept':
      return { who: event.node, what: palette.protocol(`● accepted slot ${event.slot}: ${describeCommand(event.command)} in ${formatBallot(event.ballot)}`) };
    case 'learn':
      return { who: event.node, what: palette.protocol(`● learned slot ${event.slot}: ${describeCommand(event.command)}`) };
    case 'apply':
      return { who: event.node, what: palette.decision(`● applied slot ${event.slot}: ${describeCommand(event.command)} → ${describeResult(event.result)}${event.duplicate ? ' (duplicate: not re-applied)' : ''}`) };
    case 'invoke':
      return { who: event.client, what: palette.message(`▶ invoke #${event.requestId} ${describeOp(event.op)}`) };
    case 'complete':
      return { who: event.client, what: palette.decision(`◀ complete #${event.requestId} ${describeOp(event.op)} → ${describeResult(event.result)}`) };
    case 'timeout':
      return { who: event.client, what: palette.drop(`◀ gave up on #${event.requestId} ${describeOp(event.op)}: outcome unknown`) };
  }
}

/** Cheap Paxos: a replica took up a configuration, an auxiliary discarded its state. */
function describeCheapPaxosEvent(event: Record<string, unknown>, palette: Palette): { who: string; what: string } | null {
  const node = typeof event['node'] === 'string' ? event['node'] : null;
  if (node === null) return null;
  const ids = (value: unknown) => (Array.isArray(value) ? value.map((id) => printable(String(id))).join(',') : '?');
  if (event['type'] === 'config' && typeof event['slot'] === 'number') {
    return { who: node, what: palette.decision(`● configuration from slot ${event['slot']}: main ${ids(event['main'])} aux ${ids(event['auxiliary'])}`) };
  }
  if (event['type'] === 'discard' && typeof event['uptoSlot'] === 'number') {
    return { who: node, what: palette.protocol(`● discarded accepted state below slot ${event['uptoSlot']}`) };
  }
  return null;
}

function isMultiPaxosObservation(event: AnyTraceEvent): event is MultiPaxosObservationEvent {
  switch (event.type) {
    case 'leader':
    case 'apply':
    case 'invoke':
    case 'complete':
    case 'timeout':
      return true;
    case 'promise':
      return false;
    case 'accept':
    case 'learn':
      return 'slot' in event;
    default:
      return false;
  }
}

function identity(text: string): string {
  return text;
}
