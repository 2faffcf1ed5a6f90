// @ts-check
/**
 * A replicated key-value log with a stable leader (Multi-Paxos in about 300
 * lines), written only against paxsim's public API. It serves paxsim's own
 * client nodes (`clients: {}`: their default request, reply and redirect
 * messages) and asks for four checker families by the observations it emits:
 *
 * - multi-decree: propose {slot, command, ballot}, promise {ballot},
 *   accept {slot, ballot, command}, learn {slot, command}
 * - leaders: leader {ballot}
 * - state-machine: apply {slot, command, result, duplicate?}
 * - clients: paxsim's clients observe invoke, complete and timeout themselves
 *
 * Bug flag `own-log-only`: a new leader trusts its own log and ignores the
 * entries its promise quorum reported accepted, so it can fill a slot that a
 * majority already chose with another command. Slot agreement catches it.
 */
import { defineProtocol, z } from 'paxsim';

const config = z
  .object({
    heartbeatMs: z.number().int().min(1).max(60_000).default(30),
    electionMs: z.number().int().min(1).max(60_000).default(150),
  })
  .strict()
  .default({ heartbeatMs: 30, electionMs: 150 });

const NOOP = { noop: true };
/** At most this many chosen commands per catch-up answer. */
const CATCHUP_BATCH = 32;

/** @typedef {[number, string]} Ballot */
/** @typedef {{ applied: number, kv: Record<string, string>, sessions: Record<string, { requestId: number, result: unknown }> }} Machine */

