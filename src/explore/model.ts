import type { Effects, NodeId, ProtocolFactory, ProtocolNode, Tagged } from '../protocols/effects.js';
import type { AnyTraceEvent } from '../sim/events.js';
import { assert, fail, unreachable } from '../util/assert.js';
import { addHashes, combineHashes, hashPlain, hashPlainRenamed, subtractHashes } from './canonical.js';
import { HashedStorage } from './hashed-storage.js';

/**
 * The exploration model (issue 13): a state is the cluster (each node's
 * storage and volatile state, who is up, armed timers), the multiset of
 * messages in flight, the requests not yet delivered and the fault budgets
 * spent. Virtual time is abstracted away: a step is any one enabled action,
 * so timers fire in any order relative to messages. Steps call the
 * protocol's ordinary handlers through the ordinary effects interface.
 *
 * Node state is never copied field by field (a protocol's node is an object
 * with closures): a node is rebuilt from the storage image it booted from
 * plus the inputs it handled since, replayed with its effects muted. Those
 * local histories are short (a handful of inputs in the shipped
 * configurations), so rebuilding costs a few handler calls. And it is rare:
 * node states are interned by hash, and what a node state does with an
 * input is recorded the first time (NodeOutcome), so later states replay
 * the record instead of running the node.
 */

export interface ExploreLimits {
  readonly maxDrops: number;
  readonly maxDuplicates: number;
  readonly maxCrashes: number;
  /** Timer firings in all (a retrying protocol would otherwise have no end). */
  readonly maxTimerFires: number;
}

export interface ModelRequest {
  readonly node: NodeId;
  readonly request: unknown;
}

export interface ModelSetup {
  readonly nodes: readonly NodeId[];
  /** Nodes that may crash (Multi-Paxos clients never do). */
  readonly crashable: readonly NodeId[];
  /**
   * Nodes whose observations count in the order they happened, across
   * nodes: clients, whose invocations and completions linearizability judges
   * in real-time order. Everyone else's facts count as a set.
   */
  readonly ordered: readonly NodeId[];
  /**
   * Every checked event (every node's observations, crashes, restarts)
   * counts in the order it happened: the checks may depend on that order
   * (a user protocol's own invariants), so histories that differ only in it
   * must not merge. Off for paxsim's checkers, which judge a set of facts.
   */
  readonly orderedHistory?: boolean;
  readonly requests: readonly ModelRequest[];
  readonly factory: ProtocolFactory<Tagged, unknown, Tagged, unknown>;
  readonly limits: ExploreLimits;
  /**
   * Classes of interchangeable nodes (`--symmetry`): permuting the nodes
   * within a class maps every behaviour to another behaviour, so a state and
   * its images count as one. Empty or absent: no symmetry reduction.
   */
  readonly symmetry?: readonly (readonly NodeId[])[] | undefined;
}

/** One observation, linked to the ones before it on the path (shared by every path through it). */
interface ObservationLink {
  readonly node: number;
  readonly observation: Tagged;
  readonly fact: number;
  readonly previous: ObservationLink | null;
}

type NodeInput =
  | { readonly kind: 'boot'; readonly recover: boolean }
  | { readonly kind: 'message'; readonly from: NodeId; readonly message: Tagged }
  | { readonly kind: 'timer'; readonly name: string }
  | { readonly kind: 'request'; readonly request: unknown };

export interface NodeEntry {
  readonly up: boolean;
  /** The storage image the node booted from (never written); null while down. */
  readonly boot: StorageImage | null;
  /** What the node handled since it booted, boot first. */
  readonly inputs: readonly NodeInput[];
  /** Its storage now (never written again: a step writes to a copy). */
  readonly storage: StorageImage;
  /** Armed timers, sorted. */
  readonly timers: readonly string[];
  /** Hash of its state (up, durable view, volatile state, timers): its part of a fingerprint. */
  readonly hash: number;
  /**
   * What this node state does with each input met so far, by input key: a
   * node's handlers are a function of its state and the input, and entries
   * are interned by hash (every state holding this node state shares this
   * entry), so each (node state, input) pair runs the protocol once.
   */
  readonly outcomes: Map<number, NodeOutcome>;
  /** Its hash under each node permutation (`--symmetry`), by permutation index, computed once. */
  renamedHashes?: Map<number, number>;
}

/** One handled input, recorded so it can be applied again without running the node. */
export interface NodeOutcome {
  readonly entry: NodeEntry;
  /** Every message sent, in order: messages to itself too (delivered within the step, they still take a message id). */
  readonly sends: readonly { readonly to: number; readonly message: Tagged; readonly hash: number }[];
  readonly observations: readonly { readonly observation: Tagged; readonly fact: number }[];
}

export interface InFlight {
  readonly from: number;
  readonly to: number;
  readonly message: Tagged;
  /** The trace's message id (a duplicate shares its original's). */
  readonly id: number;
  /** Hash of from, to and the message's content: equal hashes are interchangeable copies. */
  readonly hash: number;
}

export interface ExploreState {
  readonly nodes: readonly NodeEntry[];
  /** Sorted by hash, then id. */
  readonly inFlight: readonly InFlight[];
  /** The multiset's hash: the sum of its messages' hashes, kept as messages come and go. */
  readonly flightHash: number;
  /** Indexes into the setup's requests not yet delivered, in order. */
  readonly pendingRequests: readonly number[];
  /**
   * Every distinct observation so far (node and fact), as sorted hashes: the
   * part of the history the checkers judge, in a fingerprint. A set, not a
   * sequence, so interleavings that reported the same facts merge.
   */
  readonly facts: readonly number[];
  /** The sum of `facts`. */
  readonly factsHash: number;
  /** A running hash of the ordered nodes' observations, in order. */
  readonly orderedFacts: number;
  /** The observations themselves, last first (what `--symmetry` rehashes under a renaming). */
  readonly observations: ObservationLink | null;
  readonly dropsUsed: number;
  readonly duplicatesUsed: number;
  readonly crashesUsed: number;
  readonly timerFiresUsed: number;
  readonly nextMessageId: number;
  readonly depth: number;
}

