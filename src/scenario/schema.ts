import { z } from 'zod';
import { LIMITS } from './limits.js';

/**
 * The scenario file format, defined once: it gives the TypeScript input
 * types, the path-qualified validation errors, and (via z.toJSONSchema) the
 * JSON Schema that editors use (`scenarios/scenario.schema.json`).
 */

const nonNegativeInt = (what = 'a non-negative integer') =>
  z.number({ error: `must be ${what}` }).int({ error: `must be ${what}` }).min(0, { error: `must be ${what}` });

const positiveInt = (what = 'a positive integer') =>
  z.number({ error: `must be ${what}` }).int({ error: `must be ${what}` }).min(1, { error: `must be ${what}` });

const atMost = (max: number, what = '') => ({ error: `must be at most ${max}${what}` });

/** A virtual time or duration: at most one virtual day, so no sum of them leaves the safe integers. */
const virtualMs = (least: 0 | 1 = 0) => (least === 0 ? nonNegativeInt() : positiveInt()).max(LIMITS.virtualMs, atMost(LIMITS.virtualMs, ' ms (one virtual day)'));

const mixWeight = () => nonNegativeInt().max(LIMITS.mixWeight, atMost(LIMITS.mixWeight));

const text = (maxLength: number, error = 'must be a string') => z.string({ error }).max(maxLength, atMost(maxLength, ' characters'));

const listOf = <Item extends z.ZodType>(item: Item, maxItems: number, what: string, error: string) =>
  z.array(item, { error }).max(maxItems, { error: `must list at most ${maxItems} ${what}` });

const probability = () =>
  z
    .number({ error: 'must be a probability between 0 and 1' })
    .min(0, { error: 'must be a probability between 0 and 1' })
    .max(1, { error: 'must be a probability between 0 and 1' });

export const nodeIdSchema = text(LIMITS.idLength, 'must be a node id (letters, digits, _ . -)')
  .regex(/^[A-Za-z0-9_.-]+$/, { error: 'must be a node id (letters, digits, _ . -)' })
  .describe('A node id: letters, digits, _ . -');

const nodeList = () => listOf(nodeIdSchema, LIMITS.nodes, 'node ids', 'must be a list of node ids');

/** Values are strings; a bare YAML number (`value: 1`) is taken as its decimal string. */
export const valueSchema = z
  .union([text(LIMITS.valueLength), z.number()], { error: 'must be a string or a number' })
  .describe('A proposed value');

const uniformDelay = z
  .object({
    distribution: z.literal('uniform').optional(),
    min: virtualMs().describe('Smallest delay, virtual ms'),
    max: virtualMs().describe('Largest delay, virtual ms'),
  })
  .strict();

const exponentialDelay = z
  .object({
    distribution: z.literal('exponential'),
    min: virtualMs().default(0).describe('Delay floor, virtual ms'),
    mean: virtualMs(1).describe('Mean delay, virtual ms'),
    max: virtualMs().optional().describe('Delay ceiling, virtual ms (default 20 × mean)'),
  })
  .strict();

const normalDelay = z
  .object({
    distribution: z.literal('normal'),
    mean: virtualMs().describe('Mean delay, virtual ms'),
    stddev: virtualMs().describe('Standard deviation, virtual ms'),
    min: virtualMs().default(0).describe('Delay floor, virtual ms'),
    max: virtualMs().optional().describe('Delay ceiling, virtual ms (default mean + 5 × stddev)'),
  })
  .strict();

export const delaySchema = z
  .union([uniformDelay, exponentialDelay, normalDelay], {
    error: 'must be {min, max} (uniform), {distribution: exponential, mean}, or {distribution: normal, mean, stddev}',
  })
  .describe('Per-message delay distribution; integer virtual ms');

export const networkSchema = z
  .object({
    delay: delaySchema.default({ min: 1, max: 10 }),
    drop: probability().default(0).describe('Probability that a message is lost'),
    duplicate: probability().default(0).describe('Probability that a message is delivered twice (each copy with its own delay)'),
  })
  .strict();

