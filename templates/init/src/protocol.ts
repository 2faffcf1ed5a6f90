/**
 * A single-value register agreed by single-decree Paxos, written against
 * paxsim's public API. It emits the single-decree observations (propose,
 * promise, accept, learn), so paxsim's built-in checkers judge it.
 */
import { defineProtocol, z, type Ballot, type Effects, type ProposalRequest, type ProtocolNode } from 'paxsim';

const config = z.object({ retryMs: z.number().int().min(1).max(60_000).default(40) }).strict().default({ retryMs: 40 });
type Config = z.output<typeof config>;

type Accepted = { ballot: Ballot; value: string };
type Message =
  | { type: 'prepare'; ballot: Ballot }
  | { type: 'promised'; ballot: Ballot; accepted: Accepted | null }
  | { type: 'accept'; ballot: Ballot; value: string }
  | { type: 'accepted'; ballot: Ballot; value: string }
  | { type: 'query' }
  | { type: 'decided'; value: string };
type Stored = { promised: Ballot | null; accepted: Accepted | null } | string;
type Observation =
  | { type: 'propose'; value: string; ballot: Ballot }
  | { type: 'promise'; ballot: Ballot }
  | { type: 'accept'; ballot: Ballot; value: string }
  | { type: 'learn'; value: string };

const ACCEPTOR = 'acceptor';
const LEARNED = 'learned';

function compare(a: Ballot, b: Ballot): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

function acceptorOf(stored: Stored | undefined): { promised: Ballot | null; accepted: Accepted | null } {
  return typeof stored === 'object' ? stored : { promised: null, accepted: null };
}

export default defineProtocol<Config, Message, Stored, Observation, ProposalRequest>({
  name: 'my-register',
  description: 'a single-value register (single-decree Paxos)',
  config,
  checkers: ['single-decree'],
  durableView: (_nodeId, storage) => ({ ...acceptorOf(storage.read(ACCEPTOR)), learned: storage.read(LEARNED) ?? null }),
  createNode(effects: Effects<Message, Stored, Observation>, context): ProtocolNode<Message, ProposalRequest> {
    const quorum = Math.floor(context.roles.acceptors.length / 2) + 1;
    let acceptor = acceptorOf(effects.storage.read(ACCEPTOR));
    const stored = effects.storage.read(LEARNED);
    let learned: string | null = typeof stored === 'string' ? stored : null;
    let value: string | null = null;
    let round = 0;
    let ballot: Ballot | null = null;
    let promises = new Set<string>();
    let best: Accepted | null = null;
    const votes = new Map<string, string>();

    const catchupMs = context.config.retryMs * 4;
    const learn = (decided: string): void => {
      learned = decided;
      effects.storage.write(LEARNED, decided);
      effects.storage.sync();
      effects.cancelTimer('retry');
      effects.observe({ type: 'learn', value: decided });
    };
    const startRound = (): void => {
      if (value === null) return;
      round += 1;
      ballot = [round, context.nodeId];
      promises = new Set();
      best = null;
      effects.observe({ type: 'propose', value, ballot });
      for (const to of context.roles.acceptors) effects.send(to, { type: 'prepare', ballot });
      effects.setTimer('retry', Math.floor(context.config.retryMs * (1 + effects.random())));
    };

    return {
      start: () => effects.setTimer('catchup', catchupMs),
      recover: () => effects.setTimer('catchup', catchupMs),
      onRequest(request) {
        if (value !== null) return;
        value = request.value;
        round = (request.round ?? 1) - 1;
        startRound();
      },
      onTimer(name) {
        if (name === 'retry' && learned === null) startRound();
        if (name === 'catchup' && learned === null) {
          for (const to of context.nodes) if (to !== context.nodeId) effects.send(to, { type: 'query' });
          effects.setTimer('catchup', catchupMs);
        }
      },
      onMessage(from, message) {
        switch (message.type) {
          case 'prepare':
            if (acceptor.promised !== null && compare(message.ballot, acceptor.promised) <= 0) return;
            acceptor = { ...acceptor, promised: message.ballot };
            effects.storage.write(ACCEPTOR, acceptor);
            effects.storage.sync();
            effects.observe({ type: 'promise', ballot: message.ballot });
            effects.send(from, { type: 'promised', ballot: message.ballot, accepted: acceptor.accepted });
            return;
          case 'promised': {
            if (ballot === null || compare(message.ballot, ballot) !== 0 || promises.has(from)) return;
            promises.add(from);
            if (message.accepted !== null && (best === null || compare(message.accepted.ballot, best.ballot) > 0)) best = message.accepted;
            if (promises.size !== quorum || value === null) return;
            // Adopt the value of the highest accepted proposal: what makes Paxos safe.
            const proposal = best?.value ?? value;
            for (const to of context.roles.acceptors) effects.send(to, { type: 'accept', ballot, value: proposal });
            return;
          }
          case 'accept':
            if (acceptor.promised !== null && compare(message.ballot, acceptor.promised) < 0) return;
            acceptor = { promised: message.ballot, accepted: { ballot: message.ballot, value: message.value } };
            effects.storage.write(ACCEPTOR, acceptor);
            effects.storage.sync();
            effects.observe({ type: 'accept', ballot: message.ballot, value: message.value });
            for (const to of context.roles.learners) effects.send(to, { type: 'accepted', ballot: message.ballot, value: message.value });
            return;
          case 'accepted': {
            if (learned !== null) return;
            const vote = `${message.ballot[0]}/${message.ballot[1]}/${message.value}`;
            votes.set(from, vote);
            if ([...votes.values()].filter((other) => other === vote).length >= quorum) learn(message.value);
            return;
          }
          case 'query':
            if (learned !== null) effects.send(from, { type: 'decided', value: learned });
            return;
          case 'decided':
            if (learned === null) learn(message.value);
            return;
        }
      },
      volatileState: () => ({ value, ballot, learned }),
    };
  },
});
