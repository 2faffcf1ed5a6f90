import { hasClientNodes, timingBlockOf, type DelaySpec, type Fault, type MultiPaxosTimingSpec, type NemesisFaultKind, type NemesisSpec, type NodeId, type Proposal, type Scenario } from '../scenario/scenario.js';
import { assert } from '../util/assert.js';
import { filterPacked } from '../util/packed-array.js';
import { chance, randomStream, uniformInt, type Random } from './rng.js';

/**
 * The nemesis: a seeded fault-schedule generator. Within a fault window it
 * partitions, cuts, isolates, crashes, pauses, skews clocks and degrades the
 * network, never taking down more than `maxDown` nodes at once; at the end of
 * the window it heals everything, so the quiet tail that follows is where the
 * liveness checker expects a decision.
 *
 * Swarm testing: with `swarm`, each seed first draws its own mix (which kinds,
 * how often each) and intensity, so some seeds are all partitions, some are
 * crash storms, some are heavy loss.
 *
 * The output is plain scenario data (faults and proposals), so a failing seed
 * can be written out and replayed with `paxsim run` alone.
 */
export interface GeneratedSchedule {
  readonly faults: Fault[];
  readonly proposals: Proposal[];
  /** Multi-Paxos: the timing with the clients' drawn think time. */
  readonly multipaxos: MultiPaxosTimingSpec;
  /** Raft: the same. */
  readonly raft: MultiPaxosTimingSpec;
}

interface DownInterval {
  readonly node: NodeId;
  readonly fromMs: number;
  readonly untilMs: number;
}

const MIX_WEIGHTS: Record<NemesisFaultKind, number> = {
  partition: 3,
  isolate: 2,
  cut: 2,
  crash: 3,
  pause: 2,
  drift: 1,
  burst: 2,
};

const WORKLOAD_VALUES = ['X', 'Y', 'Z'];

// The choices the generator draws from, built once rather than per draw (a fuzz seed draws a few dozen of them).
const SWARM_INTENSITIES = [0.25, 0.5, 1, 2, 3];
const SWARM_WEIGHT_FACTORS = [0.5, 1, 2, 4];
const DRIFT_RATES = [0.5, 0.8, 1.25, 2];
const BURST_DROPS = [0.2, 0.4, 0.6, 0.9];
const BURST_DUPLICATES = [0.2, 0.5, 0.9];
const BURST_DELAY_FACTORS = [3, 5, 10];
const SWARM_LATER_COUNTS = [0, 0, 1, 2];
const SWARM_WAVE_COUNTS = [0, 1, 2];
const SWARM_FOLLOW_UP_CHANCES = [0, 0.5, 1];
const SWARM_CLIENT_SPREADS = [0.25, 0.5, 0.75];

export function generateSchedule(scenario: Scenario, nemesis: NemesisSpec, seed: number): GeneratedSchedule {
  const random = randomStream(seed, 'nemesis');
  const faults = generateFaults(scenario, nemesis, random);
  const drawsWorkload = !hasClientNodes(scenario) && scenario.proposals.length === 0;
  const proposals = drawsWorkload ? generateWorkload(scenario, nemesis, faults, seed) : [...scenario.proposals];
  return { faults, proposals, multipaxos: paceClients(scenario, 'multipaxos', nemesis, seed), raft: paceClients(scenario, 'raft', nemesis, seed) };
}

/** The scenario a fuzz seed runs: the nemesis's faults and workload written in, nothing left to generate. */
export function materializeScenario(scenario: Scenario, seed: number): Scenario {
  if (scenario.nemesis === undefined) return { ...scenario, seed };
  const schedule = generateSchedule(scenario, scenario.nemesis, seed);
  return { ...scenario, seed, faults: schedule.faults, proposals: schedule.proposals, multipaxos: schedule.multipaxos, raft: schedule.raft, nemesis: undefined };
}