export const rolesSchema = z
  .object({
    proposers: nodeList().optional(),
    acceptors: nodeList().optional(),
    learners: nodeList().optional(),
    main: nodeList().optional().describe('Cheap Paxos: the f+1 main processors'),
    auxiliary: nodeList().optional().describe('Cheap Paxos: the f auxiliary processors'),
  })
  .strict()
  .describe('Which nodes play which role; every node plays every role unless listed here (Cheap Paxos: main and auxiliary)');

export const cheapPaxosSchema = z
  .object({
    alpha: positiveInt().max(1000, atMost(1000)).optional().describe('A configuration chosen at slot i governs slots from i + alpha on (default 3)'),
  })
  .strict()
  .describe('Cheap Paxos settings');

/**
 * The largest first round a proposal may ask for: 2^48 leaves 2^53 - 2^48
 * (about 8.7e15) rounds of headroom, so retries within any run's maxEvents
 * keep ballot arithmetic exact (rounds in traces must be safe integers).
 */
export const MAX_PROPOSAL_BALLOT = 2 ** 48;

export const proposalSchema = z
  .object({
    at: virtualMs().describe('Virtual ms at which the node is asked to propose'),
    node: nodeIdSchema,
    value: valueSchema,
    ballot: positiveInt(`a positive integer at most 2^48 (${MAX_PROPOSAL_BALLOT})`)
      .max(MAX_PROPOSAL_BALLOT, { error: `must be a positive integer at most 2^48 (${MAX_PROPOSAL_BALLOT})` })
      .optional()
      .describe('Round of the first proposal number (the ballot is [round, node]); at most 2^48'),
  })
  .strict();

export const FAULT_KINDS = ['crash', 'restart', 'pause', 'resume', 'partition', 'cut', 'heal', 'drift', 'burst'] as const;

/**
 * One fault: `at` plus exactly one kind. Kept as one object with optional
 * kinds (rather than a union) so that a typo gets a precise "unknown key"
 * error with a suggestion instead of a wall of union mismatches.
 */
export const faultSchema = z
  .object({
    at: virtualMs().describe('Virtual ms at which the fault happens'),
    crash: nodeIdSchema.optional().describe('Crash this node: volatile state and timers are lost'),
    restart: nodeIdSchema.optional().describe('Restart this crashed node from its durable state'),
    partition: listOf(nodeList(), LIMITS.nodes, 'groups', 'must be a list of groups of node ids, e.g. [[A, B], [C, D, E]]')
      .optional()
      .describe('Cut every link between groups; nodes not listed form one more group; replaces the previous partition'),
    cut: z
      .object({ from: nodeIdSchema, to: nodeIdSchema })
      .strict()
      .optional()
      .describe('Cut the one-way link from → to; cuts accumulate until a heal'),
    heal: z.literal('all', { error: 'must be "all"' }).optional().describe('Restore every link'),
    pause: nodeIdSchema.optional().describe('Pause this node: it processes nothing; messages and timers wait for it'),
    resume: nodeIdSchema.optional().describe('Resume this paused node: what waited is processed now, in order'),
    drift: z
      .object({
        node: nodeIdSchema,
        rate: z
          .number({ error: 'must be a clock rate between 0.1 and 10' })
          .min(0.1, { error: 'must be a clock rate between 0.1 and 10' })
          .max(10, { error: 'must be a clock rate between 0.1 and 10' })
          .describe("How fast the node's clock runs: 2 fires its timers twice as early, 0.5 twice as late; 1 is true time"),
      })
      .strict()
      .optional()
      .describe("Set a node's clock rate from now on"),
    burst: z
      .object({
        for: virtualMs(1).describe('How long the burst lasts, virtual ms'),
        drop: probability().optional(),
        duplicate: probability().optional(),
        delay: delaySchema.optional(),
      })
      .strict()
      .optional()
      .describe('For a while, the network loses, duplicates or delays more (unset fields keep their base value)'),
  })
  .strict();

export const NEMESIS_FAULT_KINDS = ['partition', 'isolate', 'cut', 'crash', 'pause', 'drift', 'burst'] as const;

