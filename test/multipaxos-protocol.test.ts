import { describe, expect, it } from 'vitest';
import { checkLinearizability, type HistoryOperation } from '../src/check/linearizability.js';
import { multiPaxosConfig, type MultiPaxosBug, type MultiPaxosTiming } from '../src/protocols/multipaxos/config.js';
import type { ClientWorkload, Command, KvOp, KvResult } from '../src/protocols/multipaxos/messages.js';
import { multiPaxosProtocol } from '../src/protocols/multipaxos/node.js';
import type { Fault, NetworkSpec } from '../src/scenario/scenario.js';
import { randomStream } from '../src/sim/rng.js';
import { Simulation, type SimulationOutcome } from '../src/sim/simulation.js';

/**
 * The Multi-Paxos core under the real simulator. The trace event types in
 * sim/events.ts speak single-decree Paxos, so events are read here as plain
 * records; every assertion is about observations (what a checker sees),
 * never about a node's private state.
 */

const REPLICAS = ['A', 'B', 'C', 'D', 'E'];
const CLIENTS = ['c1', 'c2', 'c3'];

interface TraceRecord {
  readonly t: number;
  readonly type: string;
  readonly node?: string;
  readonly slot?: number;
  readonly ballot?: readonly [number, string];
  readonly command?: Command;
  readonly result?: KvResult;
  readonly duplicate?: true;
  readonly client?: string;
  readonly requestId?: number;
  readonly op?: KvOp;
}

interface RunOptions {
  readonly seed: number;
  readonly workload: ClientWorkload | ((client: string) => ClientWorkload);
  readonly drop?: number;
  readonly duplicate?: number;
  readonly faults?: readonly Fault[];
  readonly untilMs?: number;
  readonly bugs?: readonly MultiPaxosBug[];
  readonly maxRetries?: number;
  readonly timing?: Partial<MultiPaxosTiming>;
  readonly traceNetwork?: boolean;
  /** Clients are never cut off (as the run layer simulates them); otherwise partitions place them like any node. */
  readonly clientsAlwaysConnected?: boolean;
}

interface RunResult {
  readonly events: TraceRecord[];
  readonly outcome: SimulationOutcome;
}

function runMultiPaxos(options: RunOptions): RunResult {
  const config = multiPaxosConfig(REPLICAS, CLIENTS, { bugs: options.bugs ?? [], maxRetries: options.maxRetries, timing: options.timing });
  const network: NetworkSpec = { delay: { distribution: 'uniform', min: 1, max: 10 }, drop: options.drop ?? 0, duplicate: options.duplicate ?? 0 };
  const workloadOf = typeof options.workload === 'function' ? options.workload : () => options.workload as ClientWorkload;
  const events: TraceRecord[] = [];
  const simulation = new Simulation({
    seed: options.seed,
    nodes: [...REPLICAS, ...CLIENTS].sort(),
    network,
    faults: options.faults ?? [],
    requests: CLIENTS.map((client) => ({ atMs: 0, node: client, request: workloadOf(client), value: 'workload' })),
    untilMs: options.untilMs ?? 5000,
    maxEvents: 2_000_000,
    protocol: multiPaxosProtocol(config),
    emit: (event) => events.push(event as unknown as TraceRecord),
    traceNetwork: options.traceNetwork ?? false,
    alwaysConnected: options.clientsAlwaysConnected ? CLIENTS : [],
  });
  return { events, outcome: simulation.run() };
}

// ── properties, read from observations ──────────────────────────────────────

const replicaEvents = (events: readonly TraceRecord[], type: string) =>
  events.filter((event) => event.type === type && event.node !== undefined && REPLICAS.includes(event.node));

/** No two different commands learned or applied for one slot, by any replicas. */
function slotAgreementViolations(events: readonly TraceRecord[]): string[] {
  const bySlot = new Map<number, { command: string; node: string }>();
  const violations: string[] = [];
  for (const event of events) {
    if ((event.type !== 'learn' && event.type !== 'apply') || event.slot === undefined || !REPLICAS.includes(event.node!)) continue;
    const command = JSON.stringify(event.command);
    const first = bySlot.get(event.slot);
    if (first === undefined) bySlot.set(event.slot, { command, node: event.node! });
    else if (first.command !== command) violations.push(`slot ${event.slot}: ${first.node} has ${first.command}, ${event.node} ${event.type}s ${command} at t=${event.t}`);
  }
  return violations;
}