export type Action =
  | { readonly kind: 'deliver'; readonly message: number }
  | { readonly kind: 'drop'; readonly message: number }
  | { readonly kind: 'duplicate'; readonly message: number }
  | { readonly kind: 'fire'; readonly node: number; readonly timer: string }
  | { readonly kind: 'crash'; readonly node: number }
  | { readonly kind: 'restart'; readonly node: number }
  | { readonly kind: 'request'; readonly request: number };

/**
 * A step taken but not yet built as a state (`ExploreModel.prepare`): what
 * the search needs to decide whether to keep it, valid until the next
 * `prepare`.
 */
export interface PreparedStep {
  /** The successor's depth. */
  readonly depth: number;
  /** How many checked events (observations, crashes, restarts) the step produced. */
  readonly eventCount: number;
  /** The content hash (time left out) of checked event `index`. */
  eventHash(index: number): number;
  /** The checked events, as trace events. */
  events(): AnyTraceEvent[];
  /** The successor's fingerprint (`ExploreModel.fingerprint` of the built state). */
  fingerprint(): number;
  /** Whether a message in flight in the successor is for a node that is up: then a delivery is enabled, and the successor is not terminal (told without building it). */
  deliversSomething(): boolean;
  /** The successor, built. */
  materialize(): ExploreState;
}

/** Receives the events of a step, in the order they happen (network events only when asked for). */
export interface StepSink {
  readonly traceNetwork: boolean;
  /**
   * `contentHash` comes with checked events (observations, crashes,
   * restarts): a hash of the event without its time, which the search keys
   * the checkers' verdicts on.
   */
  emit(event: AnyTraceEvent, contentHash?: number): void;
}

/** A node's stable storage as the model keeps it: the simulator's storage (hashed as it is written), copied when a step writes, never shared while written. */
export type StorageImage = HashedStorage;

/** The live node a step drives, and what it did (effects are muted while its history replays). */
class NodeRun {
  live = false;
  instance!: ProtocolNode<Tagged, unknown>;
  timers: string[];

  constructor(
    readonly index: number,
    readonly storage: StorageImage,
    timers: readonly string[],
    private readonly model: ExploreModel,
    public context: StepContext | null,
  ) {
    this.timers = [...timers];
  }

  effects(): Effects<Tagged, unknown, Tagged> {
    const nodeId = this.model.setup.nodes[this.index]!;
    return {
      nodeId,
      send: (to, message) => {
        if (this.live) this.context!.send(this.index, to, message);
      },
      setTimer: (name, delayMs) => {
        if (!(Number.isInteger(delayMs) && delayMs >= 0)) fail(`timer ${name} on ${nodeId}: delay must be a non-negative integer, got ${delayMs}`);
        if (!this.live || this.timers.includes(name)) return;
        this.timers.push(name);
        this.timers.sort();
      },
      cancelTimer: (name) => {
        if (this.live) this.timers = this.timers.filter((timer) => timer !== name);
      },
      storage: this.storage,
      observe: (observation) => {
        if (!this.live) return;
        this.context!.observe(this.index, observation, combineHashes(this.index + 1, hashPlain(observation)));
      },
      // Time is abstracted away, and the shipped protocols draw only timer jitter: a fixed draw keeps a state a function of its inputs.
      random: () => 0.5,
    };
  }
}

/**
 * What one step is building, kept flat (parallel arrays, reused) so that a
 * step whose successor turns out to be a revisit allocates nothing: the
 * search asks for the successor's fingerprint first (`PreparedStep`) and
 * builds the state object only for a new state. The model reuses one
 * context for every step of a search.
 */
class StepContext implements PreparedStep {
  t = 0;
  private nextMessageId = 1;
  private sink: StepSink | null = null;
  parent!: ExploreState;
  /** The one node the step changed (-1: none), and its new entry. */
  changedNode = -1;
  changedEntry: NodeEntry | null = null;
  /** The in-flight message (index into the parent's) the step took out, or copied. */
  removedMessage = -1;
  duplicatedMessage = -1;
  /** The request (setup index) the step delivered. */
  removedRequest = -1;
  dropsUsed = 0;
  duplicatesUsed = 0;
  crashesUsed = 0;
  timerFiresUsed = 0;
  flightHash = 0;
  factsHash = 0;
  orderedFacts = 0;
  /** Messages that left their node, in send order. */
  sentCount = 0;
  private readonly sentFrom: number[] = [];
  private readonly sentTo: number[] = [];
  private readonly sentMessage: Tagged[] = [];
  private readonly sentHash: number[] = [];
  private readonly sentId: number[] = [];
  /** A node's messages to itself, delivered within the step (they never leave the process). */
  readonly local: InFlight[] = [];
  /** Observations, in order. */
  private observationCount = 0;
  private readonly observationNode: number[] = [];
  private readonly observationValue: Tagged[] = [];
  private readonly observationFact: number[] = [];
  /** The checked events (observations, crashes, restarts), in order: node, observation (null for a crash or restart), content hash. */
  eventCount = 0;
  private readonly eventNode: number[] = [];
  private readonly eventObservation: (Tagged | null)[] = [];
  private readonly eventType: ('crash' | 'restart' | null)[] = [];
  private readonly eventHashes: number[] = [];

  constructor(private readonly model: ExploreModel) {}