export const nemesisSchema = z
  .object({
    windowMs: virtualMs(1).optional().describe('Faults happen in [0, windowMs); default 2000'),
    quietMs: virtualMs(1).optional().describe('The healed tail after the window, in which a decision is expected; default 3000'),
    kinds: z
      .array(z.enum(NEMESIS_FAULT_KINDS, { error: `must be one of ${NEMESIS_FAULT_KINDS.join(', ')}` }))
      .min(1, { error: 'must list at least one fault kind' })
      .max(LIMITS.nemesisKinds, { error: `must list at most ${LIMITS.nemesisKinds} fault kinds` })
      .optional()
      .describe('Fault kinds the nemesis may use; default all'),
    faultsPerSecond: z
      .number({ error: 'must be a non-negative number' })
      .min(0, { error: 'must be a non-negative number' })
      .max(LIMITS.faultsPerSecond, atMost(LIMITS.faultsPerSecond))
      .optional()
      .describe('Mean number of faults per second of window (before swarm intensity); default 4'),
    maxDown: nonNegativeInt()
      .optional()
      .describe('Most nodes crashed or paused at once; default a minority, (n-1)/2 rounded down'),
    swarm: z.boolean({ error: 'must be true or false' }).optional().describe('Each seed draws its own fault mix and intensity; default true'),
  })
  .strict()
  .describe('A seeded fault generator: `paxsim fuzz` draws a fault schedule (and a workload, when no proposals are given) per seed');

export const timingSchema = z
  .object({
    retryMs: virtualMs(1).optional().describe('Proposer retry timeout before doubling, virtual ms'),
    retryMaxMs: virtualMs(1).optional().describe('Largest proposer retry timeout, virtual ms'),
    catchupMs: virtualMs(1).optional().describe('Learner catch-up interval before doubling, virtual ms'),
    catchupMaxMs: virtualMs(1).optional().describe('Largest learner catch-up interval, virtual ms'),
  })
  .strict()
  .describe('Single-decree Paxos timer settings');

const keySchema = (error = 'must be a string') => text(LIMITS.idLength, error);

const kvOpSchema = z
  .object({
    put: z.object({ key: keySchema(), value: valueSchema }).strict().optional(),
    get: keySchema('must be a key').optional(),
    cas: z.object({ key: keySchema(), expected: z.union([valueSchema, z.null()]), value: valueSchema }).strict().optional(),
  })
  .strict()
  .describe('One operation: {put: {key, value}}, {get: key} or {cas: {key, expected, value}} (expected null: the key is absent)');

const explicitClientSchema = z
  .object({
    id: nodeIdSchema,
    startAt: nodeIdSchema.optional().describe('The replica this client contacts first (default: the first node; Cheap Paxos: a main)'),
    ops: listOf(kvOpSchema, LIMITS.opsPerClient, 'operations', 'must be a list of operations').min(1, { error: 'must list at least one operation' }),
  })
  .strict();

export const clientsSchema = z
  .union(
    [
      z
        .object({
          count: positiveInt().max(LIMITS.clients, atMost(LIMITS.clients)).describe('Number of clients, named c1, c2, …'),
          ops: positiveInt().max(LIMITS.opsPerClient, atMost(LIMITS.opsPerClient)).describe('Operations per client, one at a time'),
          mix: z
            .object({ put: mixWeight().optional(), get: mixWeight().optional(), cas: mixWeight().optional() })
            .strict()
            .optional()
            .describe('Relative weights of put, get and cas (default 2, 2, 1)'),
          keys: z
            .union([positiveInt().max(LIMITS.keys, atMost(LIMITS.keys)), listOf(keySchema(), LIMITS.keys, 'keys', 'must be a list of keys').min(1)], {
              error: 'must be a number of keys or a list of keys',
            })
            .optional()
            .describe('The keys operations use: a list, or a count n for k1…kn (default [x, y])'),
        })
        .strict(),
      listOf(explicitClientSchema, LIMITS.clients, 'clients', 'must be a list of clients').min(1),
    ],
    { error: 'must be {count, ops, mix?, keys?} or a list of {id, startAt?, ops}' },
  )
  .describe('Multi-Paxos clients: each issues its operations one at a time, with timeouts and retries to another replica');

