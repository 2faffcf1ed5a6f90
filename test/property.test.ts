import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/run/runner.js';
import { validateScenario } from '../src/scenario/load.js';
import type { Scenario } from '../src/scenario/scenario.js';

const NODE_NAMES = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];

type RawFault = { at: number; op: 'toggle'; node: number } | { at: number; op: 'partition'; split: number[] } | { at: number; op: 'cut'; from: number; to: number } | { at: number; op: 'heal' };

const rawFault = (nodeCount: number): fc.Arbitrary<RawFault> => {
  const at = fc.integer({ min: 0, max: 600 });
  const node = fc.integer({ min: 0, max: nodeCount - 1 });
  return fc.oneof(
    fc.record({ at, op: fc.constant('toggle' as const), node }),
    fc.record({ at, op: fc.constant('partition' as const), split: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: nodeCount, maxLength: nodeCount }) }),
    fc.record({ at, op: fc.constant('cut' as const), from: node, to: node }),
    fc.record({ at, op: fc.constant('heal' as const) }),
  );
};

/** Turns raw draws into a valid fault list: a toggle crashes an up node and restarts a crashed one. */
function materializeFaults(raw: readonly RawFault[], nodes: readonly string[]): Record<string, unknown>[] {
  const crashed = new Set<string>();
  const faults: Record<string, unknown>[] = [];
  for (const fault of [...raw].sort((a, b) => a.at - b.at)) {
    if (fault.op === 'toggle') {
      const node = nodes[fault.node]!;
      faults.push(crashed.has(node) ? { at: fault.at, restart: node } : { at: fault.at, crash: node });
      if (crashed.has(node)) crashed.delete(node);
      else crashed.add(node);
    } else if (fault.op === 'partition') {
      const groups = [0, 1, 2].map((group) => nodes.filter((_, index) => fault.split[index] === group)).filter((group) => group.length > 0);
      faults.push({ at: fault.at, partition: groups });
    } else if (fault.op === 'cut') {
      if (fault.from !== fault.to) faults.push({ at: fault.at, cut: { from: nodes[fault.from]!, to: nodes[fault.to]! } });
    } else {
      faults.push({ at: fault.at, heal: 'all' });
    }
  }
  return faults;
}

const scenarioArbitrary = fc.constantFrom(3, 5, 7).chain((nodeCount) => {
  const nodes = NODE_NAMES.slice(0, nodeCount);
  return fc.record({
    nodes: fc.constant(nodes),
    proposals: fc.array(
      fc.record({ at: fc.integer({ min: 0, max: 400 }), node: fc.constantFrom(...nodes), value: fc.constantFrom('X', 'Y', 'Z') }),
      { minLength: 1, maxLength: 4 },
    ),
    faults: fc.array(rawFault(nodeCount), { maxLength: 12 }),
    drop: fc.constantFrom(0, 0.1, 0.3),
    duplicate: fc.constantFrom(0, 0.1, 0.3),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
  });
});

type ScenarioDraw = typeof scenarioArbitrary extends fc.Arbitrary<infer Draw> ? Draw : never;

function buildScenario(draw: ScenarioDraw): Scenario {
  const raw = {
    name: 'property',
    nodes: draw.nodes,
    network: { delay: { min: 1, max: 20 }, drop: draw.drop, duplicate: draw.duplicate },
    proposals: draw.proposals,
    faults: [...materializeFaults(draw.faults, draw.nodes), { at: 700, heal: 'all' }],
    seed: draw.seed,
    until: 3000,
  };
  const loaded = validateScenario(raw, { file: 'property', lineOf: () => undefined });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.scenario;
}

describe('safety under random fault schedules', () => {
  it('holds on 3, 5 and 7 nodes for any crashes, partitions, cuts, loss and duplication', () => {
    const seenSizes = new Set<number>();
    fc.assert(
      fc.property(scenarioArbitrary, (draw) => {
        const scenario = buildScenario(draw);
        seenSizes.add(scenario.nodes.length);
        const result = runScenario(scenario, { hash: false });
        const safety = result.violations.filter((violation) => violation.checker !== 'liveness');
        expect(safety).toEqual([]);
      }),
      { numRuns: 300, seed: 20261126 },
    );
    expect([...seenSizes].sort()).toEqual([3, 5, 7]);
  });

  // The property is only worth something if the same generator breaks a broken Paxos.
  for (const bug of ['accept-lower', 'small-quorum', 'ignore-accepted'] as const) {
    it(`the same generator finds the break with bug ${bug}`, () => {
      let violations = 0;
      fc.assert(
        fc.property(scenarioArbitrary, (draw) => {
          const result = runScenario(buildScenario(draw), { hash: false, bug });
          if (result.violations.some((violation) => violation.checker !== 'liveness')) violations += 1;
        }),
        { numRuns: 300, seed: 20261126 },
      );
      expect(violations).toBeGreaterThan(0);
    });
  }
});
