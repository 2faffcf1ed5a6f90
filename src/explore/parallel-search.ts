import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { assert } from '../util/assert.js';
import { packageRoot } from '../util/package-root.js';
import { FingerprintMap } from './fingerprint-set.js';
import type { ExploreModel } from './model.js';
import { search, type SearchBound, type SearchOptions, type SearchResult } from './search.js';
import type { LevelReply, LevelRequest, SearchWorkerSetup, WorkerFailure } from './search-worker.js';

/**
 * A level with fewer new states than this is expanded by every worker alike
 * (the first levels hold a few hundred states); the first level with more is
 * dealt out by rank, and from then on each worker keeps what it finds. Dealt
 * out earlier, a worker's few subtrees differ much in size (at 64 states,
 * one worker did 1.8 times the other's transitions on explore-paxos-3; at
 * 1,000, 1.07 times).
 */
const SHARE_FROM_LEVEL_SIZE = 1000;

/**
 * Breadth-first search over `workers` worker threads, level by level: each
 * worker expands its share of a level's states; the coordinator keeps, for
 * each new fingerprint, the candidate found first in single-threaded BFS
 * order, so the states, paths and histories are exactly those of the
 * single-threaded search, and so are the counts and the verdict for any
 * worker count. Where the single-threaded search would stop within a level
 * (a violation, or `maxStates` reached), that level's outcome depends on the
 * order inside it: the search is then re-derived single-threaded to that
 * level, so the counterexample (a shortest one) and the counts are the
 * single-threaded ones. A time limit and the heap are looked at between levels.
 */
export async function parallelSearch(model: ExploreModel, setup: Omit<SearchWorkerSetup, 'kind' | 'maxDepth'>, options: SearchOptions, workers: number): Promise<SearchResult> {
  assert(options.strategy === 'bfs', 'parallel search is breadth-first');
  assert(workers >= 2, 'parallel search needs two workers or more');
  const clock = options.clock;
  const startedMs = clock?.();
  const pool = new LevelPool(workers, { ...setup, kind: 'explore-search', maxDepth: options.maxDepth });
  const rederive = (level: number): SearchResult => {
    const maxDepth = Math.min(options.maxDepth ?? Infinity, level + 1);
    const result = search(model, { ...options, maxDepth });
    return { ...result, elapsedMs: clock === undefined ? null : clock() - startedMs! };
  };
  try {
    let distinctStates = 1;
    let transitions = 0;
    let terminalStates = 0;
    let depth = 0;
    let cutByDepth = false;
    /** Still in the first levels, which every worker expands alike (their replies are the same: the first one counts). */
    let shared = true;
    let requests: LevelRequest[] = Array.from({ length: workers }, () => ({ ranks: null, newFingerprints: new Float64Array(0) }));
    for (let level = 0; ; level++) {
      const replies = await pool.level(requests);
      const counted = shared ? replies.slice(0, 1) : replies;
      for (const reply of counted) {
        transitions += reply.transitions;
        terminalStates += reply.terminalStates;
        cutByDepth ||= reply.cutByDepth;
      }
      if (counted.some((reply) => reply.violation)) return rederive(level);
      const next = nextLevel(counted);
      distinctStates += next.fingerprints.length;
      if (next.fingerprints.length > 0) depth = level + 1;
      if (options.maxStates !== undefined && distinctStates >= options.maxStates) return rederive(level);
      const cutBy: SearchBound[] = [];
      const finish = (): SearchResult => ({
        exhausted: cutBy.length === 0,
        cutBy,
        distinctStates,
        transitions,
        depth,
        terminalStates,
        violation: null,
        elapsedMs: clock === undefined ? null : clock() - startedMs!,
      });
      if (next.fingerprints.length === 0) {
        if (cutByDepth) cutBy.push('depth');
        return finish();
      }
      if (options.timeLimitMs !== undefined && clock !== undefined && clock() - startedMs! >= options.timeLimitMs) {
        if (cutByDepth) cutBy.push('depth');
        cutBy.push('time');
        return finish();
      }
      // The coordinator's heap holds each level's fingerprints and candidates: looked at between levels, as the time is.
      if (options.memoryFull?.() === true) {
        if (cutByDepth) cutBy.push('depth');
        cutBy.push('memory');
        return finish();
      }
      const dealOut: boolean = shared && next.fingerprints.length >= SHARE_FROM_LEVEL_SIZE;
      requests = Array.from({ length: workers }, (_unused, worker) => ({
        ranks: shared ? (dealOut ? ranksDealtTo(next.ranks[0]!, worker, workers) : next.ranks[0]!) : next.ranks[worker]!,
        newFingerprints: next.fingerprints,
      }));
      shared &&= !dealOut;
    }
  } finally {
    await pool.close();
  }
}

