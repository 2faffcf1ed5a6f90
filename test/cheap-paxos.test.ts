import { describe, expect, it } from 'vitest';
import { CheapPaxosChecks } from '../src/check/cheap-paxos-checks.js';
import type { CheapPaxosSummary } from '../src/check/cheap-paxos-checks.js';
import { configurationAt, isQuorumOf, isValidConfiguration } from '../src/protocols/cheap-paxos/config.js';
import { runScenario } from '../src/run/runner.js';
import type { AnyTraceEvent } from '../src/sim/events.js';
import { shippedScenario } from './helpers/scenario.js';

/** Cheap Paxos end to end: the shipped scenarios, the planted bugs, and the configuration rules. */

type Loose = Record<string, unknown> & { type: string; t: number };

function events(name: string, seed: number, bug?: string): Loose[] {
  const result = runScenario(shippedScenario(name), { seed, record: true, ...(bug ? { bug } : {}) });
  return result.events as unknown as Loose[];
}

describe('configurations', () => {
  const initial = { main: ['A', 'B', 'C'], auxiliary: ['D', 'E'] };
  const reduced = { main: ['A', 'B'], auxiliary: ['D', 'E'] };

  it('all mains are a quorum, and so is any majority of mains and auxiliaries', () => {
    expect(isQuorumOf(initial, ['A', 'B', 'C'])).toBe(true);
    expect(isQuorumOf(initial, ['A', 'B', 'D'])).toBe(true);
    expect(isQuorumOf(initial, ['A', 'B'])).toBe(false);
    expect(isQuorumOf(initial, ['A', 'D', 'E'])).toBe(true);
    expect(isQuorumOf(reduced, ['A', 'B'])).toBe(true);
    expect(isQuorumOf(reduced, ['A', 'D'])).toBe(false);
    expect(isQuorumOf(reduced, ['A', 'D', 'E'])).toBe(true);
  });

  it('a main may be removed only while the auxiliaries alone are no majority', () => {
    expect(isValidConfiguration(reduced)).toBe(true);
    expect(isValidConfiguration({ main: ['A'], auxiliary: ['D', 'E'] })).toBe(false);
    expect(isValidConfiguration({ main: ['A'], auxiliary: ['B'] })).toBe(true);
  });

  it('the configuration chosen at slot i governs slots from i + α on', () => {
    const history = [
      { slot: -1, ...initial },
      { slot: 4, ...reduced },
    ];
    expect(configurationAt(history, 6, 3).main).toEqual(['A', 'B', 'C']);
    expect(configurationAt(history, 7, 3).main).toEqual(['A', 'B']);
    expect(configurationAt(history, 4, null).main).toEqual(['A', 'B']);
  });
});

describe('cheap-steady', () => {
  it('no message reaches an auxiliary, every slot is chosen by the three mains, and the run passes', () => {
    const result = runScenario(shippedScenario('cheap-steady'), { record: true });
    expect(result.expectation.met).toBe(true);
    const trace = result.events as unknown as Loose[];
    expect(trace.filter((event) => (event.type === 'deliver' || event.type === 'send') && (event['to'] === 'D' || event['to'] === 'E'))).toEqual([]);
    expect(trace.some((event) => event['node'] === 'D' || event['node'] === 'E')).toBe(false);
    const summary = result.multipaxos as CheapPaxosSummary;
    expect(summary.slotsChosen).toBe(60);
    expect(summary.auxiliaryMessages).toBe(0);
    expect(result.checkers.map((report) => report.name)).toContain('auxiliaries-idle');
  });
});

