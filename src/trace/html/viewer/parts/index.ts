import type { TraceMeta } from '../../../../sim/events.js';
import type { ViewKind } from '../../page-data.js';
import type { ProtocolPart } from '../part.js';
import { genericPart } from './generic.js';
import { multiSlotPart } from './multi-slot.js';
import { singleDecreePart } from './single-decree.js';

/** The part for the view the page's writer picked from the protocol's trace format. */
export function partFor(meta: TraceMeta, view: ViewKind): ProtocolPart {
  switch (view) {
    case 'paxos':
      return singleDecreePart(meta);
    case 'multi-slot':
      // Cheap Paxos calls its servers main (and auxiliary): its meta line lists them.
      return multiSlotPart(meta, view, meta.main === undefined ? 'replica' : 'main');
    case 'raft':
      return multiSlotPart(meta, view, 'replica');
    case 'generic':
      return genericPart(meta);
  }
}
