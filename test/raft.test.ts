import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Effects } from '../src/protocols/effects.js';
import { raftConfig, type RaftBug } from '../src/protocols/raft/config.js';
import type { RaftMessage, RaftObservation } from '../src/protocols/raft/messages.js';
import { ELECTION_TIMER } from '../src/protocols/leader-based/server.js';
import { RaftServer } from '../src/protocols/raft/server.js';
import type { RaftRecord } from '../src/protocols/raft/state.js';
import { SimulatedStorage } from '../src/sim/storage.js';
import { runScenario } from '../src/run/runner.js';
import { materializeScenario } from '../src/sim/nemesis.js';
import type { AnyTraceEvent } from '../src/sim/events.js';
import { runCli } from './helpers/cli.js';
import { scenarioFromYaml, shippedScenario } from './helpers/scenario.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paxsim-raft-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

type Observed = { t: number; type: string; node?: string; term?: number; slot?: number; candidate?: string };

function recorded(name: string, seed = 1, bug?: RaftBug): Observed[] {
  const result = runScenario(shippedScenario(name), { seed, bug, record: true, hash: false });
  return result.events! as unknown as Observed[];
}

describe('Raft', () => {
  it('steady state: one leader, every server commits and applies the same log, every client completes', () => {
    const result = runScenario(shippedScenario('raft-kv'), { record: true });
    expect(result.violations).toEqual([]);
    expect(result.expectation.met).toBe(true);
    const leaders = result.events!.filter((event) => event.type === 'leader');
    expect(leaders).toHaveLength(1);
    expect(result.summary.find((line) => line.label === 'log')?.text).toMatch(/^61 slots committed; applied: A 61 · B 61 · C 61 · D 61 · E 61$/);
    expect(result.summary.find((line) => line.label === 'clients')?.text).toMatch(/60 operations: 60 completed/);
  });

  it('is deterministic: the same scenario and seed give the same trace', () => {
    const scenario = materializeScenario(shippedScenario('raft-nemesis'), 7);
    expect(runScenario(scenario).traceHash).toBe(runScenario(scenario).traceHash);
  });

  it('a restarted leader keeps its term, vote and log, and rejoins as a follower', () => {
    const events = recorded('raft-leader-crash');
    const restartIndex = events.findIndex((event) => event.type === 'restart');
    const before = events.slice(0, restartIndex).filter((event) => event.node === 'A' && event.type === 'append').length;
    expect(before).toBeGreaterThan(0);
    const after = events.slice(restartIndex);
    // Nothing it stored before the crash is appended again from slot 0: it kept its log.
    expect(after.some((event) => event.node === 'A' && event.type === 'append' && event.slot === 0)).toBe(false);
    // A later term's leader brings it up to date: it applies the whole log again (lastApplied is volatile).
    expect(after.some((event) => event.node === 'A' && event.type === 'apply' && event.slot === 0)).toBe(true);
    expect(after.some((event) => event.type === 'leader' && event.node !== 'A')).toBe(false);
  });

  it('a stranded leader never commits in its minority, steps down at the heal and has its uncommitted entries truncated', () => {
    const events = recorded('raft-partitioned-leader');
    const healAt = events.find((event) => event.type === 'heal')!.t;
    const partitionAt = events.find((event) => event.type === 'partition')!.t;
    const commitsByAInMinority = events.filter((event) => event.type === 'commit' && event.node === 'A' && event.t > partitionAt + 20 && event.t < healAt);
    expect(commitsByAInMinority).toEqual([]);
    expect(events.some((event) => event.type === 'truncate' && event.node === 'A' && event.t >= healAt)).toBe(true);
  });

  it('raft-figure8 holds without the bug, for seeds 1-10', () => {
    const scenario = shippedScenario('raft-figure8');
    for (let seed = 1; seed <= 10; seed++) {
      const result = runScenario({ ...scenario, bug: undefined }, { seed, hash: false });
      expect(result.violations, `seed ${seed}`).toEqual([]);
    }
  });

  it('raft-figure8 with commit-old-term breaks leader completeness when the term-1 entry commits', () => {
    const result = runScenario(shippedScenario('raft-figure8'), { hash: false });
    expect(result.violations.map((violation) => violation.checker)).toContain('leader-completeness');
    expect(result.violations.find((violation) => violation.checker === 'leader-completeness')!.message).toMatch(/^A committed slot 0 .* while E, which lacks it, could still win an election/);
  });

  // Seeds found by fuzzing raft-nemesis (see README, Raft bugs): each bug breaks its property there, the correct protocol holds.
  const FOUND: readonly { bug: RaftBug; seed: number; checker: string }[] = [
    { bug: 'vote-twice', seed: 58, checker: 'election-safety' },
    { bug: 'commit-old-term', seed: 60, checker: 'leader-completeness' },
    { bug: 'no-log-check', seed: 1, checker: 'leader-completeness' },
    { bug: 'truncate-always', seed: 1, checker: 'leader-completeness' },
    { bug: 'stale-read', seed: 9, checker: 'linearizability' },
    { bug: 'commit-ahead', seed: 2, checker: 'state-machine-safety' },
  ];
  for (const { bug, seed, checker } of FOUND) {
    it(`${bug}: raft-nemesis seed ${seed} breaks ${checker}; the correct protocol holds there`, () => {
      const scenario = materializeScenario(shippedScenario('raft-nemesis'), seed);
      expect(runScenario(scenario, { bug, hash: false }).violations.map((violation) => violation.checker)).toContain(checker);
      expect(runScenario(scenario, { hash: false }).violations).toEqual([]);
    });
  }

  it('fuzz finds no-log-check, and its failure file replays the violation', async () => {
    const out = tempDir();
    const fuzzed = await runCli(['fuzz', 'scenarios/raft-nemesis.yaml', '--bug', 'no-log-check', '--seeds', '20', '--out', out, '--workers', '0', '--no-shrink']);
    expect(fuzzed.code).toBe(1);
    const file = fs.readdirSync(out).find((name) => name.endsWith('.yaml'))!;
    expect(file).toMatch(/^raft-nemesis-no-log-check-seed-\d+\.yaml$/);
    const replay = await runCli(['run', path.join(out, file), '--quiet']);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toMatch(/✗ leader-completeness/);
  });

  it('fuzz finds commit-ahead (a follower committing its stale tail past a short AppendEntries batch), and its failure file replays it', async () => {
    const out = tempDir();
    const fuzzed = await runCli(['fuzz', 'scenarios/raft-nemesis.yaml', '--bug', 'commit-ahead', '--seeds', '20', '--out', out, '--workers', '0', '--no-shrink']);
    expect(fuzzed.code).toBe(1);
    const file = fs.readdirSync(out).find((name) => name.endsWith('.yaml'))!;
    expect(file).toBe('raft-nemesis-commit-ahead-seed-2.yaml');
    const replay = await runCli(['run', path.join(out, file), '--quiet']);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toMatch(/✗ state-machine-safety/);
  });

  it('raft.maxEntriesPerAppend bounds the entries one AppendEntries carries (64 by default)', () => {
    const batchSizes = (maxEntriesPerAppend: number | undefined) => {
      const scenario = shippedScenario('raft-kv');
      const raft = maxEntriesPerAppend === undefined ? scenario.raft : { ...scenario.raft, maxEntriesPerAppend };
      const result = runScenario({ ...scenario, raft }, { hash: false, record: true });
      expect(result.violations).toEqual([]);
      return result.events!.flatMap((event) => {
        const msg = event.type === 'send' ? (event as unknown as { msg: { type: string; entries?: unknown[] } }).msg : null;
        return msg?.type === 'append-entries' ? [msg.entries!.length] : [];
      });
    };
    expect(Math.max(...batchSizes(1))).toBe(1);
    expect(Math.max(...batchSizes(undefined))).toBeGreaterThan(1);
  });

  it('paxsim check judges a Raft trace (meta "protocol":"raft") as the run did, and names a bad field', async () => {
    const dir = tempDir();
    const trace = path.join(dir, 'figure8.jsonl');
    expect((await runCli(['run', 'raft-figure8', '--trace', trace, '--quiet'])).code).toBe(0);
    const checked = await runCli(['check', trace, '--json']);
    expect(checked.code).toBe(1);
    const verdict = JSON.parse(checked.stdout) as { protocol: string; violations: { checker: string }[]; summary: Record<string, string> };
    expect(verdict.protocol).toBe('raft');
    expect(verdict.violations.map((violation) => violation.checker)).toEqual(['leader-completeness']);
    expect(verdict.summary['leader']).toMatch(/^last elected: A in term \d+/);
    const lines = fs.readFileSync(trace, 'utf8').split('\n');
    const voteLine = lines.findIndex((line) => line.includes('"type":"vote"'));
    lines[voteLine] = lines[voteLine]!.replace(/"term":\d+/, '"term":"two"');
    const broken = path.join(dir, 'broken.jsonl');
    fs.writeFileSync(broken, lines.join('\n'));
    const rejected = await runCli(['check', broken]);
    expect(rejected.code).toBe(2);
    expect(rejected.stderr.trim()).toMatch(new RegExp(`broken\\.jsonl:${voteLine + 1}: vote\\.term: must be a non-negative integer, got "two"$`));
  });

  it('--html: servers then clients, and each leader term as a stripe that goes stale when a later term is elected', async () => {
    const file = path.join(tempDir(), 'partitioned.html');
    expect((await runCli(['run', 'raft-partitioned-leader', '--html', file, '--quiet'])).code).toBe(0);
    const html = fs.readFileSync(file, 'utf8');
    // The stranded leader A of term 1 is stale once C leads term 2; Raft stripes are labelled as terms, not ballots.
    expect(html).toMatch(/A: leader term 1 t=13…\d+, stale from t=\d+/);
    expect(html).toMatch(/C: leader term 2 t=\d+/);
    expect(html).toMatch(/title="A led with term 1 from t=13 [^"]*C led with the higher term 2"/);
    expect(html).not.toMatch(/leader \(\d+,[A-E]\)/);
    expect(html).toContain('data-type="append-entries"');
  });

  it('the scenario file: a raft block, clients required, no multipaxos block', () => {
    const base = 'name: t\nprotocol: raft\nnodes: [A, B, C]\n';
    expect(scenarioFromYaml(`${base}clients: { count: 1, ops: 2 }\nraft: { electionMs: 300 }\n`).raft).toEqual({ electionMs: 300 });
    expect(() => scenarioFromYaml(base)).toThrow(/clients: is required with `protocol: raft`/);
    expect(() => scenarioFromYaml(`${base}clients: { count: 1, ops: 2 }\nmultipaxos: { electionMs: 300 }\n`)).toThrow(/multipaxos: needs `protocol: multipaxos`/);
    expect(() => scenarioFromYaml(`name: t\nnodes: [A]\nraft: {}\n`)).toThrow(/raft: needs `protocol: raft`/);
  });
});

