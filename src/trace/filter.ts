import type { MultiPaxosMessage } from '../protocols/multipaxos/messages.js';
import { RAFT_EVENT_TYPES, RAFT_MESSAGE_TYPES } from './raft-format.js';
import type { PaxosMessage } from '../protocols/paxos/messages.js';
import type { ProtocolName } from '../scenario/scenario.js';
import { closestMatch, editDistance } from '../scenario/suggest.js';
import { MULTIPAXOS_EVENT_TYPES, PAXOS_EVENT_TYPES, SHARED_EVENT_TYPES, type AnyTraceEvent } from '../sim/events.js';
import { traceFormatOf, type BuiltInTraceFormat } from './trace-format.js';

export interface EventFilter {
  /** Keep events that involve one of these nodes (as node, sender or receiver). */
  readonly nodes?: readonly string[] | undefined;
  readonly fromMs?: number | undefined;
  readonly toMs?: number | undefined;
  /** Event types (`learn`, `crash`, `deliver`): an event matches its own type. */
  readonly eventTypes?: readonly string[] | undefined;
  /** Message types (`prepare`, `nack`): a message event (send, deliver, drop, duplicate) matches its message's type. */
  readonly messageTypes?: readonly string[] | undefined;
}

/**
 * A predicate for the replay timeline. Partitions, heals, decisions and
 * violations concern everyone, so a node filter keeps them.
 */
export function eventFilter(filter: EventFilter, events: readonly AnyTraceEvent[]): (event: AnyTraceEvent) => boolean {
  const messageTypeOf = new Map<number, string>();
  for (const event of events) if (event.type === 'send') messageTypeOf.set(event.id, event.msg.type);
  return filterWith(filter, messageTypeOf);
}

/**
 * {@link eventFilter} for a trace seen one event at a time: ask it about
 * every event, in order (a send teaches it its message's type, which a later
 * drop does not carry). It remembers message types only under a type filter.
 */
export function streamingEventFilter(filter: EventFilter): (event: AnyTraceEvent) => boolean {
  const messageTypeOf = new Map<number, string>();
  const keep = filterWith(filter, messageTypeOf);
  const learns = filter.eventTypes !== undefined || filter.messageTypes !== undefined;
  return (event) => {
    if (learns && event.type === 'send') messageTypeOf.set(event.id, event.msg.type);
    return keep(event);
  };
}

function filterWith(filter: EventFilter, messageTypeOf: ReadonlyMap<number, string>): (event: AnyTraceEvent) => boolean {
  const nodes = filter.nodes ? new Set(filter.nodes) : null;
  const typed = filter.eventTypes !== undefined || filter.messageTypes !== undefined;
  const eventTypes = new Set(filter.eventTypes ?? []);
  const messageTypes = new Set(filter.messageTypes ?? []);
  return (event) => {
    if (filter.fromMs !== undefined && event.t < filter.fromMs) return false;
    if (filter.toMs !== undefined && event.t > filter.toMs) return false;
    if (nodes !== null && !involves(event, nodes)) return false;
    if (typed && !eventTypes.has(event.type) && !messageTypes.has(messageTypeOf.get(messageId(event) ?? -1) ?? '')) return false;
    return true;
  };
}

const PAXOS_MESSAGE_TYPES: Record<PaxosMessage['type'], true> = { prepare: true, promise: true, accept: true, accepted: true, nack: true, catchup: true, decided: true };

const MULTIPAXOS_MESSAGE_TYPES: Record<MultiPaxosMessage['type'], true> = {
  prepare: true,
  promise: true,
  nack: true,
  accept: true,
  accepted: true,
  commit: true,
  heartbeat: true,
  catchup: true,
  request: true,
  reply: true,
  redirect: true,
};

/**
 * The words the timeline prints for an event (`● promised`, `✗ dropped`,
 * `◀ gave up`) and their past tenses, accepted for its type: people filter by
 * what they just read.
 */
const PRINTED_WORDS: Readonly<Record<string, string>> = {
  proposed: 'propose',
  adopted: 'adopt',
  promised: 'promise',
  accepted: 'accept',
  learned: 'learn',
  dropped: 'drop',
  duplicated: 'duplicate',
  delivered: 'deliver',
  sent: 'send',
  crashed: 'crash',
  restarted: 'restart',
  paused: 'pause',
  resumed: 'resume',
  healed: 'heal',
  lost: 'request-lost',
  leads: 'leader',
  applied: 'apply',
  invoked: 'invoke',
  completed: 'complete',
  'gave up': 'timeout',
  'gave-up': 'timeout',
};

export type TypeWords = { ok: true; eventTypes: string[]; messageTypes: string[] } | { ok: false; error: string };

/**
 * A user protocol's event and message types, as a run of it showed them (its
 * vocabulary is its own: nothing declares it ahead of a run). `source` says
 * which run, for the message naming an unknown word.
 */
