import type { TraceMeta } from '../../../../sim/events.js';
import type { PageBallot, PageEvent, PageMessage } from '../../page-data.js';
import type { Mark } from '../model.js';
import { metaRoles, type MarkPen, type ProtocolPart } from '../part.js';
import { ballot, esc, fieldsOf } from '../text.js';

/** The single-decree observations this part draws. */
const MARKS: ReadonlySet<string> = new Set(['propose', 'adopt', 'promise', 'accept', 'learn']);

/** Single-decree Paxos: proposer, acceptor and learner roles; values and ballots on the arrows. */
export function singleDecreePart(meta: TraceMeta): ProtocolPart {
  return {
    view: 'paxos',
    laneRole: (node) => metaRoles(meta, node),
    isAuxiliary: () => false,
    messageLabel: paxosMessageLabel,
    observe(e, index, model) {
      if (MARKS.has(e.type)) model.mark(e.type, e, index);
    },
    markClasses: () => '',
    markSvg: singleDecreeMarkSvg,
    describeEvent: describeSingleDecree,
    describeGroup: () => null,
    chosenText: (e) => 'CHOSEN "' + String(e['value']) + '" ' + ballot(e['ballot']),
    describeChosen: (e) => 'chosen: "' + String(e['value']) + '" in ' + ballot(e['ballot']) + ' at t=' + e.t,
    termLabel: (b: PageBallot) => ballot(b),
    higherLabel: (b: PageBallot) => 'ballot ' + ballot(b),
  };
}

export function paxosMessageLabel(msg: PageMessage): string {
  let text = String(msg.type) + (msg['ballot'] ? ' ' + ballot(msg['ballot']) : '');
  if (msg['value'] !== undefined) text += ' "' + String(msg['value']) + '"';
  if (msg.type === 'nack') text += ', promised ' + ballot(msg['promised']);
  const accepted = fieldsOf(msg['accepted']);
  if (msg.type === 'promise' && accepted) text += ' acc "' + String(accepted['value']) + '"';
  return text;
}

export function singleDecreeMarkSvg(m: Mark, pen: MarkPen): string | null {
  const e = m.event;
  const { open, x, y, text } = pen;
  switch (m.kind) {
    case 'propose':
      return open + '<circle cx="' + x + '" cy="' + y + '" r="4.5"/>' + text('propose "' + String(e['value']) + '" ' + ballot(e['ballot'])) + '</g>';
    case 'adopt':
      return open + '<circle cx="' + x + '" cy="' + y + '" r="4"/>' + text('adopt "' + String(e['value']) + '" from ' + ballot(e['from'])) + '</g>';
    case 'promise':
      return open + '<circle cx="' + (x - 6) + '" cy="' + y + '" r="2.5"/></g>';
    case 'accept':
      return open + '<rect x="' + (x - 9) + '" y="' + (y - 2.5) + '" width="5" height="5"/></g>';
    case 'learn':
      return open + '<text class="star" x="' + (x - 6) + '" y="' + (y + 6) + '">\u2605</text><text x="' + (x + 9) + '" y="' + (y + 4) + '">"' + esc(e['value']) + '"</text></g>';
    default:
      return null;
  }
}

function describeSingleDecree(e: PageEvent): string | null {
  const node = String(e.node);
  switch (e.type) {
    case 'propose':
      return node + ' proposes "' + String(e['value']) + '" with ballot ' + ballot(e['ballot']) + ' at t=' + e.t;
    case 'adopt':
      return node + ' adopts "' + String(e['value']) + '" (accepted in ' + ballot(e['from']) + ') for ' + ballot(e['ballot']);
    case 'promise':
      return node + ' promised ' + ballot(e['ballot']) + ' at t=' + e.t;
    case 'accept':
      return node + ' accepted "' + String(e['value']) + '" in ' + ballot(e['ballot']) + ' at t=' + e.t;
    case 'learn':
      return node + ' learned "' + String(e['value']) + '" at t=' + e.t;
    default:
      return null;
  }
}
