import type { TraceMeta } from '../../../sim/events.js';
import type { PageBallot, PageEvent, PageMessage, ViewKind } from '../page-data.js';
import type { Mark, ModelBuilder } from './model.js';

/** What a part needs to draw a mark: the opening `<g>` (class, key, title) and the mark's position. */
export interface MarkPen {
  /** `<g …><title>…</title>`: the part adds the glyph (and `</g>`). */
  readonly open: string;
  readonly x: number;
  readonly y: number;
  /** A label right of the lane (nothing when zoomed too far out for labels), `dy` px below the mark. */
  text(label: string, dx?: number, dy?: number): string;
  /** A label left of the lane. */
  textLeft(label: string): string;
}

/**
 * A protocol's part of the viewer: everything the core (lanes, arrows, time
 * axis, squeezing, filters, tooltips, selection, faults, leader terms, client
 * operations, chosen lines, violations) leaves to the protocol. Chosen by
 * {@link viewOf} from the meta line's `protocol`; see parts/index.ts.
 */
export interface ProtocolPart {
  readonly view: ViewKind;
  /** The small text under a (non-client) node's name. */
  laneRole(node: string): string;
  /** A lighter lane (Cheap Paxos auxiliaries). */
  isAuxiliary(node: string): boolean;
  /** An arrow's label: what its message says, short. */
  messageLabel(msg: PageMessage): string;
  /** Turns an event the core does not draw into marks (or ignores it). */
  observe(e: PageEvent, index: number, model: ModelBuilder): void;
  /** Extra classes on a mark's `<g>` (besides `mark <kind>`). */
  markClasses(m: Mark): string;
  /** The glyph of one of this part's marks, or null when the kind is not this part's. */
  markSvg(m: Mark, pen: MarkPen): string | null;
  /** A sentence for the tooltip and details panel, or null when the event is not this part's. */
  describeEvent(e: PageEvent): string | null;
  /** A grouped mark (several slots at one instant), or null to describe its first event. */
  describeGroup(m: Mark): string | null;
  /** The text along a `chosen` line (the checkers derive it); `full` when zoomed in enough for detail. */
  chosenText(e: PageEvent, full: boolean): string;
  describeChosen(e: PageEvent): string;
  /** A leader term's ballot as this protocol's users say it: `(2,C)` or `term 2`. */
  termLabel(ballot: PageBallot): string;
  /** "the higher ballot (2,C)" / "the higher term 2": the ballot that made a leader stale. */
  higherLabel(ballot: PageBallot): string;
}

/** Roles from the meta line, as single-decree Paxos and the generic view show them: `P A L`. */
export function metaRoles(meta: TraceMeta, node: string): string {
  const roles: [keyof TraceMeta, string][] = [
    ['proposers', 'P'],
    ['acceptors', 'A'],
    ['learners', 'L'],
  ];
  return roles
    .filter(([field]) => {
      const listed = meta[field];
      return Array.isArray(listed) && listed.indexOf(node) >= 0;
    })
    .map(([, letter]) => letter)
    .join(' ');
}
