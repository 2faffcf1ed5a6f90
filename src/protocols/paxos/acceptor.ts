import type { NodeId } from '../effects.js';
import { compareBallots, type Ballot } from './ballot.js';
import type { AcceptMessage, PrepareMessage } from './messages.js';
import type { PaxosRole } from './role.js';
import { EMPTY_ACCEPTOR_RECORD, type AcceptorRecord } from './state.js';

/**
 * Phase 1b and 2b. An equal ballot is answered again (a retransmitted
 * prepare or accept must not stall its proposer); a lower one gets a NACK
 * carrying the promise, so the proposer can jump past it.
 */
export class Acceptor {
  /** Under `forget-promise` the record lives here, in memory only. */
  private volatileRecord: AcceptorRecord = EMPTY_ACCEPTOR_RECORD;
  // The injected bugs, looked up once per node rather than in the config's set at every message.
  private readonly forgetsPromise: boolean;
  private readonly acceptsLower: boolean;

  constructor(private readonly role: PaxosRole) {
    this.forgetsPromise = role.config.bugs.has('forget-promise');
    this.acceptsLower = role.config.bugs.has('accept-lower');
  }

  record(): AcceptorRecord {
    return this.forgetsPromise ? this.volatileRecord : this.role.durable().acceptor;
  }

  onPrepare(from: NodeId, message: PrepareMessage): void {
    const current = this.record();
    if (current.promised !== null && compareBallots(message.ballot, current.promised) < 0) {
      this.role.send(from, { type: 'nack', ballot: message.ballot, promised: current.promised });
      return;
    }
    if (current.promised === null || compareBallots(message.ballot, current.promised) > 0) {
      this.store({ promised: message.ballot, accepted: current.accepted });
      this.role.observe({ type: 'promise', ballot: message.ballot });
    }
    this.role.send(from, { type: 'promise', ballot: message.ballot, accepted: current.accepted });
  }

  onAccept(from: NodeId, message: AcceptMessage): void {
    const current = this.record();
    const belowPromise = current.promised !== null && compareBallots(message.ballot, current.promised) < 0;
    if (belowPromise && !this.acceptsLower) {
      this.role.send(from, { type: 'nack', ballot: message.ballot, promised: current.promised! });
      return;
    }
    const promised: Ballot = belowPromise ? current.promised! : message.ballot;
    this.store({ promised, accepted: { ballot: message.ballot, value: message.value } });
    this.role.observe({ type: 'accept', ballot: message.ballot, value: message.value });
    const accepted = { type: 'accepted', ballot: message.ballot, value: message.value } as const;
    for (const learner of this.role.config.learners) this.role.send(learner, accepted);
    if (!this.role.config.learners.includes(from)) this.role.send(from, accepted);
  }

  /** A learner that missed the phase 2b messages asks again; answer with what this acceptor holds. */
  onCatchup(from: NodeId): void {
    const accepted = this.record().accepted;
    if (accepted === null) return;
    this.role.send(from, { type: 'accepted', ballot: accepted.ballot, value: accepted.value });
  }

  private store(next: AcceptorRecord): void {
    if (this.forgetsPromise) {
      this.volatileRecord = next;
      return;
    }
    this.role.updateDurable({ acceptor: next });
  }
}
