import { describe, expect, it } from 'vitest';
import { RaftChecks } from '../src/check/raft-checks.js';
import type { Command, KvOp } from '../src/protocols/multipaxos/messages.js';
import type { AnyTraceEvent } from '../src/sim/events.js';

/**
 * Raft's checkers on hand-written traces: each property broken once (the
 * checker names the right event) and a correct trace that holds them all.
 * Five servers A–E, one client c1.
 */

const SERVERS = ['A', 'B', 'C', 'D', 'E'];
const NOOP: Command = { noop: true };
const put = (requestId: number, value: string): Command => ({ client: 'c1', requestId, op: { kind: 'put', key: 'x', value } });

type Line = Record<string, unknown> & { t: number; type: string };

function judge(lines: readonly Line[], liveness?: { withinMs: number; quietFromMs: number }) {
  const checks = new RaftChecks({ servers: SERVERS, clients: ['c1'] }, liveness);
  lines.forEach((line, index) => checks.observe(line as unknown as AnyTraceEvent, index));
  const endMs = lines.length === 0 ? 0 : lines[lines.length - 1]!.t;
  checks.finish(endMs + 10_000, lines.length);
  return checks;
}

function violated(lines: readonly Line[], liveness?: { withinMs: number; quietFromMs: number }): Record<string, number> {
  return Object.fromEntries(judge(lines, liveness).violations.map((violation) => [violation.checker, violation.event]));
}

const leader = (t: number, node: string, term: number): Line => ({ t, type: 'leader', node, term });
const vote = (t: number, node: string, term: number, candidate: string): Line => ({ t, type: 'vote', node, term, candidate });
const append = (t: number, node: string, slot: number, term: number, command: Command): Line => ({ t, type: 'append', node, slot, term, command });
const commit = (t: number, node: string, slot: number): Line => ({ t, type: 'commit', node, slot });
const apply = (t: number, node: string, slot: number, command: Command, result: unknown = 'ok'): Line => ({ t, type: 'apply', node, slot, command, result });
const invoke = (t: number, requestId: number, op: KvOp): Line => ({ t, type: 'invoke', node: 'c1', client: 'c1', requestId, op });
const complete = (t: number, requestId: number, op: KvOp, result: unknown): Line => ({ t, type: 'complete', node: 'c1', client: 'c1', requestId, op, result });

/** A elected in term 1 by A, B, C; the no-op and one put stored on A, B, C, committed and applied everywhere it is stored. */
function healthyRun(): Line[] {
  const op: KvOp = { kind: 'put', key: 'x', value: '1' };
  const lines: Line[] = [vote(0, 'A', 1, 'A'), vote(1, 'B', 1, 'A'), vote(1, 'C', 1, 'A'), leader(2, 'A', 1), invoke(2, 1, op)];
  for (const node of ['A', 'B', 'C']) lines.push(append(3, node, 0, 1, NOOP), append(4, node, 1, 1, put(1, '1')));
  lines.push(commit(5, 'A', 1), apply(5, 'A', 0, NOOP, null), apply(5, 'A', 1, put(1, '1')), complete(6, 1, op, 'ok'));
  for (const node of ['B', 'C']) lines.push(commit(7, node, 1), apply(7, node, 0, NOOP, null), apply(7, node, 1, put(1, '1')));
  return lines;
}