function generateFaults(scenario: Scenario, nemesis: NemesisSpec, random: Random): Fault[] {
  const weights = drawMix(nemesis, random);
  const intensity = nemesis.swarm ? pick(random, SWARM_INTENSITIES) : 1;
  const windowMs = nemesis.windowMs;
  const meanGapMs = nemesis.faultsPerSecond > 0 ? 1000 / (nemesis.faultsPerSecond * intensity) : Infinity;
  const faults: Fault[] = [];
  const down: DownInterval[] = [];
  const nodes = scenario.nodes;
  let partitioned = false;

  for (let t = exponentialGap(random, meanGapMs); t < windowMs; t += exponentialGap(random, meanGapMs)) {
    const at = Math.floor(t);
    const kind = weightedPick(random, weights);
    const durationMs = Math.max(1, Math.min(windowMs - at, Math.floor(exponentialGap(random, windowMs / 6))));
    switch (kind) {
      case 'partition': {
        faults.push({ at, kind: 'partition', groups: randomSplit(nodes, random) });
        partitioned = true;
        break;
      }
      case 'isolate': {
        const loner = pick(random, nodes);
        faults.push({ at, kind: 'partition', groups: [[loner]] });
        partitioned = true;
        break;
      }
      case 'cut': {
        if (nodes.length < 2) break;
        const from = pick(random, nodes);
        const to = pick(random, without(nodes, from));
        faults.push({ at, kind: 'cut', from, to });
        partitioned = true;
        break;
      }
      case 'crash':
      case 'pause': {
        const node = pickDownable(nodes, down, at, at + durationMs, nemesis.maxDown, random);
        if (node === undefined) break;
        down.push({ node, fromMs: at, untilMs: at + durationMs });
        const [stop, start] = kind === 'crash' ? (['crash', 'restart'] as const) : (['pause', 'resume'] as const);
        faults.push({ at, kind: stop, node }, { at: at + durationMs, kind: start, node });
        break;
      }
      case 'drift': {
        const node = pick(random, nodes);
        faults.push({ at, kind: 'drift', node, rate: pick(random, DRIFT_RATES) }, { at: at + durationMs, kind: 'drift', node, rate: 1 });
        break;
      }
      case 'burst': {
        faults.push(randomBurst(scenario, at, durationMs, random));
        break;
      }
    }
    // Some partitions heal inside the window too, so decisions can happen between faults.
    if (partitioned && chance(random, 0.3)) {
      faults.push({ at: Math.min(windowMs, at + durationMs), kind: 'heal' });
      partitioned = false;
    }
  }
  faults.push({ at: windowMs, kind: 'heal' });
  return sortByTime(faults);
}

/** Stable by time: at equal times the generated order stands (for faults: ends, like restart and heal, before new faults). */
function sortByTime<T extends { readonly at: number }>(items: readonly T[]): T[] {
  // An insertion sort: a schedule is a few dozen items, mostly in order already, where Array.prototype.sort's set-up dominates. Stable: an item moves only past later times.
  const sorted = items.slice();
  for (let index = 1; index < sorted.length; index++) {
    const item = sorted[index]!;
    let position = index;
    while (position > 0 && sorted[position - 1]!.at > item.at) {
      sorted[position] = sorted[position - 1]!;
      position -= 1;
    }
    sorted[position] = item;
  }
  return sorted;
}

/** Kinds in this seed's mix and their weights, as parallel arrays in the order of `nemesis.kinds` (picking walks them once per fault). */
function drawMix(nemesis: NemesisSpec, random: Random): { kinds: NemesisFaultKind[]; weights: number[] } {
  const kinds: NemesisFaultKind[] = [];
  const weights: number[] = [];
  for (const kind of nemesis.kinds) {
    if (!nemesis.swarm) {
      kinds.push(kind);
      weights.push(MIX_WEIGHTS[kind]);
      continue;
    }
    // Each kind is in this seed's mix with probability one half, at a random weight.
    if (chance(random, 0.5)) {
      kinds.push(kind);
      weights.push(MIX_WEIGHTS[kind] * pick(random, SWARM_WEIGHT_FACTORS));
    }
  }
  if (kinds.length === 0) {
    kinds.push(pick(random, nemesis.kinds));
    weights.push(1);
  }
  return { kinds, weights };
}

