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
    case 'raft':
      return multiSlotPart(meta, view);
    case 'generic':
      return genericPart(meta);
  }
}