  /** Starts a step from `parent` (at time t, giving message ids from `nextMessageId`); events go to `sink` (null: kept for `events()`). */
  reset(parent: ExploreState, t: number, sink: StepSink | null): void {
    this.parent = parent;
    this.t = t;
    this.nextMessageId = parent.nextMessageId;
    this.sink = sink;
    this.changedNode = -1;
    this.changedEntry = null;
    this.removedMessage = -1;
    this.duplicatedMessage = -1;
    this.removedRequest = -1;
    this.dropsUsed = parent.dropsUsed;
    this.duplicatesUsed = parent.duplicatesUsed;
    this.crashesUsed = parent.crashesUsed;
    this.timerFiresUsed = parent.timerFiresUsed;
    this.sentCount = 0;
    if (this.local.length > 0) this.local.length = 0;
    this.observationCount = 0;
    this.eventCount = 0;
    this.recording = null;
  }

  get traceNetwork(): boolean {
    return this.sink !== null && this.sink.traceNetwork;
  }

  get messageIds(): number {
    return this.nextMessageId;
  }

  /** While a node handles an input live, what it does is recorded here (see NodeOutcome). */
  recording: { sends: NodeOutcome['sends'][number][]; observations: NodeOutcome['observations'][number][] } | null = null;

  /** A network event (only ever asked for by a traced sink). */
  emit(event: AnyTraceEvent): void {
    this.sink?.emit(event);
  }

  send(from: number, to: NodeId, message: Tagged): void {
    const toIndex = this.model.indexOf(to);
    const hash = combineHashes(combineHashes(from, toIndex), messageHash(message));
    this.recording?.sends.push({ to: toIndex, message, hash });
    this.addSent(from, toIndex, message, hash);
  }

  private addSent(from: number, to: number, message: Tagged, hash: number): void {
    const id = this.nextMessageId++;
    const nodes = this.model.setup.nodes;
    if (this.traceNetwork) this.sink!.emit({ t: this.t, type: 'send', from: nodes[from]!, to: nodes[to]!, id, msg: message } as AnyTraceEvent);
    if (from === to) {
      this.local.push({ from, to, message, id, hash });
      return;
    }
    const at = this.sentCount++;
    this.sentFrom[at] = from;
    this.sentTo[at] = to;
    this.sentMessage[at] = message;
    this.sentHash[at] = hash;
    this.sentId[at] = id;
  }

  observe(index: number, observation: Tagged, fact: number): void {
    this.recording?.observations.push({ observation, fact });
    const at = this.observationCount++;
    this.observationNode[at] = index;
    this.observationValue[at] = observation;
    this.observationFact[at] = fact;
    this.checked(index, observation, null, fact);
  }

  /** A crash or restart (checked events the checkers judge, beside observations). */
  nodeEvent(type: 'crash' | 'restart', index: number, contentHash: number): void {
    this.checked(index, null, type, contentHash);
  }

  private checked(index: number, observation: Tagged | null, type: 'crash' | 'restart' | null, contentHash: number): void {
    const at = this.eventCount++;
    this.eventNode[at] = index;
    this.eventObservation[at] = observation;
    this.eventType[at] = type;
    this.eventHashes[at] = contentHash;
    // A traced sink gets every event as it happens, in order with the network's.
    if (this.traceNetwork) this.sink!.emit(this.event(at), contentHash);
  }

  eventHash(index: number): number {
    return this.eventHashes[index]!;
  }

  /** The step's checked events as trace events. */
  events(): AnyTraceEvent[] {
    const events: AnyTraceEvent[] = new Array(this.eventCount);
    for (let at = 0; at < this.eventCount; at++) events[at] = this.event(at);
    return events;
  }

  private event(at: number): AnyTraceEvent {
    const node = this.model.setup.nodes[this.eventNode[at]!]!;
    const observation = this.eventObservation[at] ?? null;
    if (observation === null) return { t: this.t, type: this.eventType[at]!, node } as AnyTraceEvent;
    return Object.assign({ t: this.t, type: observation.type, node }, observation) as unknown as AnyTraceEvent;
  }

  /** Hands an untraced sink the step's checked events (a traced one had them as they happened). */
  flushEvents(sink: StepSink): void {
    if (sink.traceNetwork) return;
    for (let at = 0; at < this.eventCount; at++) sink.emit(this.event(at), this.eventHashes[at]);
  }

  /** A recorded outcome, applied again: the same messages (with this step's ids) and observations (at this step's time). */
  replay(index: number, outcome: NodeOutcome): NodeEntry {
    for (const send of outcome.sends) this.addSent(index, send.to, send.message, send.hash);
    // Messages to itself were delivered within the recorded step; replayed, they only take their ids.
    if (this.local.length > 0) this.local.length = 0;
    for (const { observation, fact } of outcome.observations) this.observe(index, observation, fact);
    return outcome.entry;
  }

  /** Once the action ran: the multiset's and the facts' hashes of the successor, from the parent's and what changed. */
  settle(): void {
    const parent = this.parent;
    let flightHash = parent.flightHash;
    if (this.removedMessage >= 0) flightHash = subtractHashes(flightHash, parent.inFlight[this.removedMessage]!.hash);
    if (this.duplicatedMessage >= 0) flightHash = addHashes(flightHash, parent.inFlight[this.duplicatedMessage]!.hash);
    for (let at = 0; at < this.sentCount; at++) flightHash = addHashes(flightHash, this.sentHash[at]!);
    this.flightHash = flightHash;
    let factsHash = parent.factsHash;
    let orderedFacts = parent.orderedFacts;
    if (this.model.orderedHistory) {
      for (let at = 0; at < this.eventCount; at++) orderedFacts = combineHashes(orderedFacts, this.eventHashes[at]!);
      this.factsHash = factsHash;
      this.orderedFacts = orderedFacts;
      return;
    }
    for (let at = 0; at < this.observationCount; at++) {
      const fact = this.observationFact[at]!;
      if (this.model.isOrdered(this.observationNode[at]!)) orderedFacts = combineHashes(orderedFacts, fact);
      else if (this.isNewFact(fact, at)) factsHash = addHashes(factsHash, fact);
    }
    this.factsHash = factsHash;
    this.orderedFacts = orderedFacts;
  }