describe('cheap-main-crash', () => {
  const trace = events('cheap-main-crash', 1);
  const configs = trace.filter((event) => event.type === 'config' && event['node'] === 'A');

  it('removes the crashed main with the auxiliaries, then adds it back once it answers', () => {
    expect(configs.map((event) => event['main'])).toEqual([
      ['A', 'B'],
      ['A', 'B', 'C'],
    ]);
    const crash = trace.find((event) => event.type === 'crash')!.t;
    const restart = trace.find((event) => event.type === 'restart')!.t;
    expect(configs[0]!.t).toBeGreaterThan(crash);
    expect(configs[0]!.t).toBeLessThan(restart);
    expect(configs[1]!.t).toBeGreaterThan(restart);
  });

  it('auxiliaries discard their state once every main holds it, and hear nothing after', () => {
    const discards = trace.filter((event) => event.type === 'discard');
    expect(discards.map((event) => event['node']).sort()).toEqual(['D', 'E']);
    const lastDiscard = Math.max(...discards.map((event) => event.t));
    const toAuxiliaryAfter = trace.filter((event) => event.type === 'deliver' && (event['to'] === 'D' || event['to'] === 'E') && event.t > lastDiscard);
    expect(toAuxiliaryAfter).toEqual([]);
  });

  it('passes its expect block, and is deterministic', () => {
    const first = runScenario(shippedScenario('cheap-main-crash'), { seed: 3 });
    const second = runScenario(shippedScenario('cheap-main-crash'), { seed: 3 });
    expect(first.expectation.met).toBe(true);
    expect(first.traceHash).toBe(second.traceHash);
  });
});

describe('regressions found by fuzzing', () => {
  it('cheap-nemesis seed 839: a leader whose log grew while it extended Phase 1 does not re-propose slots it has applied', () => {
    // Before the fix C, elected with a quorum of the old configuration, applied slots 57 and 58 from commits,
    // then on a late promise "recovered" them as no-ops, and a second command was chosen at slot 58.
    const result = runScenario(shippedScenario('cheap-nemesis'), { seed: 839 });
    expect(result.violations).toEqual([]);
    expect(result.expectation.met).toBe(true);
  });
});

describe('planted bugs', () => {
  it.each([
    ['no-alpha', /accepted at slot \d+ while slot \d+ was not chosen/],
    ['aux-forgets-early', /auxiliary [DE] discarded slot \d+ .*before it was chosen/],
  ])('%s is caught by configuration-safety within a few nemesis seeds, and the correct protocol holds on the same seeds', (bug, message) => {
    const scenario = shippedScenario('cheap-nemesis');
    let found: string | null = null;
    for (let seed = 1; seed <= 20 && found === null; seed++) {
      const result = runScenario(scenario, { seed, bug });
      const violation = result.violations.find((entry) => entry.checker === 'configuration-safety');
      if (violation) {
        found = violation.message;
        expect(runScenario(scenario, { seed }).violations).toEqual([]);
      }
    }
    expect(found).toMatch(message);
  });
});