export const multiPaxosTimingSchema = z
  .object({
    heartbeatMs: virtualMs(1).optional().describe('Leader heartbeat period, virtual ms'),
    electionMs: virtualMs(1).optional().describe('Base election timeout (randomized up to 2×), virtual ms'),
    clientTimeoutMs: virtualMs(1).optional().describe('A client retries at another replica after this long without a reply'),
    retryMs: virtualMs(1).optional().describe('A client redirected without a leader hint waits this long'),
    maxRetries: nonNegativeInt().max(LIMITS.maxRetries, atMost(LIMITS.maxRetries)).optional().describe('Resends of one operation before the client gives up (outcome unknown)'),
    thinkMs: virtualMs(0).optional().describe('Between operations a client thinks for a time drawn from [0, thinkMs], virtual ms (default 0)'),
  })
  .strict()
  .describe('Multi-Paxos timer settings');

/** The most entries one AppendEntries may be told to carry (the built-in batch is 64). */
const MAX_ENTRIES_PER_APPEND_LIMIT = 1000;

/** Raft's timers are Multi-Paxos's: heartbeat, election timeout, and the clients' (the same clients); plus the AppendEntries batch size. */
export const raftTimingSchema = multiPaxosTimingSchema
  .extend({
    maxEntriesPerAppend: positiveInt()
      .max(MAX_ENTRIES_PER_APPEND_LIMIT, atMost(MAX_ENTRIES_PER_APPEND_LIMIT))
      .optional()
      .describe('At most this many log entries ride in one AppendEntries (default 64); a small batch makes followers catch up in several steps'),
  })
  .strict()
  .describe('Raft timer settings (heartbeatMs, electionMs), the clients\' (clientTimeoutMs, retryMs, maxRetries, thinkMs) and the AppendEntries batch (maxEntriesPerAppend)');

export const expectSchema = z
  .object({
    chosen: valueSchema.optional().describe('The value that must be chosen, or `any`, or `none`'),
    safety: z.enum(['hold', 'violated'], { error: 'must be "hold" or "violated"' }).default('hold'),
    liveness: z
      .object({ within: virtualMs(1).describe('Virtual ms after the last heal by which every live learner must learn') })
      .strict()
      .optional(),
    auxiliaries: z
      .object({
        maxMessages: nonNegativeInt().optional().describe('At most this many messages may reach the auxiliaries over the run'),
        idleAfter: virtualMs().optional().describe('No message may reach an auxiliary after this virtual time'),
      })
      .strict()
      .optional()
      .describe('Cheap Paxos: the auxiliaries-idle checker'),
    explore: z
      .object({
        exhausted: z.boolean({ error: 'must be true or false' }).optional().describe('`paxsim explore` must (true) or must not (false) exhaust the state space'),
        violation: text(LIMITS.idLength, 'must be "none", "any" or a checker name')
          .default('none')
          .describe('`paxsim explore` must find no violation (`none`), some (`any`), or one of this checker'),
      })
      .strict()
      // A search stops at the violation it finds, so it never exhausts the state space: the pair could never be met.
      .refine((explore) => explore.exhausted !== true || explore.violation === 'none', {
        path: ['exhausted'],
        message: 'true cannot be met with a violation expected (explore stops at the first violation, so it never exhausts the state space); use exhausted: true with violation: none, or leave exhausted out',
      })
      .optional()
      .describe('What `paxsim explore` on this scenario must report'),
  })
  .strict();

const exploreBound = () => nonNegativeInt().max(LIMITS.exploreBound, atMost(LIMITS.exploreBound));

/** `paxsim explore`: the fault budgets and search bounds of this configuration (flags override them). */
export const exploreSchema = z
  .object({
    maxDrops: exploreBound().default(0).describe('Messages the network may drop in one schedule'),
    maxDuplicates: exploreBound().default(0).describe('Messages the network may duplicate in one schedule'),
    maxCrashes: exploreBound().default(0).describe('Crashes in one schedule (a crashed node may restart)'),
    maxTimerFires: exploreBound().default(0).describe('Timer firings in one schedule (retries would otherwise never end)'),
    depth: positiveInt().max(LIMITS.exploreDepth, atMost(LIMITS.exploreDepth)).optional().describe('Do not expand states deeper than this many steps'),
    maxStates: positiveInt().max(LIMITS.exploreStates, atMost(LIMITS.exploreStates)).optional().describe('Stop after this many distinct states'),
  })
  .strict()
  .describe('Bounds for `paxsim explore` (exhaustive search); `paxsim run` ignores them');