  /** Whether the unordered fact of observation `at` is in neither the parent's facts nor an earlier observation of this step. */
  private isNewFact(fact: number, at: number): boolean {
    if (indexOfFact(this.parent.facts, fact) >= 0) return false;
    for (let earlier = 0; earlier < at; earlier++) {
      if (this.observationFact[earlier] === fact && !this.model.isOrdered(this.observationNode[earlier]!)) return false;
    }
    return true;
  }

  get depth(): number {
    return this.t;
  }

  /** Whether a message in flight after the step is for a node that is up (see `PreparedStep`). */
  deliversSomething(): boolean {
    const parentNodes = this.parent.nodes;
    for (let at = 0; at < this.sentCount; at++) {
      const to = this.sentTo[at]!;
      if (to === this.changedNode ? this.changedEntry!.up : parentNodes[to]!.up) return true;
    }
    const inFlight = this.parent.inFlight;
    for (let index = 0; index < inFlight.length; index++) {
      if (index === this.removedMessage) continue;
      const to = inFlight[index]!.to;
      if (to === this.changedNode ? this.changedEntry!.up : parentNodes[to]!.up) return true;
    }
    return false;
  }

  fingerprint(): number {
    const parent = this.parent;
    return fingerprintOfParts(parent.nodes, this.changedNode, this.changedEntry, this.flightHash, parent.pendingRequests, this.removedRequest, this.factsHash, this.orderedFacts, this);
  }

  /** The successor as a state object (built only for a state the search keeps). */
  materialize(): ExploreState {
    const parent = this.parent;
    let nodes = parent.nodes;
    if (this.changedNode >= 0) {
      const copy = nodes.slice();
      copy[this.changedNode] = this.changedEntry!;
      nodes = copy;
    }
    let inFlight: InFlight[] | readonly InFlight[] = parent.inFlight;
    if (this.removedMessage >= 0) inFlight = without(inFlight, this.removedMessage);
    if (this.duplicatedMessage >= 0) inFlight = withMessage(inFlight.slice(), parent.inFlight[this.duplicatedMessage]!);
    if (this.sentCount > 0) {
      const merged = inFlight === parent.inFlight ? inFlight.slice() : (inFlight as InFlight[]);
      for (let at = 0; at < this.sentCount; at++) {
        withMessage(merged, { from: this.sentFrom[at]!, to: this.sentTo[at]!, message: this.sentMessage[at]!, id: this.sentId[at]!, hash: this.sentHash[at]! });
      }
      inFlight = merged;
    }
    const pendingRequests = this.removedRequest < 0 ? parent.pendingRequests : parent.pendingRequests.filter((pending) => pending !== this.removedRequest);
    let facts = parent.facts;
    let observations = parent.observations;
    for (let at = 0; at < this.observationCount; at++) {
      const node = this.observationNode[at]!;
      const fact = this.observationFact[at]!;
      if (!this.model.isOrdered(node)) facts = mergeFacts(facts, [fact]);
      observations = { node, observation: this.observationValue[at]!, fact, previous: observations };
    }
    return {
      nodes,
      inFlight,
      flightHash: this.flightHash,
      pendingRequests,
      facts,
      factsHash: this.factsHash,
      orderedFacts: this.orderedFacts,
      observations,
      dropsUsed: this.dropsUsed,
      duplicatesUsed: this.duplicatesUsed,
      crashesUsed: this.crashesUsed,
      timerFiresUsed: this.timerFiresUsed,
      nextMessageId: this.nextMessageId,
      depth: this.t,
    };
  }
}

export class ExploreModel {
  private readonly indexes = new Map<NodeId, number>();
  private readonly crashable: boolean[];
  private readonly ordered: boolean[];
  /** See {@link ModelSetup.orderedHistory}. */
  readonly orderedHistory: boolean;
  /** Interned node entries, per node, by hash. */
  private readonly entries: Map<number, NodeEntry>[];
  /** The context every `prepare` reuses. */
  private readonly scratch = new StepContext(this);

  /** Every permutation of nodes within the symmetry classes (the identity first), with the renaming and request mapping each implies. */
  private readonly permutations: readonly NodePermutation[];

  constructor(readonly setup: ModelSetup) {
    this.entries = setup.nodes.map(() => new Map());
    this.permutations = nodePermutations(setup);
    setup.nodes.forEach((node, index) => this.indexes.set(node, index));
    this.crashable = setup.nodes.map((node) => setup.crashable.includes(node));
    this.orderedHistory = setup.orderedHistory === true;
    // Every node's observations are ordered then (none joins the set of facts).
    this.ordered = setup.nodes.map((node) => this.orderedHistory || setup.ordered.includes(node));
    assert(!this.orderedHistory || this.permutations.length <= 1, () => 'explore: --symmetry renames a set of facts; an ordered history has none');
  }

  isOrdered(index: number): boolean {
    return this.ordered[index]!;
  }

  indexOf(node: NodeId): number {
    const index = this.indexes.get(node);
    assert(index !== undefined, () => `unknown node ${node}`);
    return index;
  }

