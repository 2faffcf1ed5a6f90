import { describe, expect, it } from 'vitest';
import { runScenario, traceLines } from '../src/run/runner.js';
import { shippedScenario } from './helpers/scenario.js';

describe('determinism', () => {
  it('the same scenario and seed give a byte-identical trace and the same hash', () => {
    for (const name of ['seed-example', 'lossy-network', 'acceptor-crash-recovery', 'majority-partition-heal']) {
      const scenario = shippedScenario(name);
      const first = runScenario(scenario, { seed: 7, record: true });
      const second = runScenario(scenario, { seed: 7, record: true });
      expect(traceLines(second).join('\n')).toBe(traceLines(first).join('\n'));
      expect(second.traceHash).toBe(first.traceHash);
      expect(first.traceHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('different seeds on lossy-network give different traces', () => {
    const scenario = shippedScenario('lossy-network');
    const hashes = new Set(Array.from({ length: 10 }, (_, seed) => runScenario(scenario, { seed }).traceHash));
    expect(hashes.size).toBe(10);
  });

  it('recording does not change the run: the hash is the same with and without keeping events', () => {
    const scenario = shippedScenario('lossy-network');
    expect(runScenario(scenario, { seed: 3, record: true }).traceHash).toBe(runScenario(scenario, { seed: 3 }).traceHash);
  });

  it('the trace hash covers the exact bytes of the trace', async () => {
    const { createHash } = await import('node:crypto');
    const result = runScenario(shippedScenario('dueling-proposers'), { seed: 2, record: true });
    const bytes = traceLines(result).map((line) => line + '\n').join('');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(result.traceHash);
  });

  it('every event has an integer time that never decreases, and message ids are unique per send', () => {
    const result = runScenario(shippedScenario('lossy-network'), { seed: 5, record: true });
    let previous = 0;
    const sent = new Set<number>();
    for (const event of result.events!) {
      expect(Number.isInteger(event.t)).toBe(true);
      expect(event.t).toBeGreaterThanOrEqual(previous);
      previous = event.t;
      if (event.type === 'send') {
        expect(sent.has(event.id)).toBe(false);
        sent.add(event.id);
      }
      if (event.type === 'deliver' || event.type === 'drop' || event.type === 'duplicate') expect(sent.has(event.id)).toBe(true);
    }
  });
});
