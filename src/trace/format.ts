import { formatBallot } from '../protocols/paxos/ballot.js';
import type { AcceptedProposal, PaxosMessage } from '../protocols/paxos/messages.js';

/** A message as a person reads it: `prepare (10,A)`, `accept (10,A) "X"`. */
export function describeMessage(message: PaxosMessage): string {
  switch (message.type) {
    case 'prepare':
      return `prepare ${formatBallot(message.ballot)}`;
    case 'promise':
      return `promise ${formatBallot(message.ballot)} ${describeAccepted(message.accepted)}`;
    case 'accept':
      return `accept ${formatBallot(message.ballot)} "${message.value}"`;
    case 'accepted':
      return `accepted ${formatBallot(message.ballot)} "${message.value}"`;
    case 'nack':
      return `nack ${formatBallot(message.ballot)}, promised ${formatBallot(message.promised)}`;
    case 'catchup':
      return 'catchup';
    case 'decided':
      return `decided "${message.value}"`;
    default:
      return JSON.stringify(message);
  }
}

function describeAccepted(accepted: AcceptedProposal | null): string {
  return accepted === null ? '(nothing accepted)' : `(accepted "${accepted.value}" in ${formatBallot(accepted.ballot)})`;
}
