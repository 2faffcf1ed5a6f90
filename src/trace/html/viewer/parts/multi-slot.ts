import type { TraceMeta } from '../../../../sim/events.js';
import type { PageBallot, PageEvent, PageMessage, ViewKind } from '../../page-data.js';
import { command } from '../commands.js';
import type { Mark } from '../model.js';
import type { MarkPen, ProtocolPart } from '../part.js';
import { ballot, json } from '../text.js';
import { singleDecreeMarkSvg, singleDecreePart } from './single-decree.js';

/** Per-slot observations that join into one mark when a node takes consecutive slots at one instant. */
const SLOT_GROUPED: ReadonlySet<string> = new Set(['learn', 'apply']);
/** Other observations drawn as marks (the single-decree ones, and Cheap Paxos' reconfigurations and discards). */
const MARKS: ReadonlySet<string> = new Set(['propose', 'adopt', 'promise', 'accept', 'learn', 'config', 'discard']);

/**
 * The multi-slot family (Multi-Paxos, Cheap Paxos) and, with term labels,
 * Raft: replicas (Cheap Paxos: main and auxiliary lanes), slots on the
 * arrows and marks, applies grouped per instant, a `chosen slot N` line per
 * slot. Single-decree glyphs serve the observations the families share.
 */
export function multiSlotPart(meta: TraceMeta, view: Extract<ViewKind, 'multi-slot' | 'raft'>, serverRole: 'replica' | 'main'): ProtocolPart {
  const auxiliary = new Set(meta.auxiliary ?? []);
  const base = singleDecreePart(meta);
  const raft = view === 'raft';
  return {
    view,
    laneRole: (node) => (auxiliary.has(node) ? 'auxiliary' : serverRole),
    isAuxiliary: (node) => auxiliary.has(node),
    messageLabel: multiSlotMessageLabel,
    observe(e, index, model) {
      if (SLOT_GROUPED.has(e.type) && e.slot !== undefined) model.slotMark(e.type, e, index);
      else if (MARKS.has(e.type)) model.mark(e.type, e, index);
    },
    markClasses: (m) => (m.kind === 'learn' && m.slotFrom !== undefined ? ' slots' : m.kind === 'apply' && m.event['duplicate'] ? ' dupe' : ''),
    markSvg: (m, pen) => multiSlotMarkSvg(m, pen) ?? singleDecreeMarkSvg(m, pen),
    describeEvent: (e) => describeMultiSlot(e) ?? base.describeEvent(e),
    describeGroup(m) {
      if (m.slotFrom === undefined || m.slotTo === undefined || m.slotTo <= m.slotFrom) return null;
      const applied = m.kind === 'apply';
      const lines = m.events.map(
        (x) => '  s' + String(x.slot) + ' ' + command(x['command'], true) + (applied ? ' \u2192 ' + json(x['result']) + (x['duplicate'] ? ' (duplicate: skipped)' : '') : ''),
      );
      return String(m.node) + (applied ? ' applied ' : ' learned ') + 'slots ' + m.slotFrom + '\u2013' + m.slotTo + ' at t=' + m.event.t + ':\n' + lines.join('\n');
    },
    chosenText: (e, full) => (e.slot === undefined ? base.chosenText(e, full) : 'chosen slot ' + e.slot + ' ' + ballot(e['ballot']) + (full ? ': ' + command(e['command'], false) : '')),
    describeChosen: (e) => (e.slot === undefined ? base.describeChosen(e) : 'chosen: slot ' + e.slot + ' = ' + command(e['command'], true) + ' in ' + ballot(e['ballot']) + ' at t=' + e.t),
    // A Raft stripe's ballot is [term, leader]: label it as the term.
    termLabel: (b: PageBallot) => (raft ? 'term ' + b[0] : ballot(b)),
    higherLabel: (b: PageBallot) => (raft ? 'term ' + b[0] : 'ballot ' + ballot(b)),
  };
}