  /** Every node booted (start), in node order, at t=0. */
  initial(sink: StepSink): ExploreState {
    const context = new StepContext(this);
    const before: ExploreState = {
      nodes: [],
      inFlight: [],
      flightHash: 0,
      pendingRequests: this.setup.requests.map((_request, index) => index),
      facts: [],
      factsHash: 0,
      orderedFacts: 0,
      observations: null,
      dropsUsed: 0,
      duplicatesUsed: 0,
      crashesUsed: 0,
      timerFiresUsed: 0,
      nextMessageId: 1,
      depth: 0,
    };
    context.reset(before, 0, sink);
    const runs = this.setup.nodes.map((_node, index) => {
      const run = new NodeRun(index, new HashedStorage(), [], this, context);
      run.instance = this.setup.factory.createNode(run.effects());
      return run;
    });
    const nodes = runs.map((run) => {
      run.live = true;
      run.instance.start();
      return this.entryAfter(run, new HashedStorage(), this.deliverLocal(run, context, [{ kind: 'boot', recover: false }]));
    });
    context.settle();
    context.flushEvents(sink);
    return { ...context.materialize(), nodes };
  }

  /** The enabled actions, one per class of interchangeable ones (equal message copies count once). */
  actions(state: ExploreState): Action[] {
    const actions: Action[] = [];
    const limits = this.setup.limits;
    const seenRequestNodes = new Set<string>();
    for (const request of state.pendingRequests) {
      const node = this.setup.requests[request]!.node;
      // A node's requests arrive in order: only its first pending one is enabled.
      if (seenRequestNodes.has(node)) continue;
      seenRequestNodes.add(node);
      if (state.nodes[this.indexOf(node)]!.up) actions.push({ kind: 'request', request });
    }
    const inFlight = state.inFlight;
    for (let message = 0; message < inFlight.length; message++) {
      const entry = inFlight[message]!;
      if (message > 0 && inFlight[message - 1]!.hash === entry.hash) continue;
      if (state.nodes[entry.to]!.up) actions.push({ kind: 'deliver', message });
    }
    state.nodes.forEach((node, index) => {
      if (node.up && state.timerFiresUsed < limits.maxTimerFires) for (const timer of node.timers) actions.push({ kind: 'fire', node: index, timer });
    });
    state.nodes.forEach((node, index) => {
      if (node.up && this.crashable[index] && state.crashesUsed < limits.maxCrashes) actions.push({ kind: 'crash', node: index });
      if (!node.up) actions.push({ kind: 'restart', node: index });
    });
    for (let message = 0; message < inFlight.length; message++) {
      const entry = inFlight[message]!;
      if (message > 0 && inFlight[message - 1]!.hash === entry.hash) continue;
      if (state.dropsUsed < limits.maxDrops) actions.push({ kind: 'drop', message });
      if (state.duplicatesUsed < limits.maxDuplicates) actions.push({ kind: 'duplicate', message });
    }
    return actions;
  }

  /** The state after `action`; its events go to `sink` (observations, crashes and restarts always; network events when traced). */
  step(state: ExploreState, action: Action, sink: StepSink): ExploreState {
    const context = new StepContext(this);
    this.run(context, state, action, sink);
    context.flushEvents(sink);
    return context.materialize();
  }

  /**
   * The step `action` takes from `state`, untraced, not yet built as a
   * state: its fingerprint and checked events come first, and the search
   * builds the state only when it is new. Valid until the next `prepare`
   * (the model reuses one context).
   */
  prepare(state: ExploreState, action: Action): PreparedStep {
    this.run(this.scratch, state, action, null);
    return this.scratch;
  }

  private run(context: StepContext, state: ExploreState, action: Action, sink: StepSink | null): void {
    const t = state.depth + 1;
    context.reset(state, t, sink);
    const nodes = this.setup.nodes;
    const traced = context.traceNetwork;
    switch (action.kind) {
      case 'deliver': {
        const message = state.inFlight[action.message]!;
        context.removedMessage = action.message;
        if (traced) context.emit({ t, type: 'deliver', from: nodes[message.from]!, to: nodes[message.to]!, id: message.id, msg: message.message } as AnyTraceEvent);
        context.changedNode = message.to;
        context.changedEntry = this.handle(state.nodes[message.to]!, message.to, context, { kind: 'message', from: nodes[message.from]!, message: message.message }, message.hash);
        break;
      }
      case 'drop': {
        const message = state.inFlight[action.message]!;
        context.removedMessage = action.message;
        context.dropsUsed += 1;
        if (traced) context.emit({ t, type: 'drop', from: nodes[message.from]!, to: nodes[message.to]!, id: message.id, reason: 'random' });
        break;
      }
      case 'duplicate': {
        const message = state.inFlight[action.message]!;
        context.duplicatedMessage = action.message;
        context.duplicatesUsed += 1;
        if (traced) context.emit({ t, type: 'duplicate', from: nodes[message.from]!, to: nodes[message.to]!, id: message.id });
        break;
      }
      case 'fire': {
        const entry = state.nodes[action.node]!;
        assert(entry.up && entry.timers.includes(action.timer), () => `timer ${action.timer} of ${nodes[action.node]} is not armed`);
        context.timerFiresUsed += 1;
        if (traced) context.emit({ t, type: 'timer', node: nodes[action.node]!, timer: action.timer });
        context.changedNode = action.node;
        context.changedEntry = this.handle(entry, action.node, context, { kind: 'timer', name: action.timer }, combineHashes(TIMER_INPUT, hashPlain(action.timer)));
        break;
      }
      case 'crash': {
        const entry = state.nodes[action.node]!;
        assert(entry.up, () => `crash of ${nodes[action.node]}, which is down`);
        context.crashesUsed += 1;
        context.nodeEvent('crash', action.node, combineHashes(CRASH_EVENT, action.node));
        context.changedNode = action.node;
        context.changedEntry = this.interned(action.node, { up: false, boot: null, inputs: [], storage: entry.storage, timers: [], hash: combineHashes(DOWN, entry.storage.hash), outcomes: new Map() });
        break;
      }
      case 'restart': {
        const entry = state.nodes[action.node]!;
        assert(!entry.up, () => `restart of ${nodes[action.node]}, which is up`);
        context.nodeEvent('restart', action.node, combineHashes(RESTART_EVENT, action.node));
        const run = new NodeRun(action.node, entry.storage.copy(), [], this, context);
        run.live = true;
        run.instance = this.setup.factory.createNode(run.effects());
        run.instance.recover();
        context.changedNode = action.node;
        context.changedEntry = this.entryAfter(run, entry.storage, this.deliverLocal(run, context, [{ kind: 'boot', recover: true }]));
        break;
      }
      case 'request': {
        const request = this.setup.requests[action.request]!;
        const index = this.indexOf(request.node);
        context.removedRequest = action.request;
        context.changedNode = index;
        context.changedEntry = this.handle(state.nodes[index]!, index, context, { kind: 'request', request: request.request }, combineHashes(REQUEST_INPUT, action.request));
        break;
      }
      default:
        unreachable(action, 'explore action');
    }
    context.settle();
  }

