/**
 * Multi-Paxos workloads for the bench, and what a recorded run says about
 * steady-state throughput in simulated time.
 */
import type { Scenario } from '../src/scenario/scenario.js';
import type { AnyTraceEvent } from '../src/sim/events.js';

/**
 * The shipped scenario with more clients: `clients` closed-loop clients of
 * `ops` operations each, same replicas, network, mix and keys. `until`
 * grows with the work per client so every operation completes well before
 * the run ends: in steady state an operation takes a client about 25 ms of
 * simulated time (four network hops: client, leader, acceptors, back), so
 * 50 ms per operation leaves a 2× margin.
 */
export function withClients(base: Scenario, clients: number, ops: number, keys?: readonly string[]): Scenario {
  const template = base.clients[0];
  if (template === undefined) throw new Error(`${base.name} declares no clients to copy`);
  const keyNote = keys === undefined ? '' : `, ${keys.length} keys`;
  return {
    ...base,
    name: `${base.name} (${clients} clients × ${ops} ops${keyNote})`,
    untilMs: Math.max(base.untilMs, 50 * ops),
    clients: Array.from({ length: clients }, (_, index) => ({
      id: `c${index + 1}`,
      count: ops,
      mix: template.mix,
      keys: keys ?? template.keys,
    })),
  };
}

/** What one recorded Multi-Paxos run did, in simulated time. */
export interface SteadyState {
  /** `chosen` events: one per slot decided. */
  readonly chosen: number;
  readonly noops: number;
  /** Virtual ms from the first `chosen` event to the last. */
  readonly chosenSpanMs: number;
  readonly invoked: number;
  readonly completed: number;
  readonly timedOut: number;
  /** Virtual ms from the first `invoke` to the last `complete`. */
  readonly clientSpanMs: number;
  /** Sum over completed operations of complete − invoke. */
  readonly latencyMsTotal: number;
}

export function steadyState(events: readonly AnyTraceEvent[]): SteadyState {
  let chosen = 0;
  let noops = 0;
  let firstChosen = Infinity;
  let lastChosen = -Infinity;
  let invoked = 0;
  let completed = 0;
  let timedOut = 0;
  let firstInvoke = Infinity;
  let lastComplete = -Infinity;
  let latencyMsTotal = 0;
  const openSince = new Map<string, number>();
  // Raft has no `chosen` events: a slot is decided when the highest commit index any server reported first covers it.
  let highestCommit = -1;
  for (const event of events) {
    const raftCommit = event as unknown as { type: string; slot?: number; command?: unknown };
    if (raftCommit.type === 'commit' && typeof raftCommit.slot === 'number' && raftCommit.command === undefined) {
      if (raftCommit.slot > highestCommit) {
        chosen += raftCommit.slot - highestCommit;
        highestCommit = raftCommit.slot;
        firstChosen = Math.min(firstChosen, event.t);
        lastChosen = Math.max(lastChosen, event.t);
      }
      continue;
    }
    switch (event.type) {
      case 'chosen':
        // Single-decree `chosen` has no slot; only Multi-Paxos runs come here.
        if (!('slot' in event)) break;
        chosen += 1;
        if ('noop' in event.command) noops += 1;
        firstChosen = Math.min(firstChosen, event.t);
        lastChosen = Math.max(lastChosen, event.t);
        break;
      case 'invoke':
        invoked += 1;
        firstInvoke = Math.min(firstInvoke, event.t);
        openSince.set(event.client, event.t);
        break;
      case 'complete': {
        completed += 1;
        lastComplete = Math.max(lastComplete, event.t);
        const since = openSince.get(event.client);
        if (since !== undefined) latencyMsTotal += event.t - since;
        openSince.delete(event.client);
        break;
      }
      case 'timeout':
        timedOut += 1;
        openSince.delete(event.client);
        break;
      default:
        break;
    }
  }
  return {
    chosen,
    noops,
    chosenSpanMs: chosen > 0 ? lastChosen - firstChosen : 0,
    invoked,
    completed,
    timedOut,
    clientSpanMs: completed > 0 ? lastComplete - firstInvoke : 0,
    latencyMsTotal,
  };
}

/** Adds runs' counts and spans, so the rates below pool every seed (total work ÷ total time). */
export function addSteadyStates(states: readonly SteadyState[]): SteadyState {
  const sum = (field: keyof SteadyState): number => states.reduce((total, state) => total + state[field], 0);
  return {
    chosen: sum('chosen'),
    noops: sum('noops'),
    chosenSpanMs: sum('chosenSpanMs'),
    invoked: sum('invoked'),
    completed: sum('completed'),
    timedOut: sum('timedOut'),
    clientSpanMs: sum('clientSpanMs'),
    latencyMsTotal: sum('latencyMsTotal'),
  };
}