describe('configuration-safety on hand-written traces', () => {
  const checks = (alpha = 1, auxiliaries?: { maxMessages?: number; idleAfterMs?: number }) =>
    new CheapPaxosChecks({ mains: ['A', 'B', 'C'], auxiliaries: ['D', 'E'], clients: [], alpha, auxiliaryExpectation: auxiliaries }, undefined);
  const cmd = (id: number) => ({ client: 'K', requestId: id, op: { kind: 'put', key: 'x', value: `v${id}` } });
  const reconfig = { noop: true, configuration: { main: ['A', 'B'], auxiliary: ['D', 'E'] } };
  const accept = (t: number, node: string, slot: number, command: unknown): AnyTraceEvent => ({ t, type: 'accept', node, slot, ballot: [1, 'A'], command }) as unknown as AnyTraceEvent;
  const feed = (check: CheapPaxosChecks, trace: AnyTraceEvent[]) => {
    const derived: AnyTraceEvent[] = [];
    trace.forEach((event, index) => {
      const result = check.observe(event, index);
      if (result.derived) derived.push(result.derived);
    });
    check.finish(100, trace.length);
    return { violations: check.violations, derived };
  };

  it('after a reconfiguration is in effect, the two remaining mains choose a slot', () => {
    const check = checks(1);
    const { violations, derived } = feed(check, [
      ...['A', 'B', 'D'].map((node, index) => accept(1 + index, node, 0, reconfig)),
      accept(5, 'A', 1, cmd(1)),
      accept(6, 'B', 1, cmd(1)),
      { t: 7, type: 'learn', node: 'A', slot: 1, command: cmd(1) } as unknown as AnyTraceEvent,
      { t: 8, type: 'config', node: 'A', slot: 0, main: ['A', 'B'], auxiliary: ['D', 'E'] } as unknown as AnyTraceEvent,
    ]);
    expect(violations).toEqual([]);
    expect(derived.map((event) => (event as unknown as { slot: number }).slot)).toEqual([0, 1]);
  });

  it('two mains are no quorum while the old configuration still governs the slot (α = 2)', () => {
    const { violations } = feed(checks(2), [
      ...['A', 'B', 'D'].map((node, index) => accept(1 + index, node, 0, reconfig)),
      accept(5, 'A', 1, cmd(1)),
      accept(6, 'B', 1, cmd(1)),
      { t: 7, type: 'learn', node: 'A', slot: 1, command: cmd(1) } as unknown as AnyTraceEvent,
    ]);
    expect(violations.map((violation) => [violation.checker, violation.message])).toEqual([
      ['configuration-safety', 'A learned slot 1, which no quorum of its configuration (main A,B,C aux D,E) accepted'],
    ]);
  });

  it('a slot accepted before the slot α before it is chosen is flagged', () => {
    const { violations } = feed(checks(2), [accept(1, 'A', 2, cmd(1))]);
    expect(violations[0]?.message).toBe('A accepted at slot 2 while slot 0 was not chosen: the configuration for slot 2 (chosen at or before slot 0, α=2) was not yet fixed');
  });

  it('an auxiliary that discards an unchosen slot is flagged; one that discards a chosen slot is not', () => {
    const early = feed(checks(1), [accept(1, 'D', 0, cmd(1)), { t: 2, type: 'discard', node: 'D', uptoSlot: 1 } as unknown as AnyTraceEvent]);
    expect(early.violations[0]?.message).toBe('auxiliary D discarded slot 0 (up to 1) before it was chosen');
    const late = feed(checks(1), [
      ...['A', 'B', 'D'].map((node, index) => accept(1 + index, node, 0, cmd(1))),
      { t: 9, type: 'discard', node: 'D', uptoSlot: 1 } as unknown as AnyTraceEvent,
    ]);
    expect(late.violations).toEqual([]);
  });

  it('a replica taking up a configuration that was not chosen is flagged', () => {
    const { violations } = feed(checks(1), [{ t: 1, type: 'config', node: 'B', slot: 0, main: ['A', 'C'], auxiliary: ['D', 'E'] } as unknown as AnyTraceEvent]);
    expect(violations[0]?.message).toBe('B took up main A,C aux D,E from slot 0, where no reconfiguration was chosen');
  });

  it('auxiliaries-idle counts deliveries to auxiliaries against expect.auxiliaries', () => {
    const deliver = (t: number, to: string): AnyTraceEvent => ({ t, type: 'deliver', from: 'A', to, id: t, msg: { type: 'prepare' } }) as unknown as AnyTraceEvent;
    const bounded = feed(checks(1, { maxMessages: 1 }), [deliver(1, 'D'), deliver(2, 'B'), deliver(3, 'E')]);
    expect(bounded.violations.map((violation) => violation.message)).toEqual(['2 messages reached auxiliaries (this one E at t=3); expect.auxiliaries.maxMessages is 1']);
    const idle = feed(checks(1, { idleAfterMs: 10 }), [deliver(5, 'D'), deliver(11, 'E')]);
    expect(idle.violations.map((violation) => violation.message)).toEqual(['a message reached auxiliary E at t=11, after expect.auxiliaries.idleAfter (10)']);
    expect(feed(checks(1), [deliver(5, 'D')]).violations).toEqual([]);
  });
});