  /**
   * The state's fingerprint, from the parts each step keeps up to date (so
   * a step rehashes only what it changed): the nodes' hashes in order, the
   * multiset of messages in flight (a sum), requests left, the facts
   * reported (a sum over the set, and the ordered nodes' running hash),
   * budgets spent.
   */
  fingerprint(state: ExploreState): number {
    return fingerprintOfParts(state.nodes, -1, null, state.flightHash, state.pendingRequests, -1, state.factsHash, state.orderedFacts, state);
  }

  /**
   * The fingerprint of the state's canonical image under the symmetry
   * classes: the least fingerprint over every permutation of nodes within
   * their classes, each computed on the renamed state (node ids renamed in
   * node states, disks, messages and observations; nodes, messages and
   * requests moved to their images' places). Equal for a state and all its
   * images. Without symmetry classes it is `fingerprint`.
   */
  symmetricFingerprint(state: ExploreState): number {
    const permutations = this.permutations;
    if (permutations.length <= 1) return this.fingerprint(state);
    let least = Infinity;
    for (let index = 0; index < permutations.length; index++) least = Math.min(least, this.renamedFingerprint(state, index));
    return least;
  }

  /** How many node permutations `--symmetry` tries (1: the identity alone). */
  get permutationCount(): number {
    return this.permutations.length;
  }

  private renamedFingerprint(state: ExploreState, permutationIndex: number): number {
    const permutation = this.permutations[permutationIndex]!;
    const { image, requestImage } = permutation;
    const nodeHashes: number[] = new Array(state.nodes.length);
    state.nodes.forEach((entry, index) => {
      nodeHashes[image[index]!] = this.renamedNodeHash(entry, index, permutationIndex);
    });
    let hash = 17;
    for (const node of nodeHashes) hash = combineHashes(hash, node);
    let flight = 0;
    for (const message of state.inFlight) flight = addHashes(flight, this.renamedMessageHash(message, permutation));
    hash = combineHashes(hash, flight);
    const pending = state.pendingRequests.map((request) => requestImage[request]!).sort((a, b) => a - b);
    hash = combineHashes(hash, pending.length);
    for (const request of pending) hash = combineHashes(hash, request);
    let facts = 0;
    for (const fact of state.facts) facts = addHashes(facts, this.renamedFact(fact, state.observations, permutation));
    const ordered: number[] = [];
    for (let link = state.observations; link !== null; link = link.previous) {
      if (this.isOrdered(link.node)) ordered.push(this.renamedFact(link.fact, link, permutation));
    }
    hash = combineHashes(hash, facts);
    hash = combineHashes(hash, ordered.reduceRight(combineHashes, 0));
    return combineHashes(hash, state.dropsUsed + 64 * state.duplicatesUsed + 4096 * state.crashesUsed + 262144 * state.timerFiresUsed);
  }

  /** A message's hash (sender, receiver, content) under the permutation, computed once per distinct message. */
  private renamedMessageHash(message: InFlight, permutation: NodePermutation): number {
    let renamed = permutation.messageImages.get(message.hash);
    if (renamed === undefined) {
      renamed = combineHashes(combineHashes(permutation.image[message.from]!, permutation.image[message.to]!), hashPlainRenamed(message.message, permutation.names));
      permutation.messageImages.set(message.hash, renamed);
    }
    return renamed;
  }

  /** An observation's fact hash under the permutation (found on the path's observations the first time), computed once per distinct fact. */
  private renamedFact(fact: number, observations: ObservationLink | null, permutation: NodePermutation): number {
    let renamed = permutation.factImages.get(fact);
    if (renamed === undefined) {
      let link = observations;
      while (link !== null && link.fact !== fact) link = link.previous;
      assert(link !== null, 'a fact without its observation');
      renamed = combineHashes(permutation.image[link.node]! + 1, hashPlainRenamed(link.observation, permutation.names));
      permutation.factImages.set(fact, renamed);
    }
    return renamed;
  }

  /** A node's hash with ids renamed: its disk, its volatile state (from a rebuilt instance) and timers; once per node state and permutation. */
  private renamedNodeHash(entry: NodeEntry, index: number, permutationIndex: number): number {
    const known = entry.renamedHashes?.get(permutationIndex);
    if (known !== undefined) return known;
    const names = this.permutations[permutationIndex]!.names;
    let hash: number;
    if (!entry.up) hash = combineHashes(DOWN, entry.storage.renamedHash(names));
    else {
      const volatile = this.rebuild(entry, index, null).instance.volatileState();
      hash = combineHashes(combineHashes(combineHashes(UP, entry.storage.renamedHash(names)), hashPlainRenamed(volatile, names)), hashPlain(entry.timers));
    }
    (entry.renamedHashes ??= new Map()).set(permutationIndex, hash);
    return hash;
  }

