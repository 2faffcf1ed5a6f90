/**
 * Every size a user can write, bounded. A real scenario never comes near
 * these; they exist so that no file or flag can make one run take unbounded
 * memory or time (measured: 100 nodes run in about a second and 150 MB with
 * default settings; 256 nodes take 5–7 s, and the cost grows faster than n²).
 * The README's "Limits" table lists the same numbers; the schema carries them
 * so editors show them too.
 */
export const LIMITS = {
  /** Bytes read from a scenario file; a larger file (or /dev/zero) is refused after reading this many plus one. */
  scenarioBytes: 1024 * 1024,
  /** Steps of a pinned `schedule` (explore's counterexamples are tens of steps). */
  scheduleSteps: 100_000,
  /** Explore fault budgets (drops, crashes, ...) per schedule. */
  exploreBound: 100,
  /** Explore search depth and distinct states. */
  exploreDepth: 10_000,
  exploreStates: 100_000_000,
  /** `paxsim explore --workers`: worker threads (each holds its own model and visited set). */
  exploreWorkers: 64,
  /** Nesting of lists and mappings in a scenario file (real ones nest five or six levels). */
  nestingDepth: 64,
  /** YAML alias expansions per file (the yaml library's own guard against alias bombs). */
  yamlAliases: 100,
  /** Problems printed for one bad file; the rest are counted. */
  problemsShown: 20,

  nodes: 100,
  /** Multi-Paxos clients (each is a simulated node too). */
  clients: 100,
  opsPerClient: 10_000,
  keys: 1_000,
  proposals: 10_000,
  faults: 10_000,
  /** Relative weight of one operation kind in a client mix. */
  mixWeight: 1_000,
  /** Multi-Paxos: resends of one operation before a client gives up. */
  maxRetries: 1_000,

  /** Every virtual time and duration (until, at, delays, timers, windows): one virtual day. */
  virtualMs: 86_400_000,
  /** Processed (scheduler) events per run: the ceiling for `maxEvents`. */
  maxEvents: 2_000_000,
  /**
   * Trace events per run, whatever `maxEvents` says: one processed event can
   * broadcast to every node, so this bounds a run's trace (and, with `--trace`
   * or a timeline, its memory: about 0.8 KB an event) on its own.
   */
  traceEvents: 4_000_000,
  /** Nemesis: mean faults per second of window. */
  faultsPerSecond: 1_000,
  /** Nemesis: entries in its `kinds` list (there are seven kinds; repeats are allowed and ignored). */
  nemesisKinds: 100,
  /**
   * Nemesis: faultsPerSecond × windowMs / 1000, the faults a seed draws on
   * average at intensity 1 (default 8). Swarm intensity (up to 3×) and paired
   * faults (a crash and its restart) make up to about 6× as many, which keeps
   * a failing seed's file well inside the faults and file-size limits, so it
   * can be replayed with `paxsim run` (measured: 100 nodes, partitions only,
   * at this bound: at most about 1,100 faults and 410 KB).
   */
  nemesisFaultsPerWindow: 250,

  /** Node, client and key names, bug names. */
  idLength: 64,
  /** Proposed and written values. */
  valueLength: 1_000,
  name: 200,
  description: 10_000,

  /** fuzz --time, shrink --time: a week of wall-clock time. */
  wallClockMs: 7 * 24 * 3_600_000,
} as const;

/** A seed, and every seed a fuzz run reaches (from + seeds − 1), must be a safe integer. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/**
 * The nemesis parameters that together size a seed's fault schedule. One
 * check, used for scenario files and for the fuzz flags that override them.
 */
export function nemesisSizeProblem(faultsPerSecond: number, windowMs: number): string | null {
  const expectedFaults = (faultsPerSecond * windowMs) / 1000;
  if (expectedFaults <= LIMITS.nemesisFaultsPerWindow) return null;
  return `${faultsPerSecond} faults per second over a ${windowMs} ms window draws about ${Math.round(expectedFaults)} faults per seed; at most ${LIMITS.nemesisFaultsPerWindow} (faultsPerSecond × windowMs / 1000)`;
}
