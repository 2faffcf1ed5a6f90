// @ts-check
/**
 * A single-value register agreed by a fixed leader ballot per proposer:
 * classic single-decree Paxos written only against paxsim's public API, so
 * the built-in single-decree checkers judge it (it emits propose, promise,
 * accept and learn), plus one invariant of its own.
 *
 * Bug flag `stale-read`: a proposer that hears of an accepted value in a
 * promise keeps its own value anyway when its own ballot is higher, the
 * subtle mistake of "my ballot is newer, so my value wins".
 */
import { defineInvariant, defineProtocol, z } from 'paxsim';

const config = z
  .object({
    retryMs: z.number().int().min(1).max(60_000).default(40),
  })
  .strict()
  .default({ retryMs: 40 });

/** The storage key of an acceptor's promise and accepted proposal. */
const ACCEPTOR = 'acceptor';
const LEARNED = 'learned';

/** @param {[number, string]} a @param {[number, string]} b */
function compareBallots(a, b) {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** @param {any} effects @param {any} context */
function createNode(effects, context) {
  const quorum = Math.floor(context.roles.acceptors.length / 2) + 1;
  const stored = effects.storage.read(ACCEPTOR) ?? { promised: null, accepted: null };
  /** Acceptor (durable): the highest ballot promised, and the last proposal accepted. */
  let acceptor = stored;
  /** Proposer and learner (volatile): rebuilt from nothing after a crash. */
  let proposer = { value: null, round: 0, ballot: null, promises: {}, best: null, accepts: {} };
  /** @type {Record<string, string>} */
  let votes = {};
  /** What this node learned: durable, since a learner learns at most once, across crashes too. */
  let learned = effects.storage.read(LEARNED) ?? null;
  const learn = (value) => {
    learned = value;
    effects.storage.write(LEARNED, value);
    effects.storage.sync();
    effects.cancelTimer('retry');
    effects.observe({ type: 'learn', value });
  };

  const persist = () => {
    effects.storage.write(ACCEPTOR, acceptor);
    effects.storage.sync();
  };
  const broadcast = (message) => {
    for (const to of context.roles.acceptors) effects.send(to, message);
  };
  const startRound = () => {
    proposer.round += 1;
    proposer.ballot = [proposer.round, context.nodeId];
    proposer.promises = {};
    proposer.best = null;
    proposer.accepts = {};
    effects.observe({ type: 'propose', value: proposer.value, ballot: proposer.ballot });
    broadcast({ type: 'prepare', ballot: proposer.ballot });
    effects.setTimer('retry', Math.floor(context.config.retryMs * (1 + effects.random())));
  };

  return {
    start() {
      effects.setTimer('catchup', context.config.retryMs * 4);
    },
    recover() {
      effects.setTimer('catchup', context.config.retryMs * 4);
    },
    onRequest(request) {
      if (proposer.value !== null) return;
      proposer.value = request.value;
      proposer.round = (request.round ?? 1) - 1;
      startRound();
    },
    onTimer(name) {
      if (name === 'retry' && learned === null && proposer.value !== null) startRound();
      // A node that missed the decision (it was down, or messages were lost) asks the others.
      if (name === 'catchup' && learned === null) {
        for (const to of context.nodes) if (to !== context.nodeId) effects.send(to, { type: 'query' });
        effects.setTimer('catchup', context.config.retryMs * 4);
      }
    },
    onMessage(from, message) {
      switch (message.type) {
        case 'prepare': {
          if (acceptor.promised !== null && compareBallots(message.ballot, acceptor.promised) <= 0) return;
          acceptor = { ...acceptor, promised: message.ballot };
          persist();
          effects.observe({ type: 'promise', ballot: message.ballot });
          effects.send(from, { type: 'promised', ballot: message.ballot, accepted: acceptor.accepted });
          return;
        }
        case 'promised': {
          if (proposer.ballot === null || compareBallots(message.ballot, proposer.ballot) !== 0 || proposer.promises[from]) return;
          proposer.promises[from] = true;
          const accepted = message.accepted;
          if (accepted !== null && (proposer.best === null || compareBallots(accepted.ballot, proposer.best.ballot) > 0)) proposer.best = accepted;
          if (Object.keys(proposer.promises).length !== quorum) return;
          // The rule that makes Paxos safe: adopt the value of the highest accepted proposal.
          const adopt = proposer.best !== null && !(context.bug === 'stale-read' && compareBallots(proposer.ballot, proposer.best.ballot) > 0);
          const value = adopt ? proposer.best.value : proposer.value;
          if (adopt && value !== proposer.value) effects.observe({ type: 'adopt', ballot: proposer.ballot, value, from: proposer.best.ballot });
          broadcast({ type: 'accept', ballot: proposer.ballot, value });
          return;
        }
        case 'accept': {
          if (acceptor.promised !== null && compareBallots(message.ballot, acceptor.promised) < 0) return;
          acceptor = { promised: message.ballot, accepted: { ballot: message.ballot, value: message.value } };
          persist();
          effects.observe({ type: 'accept', ballot: message.ballot, value: message.value });
          for (const to of context.roles.learners) effects.send(to, { type: 'accepted', ballot: message.ballot, value: message.value });
          return;
        }
        case 'query': {
          if (learned !== null) effects.send(from, { type: 'decided', value: learned });
          return;
        }
        case 'decided': {
          if (learned === null) learn(message.value);
          return;
        }
        case 'accepted': {
          if (learned !== null) return;
          votes[from] = `${message.ballot[0]}/${message.ballot[1]}/${message.value}`;
          const count = Object.values(votes).filter((vote) => vote === votes[from]).length;
          if (count < quorum) return;
          learn(message.value);
          return;
        }
      }
    },
    volatileState() {
      return { proposing: proposer.value, ballot: proposer.ballot, learned };
    },
  };
}

/** Its own invariant (the built-in integrity checker covers it too; here as an example of the API). */
const learnedOnce = defineInvariant({
  name: 'learned-once',
  description: 'no node learns twice',
  monitor: () => {
    const learners = new Set();
    return (event) => {
      if (event.type !== 'learn') return null;
      if (learners.has(event.node)) return `${event.node} learned a second time`;
      learners.add(event.node);
      return null;
    };
  },
});

export default defineProtocol({
  name: 'register',
  description: 'example: a single-value register (single-decree Paxos) written against the public API',
  config,
  bugs: { 'stale-read': 'a proposer with a higher ballot keeps its own value instead of adopting the highest accepted one' },
  createNode,
  durableView: (_nodeId, storage) => ({ ...(storage.read(ACCEPTOR) ?? { promised: null, accepted: null }), learned: storage.read(LEARNED) ?? null }),
  checkers: ['single-decree'],
  invariants: [learnedOnce],
});