/** Each replica applies slots 0, 1, 2, … in order, and any two applied logs are prefixes of each other. */
function logPrefixViolations(events: readonly TraceRecord[]): string[] {
  const logs = new Map<string, string[]>();
  const violations: string[] = [];
  for (const event of replicaEvents(events, 'apply')) {
    const log = logs.get(event.node!) ?? [];
    logs.set(event.node!, log);
    if (event.slot !== log.length) violations.push(`${event.node} applied slot ${event.slot} after ${log.length} slots`);
    log.push(JSON.stringify(event.command));
  }
  const all = [...logs.entries()];
  for (const [nodeA, logA] of all) {
    for (const [nodeB, logB] of all) {
      if (nodeA >= nodeB) continue;
      const mismatch = logA.findIndex((command, slot) => slot < logB.length && command !== logB[slot]);
      if (mismatch >= 0) violations.push(`${nodeA} and ${nodeB} differ at slot ${mismatch}`);
    }
  }
  return violations;
}

/** Each (client, requestId) changes each replica's state machine at most once. */
function exactlyOnceViolations(events: readonly TraceRecord[]): string[] {
  const seen = new Map<string, number>();
  const violations: string[] = [];
  for (const event of replicaEvents(events, 'apply')) {
    const command = event.command!;
    if ('noop' in command || event.duplicate) continue;
    const key = `${event.node} ${command.client}#${command.requestId}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) violations.push(`${key} applied at slots ${earlier} and ${event.slot}`);
    else seen.set(key, event.slot!);
  }
  return violations;
}

/** The client history (invoke, complete or timeout; unfinished = unknown) in the linearizability checker's terms. */
function clientHistory(events: readonly TraceRecord[]): HistoryOperation[] {
  const byRequest = new Map<string, { op: HistoryOperation; index: number }>();
  const history: HistoryOperation[] = [];
  for (const event of events) {
    if (event.client === undefined || event.requestId === undefined) continue;
    const key = `${event.client}#${event.requestId}`;
    if (event.type === 'invoke') {
      const op: HistoryOperation = { id: history.length, client: event.client, operation: event.op!, invokeMs: event.t, completeMs: null, outcome: { kind: 'unknown' } };
      byRequest.set(key, { op, index: history.length });
      history.push(op);
    } else if (event.type === 'complete') {
      const entry = byRequest.get(key)!;
      const result = event.result;
      const outcome = event.op!.kind === 'cas' ? { kind: 'cas' as const, succeeded: result === true } : event.op!.kind === 'get' ? { kind: 'ok' as const, value: result as string | null } : { kind: 'ok' as const };
      history[entry.index] = { ...entry.op, completeMs: event.t, outcome };
    }
  }
  return history;
}

function linearizabilityViolations(events: readonly TraceRecord[]): string[] {
  const verdict = checkLinearizability(clientHistory(events));
  if (verdict.linearizable === true) return [];
  if (verdict.linearizable === false) return [`not linearizable on key ${verdict.key}: ${verdict.explanation}`];
  return [`linearizability unknown on key ${verdict.key}: ${verdict.reason}`];
}