/**
 * The clients. Real clients arrive at any time, retry at any node (one that
 * just restarted included) and ask for values other clients ask for too, so:
 *
 * - an opening: two or three proposers with distinct values within one
 *   round trip of each other, so ballots compete in most seeds; later waves
 *   like it anywhere in the window (clients timing out and retrying at once);
 * - single requests drawn throughout the window, each at any proposer with a value
 *   from a small shared pool (values collide across nodes, and one node is
 *   asked for different values over time);
 * - follow-ups: a request at a proposer soon after it restarted (its crash
 *   wiped the value it had been asked for);
 * - one retry just after the window, so the quiet tail always has a live proposer.
 *
 * With swarm testing the seed also draws how busy its clients are. Drawn on
 * its own stream: the workload never shifts the fault schedule.
 */
function generateWorkload(scenario: Scenario, nemesis: NemesisSpec, faults: readonly Fault[], seed: number): Proposal[] {
  const proposers = scenario.roles.proposers;
  if (proposers.length === 0) return [];
  const random = randomStream(seed, 'nemesis-workload');
  const windowMs = nemesis.windowMs;
  const roundTripMs = 2 * Math.max(1, scenario.network.delay.max);
  const laterCount = nemesis.swarm ? pick(random, SWARM_LATER_COUNTS) : 1;
  const waveCount = nemesis.swarm ? pick(random, SWARM_WAVE_COUNTS) : 1;
  const followUpChance = nemesis.swarm ? pick(random, SWARM_FOLLOW_UP_CHANCES) : 0.5;
  const requests: Proposal[] = [];
  const anyValue = () => pick(random, WORKLOAD_VALUES);

  // The opening, and later waves of clients retrying at once: two or three proposers with distinct values within one round trip.
  const wave = (atMs: number) => {
    const candidates = [...proposers];
    const values = [...WORKLOAD_VALUES];
    const count = Math.min(candidates.length, chance(random, 0.5) ? 2 : 3);
    for (let index = 0; index < count; index++) {
      const node = candidates.splice(uniformInt(random, 0, candidates.length - 1), 1)[0]!;
      const value = values.splice(uniformInt(random, 0, values.length - 1), 1)[0]!;
      requests.push({ at: Math.min(windowMs, atMs + uniformInt(random, 0, roundTripMs)), node, value });
    }
  };
  wave(uniformInt(random, 0, Math.floor(windowMs / 4)));
  for (let index = 0; index < waveCount; index++) wave(uniformInt(random, 0, windowMs - 1));
  for (let index = 0; index < laterCount; index++) {
    requests.push({ at: uniformInt(random, 0, Math.max(0, windowMs - 1)), node: pick(random, proposers), value: anyValue() });
  }
  for (const fault of faults) {
    if (fault.kind !== 'restart' || !proposers.includes(fault.node) || !chance(random, followUpChance)) continue;
    requests.push({ at: Math.min(windowMs, fault.at + uniformInt(random, 1, roundTripMs)), node: fault.node, value: anyValue() });
  }
  requests.push({ at: windowMs + 1, node: pick(random, proposers), value: anyValue() });
  return sortByTime(requests);
}

/**
 * Multi-Paxos clients bring their own operations, but closed-loop clients
 * without pauses finish them all early in the window, while the nemesis is
 * only getting started. Unless the scenario sets `thinkMs`, the nemesis draws
 * a think time that spreads each client's operations over a quarter to three
 * quarters of the window (half without swarm), plus the time operations take,
 * so operations keep arriving through partitions, leader changes and
 * restarts, and the last ones still leave room for their liveness deadline.
 */
