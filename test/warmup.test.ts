import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { filterPacked, mapPacked } from '../src/util/packed-array.js';

/**
 * A fuzz worker's warm-up: arrays that hot code reads must keep one elements
 * kind from the first seed to the last, or the code optimized on the first
 * seeds deopts ("wrong map") and is recompiled thousands of seeds later.
 * Elements kinds are only visible to V8's natives syntax, so the checks that
 * need it run the built `dist/` in a child `node --allow-natives-syntax`.
 * Nothing here is timed.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');

/** Runs an ES module body with natives syntax on; it prints one JSON line, which is returned parsed. */
function runWithNatives(body: string, extraFlags: readonly string[] = []): { json: unknown; stdout: string } {
  expect(fs.existsSync(path.join(DIST, 'run', 'registry.js')), 'dist/ missing: run `npm run build` first').toBe(true);
  const child = spawnSync(process.execPath, ['--allow-natives-syntax', ...extraFlags, '--input-type=module', '-e', body], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 50_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(child.error).toBeUndefined();
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  const lines = child.stdout.trim().split('\n');
  return { json: JSON.parse(lines[lines.length - 1]!), stdout: child.stdout };
}

const distUrl = (file: string) => JSON.stringify(new URL(`file://${path.join(DIST, file)}`).href);

describe('mapPacked and filterPacked', () => {
  it('give what map and filter give, index and order included', () => {
    const nodes = ['A', 'B', 'C', 'D'];
    expect(mapPacked(nodes, (node, index) => `${node}${index}`)).toEqual(nodes.map((node, index) => `${node}${index}`));
    expect(mapPacked([], () => 1)).toEqual([]);
    expect(filterPacked(nodes, (node) => node !== 'B')).toEqual(['A', 'C', 'D']);
    expect(filterPacked(nodes, () => false)).toEqual([]);
  });

  it('return packed arrays in both tiers, where map (packed, then holey) and filter of a holey list (holey, then packed) flip once optimized', () => {
    const { json } = runWithNatives(`
      const { mapPacked, filterPacked } = await import(${distUrl('util/packed-array.js')});
      const packedNodes = ['A', 'B', 'C', 'D', 'E'];
      // Like the scenario's node and role lists.
      const holeyNodes = new Array(5);
      packedNodes.forEach((node, index) => { holeyNodes[index] = node; });
      const viaMap = () => packedNodes.map((node) => ({ node }));
      const viaMapPacked = () => mapPacked(packedNodes, (node) => ({ node }));
      const viaFilter = () => holeyNodes.filter((node) => node !== 'A');
      const viaFilterPacked = () => filterPacked(holeyNodes, (node) => node !== 'A');
      /** The result's kind from the interpreter, then from optimized code. */
      const kinds = (fn) => {
        %PrepareFunctionForOptimization(fn);
        const interpreted = fn();
        fn();
        %OptimizeFunctionOnNextCall(fn);
        const optimized = fn();
        const kind = (array) => (%HasHoleyElements(array) ? 'holey' : 'packed');
        return kind(interpreted) + ' then ' + kind(optimized);
      };
      console.log(JSON.stringify({ map: kinds(viaMap), mapPacked: kinds(viaMapPacked), filter: kinds(viaFilter), filterPacked: kinds(viaFilterPacked) }));
    `);
    // The first two are V8's behaviour (the cause); the others are the fix.
    expect(json).toEqual({ map: 'packed then holey', filter: 'holey then packed', mapPacked: 'packed then packed', filterPacked: 'packed then packed' });
  });
});

describe('arrays read per seed keep one elements kind once their producers are optimized', () => {
  it('the paxos driver’s requests and the checker suite’s reports are packed from optimized code', () => {
    const { json } = runWithNatives(`
      await import(${distUrl('run/registry.js')});
      const { loadScenarioFile } = await import(${distUrl('scenario/load.js')});
      const { requestsFor, checkContextFor } = await import(${distUrl('run/paxos-driver.js')});
      const { CheckerSuite } = await import(${distUrl('check/suite.js')});
      const loaded = loadScenarioFile('scenarios/fuzz-default.yaml');
      if (!loaded.ok) throw new Error(loaded.errors.join('\\n'));
      const { materializeScenario } = await import(${distUrl('sim/nemesis.js')});
      const scenario = materializeScenario(loaded.scenario, 7);
      %PrepareFunctionForOptimization(requestsFor);
      const requestsInterpreted = requestsFor(scenario);
      requestsFor(scenario);
      %OptimizeFunctionOnNextCall(requestsFor);
      const requestsOptimized = requestsFor(scenario);
      const suite = new CheckerSuite(checkContextFor(scenario), { withinMs: 2500, quietFromMs: 2000 });
      const reports = CheckerSuite.prototype.reports;
      %PrepareFunctionForOptimization(reports);
      suite.reports(); suite.reports();
      %OptimizeFunctionOnNextCall(reports);
      const reportsOptimized = suite.reports();
      console.log(JSON.stringify({
        requests: requestsOptimized.length > 0 && %HaveSameMap(requestsInterpreted, requestsOptimized) && !%HasHoleyElements(requestsOptimized),
        reports: reportsOptimized.length > 0 && !%HasHoleyElements(reportsOptimized),
      }));
    `);
    expect(json).toEqual({ requests: true, reports: true });
  });

  it('an event queue outgrowing its first capacity leaves optimized code that uses queues optimized', () => {
    const { json } = runWithNatives(`
      const { EntryQueue } = await import(${distUrl('sim/entry-queue.js')});
      const schedule = (queue, count) => {
        for (let index = 0; index < count; index++) queue.push(queue.create(1, 0, 0, index, null, -1), index);
        while (queue.size > 0) queue.release(queue.pop());
      };
      const small = EntryQueue.acquire();
      %PrepareFunctionForOptimization(schedule);
      schedule(small, 10);
      schedule(small, 10);
      %OptimizeFunctionOnNextCall(schedule);
      schedule(small, 10);
      const turbofanned = () => (%GetOptimizationStatus(schedule) & 64) !== 0;
      const before = turbofanned();
      // Another run's queue grows (as one run in a few thousand seeds does).
      const big = EntryQueue.acquire();
      for (let index = 0; index < 300; index++) big.create(1, 0, 0, index, null, -1);
      console.log(JSON.stringify({ before, after: turbofanned() }));
    `);
    expect(json).toEqual({ before: true, after: true });
  });

  it('no "wrong map" deopt in paxsim code, and none of the simulation’s event loop, over a fuzz worker’s first 1,500 seeds', () => {
    const { stdout } = runWithNatives(
      `
      await import(${distUrl('run/registry.js')});
      const { loadScenarioFile } = await import(${distUrl('scenario/load.js')});
      const { runFuzzSeed } = await import(${distUrl('run/fuzz-seed.js')});
      const loaded = loadScenarioFile('scenarios/fuzz-default.yaml');
      if (!loaded.ok) throw new Error(loaded.errors.join('\\n'));
      let passed = 0;
      for (let seed = 1; seed <= 1500; seed++) if (runFuzzSeed(loaded.scenario, seed, { checkDeterminism: seed % 20 === 0 }).passed) passed += 1;
      console.log(JSON.stringify({ passed }));
    `,
      ['--trace-deopt-verbose'],
    );
    // Each deopt prints its reason, then the source position in the next "deoptimize at" line.
    const lines = stdout.split('\n');
    const wrongMapSites: string[] = [];
    lines.forEach((line, index) => {
      if (!line.includes('reason: wrong map')) return;
      const where = lines.slice(index + 1, index + 3).find((next) => next.includes('deoptimize at')) ?? line;
      if (where.includes(DIST)) wrongMapSites.push(where.replace(/.*deoptimize at /, '').replaceAll(`file://${DIST}/`, ''));
    });
    expect(wrongMapSites).toEqual([]);
    // The loop (`processEvents`, with `process` and the handlers inlined) is the costliest code to compile again.
    const simulationLoopDeopts = lines.filter((line, index) => {
      const deopted = /\[bailout .*deoptimizing .*<JSFunction (run|processEvents|process) /.exec(line);
      return deopted !== null && lines.slice(index + 1, index + 5).some((next) => next.includes('<Simulation map'));
    });
    expect(simulationLoopDeopts).toEqual([]);
  });
});