/** An acceptor's promises and accepts never go below a ballot it promised or accepted before, across crashes. */
function acceptorDisciplineViolations(events: readonly TraceRecord[]): string[] {
  const highest = new Map<string, readonly [number, string]>();
  const violations: string[] = [];
  const below = (a: readonly [number, string], b: readonly [number, string]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  for (const event of events) {
    if ((event.type !== 'promise' && event.type !== 'accept') || !REPLICAS.includes(event.node!)) continue;
    const before = highest.get(event.node!);
    if (before !== undefined && below(event.ballot!, before)) violations.push(`${event.node} ${event.type}s ${JSON.stringify(event.ballot)} below ${JSON.stringify(before)} at t=${event.t}`);
    else highest.set(event.node!, event.ballot!);
  }
  return violations;
}

function safetyViolations(events: readonly TraceRecord[]): string[] {
  return [
    ...slotAgreementViolations(events),
    ...logPrefixViolations(events),
    ...exactlyOnceViolations(events),
    ...acceptorDisciplineViolations(events),
    ...linearizabilityViolations(events),
  ];
}

/** `client#requestId` of a client command. */
function requestKey(command: Command | undefined): string {
  if (command === undefined || 'noop' in command) return 'noop';
  return `${command.client}#${command.requestId}`;
}

function clientCounts(events: readonly TraceRecord[], client: string) {
  const of = (type: string) => events.filter((event) => event.type === type && event.client === client).length;
  return { invoke: of('invoke'), complete: of('complete'), timeout: of('timeout') };
}

/** The first seed in [from, to] on which `violates` holds, or null. */
function firstSeed(from: number, to: number, violates: (seed: number) => boolean): number | null {
  for (let seed = from; seed <= to; seed++) if (violates(seed)) return seed;
  return null;
}

const partitionLeaderWith = (at: number, client: string): Fault => ({
  at,
  kind: 'partition',
  groups: [
    ['A', 'B', client],
    ['C', 'D', 'E', ...CLIENTS.filter((other) => other !== client)],
  ],
});

// ── tests ───────────────────────────────────────────────────────────────────

describe('multipaxos on a clean network', () => {
  const workload: ClientWorkload = { count: 40 };

  it('elects the first replica, completes every operation, and every replica applies the same log once', () => {
    for (const seed of [1, 2, 3]) {
      const { events } = runMultiPaxos({ seed, workload });
      expect(safetyViolations(events)).toEqual([]);
      const leaders = replicaEvents(events, 'leader');
      expect(leaders.map((event) => [event.node, event.ballot])).toEqual([['A', [1, 'A']]]);
      for (const client of CLIENTS) expect(clientCounts(events, client)).toEqual({ invoke: 40, complete: 40, timeout: 0 });
      const applied = (node: string) => replicaEvents(events, 'apply').filter((event) => event.node === node);
      for (const replica of REPLICAS) {
        const log = applied(replica);
        expect(log).toHaveLength(120);
        expect(new Set(log.map((event) => requestKey(event.command))).size).toBe(120);
      }
      // A client's result is what the state machine returned when its command was applied.
      const appliedResult = new Map(applied('A').map((event) => [requestKey(event.command), event.result]));
      for (const done of events.filter((event) => event.type === 'complete')) {
        expect(appliedResult.get(`${done.client}#${done.requestId}`)).toEqual(done.result);
      }
      // A stable leader runs phase 1 once: one promise per replica, then phase 2 only.
      expect(replicaEvents(events, 'promise')).toHaveLength(REPLICAS.length);
    }
  });

  it('is deterministic: the same seed gives the same trace, network events included', () => {
    const options: RunOptions = { seed: 7, workload: { count: 15 }, drop: 0.1, duplicate: 0.1, traceNetwork: true };
    const first = runMultiPaxos(options);
    const second = runMultiPaxos(options);
    expect(JSON.stringify(second.events)).toBe(JSON.stringify(first.events));
    expect(first.events.some((event) => event.type === 'deliver')).toBe(true);
    expect(JSON.stringify(runMultiPaxos({ ...options, seed: 8 }).events)).not.toBe(JSON.stringify(first.events));
  });

  it('runs an explicit list of operations in order, thinking between them, and applies a cas only when it matches', () => {
    const ops: KvOp[] = [
      { kind: 'get', key: 'k' },
      { kind: 'cas', key: 'k', expected: null, value: 'one' },
      { kind: 'cas', key: 'k', expected: null, value: 'two' },
      { kind: 'put', key: 'k', value: 'three' },
      { kind: 'get', key: 'k' },
    ];
    const { events } = runMultiPaxos({ seed: 1, workload: (client) => (client === 'c1' ? { ops, thinkMs: 30 } : { count: 0 }) });
    const completes = events.filter((event) => event.type === 'complete');
    const invokes = events.filter((event) => event.type === 'invoke');
    expect(invokes.map((event) => event.op)).toEqual(ops);
    const thinking = completes.slice(0, -1).map((done, index) => invokes[index + 1]!.t - done.t);
    expect(thinking.every((gap) => gap >= 0 && gap <= 30)).toBe(true);
    expect(thinking.some((gap) => gap > 0)).toBe(true);
    expect(completes.map((event) => [event.op, event.result])).toEqual([
      [ops[0], null],
      [ops[1], true],
      [ops[2], false],
      [ops[3], 'ok'],
      [ops[4], 'three'],
    ]);
    expect(safetyViolations(events)).toEqual([]);
  });
});

describe('multipaxos under faults', () => {
  it('replaces a crashed leader with a higher ballot, keeps serving, and the restarted replica catches up', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const crashAt = 400;
      const { events } = runMultiPaxos({
        seed,
        workload: { count: 60 },
        faults: [
          { at: crashAt, kind: 'crash', node: 'A' },
          { at: 1500, kind: 'restart', node: 'A' },
        ],
      });
      expect(safetyViolations(events)).toEqual([]);
      const [first, ...later] = replicaEvents(events, 'leader');
      expect(first?.node).toBe('A');
      const successor = later.find((event) => event.t > crashAt);
      expect(successor, `seed ${seed}: a new leader after the crash`).toBeDefined();
      expect(successor!.node).not.toBe('A');
      expect(successor!.ballot![0]).toBeGreaterThan(first!.ballot![0]);
      expect(events.some((event) => event.type === 'complete' && event.t > successor!.t)).toBe(true);
      for (const client of CLIENTS) expect(clientCounts(events, client)).toEqual({ invoke: 60, complete: 60, timeout: 0 });
      const applies = (node: string) => replicaEvents(events, 'apply').filter((event) => event.node === node).length;
      // A kept its log across the crash (no slot applied twice) and caught up after restarting.
      for (const replica of REPLICAS) expect(applies(replica)).toBe(180);
    }
  });

  it('keeps safety across 50 seeds of loss, duplication, a leader cut off with a client, a crash, and a heal; then finishes', () => {
    const healAt = 1500;
    for (let seed = 1; seed <= 50; seed++) {
      const victim = REPLICAS[seed % REPLICAS.length]!;
      const { events } = runMultiPaxos({
        seed,
        workload: { count: 15 },
        drop: 0.2,
        duplicate: 0.2,
        maxRetries: 30,
        untilMs: 12_000,
        faults: [
          // A leads at first: A and B (a minority) keep c1, so A goes on believing it leads.
          partitionLeaderWith(300, 'c1'),
          { at: 700, kind: 'crash', node: victim },
          { at: 1100, kind: 'restart', node: victim },
          { at: healAt, kind: 'heal' },
        ],
      });
      expect(safetyViolations(events), `seed ${seed}`).toEqual([]);
      for (const client of CLIENTS) {
        const counts = clientCounts(events, client);
        expect(counts.invoke, `seed ${seed} ${client}`).toBe(15);
        expect(counts.complete + counts.timeout, `seed ${seed} ${client}`).toBe(15);
      }
      // Once healed, nothing gives up: operations complete.
      expect(events.filter((event) => event.type === 'timeout' && event.client !== undefined && event.t > healAt + 2000), `seed ${seed}`).toEqual([]);
    }
  });
});

