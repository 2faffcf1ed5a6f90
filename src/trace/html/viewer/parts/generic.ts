import type { TraceMeta } from '../../../../sim/events.js';
import { isBallot, type PageBallot, type PageEvent, type PageMessage } from '../../page-data.js';
import type { Mark } from '../model.js';
import { metaRoles, type MarkPen, type ProtocolPart } from '../part.js';
import { ballot, ident } from '../text.js';

/** Fields every event has, or that the lane and time already say: not repeated in labels. */
const PLACED_FIELDS: ReadonlySet<string> = new Set(['t', 'type', 'node']);
/** Longest field value in a label before it is cut with "…" (the tooltip has it whole). */
const MAX_VALUE_CHARS = 24;
/** Distance between the labels of observations a node makes at one instant. */
const LABEL_ROW_PX = 12;
/** Longest label. */
const MAX_LABEL_CHARS = 48;

/**
 * Any other protocol (a user's, loaded from a module): a lane per node (its
 * roles from the meta line), its message types as arrows labelled with their
 * fields, and every observation it makes as a mark on its node's lane, its
 * type and fields beside it and in the tooltip. The core adds what the
 * published vocabulary means to every protocol: leader terms from `leader`,
 * client lanes and operations from `invoke`/`complete`/`timeout`, `chosen`
 * lines from the single-decree and per-slot checkers, and the violations of
 * the built-in checkers and of the protocol's own invariants.
 */
export function genericPart(meta: TraceMeta): ProtocolPart {
  /** 'A@12' → observations of A at t=12 so far: a node often observes several things at one instant. */
  const atInstant = new Map<string, number>();
  return {
    view: 'generic',
    laneRole: (node) => metaRoles(meta, node),
    isAuxiliary: () => false,
    messageLabel: (msg) => withFields(String(msg.type), msg),
    observe(e, index, model) {
      // Every observation is drawn: the core has taken the network, faults, timers and the published vocabulary.
      if (e.type === 'chosen') return;
      const key = String(e.node) + '@' + e.t;
      const row = atInstant.get(key) ?? 0;
      atInstant.set(key, row + 1);
      model.mark('observation', e, index).labelRow = row;
    },
    markClasses: (m) => ' o-' + ident(m.event.type),
    markSvg: observationSvg,
    describeEvent: (e) => (e.node === undefined ? '' : e.node + ': ') + e.type + ' at t=' + e.t + fieldLines(e),
    describeGroup: () => null,
    chosenText: (e, full) => withFields('CHOSEN', e, full ? MAX_LABEL_CHARS : 30),
    describeChosen: (e) => 'chosen at t=' + e.t + fieldLines(e),
    termLabel: (b: PageBallot) => ballot(b),
    higherLabel: (b: PageBallot) => 'ballot ' + ballot(b),
  };
}

/** A field's value, short: a ballot as (1,A), a string quoted, anything else as JSON, cut at {@link MAX_VALUE_CHARS}. */
function shortValue(value: unknown): string {
  const text = isBallot(value) ? ballot(value) : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_VALUE_CHARS ? text.slice(0, MAX_VALUE_CHARS - 1) + '\u2026' : text;
}

/**
 * `accept (1,A) "X"`: a label with the values the lane and time do not
 * already say, in the order the protocol wrote them (null ones left out), as
 * paxsim's own protocols label theirs; the tooltip names every field.
 */
function withFields(head: string, fields: PageMessage | PageEvent, maxChars = MAX_LABEL_CHARS): string {
  let text = head;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (PLACED_FIELDS.has(key) || value === null || value === undefined) continue;
    text += ' ' + shortValue(value);
    if (text.length > maxChars) return text.slice(0, maxChars - 1) + '\u2026';
  }
  return text;
}

/** The fields beyond t, type and node, one per line, in full. */
function fieldLines(e: PageEvent): string {
  return Object.keys(e)
    .filter((key) => !PLACED_FIELDS.has(key))
    .map((key) => '\n  ' + key + ': ' + JSON.stringify(e[key]))
    .join('');
}

/** An observation: a diamond on the lane, its type and fields beside it. */
function observationSvg(m: Mark, pen: MarkPen): string {
  const { open, x, y, text } = pen;
  const label = withFields(m.event.type, m.event);
  return open + '<path d="M' + (x - 4.5) + ' ' + y + 'L' + x + ' ' + (y - 4.5) + 'L' + (x + 4.5) + ' ' + y + 'L' + x + ' ' + (y + 4.5) + 'Z"/>' + text(label, 8, LABEL_ROW_PX * (m.labelRow ?? 0)) + '</g>';
}