export interface ObservedVocabulary {
  readonly eventTypes: ReadonlySet<string>;
  readonly messageTypes: ReadonlySet<string>;
  readonly source: string;
}

/** Collects an {@link ObservedVocabulary}: feed it every event of a run with network events traced. */
export function vocabularyCollector(source: string): { observe(event: AnyTraceEvent): void; vocabulary: ObservedVocabulary } {
  const eventTypes = new Set<string>(Object.keys(SHARED_EVENT_TYPES));
  const messageTypes = new Set<string>();
  return {
    observe: (event) => {
      eventTypes.add(event.type);
      if (event.type === 'send' && typeof event.msg?.type === 'string') messageTypes.add(event.msg.type);
    },
    vocabulary: { eventTypes, messageTypes, source },
  };
}

/**
 * `--type` words for a protocol's trace: event types, message types, or the
 * words the timeline prints. A word may be both (`promise` is an event and a
 * message; `accepted` a message and the printed word for `accept`): it keeps both.
 */
export function resolveTypeWords(words: readonly string[], protocol: ProtocolName, flag: string, observed?: ObservedVocabulary): TypeWords {
  const { eventNames, messageNames } = observed === undefined ? builtInVocabulary(protocol) : { eventNames: [...observed.eventTypes], messageNames: [...observed.messageTypes] };
  const printed = Object.keys(PRINTED_WORDS).filter((word) => eventNames.includes(PRINTED_WORDS[word]!));
  const eventTypes = new Set<string>();
  const messageTypes = new Set<string>();
  for (const raw of words) {
    const word = raw.toLowerCase();
    const alias = printed.includes(word) ? PRINTED_WORDS[word]! : undefined;
    if (eventNames.includes(word)) eventTypes.add(word);
    if (alias !== undefined) eventTypes.add(alias);
    if (messageNames.includes(word)) messageTypes.add(word);
    if (eventNames.includes(word) || alias !== undefined || messageNames.includes(word)) continue;
    const known = [...new Set([...eventNames, ...messageNames])].sort();
    const what = observed === undefined ? `unknown ${protocol} event or message type "${raw}"` : `no event or message of type "${raw}" in ${observed.source}`;
    return { ok: false, error: `${flag}: ${what}${suggestion(word, [...known, ...printed])}; known: ${known.join(', ')}` };
  }
  return { ok: true, eventTypes: [...eventTypes], messageTypes: [...messageTypes] };
}

/** Each built-in trace format's event and message types. */
const FORMAT_VOCABULARIES: Readonly<Record<BuiltInTraceFormat, { readonly eventNames: readonly string[]; readonly messageNames: readonly string[] }>> = {
  paxos: { eventNames: Object.keys(PAXOS_EVENT_TYPES), messageNames: Object.keys(PAXOS_MESSAGE_TYPES) },
  multipaxos: { eventNames: Object.keys(MULTIPAXOS_EVENT_TYPES), messageNames: Object.keys(MULTIPAXOS_MESSAGE_TYPES) },
  // Multi-Paxos's vocabulary plus its configuration events and the leader's discard message.
  'cheap-paxos': { eventNames: [...Object.keys(MULTIPAXOS_EVENT_TYPES), 'config', 'discard'], messageNames: [...Object.keys(MULTIPAXOS_MESSAGE_TYPES), 'discard'] },
  raft: { eventNames: Object.keys(RAFT_EVENT_TYPES), messageNames: Object.keys(RAFT_MESSAGE_TYPES) },
};

/** A built-in protocol's event and message types (those of its trace format). */
function builtInVocabulary(protocol: ProtocolName): { eventNames: readonly string[]; messageNames: readonly string[] } {
  return FORMAT_VOCABULARIES[traceFormatOf(protocol)];
}

/** The first of `words` that is not a known node id, as one problem line; null when all are known. */
export function unknownNodeProblem(words: readonly string[], nodes: readonly string[], flag: string): string | null {
  const unknown = words.find((word) => !nodes.includes(word));
  if (unknown === undefined) return null;
  return `${flag}: unknown node "${unknown}"${suggestion(unknown, nodes)}; nodes: ${nodes.join(', ')}`;
}

/**
 * ` (did you mean "X"?)` for a plausible typo, else nothing. Short names (node
 * ids `A`, `B`) are all one edit apart, so a guess must share more than it changes.
 */
function suggestion(word: string, candidates: readonly string[]): string {
  const guess = closestMatch(word, candidates);
  if (guess === undefined || editDistance(word.toLowerCase(), guess.toLowerCase()) >= word.length) return '';
  return ` (did you mean "${guess}"?)`;
}

function involves(event: AnyTraceEvent, nodes: ReadonlySet<string>): boolean {
  if ('node' in event) return nodes.has(event.node);
  if ('from' in event && 'to' in event && typeof event.from === 'string') return nodes.has(event.from) || nodes.has(event.to);
  return true;
}

function messageId(event: AnyTraceEvent): number | undefined {
  return 'id' in event ? event.id : undefined;
}