describe('tools on Cheap Paxos runs', () => {
  it('run --json reports the auxiliaries and reconfigurations; paxsim check judges the written trace the same way', async () => {
    const { runCli } = await import('./helpers/cli.js');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paxsim-cheap-tools-'));
    try {
      const trace = path.join(dir, 'run.jsonl');
      const ran = await runCli(['run', 'scenarios/cheap-main-crash.yaml', '--json', '--trace', trace]);
      expect(ran.code).toBe(0);
      const json = JSON.parse(ran.stdout) as { protocol: string; auxiliaryMessages: number; configurations: { slot: number; main: string[] }[] };
      expect(json.protocol).toBe('cheap-paxos');
      expect(json.auxiliaryMessages).toBeGreaterThan(0);
      expect(json.configurations.map((entry) => entry.main)).toEqual([
        ['A', 'B'],
        ['A', 'B', 'C'],
      ]);
      // Before the reader kept a reconfiguration's `configuration`, check found "no reconfiguration was chosen" here.
      const checked = await runCli(['check', trace, '--json']);
      expect(checked.code).toBe(0);
      expect((JSON.parse(checked.stdout) as { violations: unknown[] }).violations).toEqual([]);
      const buggy = path.join(dir, 'bug.jsonl');
      await runCli(['run', 'scenarios/cheap-nemesis.yaml', '--bug', 'aux-forgets-early', '--trace', buggy, '--quiet']);
      const caught = await runCli(['check', buggy, '--json']);
      expect(caught.code).toBe(1);
      expect((JSON.parse(caught.stdout) as { violations: { checker: string }[] }).violations.map((violation) => violation.checker)).toContain('configuration-safety');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replay --type config,discard shows the reconfigurations and discards (words of the Cheap Paxos vocabulary)', async () => {
    const { runCli } = await import('./helpers/cli.js');
    const outcome = await runCli(['replay', 'scenarios/cheap-main-crash.yaml', '--type', 'config,discard', '--no-color']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('A         ● configuration from slot 25: main A,B aux D,E');
    expect(outcome.stdout).toMatch(/D {9}● discarded accepted state below slot \d+/);
  });
});

describe('aux-no-phase1', () => {
  // cheap-nemesis seed 1 is the first seed `paxsim fuzz --bug aux-no-phase1 --from 1` fails at.
  const seed = 1;
  const prepareToAuxiliary = (event: Loose): boolean =>
    event.type === 'deliver' && (event['to'] === 'D' || event['to'] === 'E') && (event['msg'] as { type: string }).type === 'prepare';

  it('a leader that skips Phase 1 with the auxiliaries chooses a second command in a slot an earlier leader chose', () => {
    const result = runScenario(shippedScenario('cheap-nemesis'), { seed, bug: 'aux-no-phase1' });
    const agreement = result.violations.find((entry) => entry.checker === 'slot-agreement');
    expect(agreement?.message).toMatch(/^slot \d+: .* chosen in \(2,C\) after .* was chosen in \(1,A\)/);
    // The bug's mechanism: auxiliaries worked (accepted) but were never asked to promise.
    const trace = events('cheap-nemesis', seed, 'aux-no-phase1');
    expect(trace.some((event) => event.type === 'accept' && (event['node'] === 'D' || event['node'] === 'E'))).toBe(true);
    expect(trace.filter(prepareToAuxiliary)).toEqual([]);
  });

  it('the correct protocol holds on the same seed, running Phase 1 with the auxiliaries', () => {
    const result = runScenario(shippedScenario('cheap-nemesis'), { seed });
    expect(result.violations).toEqual([]);
    expect(result.expectation.met).toBe(true);
    expect(events('cheap-nemesis', seed).some(prepareToAuxiliary)).toBe(true);
  });
});
