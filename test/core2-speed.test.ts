import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ClusterView } from '../src/check/cluster-view.js';
import { DEFAULT_PAXOS_TIMING, type PaxosConfig } from '../src/protocols/paxos/config.js';
import { Learner } from '../src/protocols/paxos/learner.js';
import type { PaxosRole } from '../src/protocols/paxos/role.js';
import { INITIAL_DURABLE, type PaxosDurable } from '../src/protocols/paxos/state.js';
import { runScenario } from '../src/run/runner.js';
import { aleaFromState, randomStream } from '../src/sim/rng.js';
import { shippedScenario } from './helpers/scenario.js';

/**
 * Issue 9, second round on the untraced path: each shortcut must give what
 * the plain version gave; these tests pin what they could get wrong.
 */

describe('untraced fuzz-default runs', () => {
  it('give the totals, verdicts and facts they gave before this round (seeds 1–150, with and without planted bugs, pinned)', () => {
    const scenario = shippedScenario('fuzz-default');
    const digests = [undefined, 'same-ballot', 'count-duplicates', 'forget-promise'].map((bug) => {
      const hash = createHash('sha256');
      for (let seed = 1; seed <= 150; seed++) {
        const run = runScenario(scenario, { hash: false, seed, bug });
        hash.update(JSON.stringify([run.eventCount, run.outcome.processedEvents, run.outcome.traffic, run.chosen, run.learned, run.violations, run.checkers.map((checker) => checker.detail)]));
      }
      return hash.digest('hex');
    });
    // Computed with the code before this round.
    expect(digests).toEqual([
      '7e074a395abbec0d8544264bd210a8b148ec123ad0428d21e3f68130ddca796b',
      '4d2b40baa81f9cd28eb7d98f39b97bfbd41fca49b6f4e89052a1f79ea11ac208',
      '0a82937a5ae290f69a7e40fd4c04aa30c25332892ef214ce3adc641728b5ea50',
      '2c0fed17a4a1934d20bc3960a8785754fed645d1a693ab08b735483a868d22cd',
    ]);
  });
});

describe('stream seeding with the seed prefix hashed once', () => {
  it('gives every stream the state the whole key `${seed}/${name}` gave, whatever order seeds come in', () => {
    const seeds = [1, 2, 1, -7, 0, 9_007_199_254_740_991, 2, 123_456];
    const names = ['nemesis', 'node/A', 'network/from/E', ''];
    for (const seed of seeds) {
      for (const name of names) {
        const ours = randomStream(seed, name);
        const reference = wholeKeyStream(seed, name);
        for (let draw = 0; draw < 5; draw++) expect(ours()).toBe(reference());
      }
    }
  });

  it('still refuses a seed that is not a safe integer, even right after a valid one', () => {
    randomStream(5, 'nemesis');
    expect(() => randomStream(1.5, 'nemesis')).toThrow(/seed must be a safe integer/);
    expect(() => randomStream(Number.NaN, 'nemesis')).toThrow(/seed must be a safe integer/);
  });
});

describe('learner catch-up', () => {
  it('asks the same catch-up peers at every attempt: acceptors, then other learners that are not acceptors', () => {
    const role = fakeRole({ learners: ['A', 'D', 'E'] });
    const learner = new Learner(role, () => {});
    learner.onCatchupTimer();
    learner.onCatchupTimer();
    expect(role.sent).toEqual([...['A', 'B', 'C', 'D', 'E'], ...['A', 'B', 'C', 'D', 'E']]);
  });
});

describe('connected components by position', () => {
  it('group up nodes that reach each other both ways, in node order, leaving down nodes out', () => {
    const view = new ClusterView(['A', 'B', 'C', 'D', 'E']);
    expect(view.connectedComponents()).toEqual([['A', 'B', 'C', 'D', 'E']]);
    view.track({ t: 1, type: 'partition', groups: [['B', 'D'], ['A', 'C', 'E']] });
    expect(view.connectedComponents()).toEqual([['A', 'C', 'E'], ['B', 'D']]);
    view.track({ t: 2, type: 'crash', node: 'C' });
    view.track({ t: 3, type: 'cut', from: 'E', to: 'A' });
    // A cut one way separates the pair: components need both ways.
    expect(view.connectedComponents()).toEqual([['A'], ['B', 'D'], ['E']]);
    view.track({ t: 4, type: 'heal' });
    expect(view.connectedComponents()).toEqual([['A', 'B', 'D', 'E']]);
  });
});

/** The stream seeding before this round: the whole key hashed in one pass. */
function wholeKeyStream(seed: number, name: string): () => number {
  const key = `${seed}/${name}`;
  const hashes = [0x9e3779b9, 0x85ebca6b, 0xc2b2ae35];
  for (let index = 0; index < key.length; index++) {
    const code = key.charCodeAt(index);
    for (let salt = 0; salt < 3; salt++) {
      const mixed = Math.imul((hashes[salt]! >>> 0) ^ code, 0x5bd1e995);
      hashes[salt] = mixed ^ (mixed >>> 15);
    }
  }
  const finish = (hash: number) => {
    let mixed = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
    mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35);
    mixed ^= mixed >>> 16;
    return (mixed >>> 0) / 4294967296;
  };
  return aleaFromState(1, finish(hashes[0]!), finish(hashes[1]!), finish(hashes[2]!));
}

/** A Paxos role over three acceptors that records where catch-ups go and keeps its durable record in memory. */
function fakeRole(overrides: Partial<PaxosConfig> = {}): PaxosRole & { sent: string[] } {
  const config: PaxosConfig = { proposers: ['A'], acceptors: ['A', 'B', 'C'], learners: ['A'], timing: DEFAULT_PAXOS_TIMING, bugs: new Set(), ...overrides };
  let durable: PaxosDurable = INITIAL_DURABLE;
  const sent: string[] = [];
  return {
    nodeId: 'A',
    config,
    quorum: 2,
    sent,
    durable: () => durable,
    updateDurable: (change) => {
      durable = { ...durable, ...change };
    },
    send: (to) => {
      sent.push(to);
    },
    observe: () => {},
    setTimer: () => {},
    cancelTimer: () => {},
    random: () => 0.5,
  };
}
