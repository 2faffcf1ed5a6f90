import type { AnyTraceEvent } from '../sim/events.js';

export interface EventFilter {
  /** Keep events that involve one of these nodes (as node, sender or receiver). */
  readonly nodes?: readonly string[] | undefined;
  readonly fromMs?: number | undefined;
  readonly toMs?: number | undefined;
  /** Event types (`learn`, `crash`) or message types (`prepare`, `nack`): a message event matches its message's type. */
  readonly types?: readonly string[] | undefined;
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
  const learns = filter.types !== undefined;
  return (event) => {
    if (learns && event.type === 'send') messageTypeOf.set(event.id, event.msg.type);
    return keep(event);
  };
}

function filterWith(filter: EventFilter, messageTypeOf: ReadonlyMap<number, string>): (event: AnyTraceEvent) => boolean {
  const nodes = filter.nodes ? new Set(filter.nodes) : null;
  const types = filter.types ? new Set(filter.types) : null;
  return (event) => {
    if (filter.fromMs !== undefined && event.t < filter.fromMs) return false;
    if (filter.toMs !== undefined && event.t > filter.toMs) return false;
    if (nodes !== null && !involves(event, nodes)) return false;
    if (types !== null && !types.has(event.type) && !types.has(messageTypeOf.get(messageId(event) ?? -1) ?? '')) return false;
    return true;
  };
}

function involves(event: AnyTraceEvent, nodes: ReadonlySet<string>): boolean {
  if ('node' in event) return nodes.has(event.node);
  if ('from' in event && 'to' in event && typeof event.from === 'string') return nodes.has(event.from) || nodes.has(event.to);
  return true;
}

function messageId(event: AnyTraceEvent): number | undefined {
  return 'id' in event ? event.id : undefined;
}
