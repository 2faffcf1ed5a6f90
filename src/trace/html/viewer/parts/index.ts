import type { TraceMeta } from '../../../../sim/events.js';
import { viewOf } from '../../page-data.js';
import type { ProtocolPart } from '../part.js';
import { genericPart } from './generic.js';
import { multiSlotPart } from './multi-slot.js';
import { singleDecreePart } from './single-decree.js';

/** The part for the meta line's protocol: the one place the viewer looks at `meta.protocol`. */
export function partFor(meta: TraceMeta): ProtocolPart {
  const view = viewOf(meta.protocol);
  switch (view) {
    case 'paxos':
      return singleDecreePart(meta);
    case 'multi-slot':
      // Cheap Paxos calls its servers main (and auxiliary, from the meta line).
      return multiSlotPart(meta, view, meta.protocol === 'cheap-paxos' ? 'main' : 'replica');
    case 'raft':
      return multiSlotPart(meta, view, 'replica');
    case 'generic':
      return genericPart(meta);
  }
}