  /** A plain-data view of one node (durable from its storage, volatile from a rebuilt instance) for debugger views. */
  nodeView(state: ExploreState, index: number): { up: boolean; durable: unknown; volatile: unknown } {
    const entry = state.nodes[index]!;
    const durable = this.setup.factory.durableView(this.setup.nodes[index]!, entry.storage);
    if (!entry.up) return { up: false, durable, volatile: null };
    return { up: true, durable, volatile: this.rebuild(entry, index, null).instance.volatileState() };
  }

  /**
   * The node `entry` describes, after one more input (`inputKey` names it):
   * run live the first time this node state meets this input, replayed from
   * the recorded outcome after that. A traced step (a pinned schedule's
   * replay) always runs live, so its network events are the node's own.
   */
  private handle(entry: NodeEntry, index: number, context: StepContext, input: NodeInput, inputKey: number): NodeEntry {
    assert(entry.up, () => `${this.setup.nodes[index]} is down`);
    if (!context.traceNetwork) {
      const known = entry.outcomes.get(inputKey);
      if (known !== undefined) return context.replay(index, known);
      context.recording = { sends: [], observations: [] };
      const next = this.handleLive(entry, index, context, input);
      entry.outcomes.set(inputKey, { entry: next, ...context.recording });
      context.recording = null;
      return next;
    }
    return this.handleLive(entry, index, context, input);
  }

  private handleLive(entry: NodeEntry, index: number, context: StepContext, input: NodeInput): NodeEntry {
    const run = this.rebuild(entry, index, context);
    run.live = true;
    const instance = run.instance;
    switch (input.kind) {
      case 'message':
        instance.onMessage(input.from, input.message);
        break;
      case 'timer':
        run.timers = run.timers.filter((timer) => timer !== input.name);
        instance.onTimer(input.name);
        break;
      case 'request':
        instance.onRequest(input.request);
        break;
      case 'boot':
        fail('a boot is a restart, not an input');
    }
    return this.entryAfter(run, entry.boot!, this.deliverLocal(run, context, [...entry.inputs, input]));
  }

  /** Delivers the node's messages to itself, in order, within the step; each is one more input. */
  private deliverLocal(run: NodeRun, context: StepContext, inputs: NodeInput[]): NodeInput[] {
    const nodeId = this.setup.nodes[run.index]!;
    while (context.local.length > 0) {
      const message = context.local.shift()!;
      assert(message.from === run.index, 'a message to itself from another node');
      if (context.traceNetwork) context.emit({ t: context.t, type: 'deliver', from: nodeId, to: nodeId, id: message.id, msg: message.message } as AnyTraceEvent);
      inputs.push({ kind: 'message', from: nodeId, message: message.message });
      run.instance.onMessage(nodeId, message.message);
    }
    return inputs;
  }


  /** A live instance equal to the node `entry` describes: created from its boot image, its inputs replayed muted. */
  private rebuild(entry: NodeEntry, index: number, context: StepContext | null): NodeRun {
    const run = new NodeRun(index, entry.boot!.copy(), entry.timers, this, context);
    const instance = this.setup.factory.createNode(run.effects());
    run.instance = instance;
    for (const input of entry.inputs) {
      switch (input.kind) {
        case 'boot':
          if (input.recover) instance.recover();
          else instance.start();
          break;
        case 'message':
          instance.onMessage(input.from, input.message);
          break;
        case 'timer':
          instance.onTimer(input.name);
          break;
        case 'request':
          instance.onRequest(input.request);
          break;
      }
    }
    return run;
  }

  private entryAfter(run: NodeRun, boot: StorageImage, inputs: readonly NodeInput[]): NodeEntry {
    const hash = combineHashes(combineHashes(combineHashes(UP, run.storage.hash), hashPlain(run.instance.volatileState())), hashPlain(run.timers));
    return this.interned(run.index, { up: true, boot, inputs, storage: run.storage, timers: run.timers, hash, outcomes: new Map() });
  }

  /**
   * The one entry kept for each node state (by hash): the first path's, whose
   * boot image and inputs rebuild an equal node (the fingerprint merges states
   * by these same hashes), so every state holding it shares its outcomes.
   */
  private interned(index: number, entry: NodeEntry): NodeEntry {
    const known = this.entries[index]!.get(entry.hash);
    if (known !== undefined) return known;
    this.entries[index]!.set(entry.hash, entry);
    return entry;
  }
}

/** A copy of `items` without the one at `index`. */
function without<Item>(items: readonly Item[], index: number): Item[] {
  const copy: Item[] = new Array(items.length - 1);
  for (let at = 0; at < index; at++) copy[at] = items[at]!;
  for (let at = index + 1; at < items.length; at++) copy[at - 1] = items[at]!;
  return copy;
}

/** Where `fact` is in the sorted `facts`, or -1. */
function indexOfFact(facts: readonly number[], fact: number): number {
  const at = lowerBound(facts, fact);
  return facts[at] === fact ? at : -1;
}

