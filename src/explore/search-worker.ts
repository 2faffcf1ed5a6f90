import { parentPort, workerData } from 'node:worker_threads';
import type { ProtocolBug } from '../run/protocol.js';
import { ensureProtocolLoaded } from '../run/protocol-loader.js';
import type { Scenario } from '../scenario/scenario.js';
import { assert } from '../util/assert.js';
import { FingerprintSet } from './fingerprint-set.js';
import type { ExploreLimits } from './model.js';
import { Expander, initialTrail, type Successor, type Trail } from './search.js';
import { exploreModelFor } from './setup.js';

/** What a worker of a parallel search builds its own model from (the coordinator's model, rebuilt). */
export interface SearchWorkerSetup {
  readonly kind: 'explore-search';
  readonly scenario: Scenario;
  readonly bug: ProtocolBug | undefined;
  readonly limits: ExploreLimits;
  readonly symmetry: boolean;
  readonly maxDepth: number | undefined;
}

/** One level: which of the worker's candidates of the last level it keeps, and every new fingerprint of that level. */
export interface LevelRequest {
  /** Per candidate of the last level, its rank in the level's order (BFS discovery order) if this worker keeps it, else -1; null before the first level. */
  readonly ranks: Int32Array | null;
  /** The fingerprints of every state new at the last level, whichever worker found it. */
  readonly newFingerprints: Float64Array;
}

/** What a worker found expanding its share of a level: counts, and its candidates for the next level. */
export interface LevelReply {
  readonly transitions: number;
  readonly terminalStates: number;
  readonly cutByDepth: boolean;
  /** A violation was found (the coordinator re-derives it single-threaded). */
  readonly violation: boolean;
  /** Candidates in the order found: fingerprint and discovery key (parent's rank × 2^20 + action index). */
  readonly fingerprints: Float64Array;
  readonly keys: Float64Array;
}

/** A level that threw (a user protocol's fault, or paxsim's). */
export interface WorkerFailure {
  readonly failure: { readonly name: string; readonly message: string };
}

/** Actions per state a discovery key can tell apart. */
export const ACTIONS_PER_KEY = 0x100000;

/**
 * One worker's part of a level-synchronous breadth-first search: it holds
 * the states it was given (with their trails: a state's whole path was
 * expanded here, so its history is here), expands them in rank order, and
 * offers each successor not seen at an earlier level as a candidate. The
 * coordinator keeps, for each fingerprint, the candidate found first in
 * single-threaded BFS order (least parent rank, then action), so the states
 * kept, their paths and histories are those `--workers 1` keeps.
 */
export class LevelWorker {
  private readonly expander: Expander;
  private readonly visited = new FingerprintSet();
  private frontier: Trail[];
  private frontierRanks: number[] = [0];
  private candidates: (Trail | null)[] = [];
  private candidateBound: Successor['atBound'][] = [];
  private candidateFingerprints: number[] = [];
  private candidateKeys: number[] = [];

  constructor(setup: SearchWorkerSetup) {
    const { model, newChecks } = exploreModelFor(setup.scenario, setup.bug, setup.limits, { symmetry: setup.symmetry });
    this.expander = new Expander(model, { strategy: 'bfs', maxDepth: setup.maxDepth, newChecks }, this.visited);
    this.frontier = [initialTrail(model, this.visited)];
  }

  level(request: LevelRequest): LevelReply {
    const expander = this.expander;
    const before = { transitions: expander.transitions, terminalStates: expander.terminalStates };
    expander.cutByDepth = false;
    const terminalAtBound = request.ranks === null ? [] : this.adopt(request.ranks);
    for (const fingerprint of request.newFingerprints) this.visited.add(fingerprint);
    const reply = (violation: boolean): LevelReply => ({
      transitions: expander.transitions - before.transitions,
      terminalStates: expander.terminalStates - before.terminalStates,
      cutByDepth: expander.cutByDepth,
      violation,
      fingerprints: Float64Array.from(this.candidateFingerprints),
      keys: Float64Array.from(this.candidateKeys),
    });
    for (const trail of terminalAtBound) if (expander.judgeTerminal(trail)) return reply(true);
    let parentRank = 0;
    const keep = (successor: Successor): void => {
      assert(successor.actionIndex < ACTIONS_PER_KEY, 'explore --workers: more actions in one state than a discovery key holds');
      // A state at the depth bound with actions left only cuts the search: it needs no trail.
      this.candidates.push(successor.atBound === 'cut' ? null : successor.trail());
      this.candidateBound.push(successor.atBound);
      this.candidateFingerprints.push(successor.fingerprint);
      this.candidateKeys.push(parentRank * ACTIONS_PER_KEY + successor.actionIndex);
    };
    const frontier = this.frontier;
    this.frontier = [];
    for (let index = 0; index < frontier.length; index++) {
      const trail = frontier[index]!;
      const state = trail.state!;
      trail.state = null;
      parentRank = this.frontierRanks[index]!;
      if (expander.expand(trail, state, keep)) return reply(true);
    }
    return reply(false);
  }

  /** The last level's candidates this worker keeps, in rank order (they were found in it); the terminal ones at the depth bound returned for judging. */
  private adopt(ranks: Int32Array): Trail[] {
    assert(ranks.length === this.candidates.length, 'explore --workers: decisions for another level');
    const terminalAtBound: Trail[] = [];
    this.frontier = [];
    this.frontierRanks = [];
    for (let index = 0; index < ranks.length; index++) {
      const rank = ranks[index]!;
      if (rank < 0) continue;
      const bound = this.candidateBound[index];
      if (bound === null) {
        this.frontier.push(this.candidates[index]!);
        this.frontierRanks.push(rank);
      } else if (bound === 'terminal') terminalAtBound.push(this.candidates[index]!);
      else this.expander.cutByDepth = true;
    }
    this.candidates = [];
    this.candidateBound = [];
    this.candidateFingerprints = [];
    this.candidateKeys = [];
    return terminalAtBound;
  }
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && (workerData as { kind?: unknown }).kind === 'explore-search') {
  const setup = workerData as SearchWorkerSetup;
  // A worker starts with the built-in protocols only: load a user protocol the scenario names.
  ensureProtocolLoaded(setup.scenario);
  const worker = new LevelWorker(setup);
  const port = parentPort;
  port.on('message', (request: LevelRequest) => {
    let reply: LevelReply | WorkerFailure;
    try {
      reply = worker.level(request);
    } catch (error) {
      // Sent as a name and a message: a user protocol's ProtocolError stays one (one line, exit 2) across the thread boundary.
      reply = { failure: { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) } };
    }
    port.postMessage(reply);
  });
}