/** One pinned step of a schedule: exactly one of these keys. */
export const scheduleStepSchema = z
  .object({
    deliver: positiveInt('a message id').optional().describe('Deliver one copy of the message with this id'),
    drop: positiveInt('a message id').optional().describe('Drop one copy of the message with this id'),
    duplicate: positiveInt('a message id').optional().describe('Duplicate the message with this id'),
    fire: z.object({ node: nodeIdSchema, timer: text(LIMITS.idLength) }).strict().optional().describe('Fire an armed timer'),
    crash: nodeIdSchema.optional(),
    restart: nodeIdSchema.optional(),
    request: nodeIdSchema.optional().describe("Deliver this node's next scenario request (a proposal, a client's workload)"),
  })
  .strict();

export const scenarioSchema = z
  .object({
    $schema: text(LIMITS.valueLength).optional(),
    name: text(LIMITS.name, 'must be a non-empty string').min(1, { error: 'must be a non-empty string' }),
    description: text(LIMITS.description).optional(),
    protocol: text(LIMITS.valueLength, 'must be a protocol name ("paxos", "multipaxos", "raft", "cheap-paxos") or a module (./my-protocol.js, an npm package)')
      .min(1, { error: 'must be a protocol name ("paxos", "multipaxos", "raft", "cheap-paxos") or a module (./my-protocol.js, an npm package)' })
      .default('paxos')
      .describe('A built-in protocol (paxos, multipaxos, raft, cheap-paxos), or a module whose default export is a protocol definition: a path relative to this file, or an npm package'),
    config: z.unknown().optional().describe("A user protocol's configuration, validated by its definition's schema"),
    nodes: nodeList().min(1, { error: 'must list at least one node' }),
    roles: rolesSchema.optional(),
    seed: nonNegativeInt().default(1).describe('Default seed; --seed overrides'),
    network: networkSchema.default({ delay: { min: 1, max: 10 }, drop: 0, duplicate: 0 }),
    proposals: listOf(proposalSchema, LIMITS.proposals, 'proposals', 'must be a list of proposals').default([]),
    faults: listOf(faultSchema, LIMITS.faults, 'faults', 'must be a list of faults').default([]),
    until: virtualMs(1).default(10_000).describe('Virtual ms at which the run stops'),
    maxEvents: positiveInt()
      .max(LIMITS.maxEvents, atMost(LIMITS.maxEvents))
      .default(1_000_000)
      .describe(`Hard bound on processed events, so no scenario can hang (a run also stops after ${LIMITS.traceEvents} trace events)`),
    paxos: timingSchema.optional(),
    clients: clientsSchema.optional(),
    multipaxos: multiPaxosTimingSchema.optional(),
    raft: raftTimingSchema.optional(),
    cheapPaxos: cheapPaxosSchema.optional(),
    bug: text(LIMITS.idLength, 'must be a bug name').optional().describe('Run a known-broken protocol variant (see `paxsim list`)'),
    nemesis: nemesisSchema.optional(),
    explore: exploreSchema.optional(),
    schedule: listOf(scheduleStepSchema, LIMITS.scheduleSteps, 'steps', 'must be a list of steps')
      .optional()
      .describe('Pin an exact schedule (what `paxsim explore` writes): `paxsim run` replays these steps instead of simulating time'),
    expect: expectSchema.default({ safety: 'hold' }),
  })
  .strict();

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ParsedScenario = z.output<typeof scenarioSchema>;
export type ParsedFault = z.output<typeof faultSchema>;
export type DelayInput = z.output<typeof delaySchema>;
export type ParsedKvOp = z.output<typeof kvOpSchema>;

/** The JSON Schema shipped for editors, generated from the same definition. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://paxsim.dev/scenario.schema.json',
    title: 'paxsim scenario',
    description: 'A paxsim scenario: nodes, network, proposals, faults and what the run must show.',
  };
}
