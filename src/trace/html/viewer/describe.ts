import type { LeaderTerm, PageEvent } from '../page-data.js';
import { opLong } from './commands.js';
import type { Mark, Operation } from './model.js';
import type { ProtocolPart } from './part.js';
import { ballot, json } from './text.js';

/**
 * Sentences for tooltips and the details panel. The core describes what every
 * protocol shares (timers, faults, leaders, client operations); the protocol's
 * part describes its own observations.
 */
export class Describer {
  constructor(private readonly part: ProtocolPart) {}

  event(e: PageEvent): string {
    const node = String(e.node);
    switch (e.type) {
      case 'timer':
        return node + ': ' + String(e['timer']) + ' timer fired at t=' + e.t;
      case 'request-lost':
        return 'request to propose "' + String(e['value']) + '" reached ' + node + ' while down';
      case 'drift':
        return node + "'s clock now runs at " + String(e['rate']) + '\u00d7';
      case 'leader':
        return node + ' leads with ' + (e['term'] !== undefined ? 'term ' + String(e['term']) : 'ballot ' + ballot(e['ballot'])) + ' from t=' + e.t;
      case 'invoke':
        return String(e.client) + ' invokes #' + String(e.requestId) + ' ' + opLong(e['op']) + ' at t=' + e.t;
      case 'complete':
        return String(e.client) + ' #' + String(e.requestId) + ' ' + opLong(e['op']) + ' \u2192 ' + json(e['result']) + ' at t=' + e.t;
      case 'timeout':
        return String(e.client) + ' gave up on #' + String(e.requestId) + ' ' + opLong(e['op']) + ' at t=' + e.t + ' (outcome unknown)';
      case 'chosen':
        return this.part.describeChosen(e);
      default:
        return this.part.describeEvent(e) ?? JSON.stringify(e);
    }
  }

  mark(m: Mark): string {
    return this.part.describeGroup(m) ?? this.event(m.event);
  }

  term(term: LeaderTerm): string {
    let text = term.node + ' leads with ' + this.part.termLabel(term.ballot) + ' from t=' + term.t0;
    text += term.end ? ' until t=' + term.t1 + ' (steps down: ' + term.end.reason + ')' : ' to the end of the trace (t=' + term.t1 + ')';
    if (term.staleFrom !== null && term.staleBy !== null) {
      text +=
        '\nstale from t=' + term.staleFrom + ': ' + term.staleBy.node + ' was elected with the higher ' + this.part.higherLabel(term.staleBy.ballot) + ', so two replicas believed they led for ' + (term.t1 - term.staleFrom) + ' ms';
    }
    return text;
  }

  operation(op: Operation): string {
    const e = op.event;
    let text = String(e.client) + ' #' + String(e.requestId) + ' ' + opLong(e['op']) + ': invoked t=' + op.t0;
    if (op.outcome === 'complete') text += ', completed t=' + op.t1 + ' \u2192 ' + json(op.end?.['result']) + ' (' + (op.t1 - op.t0) + ' ms)';
    else if (op.outcome === 'timeout') text += ', gave up t=' + op.t1 + ' (outcome unknown)';
    else text += ', still in flight at the end';
    return text;
  }
}