export function multiSlotMessageLabel(m: PageMessage): string {
  switch (m.type) {
    case 'prepare':
      return 'prepare ' + ballot(m['ballot']) + ' from s' + String(m['fromSlot']);
    case 'promise': {
      const accepted = m['accepted'];
      return 'promise ' + ballot(m['ballot']) + (Array.isArray(accepted) && accepted.length ? ' +' + accepted.length + ' acc' : '');
    }
    case 'nack':
      return 'nack ' + ballot(m['ballot']) + ', promised ' + ballot(m['promised']);
    case 'accept':
      return 'accept s' + String(m['slot']) + ' ' + ballot(m['ballot']);
    case 'accepted':
      return 'accepted s' + String(m['slot']) + ' ' + ballot(m['ballot']);
    case 'commit':
      return 'commit s' + String(m['slot']);
    case 'heartbeat':
      return 'heartbeat ' + ballot(m['ballot']) + ' c=' + String(m['commitIndex']);
    case 'catchup':
      return 'catchup from s' + String(m['fromSlot']);
    case 'request':
      return 'request ' + command(m['command'], false);
    case 'reply':
      return 'reply #' + String(m['requestId']);
    case 'redirect':
      return 'redirect \u2192' + (m['leaderHint'] === null || m['leaderHint'] === undefined ? '?' : String(m['leaderHint']));
    default:
      return String(m.type) + (m['ballot'] ? ' ' + ballot(m['ballot']) : '') + (m['slot'] !== undefined ? ' s' + String(m['slot']) : '');
  }
}

function slotsText(m: Mark): string {
  return 's' + String(m.slotFrom) + (m.slotTo !== undefined && m.slotFrom !== undefined && m.slotTo > m.slotFrom ? '\u2013' + m.slotTo : '');
}

function list(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : '';
}

function multiSlotMarkSvg(m: Mark, pen: MarkPen): string | null {
  const e = m.event;
  const { open, x, y, text } = pen;
  switch (m.kind) {
    case 'learn':
      return m.slotFrom === undefined ? null : open + '<text class="star" x="' + (x - 12) + '" y="' + (y + 4) + '">\u2605</text></g>';
    case 'config':
      return (
        open +
        '<path d="M' + (x - 6) + ' ' + y + 'L' + x + ' ' + (y - 6) + 'L' + (x + 6) + ' ' + y + 'L' + x + ' ' + (y + 6) + 'Z"/>' +
        text('config s' + String(e.slot) + ': main ' + list(e['main']) + ' aux ' + list(e['auxiliary']), 10) +
        '</g>'
      );
    case 'discard':
      return open + '<path d="M' + (x - 5) + ' ' + y + 'h10"/>' + text('discard <s' + String(e['uptoSlot'])) + '</g>';
    case 'apply':
      return open + '<rect x="' + (x + 3) + '" y="' + (y - 3) + '" width="6" height="6"/>' + text(slotsText(m) + (e['duplicate'] ? ' (dup)' : ''), 12) + '</g>';
    default:
      return null;
  }
}

function describeMultiSlot(e: PageEvent): string | null {
  const node = String(e.node);
  switch (e.type) {
    case 'accept':
      return e.slot === undefined ? null : node + ' accepted slot ' + e.slot + ': ' + command(e['command'], true) + ' in ' + ballot(e['ballot']) + ' at t=' + e.t;
    case 'learn':
      return e.slot === undefined ? null : node + ' learned slot ' + e.slot + ': ' + command(e['command'], true) + ' at t=' + e.t;
    case 'config':
      return node + ' takes up the configuration chosen at slot ' + String(e.slot) + ' (main ' + list(e['main']) + ', auxiliary ' + list(e['auxiliary']) + ') at t=' + e.t;
    case 'discard':
      return 'auxiliary ' + node + ' discarded its accepted state below slot ' + String(e['uptoSlot']) + ' at t=' + e.t;
    case 'apply':
      return node + ' applied slot ' + String(e.slot) + ': ' + command(e['command'], true) + ' \u2192 ' + json(e['result']) + (e['duplicate'] ? ' (duplicate request: skipped, stored result returned)' : '') + ' at t=' + e.t;
    default:
      return null;
  }
}
