import type { NodeId } from '../scenario/scenario.js';
import { SHARED_EVENT_TYPES, type AnyTraceEvent, type TraceMeta } from '../sim/events.js';
import { dictFrom, emptyDict, type Dict } from '../util/dict.js';
import { describeMessage, describeOwnMessage, describeRecord } from './format.js';
import { StringSink, TRACE_CHUNK_CHARS, type TextSink } from './trace-writer.js';

/** The parsing expression ShiViz asks for; written on the first line, as GoVector logs do. */
export const SHIVIZ_REGEX = '(?<host>\\S*) (?<clock>{.*})\\n(?<event>.*)';

type VectorClock = Dict<number>;

/**
 * A trace in the log format ShiViz reads: per event a host line with its
 * vector clock, then a description. Sends tick the sender's clock; a delivery
 * merges the clock the message carried and ticks the receiver's; protocol
 * facts, timers and crashes are local events. Events with no single host
 * (partitions, drops, the omniscient `chosen`) are left out: ShiViz draws
 * what processes observed.
 */
export function shivizLog(meta: TraceMeta, events: readonly AnyTraceEvent[]): string {
  const sink = new StringSink();
  const writer = new ShivizWriter(sink, meta);
  for (const event of events) writer.observe(event);
  writer.finish();
  return sink.text();
}

/** A message's clock at its send, kept until its last copy is delivered or dropped. */
interface InFlight {
  readonly clock: VectorClock;
  copies: number;
}

/**
 * {@link shivizLog} written as the run goes. It remembers each node's clock
 * and the clocks of messages still in flight (a duplicated message until its
 * second copy arrives), not the trace.
 */
export class ShivizWriter {
  private readonly clocks: Map<NodeId, VectorClock>;
  private readonly inFlight = new Map<number, InFlight>();
  private pending = `${SHIVIZ_REGEX}\n`;

  /** A user protocol's run (its meta line names its module): messages and observations are its own vocabulary. */
  private readonly ownVocabulary: boolean;

  constructor(
    private readonly sink: TextSink,
    meta: TraceMeta,
  ) {
    this.clocks = new Map(meta.nodes.map((node) => [node, emptyDict<number>()]));
    this.ownVocabulary = meta.protocolModule !== undefined;
  }

  private describe(message: Parameters<typeof describeMessage>[0]): string {
    return this.ownVocabulary ? describeOwnMessage(message) : describeMessage(message);
  }

  private record(host: NodeId, description: string, merge?: VectorClock): VectorClock {
    const clock = this.clocks.get(host) ?? emptyDict<number>();
    if (merge) for (const [node, count] of Object.entries(merge)) clock[node] = Math.max(clock[node] ?? 0, count);
    clock[host] = (clock[host] ?? 0) + 1;
    this.clocks.set(host, clock);
    this.pending += `\n${host} ${JSON.stringify(clock)}\nt=${description}`;
    if (this.pending.length >= TRACE_CHUNK_CHARS) this.flush();
    return dictFrom(Object.entries(clock));
  }

  /** One copy of message `id` arrived or was lost: forget its clock after the last. */
  private settle(id: number): VectorClock | undefined {
    const message = this.inFlight.get(id);
    if (message === undefined) return undefined;
    message.copies -= 1;
    if (message.copies <= 0) this.inFlight.delete(id);
    return message.clock;
  }

  observe(event: AnyTraceEvent): void {
    switch (event.type) {
      case 'send':
        this.inFlight.set(event.id, { clock: this.record(event.from, `${event.t} send ${this.describe(event.msg)} to ${event.to} #${event.id}`), copies: 1 });
        break;
      case 'duplicate': {
        const message = this.inFlight.get(event.id);
        if (message !== undefined) message.copies += 1;
        break;
      }
      case 'drop':
        this.settle(event.id);
        break;
      case 'deliver':
        this.record(event.to, `${event.t} receive ${this.describe(event.msg)} from ${event.from} #${event.id}`, this.settle(event.id));
        break;
      case 'crash':
      case 'restart':
      case 'pause':
      case 'resume':
        this.record(event.node, `${event.t} ${event.type}`);
        break;
      case 'timer':
        this.record(event.node, `${event.t} timer ${event.timer} fired`);
        break;
      case 'propose':
      case 'adopt':
      case 'promise':
      case 'accept':
      case 'learn': {
        const { t, type, node, ...fields } = event;
        this.record(node, `${t} ${type} ${JSON.stringify(fields)}`);
        break;
      }
      default:
        this.ownObservation(event);
        break;
    }
  }

  /** A user protocol's own observation: a local event at its node, like the single-decree ones. */
  private ownObservation(event: AnyTraceEvent): void {
    const fields = event as unknown as Record<string, unknown>;
    if (!this.ownVocabulary || typeof fields['node'] !== 'string' || Object.hasOwn(SHARED_EVENT_TYPES, event.type)) return;
    this.record(fields['node'], `${event.t} ${describeRecord(fields, ['t', 'type', 'node'])}`);
  }

  private flush(): void {
    if (this.pending === '') return;
    this.sink.write(this.pending);
    this.pending = '';
  }

  finish(): void {
    this.pending += '\n';
    this.flush();
  }
}