/** The first position in the sorted `list` whose item is not below `value`. */
function lowerBound(list: readonly number[], value: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (list[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The sorted union of two fact lists (the first sorted and unique). */
function mergeFacts(facts: readonly number[], added: readonly number[]): readonly number[] {
  let merged: number[] | null = null;
  for (const fact of added) {
    const list: readonly number[] = merged ?? facts;
    const low = lowerBound(list, fact);
    if (list[low] === fact) continue;
    merged ??= [...facts];
    merged.splice(low, 0, fact);
  }
  return merged ?? facts;
}

/** Inserts `message` into `inFlight` (sorted by hash, then id) in place; returns it. */
function withMessage(inFlight: InFlight[], message: InFlight): InFlight[] {
  let low = 0;
  let high = inFlight.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const other = inFlight[middle]!;
    if (other.hash < message.hash || (other.hash === message.hash && other.id < message.id)) low = middle + 1;
    else high = middle;
  }
  inFlight.splice(low, 0, message);
  return inFlight;
}

/** The fault budgets spent, as a state (or a step building one) holds them. */
interface BudgetsSpent {
  readonly dropsUsed: number;
  readonly duplicatesUsed: number;
  readonly crashesUsed: number;
  readonly timerFiresUsed: number;
}

/**
 * A state's fingerprint from its parts (see `ExploreModel.fingerprint`):
 * `nodes` with the one at `changedNode` (unless -1) replaced by
 * `changedEntry`, and `pendingRequests` without `removedRequest`, so a step
 * is fingerprinted before its state is built.
 */
function fingerprintOfParts(
  nodes: readonly NodeEntry[],
  changedNode: number,
  changedEntry: NodeEntry | null,
  flightHash: number,
  pendingRequests: readonly number[],
  removedRequest: number,
  factsHash: number,
  orderedFacts: number,
  budgets: BudgetsSpent,
): number {
  let hash = 17;
  for (let index = 0; index < nodes.length; index++) hash = combineHashes(hash, index === changedNode ? changedEntry!.hash : nodes[index]!.hash);
  hash = combineHashes(hash, flightHash);
  hash = combineHashes(hash, pendingRequests.length - (removedRequest >= 0 ? 1 : 0));
  for (const request of pendingRequests) if (request !== removedRequest) hash = combineHashes(hash, request);
  hash = combineHashes(hash, factsHash);
  hash = combineHashes(hash, orderedFacts);
  return combineHashes(hash, budgets.dropsUsed + 64 * budgets.duplicatesUsed + 4096 * budgets.crashesUsed + 262144 * budgets.timerFiresUsed);
}

/**
 * The content hash of the last message object hashed: a broadcast hands
 * every receiver the same immutable object, so it is hashed once (a one-entry
 * memo, not a WeakMap, whose ephemerons cost the garbage collector more than
 * the hashing).
 */
let lastMessage: Tagged | null = null;
let lastMessageHash = 0;

function messageHash(message: Tagged): number {
  if (message !== lastMessage) {
    lastMessageHash = hashPlain(message);
    lastMessage = message;
  }
  return lastMessageHash;
}

/** Seeds that tell a node that is up from one that is down in its hash. */
const UP = 0x5550;
const DOWN = 0x444f;
/** Seeds of the input keys of timer firings and requests (a message's key is its hash). */
const TIMER_INPUT = 0x54494d;
const REQUEST_INPUT = 0x524551;
/** Seeds of the content hashes of crash and restart events (an observation's is its fact). */
const CRASH_EVENT = 0x435253;
const RESTART_EVENT = 0x525354;

/** A permutation of the nodes: `image[i]` is node i's image; `names` renames ids; `requestImage[r]` is request r's counterpart at the image node. */
interface NodePermutation {
  readonly image: readonly number[];
  readonly names: ReadonlyMap<string, string>;
  readonly requestImage: readonly number[];
  /** Renamed hashes of the messages and facts met so far, by their own hashes. */
  readonly messageImages: Map<number, number>;
  readonly factImages: Map<number, number>;
}

/** At most this many permutations (6! : a class of six, or smaller classes combined). */
const MAX_PERMUTATIONS = 720;

function nodePermutations(setup: ModelSetup): NodePermutation[] {
  const nodes = setup.nodes;
  let images: number[][] = [nodes.map((_node, index) => index)];
  for (const members of setup.symmetry ?? []) {
    const indexes = members.map((member) => nodes.indexOf(member));
    assert(indexes.every((index) => index >= 0), () => `symmetry class ${members.join(',')} names an unknown node`);
    const next: number[][] = [];
    for (const base of images) {
      for (const arrangement of arrangementsOf(indexes)) {
        const image = [...base];
        indexes.forEach((index, position) => (image[index] = base[indexes[arrangement[position]!]!]!));
        next.push(image);
      }
    }
    images = next;
    assert(images.length <= MAX_PERMUTATIONS, () => `--symmetry: more than ${MAX_PERMUTATIONS} node permutations`);
  }
  return images.map((image) => {
    const names = new Map<string, string>();
    image.forEach((target, index) => {
      if (target !== index) names.set(nodes[index]!, nodes[target]!);
    });
    // The k-th request of a node maps to the k-th request of its image (interchangeable nodes have equal request lists).
    const positions = setup.requests.map((request, index) => setup.requests.slice(0, index).filter((earlier) => earlier.node === request.node).length);
    const requestImage = setup.requests.map((request, index) => {
      const target = nodes[image[nodes.indexOf(request.node)]!]!;
      const counterpart = setup.requests.findIndex((other, otherIndex) => other.node === target && positions[otherIndex] === positions[index]);
      assert(counterpart >= 0, () => `--symmetry: ${request.node} and ${target} have different requests`);
      return counterpart;
    });
    return { image, names, requestImage, messageImages: new Map(), factImages: new Map() };
  });
}

/** Every ordering of `items` (as positions into it), the identity first. */
function arrangementsOf(items: readonly number[]): number[][] {
  const result: number[][] = [];
  const walk = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) {
      result.push(prefix);
      return;
    }
    rest.forEach((item, position) => walk([...prefix, item], [...rest.slice(0, position), ...rest.slice(position + 1)]));
  };
  walk([], items.map((_item, position) => position));
  return result;
}