/**
 * The next level from the workers' candidates: for each fingerprint the
 * candidate with the least discovery key (first in single-threaded BFS
 * order), ranked by key. Each worker's candidates come in key order, so the
 * ranking is a merge.
 */
function nextLevel(replies: readonly LevelReply[]): { fingerprints: Float64Array; ranks: Int32Array[] } {
  const total = replies.reduce((sum, reply) => sum + reply.fingerprints.length, 0);
  const best = new FingerprintMap(total * 2);
  const bestWorker = new Int32Array(total);
  const bestIndex = new Int32Array(total);
  const bestKey = new Float64Array(total);
  const fingerprints = new Float64Array(total);
  let distinct = 0;
  replies.forEach((reply, worker) => {
    for (let index = 0; index < reply.fingerprints.length; index++) {
      const fingerprint = reply.fingerprints[index]!;
      const key = reply.keys[index]!;
      let entry = best.get(fingerprint);
      if (entry < 0) {
        entry = distinct++;
        best.setNew(fingerprint, entry);
        fingerprints[entry] = fingerprint;
      } else if (key >= bestKey[entry]!) continue;
      bestWorker[entry] = worker;
      bestIndex[entry] = index;
      bestKey[entry] = key;
    }
  });
  const ranks = replies.map((reply) => new Int32Array(reply.fingerprints.length).fill(-1));
  const kept = replies.map((reply) => new Uint8Array(reply.fingerprints.length));
  for (let entry = 0; entry < distinct; entry++) kept[bestWorker[entry]!]![bestIndex[entry]!] = 1;
  const cursors = replies.map(() => 0);
  const nextKept = (worker: number): number => {
    let cursor = cursors[worker]!;
    while (cursor < kept[worker]!.length && kept[worker]![cursor] === 0) cursor++;
    cursors[worker] = cursor;
    return cursor;
  };
  for (let rank = 0; rank < distinct; rank++) {
    let chosen = -1;
    let chosenKey = Infinity;
    for (let worker = 0; worker < replies.length; worker++) {
      const cursor = nextKept(worker);
      if (cursor < kept[worker]!.length && replies[worker]!.keys[cursor]! < chosenKey) {
        chosen = worker;
        chosenKey = replies[worker]!.keys[cursor]!;
      }
    }
    ranks[chosen]![cursors[chosen]!] = rank;
    cursors[chosen]! += 1;
  }
  return { fingerprints: fingerprints.subarray(0, distinct), ranks };
}

/** A shared level dealt out: worker `worker` of `workers` keeps the states whose rank it is given (every `workers`-th). */
function ranksDealtTo(ranks: Int32Array, worker: number, workers: number): Int32Array {
  return ranks.map((rank) => (rank >= 0 && rank % workers === worker ? rank : -1));
}

/** The worker threads of one parallel search; a level is one request to each, answered in order. */
class LevelPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<Worker, { resolve: (reply: LevelReply) => void; reject: (error: Error) => void }>();

  constructor(size: number, setup: SearchWorkerSetup) {
    const script = join(packageRoot(), 'dist', 'explore', 'search-worker.js');
    assert(existsSync(script), () => `${script} is missing: run \`npm run build\` first`);
    this.workers = Array.from({ length: size }, () => new Worker(script, { workerData: setup }));
    for (const worker of this.workers) {
      worker.on('message', (reply: LevelReply | WorkerFailure) => {
        if ('failure' in reply) this.answer(worker)?.reject(Object.assign(new Error(reply.failure.message), { name: reply.failure.name }));
        else this.answer(worker)?.resolve(reply);
      });
      worker.on('error', (error: Error) => this.answer(worker)?.reject(error));
    }
  }

  level(requests: readonly LevelRequest[]): Promise<LevelReply[]> {
    return Promise.all(
      this.workers.map(
        (worker, index) =>
          new Promise<LevelReply>((resolve, reject) => {
            this.waiting.set(worker, { resolve, reject });
            worker.postMessage(requests[index]!);
          }),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private answer(worker: Worker): { resolve: (reply: LevelReply) => void; reject: (error: Error) => void } | undefined {
    const waiting = this.waiting.get(worker);
    this.waiting.delete(worker);
    return waiting;
  }
}