/** @param {Ballot | null} a @param {Ballot | null} b */
function compareBallots(a, b) {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** Runs one kv operation against the store (a fresh copy) and returns its result. */
function execute(kv, op) {
  const current = Object.hasOwn(kv, op.key) ? kv[op.key] : null;
  if (op.kind === 'get') return current;
  if (op.kind === 'put') {
    kv[op.key] = op.value;
    return 'ok';
  }
  if (current !== op.expected) return false;
  kv[op.key] = op.value;
  return true;
}

/** @param {any} effects @param {any} context */
function createNode(effects, context) {
  const me = context.nodeId;
  const { heartbeatMs, electionMs } = context.config;
  const quorum = Math.floor(context.nodes.length / 2) + 1;
  const storage = effects.storage;

  // Durable: the promise, the accepted and learned logs (slot logs), the state machine.
  /** @type {Ballot | null} */
  let promised = storage.read('promised') ?? null;
  /** @type {Machine} */
  let machine = storage.read('machine') ?? { applied: 0, kv: {}, sessions: {} };
  // Volatile: rebuilt after a crash.
  let role = 'follower';
  /** @type {Ballot | null} */
  let ballot = null;
  /** @type {Record<string, any[]>} */
  let promises = {};
  /** @type {Map<number, { command: any, votes: Set<string>, chosen: boolean }>} */
  let proposals = new Map();
  let nextSlot = 0;
  /** @type {string | null} */
  let leaderHint = null;
  let learnedPrefix = 0;
  while (storage.readSlot('learned', learnedPrefix) !== undefined) learnedPrefix += 1;

  const broadcast = (message) => {
    for (const to of context.nodes) effects.send(to, message);
  };
  const armElection = () => effects.setTimer('election', Math.floor(electionMs * (1 + effects.random())));
  const stepDown = (/** @type {string | null} */ hint) => {
    if (role !== 'follower') {
      role = 'follower';
      proposals = new Map();
      effects.cancelTimer('heartbeat');
    }
    leaderHint = hint;
    armElection();
  };
  const raisePromise = (/** @type {Ballot} */ to) => {
    promised = to;
    storage.write('promised', to);
    storage.sync();
  };

  function campaign() {
    const round = Math.max(promised?.[0] ?? 0, ballot?.[0] ?? 0) + 1;
    ballot = [round, me];
    role = 'candidate';
    promises = {};
    broadcast({ type: 'prepare', ballot, fromSlot: learnedPrefix });
    armElection();
  }

  function becomeLeader() {
    role = 'leader';
    leaderHint = me;
    effects.observe({ type: 'leader', ballot });
    // Phase 1's rule: in each slot, re-propose the command accepted in the highest ballot.
    const reported = context.bug === 'own-log-only' ? [[...storage.slotEntries('accepted')].map(([slot, entry]) => ({ slot, ...entry }))] : Object.values(promises);
    /** @type {Map<number, { ballot: Ballot, command: any }>} */
    const best = new Map();
    for (const entries of reported) {
      for (const entry of entries) {
        const known = best.get(entry.slot);
        if (known === undefined || compareBallots(entry.ballot, known.ballot) > 0) best.set(entry.slot, entry);
      }
    }
    let top = learnedPrefix - 1;
    for (const slot of best.keys()) top = Math.max(top, slot);
    proposals = new Map();
    for (let slot = learnedPrefix; slot <= top; slot++) {
      if (storage.readSlot('learned', slot) !== undefined) continue;
      propose(slot, best.get(slot)?.command ?? NOOP);
    }
    nextSlot = top + 1;
    heartbeat();
  }

  function propose(slot, command) {
    proposals.set(slot, { command, votes: new Set(), chosen: false });
    effects.observe({ type: 'propose', slot, command, ballot });
    broadcast({ type: 'accept', ballot, slot, command });
  }

  function heartbeat() {
    broadcast({ type: 'heartbeat', ballot, learnedPrefix });
    // Accepts lost on the way are sent again with each beat.
    for (const [slot, proposal] of proposals) if (!proposal.chosen) broadcast({ type: 'accept', ballot, slot, command: proposal.command });
    effects.setTimer('heartbeat', heartbeatMs);
  }

  function learn(slot, command) {
    if (storage.readSlot('learned', slot) !== undefined) return;
    storage.writeSlot('learned', slot, command);
    storage.sync();
    effects.observe({ type: 'learn', slot, command });
    while (storage.readSlot('learned', learnedPrefix) !== undefined) learnedPrefix += 1;
    applyLearned();
  }

  /** Applies the learned log in slot order; a retried request (its id seen before) is skipped, answered from the session table. */
  function applyLearned() {
    while (machine.applied < learnedPrefix) {
      const slot = machine.applied;
      const command = storage.readSlot('learned', slot);
      const kv = { ...machine.kv };
      const sessions = { ...machine.sessions };
      const session = command.noop ? undefined : sessions[command.client];
      const duplicate = session !== undefined && command.requestId <= session.requestId;
      let result = null;
      if (duplicate) result = session.requestId === command.requestId ? session.result : null;
      else if (!command.noop) {
        result = execute(kv, command.op);
        sessions[command.client] = { requestId: command.requestId, result };
      }
      machine = { applied: slot + 1, kv, sessions };
      storage.write('machine', machine);
      storage.sync();
      effects.observe(duplicate ? { type: 'apply', slot, command, result, duplicate: true } : { type: 'apply', slot, command, result });
      if (role === 'leader' && !command.noop) effects.send(command.client, { type: 'reply', requestId: command.requestId, result });
    }
  }

  function onRequest(from, command) {
    if (role !== 'leader') {
      effects.send(from, { type: 'redirect', requestId: command.requestId, leaderHint: leaderHint === me ? null : leaderHint });
      return;
    }
    const session = machine.sessions[command.client];
    if (session !== undefined && command.requestId <= session.requestId) {
      if (session.requestId === command.requestId) effects.send(from, { type: 'reply', requestId: command.requestId, result: session.result });
      return;
    }
    // Already in the log and not applied yet: the reply comes when it is.
    for (const [slot, proposal] of proposals) {
      if (slot >= machine.applied && proposal.command.client === command.client && proposal.command.requestId === command.requestId) return;
    }
    propose(nextSlot, command);
    nextSlot += 1;
  }

  return {
    start() {
      if (me === context.nodes[0]) campaign();
      else armElection();
    },
    recover() {
      applyLearned();
      armElection();
    },
    onRequest() {},
    onTimer(name) {
      if (name === 'heartbeat' && role === 'leader') heartbeat();
      if (name === 'election' && role !== 'leader') campaign();
    },
    onMessage(from, message) {
      switch (message.type) {
        case 'prepare': {
          if (compareBallots(message.ballot, promised) < 0) {
            effects.send(from, { type: 'nack', promised });
            return;
          }
          if (compareBallots(message.ballot, promised) > 0) {
            raisePromise(message.ballot);
            effects.observe({ type: 'promise', ballot: message.ballot });
          }
          if (from !== me) stepDown(null);
          const accepted = [];
          for (const [slot, entry] of storage.slotEntries('accepted')) if (slot >= message.fromSlot) accepted.push({ slot, ...entry });
          effects.send(from, { type: 'promise', ballot: message.ballot, accepted });
          return;
        }
        case 'promise': {
          if (role !== 'candidate' || compareBallots(message.ballot, ballot) !== 0 || promises[from] !== undefined) return;
          promises[from] = message.accepted;
          if (Object.keys(promises).length === quorum) becomeLeader();
          return;
        }
        case 'accept': {
          if (compareBallots(message.ballot, promised) < 0) {
            effects.send(from, { type: 'nack', promised });
            return;
          }
          if (compareBallots(message.ballot, promised) > 0) raisePromise(message.ballot);
          if (from !== me) stepDown(from);
          const held = storage.readSlot('accepted', message.slot);
          if (held === undefined || compareBallots(held.ballot, message.ballot) !== 0) {
            storage.writeSlot('accepted', message.slot, { ballot: message.ballot, command: message.command });
            storage.sync();
            effects.observe({ type: 'accept', slot: message.slot, ballot: message.ballot, command: message.command });
          }
          effects.send(from, { type: 'accepted', ballot: message.ballot, slot: message.slot });
          return;
        }
        case 'accepted': {
          const proposal = proposals.get(message.slot);
          if (role !== 'leader' || compareBallots(message.ballot, ballot) !== 0 || proposal === undefined || proposal.chosen) return;
          proposal.votes.add(from);
          if (proposal.votes.size < quorum) return;
          proposal.chosen = true;
          broadcast({ type: 'commit', slot: message.slot, command: proposal.command });
          return;
        }
        case 'commit':
          learn(message.slot, message.command);
          return;
        case 'heartbeat': {
          if (compareBallots(message.ballot, promised) < 0) {
            effects.send(from, { type: 'nack', promised });
            return;
          }
          if (from !== me) stepDown(from);
          if (learnedPrefix < message.learnedPrefix) effects.send(from, { type: 'catchup', fromSlot: learnedPrefix });
          return;
        }
        case 'catchup': {
          const until = Math.min(learnedPrefix, message.fromSlot + CATCHUP_BATCH);
          for (let slot = message.fromSlot; slot < until; slot++) effects.send(from, { type: 'commit', slot, command: storage.readSlot('learned', slot) });
          return;
        }
        case 'nack': {
          if (role !== 'follower' && compareBallots(message.promised, ballot) > 0) {
            ballot = message.promised;
            stepDown(null);
          }
          return;
        }
        case 'request':
          onRequest(from, message.command);
          return;
      }
    },
    volatileState() {
      return { role, ballot, leaderHint, learnedPrefix, nextSlot, unchosen: [...proposals].filter(([, p]) => !p.chosen).map(([slot]) => slot) };
    },
  };
}

export default defineProtocol({
  name: 'kvlog',
  description: 'example: a replicated key-value log with a stable leader (Multi-Paxos), serving paxsim clients',
  config,
  bugs: {
    'own-log-only': 'a new leader trusts its own log: it ignores the entries its promise quorum accepted, and can overwrite a chosen slot',
  },
  createNode,
  durableView: (_nodeId, storage) => {
    const machine = storage.read('machine');
    return { promised: storage.read('promised') ?? null, applied: machine?.applied ?? 0, kv: machine?.kv ?? {}, accepted: [...storage.slotEntries('accepted')].length };
  },
  // paxsim's clients, with their own messages: request out, reply or redirect back.
  clients: {},
  checkers: ['multi-decree', 'leaders', 'state-machine', 'clients'],
});