function paceClients(scenario: Scenario, protocol: 'multipaxos' | 'raft', nemesis: NemesisSpec, seed: number): MultiPaxosTimingSpec {
  const timing = scenario[protocol];
  if (!hasClientNodes(scenario) || timingBlockOf(scenario.protocol) !== protocol || timing.thinkMs !== undefined) return timing;
  const mostOps = Math.max(0, ...scenario.clients.map((client) => client.ops?.length ?? client.count ?? 0));
  if (mostOps === 0) return timing;
  const random = randomStream(seed, 'nemesis-workload');
  const spread = nemesis.swarm ? pick(random, SWARM_CLIENT_SPREADS) : 0.5;
  // A think time drawn from [0, thinkMs] averages thinkMs / 2.
  return { ...timing, thinkMs: Math.floor((2 * nemesis.windowMs * spread) / mostOps) };
}

function randomBurst(scenario: Scenario, at: number, forMs: number, random: Random): Fault {
  const burst: { at: number; kind: 'burst'; forMs: number; drop?: number; duplicate?: number; delay?: DelaySpec } = { at, kind: 'burst', forMs };
  if (chance(random, 0.6)) burst.drop = pick(random, BURST_DROPS);
  if (chance(random, 0.5)) burst.duplicate = pick(random, BURST_DUPLICATES);
  if (chance(random, 0.4) || (burst.drop === undefined && burst.duplicate === undefined)) {
    const base = scenario.network.delay;
    const maxMs = Math.max(base.max, 1) * pick(random, BURST_DELAY_FACTORS);
    burst.delay = { distribution: 'uniform', min: base.min, max: maxMs };
  }
  return burst;
}

/** A node that may go down over [fromMs, untilMs) without exceeding maxDown at any moment. */
function pickDownable(nodes: readonly NodeId[], down: readonly DownInterval[], fromMs: number, untilMs: number, maxDown: number, random: Random): NodeId | undefined {
  // Both packed in every tier: with `filter`, this function deopted on its own results once optimized (see util/packed-array.ts).
  const overlapping = filterPacked(down, (interval) => interval.fromMs < untilMs && fromMs < interval.untilMs);
  // Intervals are generated in start order, so the peak overlap with this new one is at some start inside it.
  let peak = downAt(overlapping, fromMs);
  for (const interval of overlapping) if (interval.fromMs >= fromMs) peak = Math.max(peak, downAt(overlapping, interval.fromMs));
  if (peak >= maxDown) return undefined;
  const candidates = filterPacked(nodes, (node) => !overlapping.some((interval) => interval.node === node));
  return candidates.length === 0 ? undefined : pick(random, candidates);
}

/** How many of the intervals cover the moment `atMs`. */
function downAt(intervals: readonly DownInterval[], atMs: number): number {
  let count = 0;
  for (const interval of intervals) if (interval.fromMs <= atMs && atMs < interval.untilMs) count += 1;
  return count;
}

function without(nodes: readonly NodeId[], excluded: NodeId): NodeId[] {
  const rest: NodeId[] = [];
  for (const node of nodes) if (node !== excluded) rest.push(node);
  return rest;
}

function randomSplit(nodes: readonly NodeId[], random: Random): NodeId[][] {
  const groupCount = chance(random, 0.7) ? 2 : 3;
  const groups: NodeId[][] = groupCount === 2 ? [[], []] : [[], [], []];
  for (const node of nodes) groups[uniformInt(random, 0, groupCount - 1)]!.push(node);
  return groups.filter((group) => group.length > 0);
}

function exponentialGap(random: Random, meanMs: number): number {
  if (!Number.isFinite(meanMs)) return Infinity;
  return -meanMs * Math.log(1 - random());
}

function weightedPick<K>(random: Random, choices: { readonly kinds: readonly K[]; readonly weights: readonly number[] }): K {
  const { kinds, weights } = choices;
  let total = 0;
  for (const weight of weights) total += weight;
  let draw = random() * total;
  for (let index = 0; index < kinds.length; index++) {
    draw -= weights[index]!;
    if (draw < 0) return kinds[index]!;
  }
  const last = kinds[kinds.length - 1];
  assert(last !== undefined, 'weightedPick needs at least one weight');
  return last;
}

function pick<T>(random: Random, items: readonly T[]): T {
  assert(items.length > 0, 'pick from an empty list');
  return items[uniformInt(random, 0, items.length - 1)]!;
}