describe('Raft leader replication', () => {
  /** One server driven by hand: what it sends, message by message. */
  function handDriven() {
    const sent: { to: string; message: RaftMessage }[] = [];
    const storage = new SimulatedStorage<RaftRecord>();
    const effects = {
      nodeId: 'A',
      storage,
      send: (to: string, message: RaftMessage) => sent.push({ to, message }),
      setTimer: () => undefined,
      cancelTimer: () => undefined,
      observe: () => undefined,
      random: () => 0.5,
    } as unknown as Effects<RaftMessage, RaftRecord, RaftObservation>;
    const server = new RaftServer(effects, raftConfig(['A', 'B', 'C'], ['c1'], { maxEntriesPerAppend: 1 }));
    server.start();
    return { server, sent };
  }

  it('a duplicated or stale success reply sends nothing more (each extra reply used to trigger another AppendEntries)', () => {
    const { server, sent } = handDriven();
    server.onTimer(ELECTION_TIMER);
    const term = Math.max(...sent.flatMap((entry) => (entry.message.type === 'request-vote' ? [entry.message.term] : [])));
    server.onMessage('B', { type: 'vote-reply', term, granted: true });
    // Leader, with its no-op at index 0; two client commands make the log 3 entries long.
    for (const requestId of [1, 2]) server.onMessage('c1', { type: 'request', command: { client: 'c1', requestId, op: { kind: 'put', key: 'x', value: String(requestId) } } });
    const success = (matchIndex: number): RaftMessage => ({ type: 'append-reply', term, success: true, matchIndex, conflictIndex: -1, conflictTerm: -1 });
    const appendsTo = (node: string) => sent.filter((entry) => entry.to === node && entry.message.type === 'append-entries').length;

    const before = appendsTo('B');
    server.onMessage('B', success(0));
    expect(appendsTo('B')).toBe(before + 1); // the next entry, at once
    server.onMessage('B', success(0)); // the same reply, duplicated by the network
    expect(appendsTo('B')).toBe(before + 1);
    server.onMessage('B', success(1));
    expect(appendsTo('B')).toBe(before + 2);
    server.onMessage('B', success(0)); // a stale one, overtaken
    expect(appendsTo('B')).toBe(before + 2);
  });
});