/**
 * A random schedule drawn from its own stream: partitions that split clients
 * too, crashes, pauses, clock drift and heals, never more than a minority of
 * replicas down or paused at once; everything heals and restarts at the end.
 */
function randomFaults(seed: number): { faults: Fault[]; healAt: number } {
  const random = randomStream(seed, 'test/multipaxos-faults');
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const faults: Fault[] = [];
  const crashed = new Set<string>();
  const paused = new Set<string>();
  const maxDown = Math.floor((REPLICAS.length - 1) / 2);
  let at = 0;
  for (let index = 0; index < 10; index++) {
    at += Math.floor(random() * 400);
    const draw = random();
    const node = pick(REPLICAS);
    const busy = crashed.has(node) || paused.has(node);
    if (draw < 0.25) {
      if (crashed.has(node)) {
        faults.push({ at, kind: 'restart', node });
        crashed.delete(node);
      } else if (!busy && crashed.size + paused.size < maxDown) {
        faults.push({ at, kind: 'crash', node });
        crashed.add(node);
      }
    } else if (draw < 0.4) {
      if (paused.has(node)) {
        faults.push({ at, kind: 'resume', node });
        paused.delete(node);
      } else if (!busy && crashed.size + paused.size < maxDown) {
        faults.push({ at, kind: 'pause', node });
        paused.add(node);
      }
    } else if (draw < 0.5) {
      faults.push({ at, kind: 'drift', node, rate: pick([0.5, 2, 1]) });
    } else if (draw < 0.8) {
      const groups: string[][] = [[], []];
      for (const member of [...REPLICAS, ...CLIENTS]) groups[random() < 0.5 ? 0 : 1]!.push(member);
      faults.push({ at, kind: 'partition', groups: groups.filter((group) => group.length > 0) });
    } else {
      faults.push({ at, kind: 'heal' });
    }
  }
  const healAt = at + 10;
  faults.push({ at: healAt, kind: 'heal' });
  for (const node of [...crashed].sort()) faults.push({ at: healAt, kind: 'restart', node });
  for (const node of [...paused].sort()) faults.push({ at: healAt, kind: 'resume', node });
  return { faults, healAt };
}

