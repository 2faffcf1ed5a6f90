import type { NodeId } from '../scenario/scenario.js';
import type { AnyTraceEvent, TraceMeta } from '../sim/events.js';
import { dictFrom, emptyDict, type Dict } from '../util/dict.js';
import { describeMessage } from './format.js';

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
  const clocks = new Map<NodeId, VectorClock>(meta.nodes.map((node) => [node, emptyDict<number>()]));
  const clockOfMessage = new Map<number, VectorClock>();
  const lines: string[] = [SHIVIZ_REGEX, ''];
  const record = (host: NodeId, description: string, merge?: VectorClock) => {
    const clock = clocks.get(host) ?? emptyDict<number>();
    if (merge) for (const [node, count] of Object.entries(merge)) clock[node] = Math.max(clock[node] ?? 0, count);
    clock[host] = (clock[host] ?? 0) + 1;
    clocks.set(host, clock);
    lines.push(`${host} ${JSON.stringify(clock)}`, `t=${description}`);
    return dictFrom(Object.entries(clock));
  };
  for (const event of events) {
    switch (event.type) {
      case 'send':
        clockOfMessage.set(event.id, record(event.from, `${event.t} send ${describeMessage(event.msg)} to ${event.to} #${event.id}`));
        break;
      case 'deliver':
        record(event.to, `${event.t} receive ${describeMessage(event.msg)} from ${event.from} #${event.id}`, clockOfMessage.get(event.id));
        break;
      case 'crash':
      case 'restart':
      case 'pause':
      case 'resume':
        record(event.node, `${event.t} ${event.type}`);
        break;
      case 'timer':
        record(event.node, `${event.t} timer ${event.timer} fired`);
        break;
      case 'propose':
      case 'adopt':
      case 'promise':
      case 'accept':
      case 'learn': {
        const { t, type, node, ...fields } = event;
        record(node, `${t} ${type} ${JSON.stringify(fields)}`);
        break;
      }
      default:
        break;
    }
  }
  return lines.join('\n') + '\n';
}