describe('Raft checkers', () => {
  it('hold on a correct trace, every one of them', () => {
    const checks = judge(healthyRun(), { withinMs: 1000, quietFromMs: 0 });
    expect(checks.violations).toEqual([]);
    expect(checks.reports().map((report) => report.name)).toEqual([
      'election-safety',
      'log-matching',
      'leader-completeness',
      'state-machine-safety',
      'exactly-once',
      'linearizability',
      'client-liveness',
    ]);
    expect(checks.summary()).toMatchObject({ slotsCommitted: 2, completed: 1, leader: { node: 'A', term: 1 } });
  });

  it('election safety: two leaders in one term', () => {
    const lines = [leader(1, 'A', 2), leader(2, 'B', 2)];
    expect(violated(lines)).toEqual({ 'election-safety': 1 });
    expect(violated([leader(1, 'A', 2), leader(2, 'B', 3)])).toEqual({});
  });

  it('election safety: a server that votes for two candidates in one term (a restart forgot its vote)', () => {
    const lines = [vote(1, 'C', 4, 'A'), { t: 2, type: 'crash', node: 'C' }, { t: 3, type: 'restart', node: 'C' }, vote(4, 'C', 4, 'B')];
    expect(violated(lines)).toEqual({ 'election-safety': 3 });
    // The same vote again (a retried RequestVote) is no second vote.
    expect(violated([vote(1, 'C', 4, 'A'), vote(4, 'C', 4, 'A')])).toEqual({});
  });

  it('log matching: the same slot and term with another command, or after a different entry', () => {
    expect(violated([append(1, 'A', 0, 1, put(1, 'a')), append(2, 'B', 0, 1, put(2, 'b'))])).toEqual({ 'log-matching': 1 });
    const diverged = [append(1, 'A', 0, 1, NOOP), append(1, 'A', 1, 3, put(1, 'a')), append(2, 'B', 0, 2, NOOP), append(2, 'B', 1, 3, put(1, 'a'))];
    expect(violated(diverged)).toEqual({ 'log-matching': 3 });
    // After a truncate, the log is rebuilt from that slot: no violation.
    const rebuilt = [append(1, 'A', 0, 1, NOOP), append(1, 'A', 1, 1, put(1, 'a')), { t: 2, type: 'truncate', node: 'A', fromSlot: 1 }, append(3, 'A', 1, 2, put(1, 'a'))];
    expect(violated(rebuilt)).toEqual({});
  });

  it('leader completeness: a later leader without a committed entry', () => {
    const lines = [leader(0, 'A', 1), ...['A', 'B', 'C'].map((node) => append(1, node, 0, 1, put(1, 'a'))), commit(2, 'A', 0), append(3, 'D', 0, 2, NOOP), leader(4, 'D', 3)];
    // D's log [no-op of term 2] is more up to date than A's, B's and C's by the election restriction, so D was electable at once.
    expect(violated(lines)).toEqual({ 'leader-completeness': 6 });
  });

  it('leader completeness: not owed to a leader of a term below the one that committed (regression: seed 707)', () => {
    // A commits slot 0 in term 4; D then wins the older term 3 (its late vote replies): allowed.
    const lines = [
      leader(0, 'A', 1),
      ...['A', 'B', 'C', 'D', 'E'].map((node) => append(1, node, 0, 1, NOOP)),
      commit(2, 'A', 0),
      leader(3, 'A', 4),
      ...['A', 'B', 'C'].map((node) => append(4, node, 1, 1, put(1, 'a'))),
      commit(5, 'A', 1),
      leader(6, 'D', 3),
    ];
    expect(violated(lines)).toEqual({});
  });

  it("leader completeness: Figure 8's premature commit, caught when it happens", () => {
    const lines = [
      // (a) A leads term 2 and stores e at slot 1 on A and B only.
      ...SERVERS.map((node) => append(0, node, 0, 1, NOOP)),
      leader(1, 'A', 2),
      append(2, 'A', 1, 2, put(1, 'e')),
      append(2, 'B', 1, 2, put(1, 'e')),
      // (b) E leads term 3 and stores its own entry at slot 1, alone.
      leader(3, 'E', 3),
      append(4, 'E', 1, 3, put(2, 'x')),
      // (c) A leads term 4 and copies e to C: on a majority, and A commits it, though E could still win with B, C and D.
      leader(5, 'A', 4),
      append(6, 'C', 1, 2, put(1, 'e')),
      commit(7, 'A', 1),
    ];
    expect(violated(lines)).toEqual({ 'leader-completeness': 12 });
    // With an entry of term 4 stored on the majority first (the no-op), E can no longer win: committing is safe.
    const safe = [...lines.slice(0, 12), ...['A', 'B', 'C'].map((node) => append(6, node, 2, 4, NOOP)), commit(7, 'A', 2)];
    expect(violated(safe)).toEqual({});
  });

  it('state machine safety: different commands committed or applied at one slot, out of order, or past the log', () => {
    const twoCommits = [append(1, 'A', 0, 1, put(1, 'a')), append(1, 'B', 0, 2, put(2, 'b')), commit(2, 'A', 0), commit(3, 'B', 0)];
    expect(violated(twoCommits)).toMatchObject({ 'state-machine-safety': 3 });
    expect(violated([apply(1, 'A', 0, put(1, 'a')), apply(2, 'B', 0, put(2, 'b'))])).toMatchObject({ 'state-machine-safety': 1 });
    expect(violated([apply(1, 'A', 1, put(1, 'a'))])).toMatchObject({ 'state-machine-safety': 0 });
    expect(violated([append(1, 'A', 0, 1, NOOP), commit(2, 'A', 3)])).toMatchObject({ 'state-machine-safety': 1 });
  });

  it('state machine safety: a restarted server applies its log again from slot 0 (lastApplied is volatile)', () => {
    const lines = [apply(1, 'A', 0, put(1, 'a')), { t: 2, type: 'crash', node: 'A' }, { t: 3, type: 'restart', node: 'A' }, apply(4, 'A', 0, put(1, 'a'))];
    expect(violated(lines)).toEqual({});
  });

  it('exactly-once: one request applied twice by one server', () => {
    expect(violated([apply(1, 'A', 0, put(1, 'a')), apply(2, 'A', 1, put(1, 'a'))])).toEqual({ 'exactly-once': 1 });
    const skipped = [apply(1, 'A', 0, put(1, 'a')), { ...apply(2, 'A', 1, put(1, 'a')), duplicate: true }];
    expect(violated(skipped)).toEqual({});
  });

  it('linearizability: a read that misses a completed write', () => {
    const write: KvOp = { kind: 'put', key: 'x', value: '1' };
    const read: KvOp = { kind: 'get', key: 'x' };
    const lines = [invoke(0, 1, write), complete(5, 1, write, 'ok'), invoke(6, 2, read), complete(9, 2, read, null)];
    expect(violated(lines)).toEqual({ linearizability: 4 });
    expect(violated([...lines.slice(0, 3), complete(9, 2, read, '1')])).toEqual({});
  });

  it('client liveness: an operation still open long after the cluster became healthy', () => {
    const op: KvOp = { kind: 'put', key: 'x', value: '1' };
    expect(violated([invoke(0, 1, op)], { withinMs: 1000, quietFromMs: 0 })).toHaveProperty('client-liveness');
    expect(violated([invoke(0, 1, op), complete(500, 1, op, 'ok')], { withinMs: 1000, quietFromMs: 0 })).toEqual({});
  });
});