describe('multipaxos under random fault schedules', () => {
  it('holds agreement, log prefixes, exactly-once and linearizability on 100 seeds, and every client finishes', () => {
    // Even seeds keep clients connected to every replica (as the run layer does), odd ones partition them too.
    for (let seed = 1; seed <= 100; seed++) {
      const { faults, healAt } = randomFaults(seed);
      const clientsAlwaysConnected = seed % 2 === 0;
      const { events } = runMultiPaxos({ seed, workload: { count: 30, thinkMs: 10 }, drop: 0.05, duplicate: 0.1, faults, untilMs: healAt + 3000, clientsAlwaysConnected });
      expect(safetyViolations(events), `seed ${seed}`).toEqual([]);
      // Liveness once healed: every client got through its whole workload.
      for (const client of CLIENTS) {
        const counts = clientCounts(events, client);
        expect(counts.complete + counts.timeout, `seed ${seed} ${client}`).toBe(30);
      }
    }
  });
});

describe('multipaxos injected bugs are caught', () => {
  /** A seed on which the bug breaks `property` while the correct protocol holds every property on the same run. */
  function expectCaught(bug: MultiPaxosBug, options: Omit<RunOptions, 'seed' | 'bugs'>, property: (events: TraceRecord[]) => string[], seeds = 40) {
    const seed = firstSeed(1, seeds, (candidate) => property(runMultiPaxos({ ...options, seed: candidate, bugs: [bug] }).events).length > 0);
    expect(seed, `${bug}: no violating seed in 1..${seeds}`).not.toBeNull();
    expect(safetyViolations(runMultiPaxos({ ...options, seed: seed! }).events)).toEqual([]);
    return seed!;
  }

  it('leader-skips-recovery: a new leader overwrites chosen slots it did not know', () => {
    // D and E miss slots while cut off; after the heal one of them can win an election with a stale log.
    expectCaught(
      'leader-skips-recovery',
      {
        workload: { count: 80 },
        untilMs: 3000,
        faults: [
          { at: 200, kind: 'partition', groups: [['A', 'B', 'C', ...CLIENTS], ['D', 'E']] },
          { at: 1200, kind: 'heal' },
        ],
      },
      slotAgreementViolations,
    );
  });

  it('apply-unchosen: a leader cut off with a minority applies what the majority never chose', () => {
    expectCaught(
      'apply-unchosen',
      { workload: { count: 80 }, untilMs: 3000, faults: [partitionLeaderWith(300, 'c1'), { at: 1500, kind: 'heal' }] },
      (events) => [...slotAgreementViolations(events), ...logPrefixViolations(events)],
    );
  });

  it('stale-read: the deposed leader answers reads from its stale state (not linearizable)', () => {
    const reader: ClientWorkload = { count: 80, keys: ['x'], mix: { put: 0, get: 1, cas: 0 } };
    const writer: ClientWorkload = { count: 80, keys: ['x'], mix: { put: 1, get: 1, cas: 1 } };
    const seed = expectCaught(
      'stale-read',
      { workload: (client) => (client === 'c1' ? reader : writer), untilMs: 3000, faults: [partitionLeaderWith(300, 'c1'), { at: 1500, kind: 'heal' }] },
      linearizabilityViolations,
    );
    // The log itself is fine: only what clients saw is wrong.
    const { events } = runMultiPaxos({
      seed,
      bugs: ['stale-read'],
      workload: (client) => (client === 'c1' ? reader : writer),
      untilMs: 3000,
      faults: [partitionLeaderWith(300, 'c1'), { at: 1500, kind: 'heal' }],
    });
    expect([...slotAgreementViolations(events), ...logPrefixViolations(events), ...exactlyOnceViolations(events)]).toEqual([]);
  });

  it('no-dedup: a retried or duplicated request is applied twice', () => {
    expectCaught('no-dedup', { workload: { count: 20 }, drop: 0.1, duplicate: 0.2, untilMs: 3000 }, exactlyOnceViolations, 5);
  });
});
