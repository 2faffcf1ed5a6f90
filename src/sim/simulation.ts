import { takesOwnedDelivery, type DurableStorage, type Effects, type ProtocolFactory, type ProtocolNode, type Tagged } from '../protocols/effects.js';
import type { Fault, NetworkSpec, NodeId } from '../scenario/scenario.js';
import { assert, fail, unreachable } from '../util/assert.js';
import { mapPacked } from '../util/packed-array.js';
import { EntryQueue, NO_COPIES } from './entry-queue.js';
import type { AnyTraceEvent, DropReason, FaultEvent } from './events.js';
import { drawDelayMs, LinkState, MessageFate } from './network.js';
import { observationEvent } from './observation-event.js';
import { chance, randomStream, type Random } from './rng.js';
import { SimulatedStorage } from './storage.js';

/** A client request delivered to a node at a fixed time (single-decree Paxos: "propose X"). */
export interface ScheduledRequest<Request> {
  readonly atMs: number;
  readonly node: NodeId;
  readonly request: Request;
  /** Shown in the trace if the request is lost because its node is down. */
  readonly value: string;
}

export interface SimulationSetup<Message extends Tagged, StoredRecord, Observation extends Tagged, Request> {
  readonly seed: number;
  readonly nodes: readonly NodeId[];
  /** Nodes that no partition or cut separates from anyone (a protocol's clients). */
  readonly alwaysConnected?: readonly NodeId[];
  readonly network: NetworkSpec;
  readonly faults: readonly Fault[];
  readonly requests: readonly ScheduledRequest<Request>[];
  readonly untilMs: number;
  readonly maxEvents: number;
  readonly protocol: ProtocolFactory<Message, StoredRecord, Observation, Request>;
  /** Receives every trace event, in order. */
  readonly emit: (event: AnyTraceEvent) => void;
  /**
   * Emit the network's events (send, deliver, drop, duplicate, timeout)?
   * Checkers never read them, so an untraced run (fuzzing, benchmarks) skips
   * building them and only counts them. Default true.
   */
  readonly traceNetwork?: boolean;
  /**
   * When tracing the network, takes its events as fields instead of `emit`
   * taking them as objects: for a run whose only reader of network events is
   * the trace writer (no object, no dispatch on its type). Optional.
   */
  readonly networkTrace?: NetworkTrace | undefined;
  /** Asked after every processed event; true ends the run early (a fuzzer stops at the first violation). */
  readonly shouldStop?: () => boolean;
}

/** The network's trace events, one call per event with its fields (what `emit` would receive as `{t, type, …}`), in emit order. */
export interface NetworkTrace {
  send(t: number, from: NodeId, to: NodeId, id: number, msg: Tagged): void;
  deliver(t: number, from: NodeId, to: NodeId, id: number, msg: Tagged): void;
  drop(t: number, from: NodeId, to: NodeId, id: number, reason: DropReason): void;
  duplicate(t: number, from: NodeId, to: NodeId, id: number): void;
  timer(t: number, node: NodeId, timer: string): void;
}

/** `max-trace-events`: the runner stopped the run at its trace-event bound (reported through `shouldStop`). */
export type StopReason = 'quiescent' | 'until' | 'max-events' | 'max-trace-events' | 'stopped';

export interface SimulationOutcome {
  /** The virtual time the run is judged at: `until` unless it was cut short. */
  readonly endMs: number;
  readonly lastEventMs: number;
  readonly processedEvents: number;
  readonly stoppedBy: StopReason;
  readonly traffic: TrafficCounts;
}

/** What the network did, counted whether or not its events were traced. */
export interface TrafficCounts {
  /** Network events not emitted because traceNetwork was off (they count as trace events all the same). */
  untracedEvents: number;
  /** Messages sent, by message type. */
  readonly sentByType: Record<string, number>;
  /** Deliveries of a second copy of a message whose first copy was delivered too. */
  duplicateDeliveries: number;
}

export interface NodeSnapshot {
  readonly id: NodeId;
  readonly status: 'up' | 'paused' | 'crashed';
  /** What survives a crash: the protocol's view of the node's stored records (the same whether it is up or crashed). */
  readonly durable: unknown;
  readonly volatile: unknown;
  readonly clockRate: number;
}

/** The whole cluster at one moment, for debugger views. */
export interface ClusterSnapshot {
  readonly timeMs: number;
  readonly nodes: readonly NodeSnapshot[];
  readonly partition: NodeId[][] | null;
  readonly cuts: readonly [NodeId, NodeId][];
}

/** The token of a timer that is not armed: tokens handed out start at 1. */
const NO_TIMER = 0;

const DELIVER = 0;
const TIMER = 1;
const FAULT = 2;
const REQUEST = 3;

/*
 * What an entry's fields mean, per kind (see EntryQueue):
 * - deliver: node = sender index, other = receiver index, id = message id,
 *   payload = the message, copies = the shared delivery counter of a
 *   duplicated message's two entries (NO_COPIES otherwise);
 * - timer: node = node index, other = the node's incarnation when armed,
 *   id = arming token, payload = the timer's name;
 * - fault: payload = the fault;
 * - request: node = node index, payload = the request and its display value.
 */
/**
 * A node's timers: name → token of the live arming. A node has a few timer
 * names, so they sit in two short arrays searched in order (a Map per node was
 * a large share of a fuzz seed's set-up garbage); past {@link TimerTokens.MAX_LISTED}
 * names (a protocol naming a timer per request) they move to a Map.
 */
class TimerTokens {
  static readonly MAX_LISTED = 16;
  private readonly names: string[] = [];
  private readonly tokens: number[] = [];
  private byName: Map<string, number> | null = null;

  /** The token of the live arming, or NO_TIMER. */
  get(name: string): number {
    if (this.byName !== null) return this.byName.get(name) ?? NO_TIMER;
    const names = this.names;
    for (let index = 0; index < names.length; index++) if (names[index] === name) return this.tokens[index]!;
    return NO_TIMER;
  }

  set(name: string, token: number): void {
    if (this.byName !== null) {
      this.byName.set(name, token);
      return;
    }
    const names = this.names;
    for (let index = 0; index < names.length; index++) {
      if (names[index] === name) {
        this.tokens[index] = token;
        return;
      }
    }
    names.push(name);
    this.tokens.push(token);
    if (names.length > TimerTokens.MAX_LISTED) this.byName = new Map(names.map((listed, index) => [listed, this.tokens[index]!]));
  }

  clear(): void {
    this.names.length = 0;
    this.tokens.length = 0;
    this.byName = null;
  }
}

interface NodeSlot<Message extends Tagged, StoredRecord, Request> {
  readonly id: NodeId;
  readonly index: number;
  up: boolean;
  /** A paused node processes nothing: what arrives for it waits here (queue handles), in order, until it resumes. */
  paused: boolean;
  waiting: number[];
  /** How fast this node's clock runs relative to virtual time: its timer delays are divided by it. */
  clockRate: number;
  /** Bumped on crash and restart, so effects and timers of a dead incarnation are recognized. */
  incarnation: number;
  instance: ProtocolNode<Message, Request> | null;
  /** The node's disk: it outlives every incarnation. */
  readonly storage: SimulatedStorage<StoredRecord>;
  /** Timer name → token of the live arming (NO_TIMER once fired or cancelled); a fired entry with another token was replaced or cancelled. */
  timers: TimerTokens;
  readonly random: Random;
}

/**
 * The discrete-event core: one queue ordered by (virtual time, sequence),
 * a network that loses, delays, duplicates and partitions, and nodes that
 * crash and recover. Pure function of its setup: no wall clock, no ambient
 * randomness, no async.
 */
export class Simulation<Message extends Tagged, StoredRecord, Observation extends Tagged, Request> {
  private readonly queue = EntryQueue.acquire();
  /** Per duplicated message (both its entries hold the index): copies delivered so far. */
  private readonly copiesDelivered: number[] = [];
  private readonly links: LinkState;
  private readonly fate: MessageFate;
  private readonly slots: NodeSlot<Message, StoredRecord, Request>[];
  private readonly emit: (event: AnyTraceEvent) => void;
  private nowMs = 0;
  private processedEvents = 0;
  private ran = false;
  private nextMessageId = 1;
  private nextTimerToken = 1;
  private readonly traceNetwork: boolean;
  /** Where network events go as fields, when the setup gave one and the network is traced (else they go to `emit`). */
  private readonly networkTrace: NetworkTrace | null;
  private readonly traffic: TrafficCounts = { untracedEvents: 0, sentByType: {}, duplicateDeliveries: 0 };
  /**
   * Messages sent by type, counted here and copied into `traffic.sentByType`
   * (in first-sent order, as before) when the run ends: a store into a record
   * keyed by a varying name was a quarter of the time spent in send.
   */
  private readonly sentCounts = new Map<string, { sent: number }>();
  /**
   * The last message counted and its type's counter: a broadcast sends one
   * message object to every node, and reading `type` off messages of many
   * shapes is a megamorphic load, so it is read once per message object.
   */
  private lastCountedMessage: unknown = null;
  private lastCounter: { sent: number } = { sent: 0 };

  constructor(private readonly setup: SimulationSetup<Message, StoredRecord, Observation, Request>) {
    assert(setup.nodes.length > 0, 'a simulation needs at least one node');
    this.emit = setup.emit;
    this.traceNetwork = setup.traceNetwork !== false;
    this.networkTrace = this.traceNetwork ? (setup.networkTrace ?? null) : null;
    this.links = new LinkState(setup.nodes, setup.alwaysConnected ?? []);
    this.fate = new MessageFate(setup.network, setup.seed, setup.nodes);
    // Packed in every tier: `run`, `process` and the handlers index it per event (see util/packed-array.ts).
    this.slots = mapPacked(setup.nodes, (id, index) => ({
      id,
      index,
      up: true,
      paused: false,
      waiting: [],
      clockRate: 1,
      incarnation: 0,
      instance: null,
      storage: new SimulatedStorage<StoredRecord>(),
      timers: new TimerTokens(),
      random: randomStream(setup.seed, `node/${id}`),
    }));
    for (const fault of setup.faults) this.queue.push(this.queue.create(FAULT, -1, -1, -1, fault, NO_COPIES), fault.at);
    for (const request of setup.requests) {
      const payload = { request: request.request, value: request.value };
      this.queue.push(this.queue.create(REQUEST, this.links.index(request.node), -1, -1, payload, NO_COPIES), request.atMs);
    }
  }

  /** Network events counted but not emitted so far (traceNetwork off). */
  get untracedEvents(): number {
    return this.traffic.untracedEvents;
  }

  run(): SimulationOutcome {
    // Its queue is recycled when the run ends, so a simulation runs once.
    assert(!this.ran, 'a simulation runs once');
    this.ran = true;
    for (const slot of this.slots) {
      slot.instance = this.setup.protocol.createNode(this.effectsFor(slot));
      slot.instance.start();
    }
    // A node that threw in start() (or a violation there, under stopOnViolation) ends the run before any event.
    if (this.setup.shouldStop?.()) return this.outcome(this.nowMs, 0, 0, 'stopped');
    const stoppedBy = this.processEvents();
    const endMs = stoppedBy === 'quiescent' || stoppedBy === 'until' ? this.setup.untilMs : this.nowMs;
    // Every event set `nowMs`, so it is the last event's time (0 when there was none).
    return this.outcome(endMs, this.nowMs, this.processedEvents, stoppedBy);
  }

  /**
   * The event loop, apart from `run`: V8 optimizes it while the first run is
   * still looping, before any run has ended. Ending here is only returning a
   * constant, so that code needs no feedback; when it built the outcome too,
   * the first run's end deoptimized the freshly optimized loop (with
   * `process` and the handlers inlined), which was then compiled again.
   */
  private processEvents(): StopReason {
    const { untilMs, maxEvents, shouldStop } = this.setup;
    const queue = this.queue;
    for (;;) {
      const nextMs = queue.peekTimeMs();
      if (nextMs < 0) return 'quiescent';
      if (nextMs > untilMs) return 'until';
      const next = queue.pop();
      if (nextMs < this.nowMs) fail(`time went backwards: ${nextMs} < ${this.nowMs}`);
      this.nowMs = nextMs;
      this.process(next);
      this.processedEvents += 1;
      if (shouldStop?.()) return 'stopped';
      if (this.processedEvents >= maxEvents) return 'max-events';
    }
  }

  /** The run is over (a simulation runs once): its queue goes back for the next run. */
  private outcome(endMs: number, lastEventMs: number, processedEvents: number, stoppedBy: StopReason): SimulationOutcome {
    this.queue.recycle();
    const sentByType = this.traffic.sentByType;
    for (const [type, counter] of this.sentCounts) sentByType[type] = counter.sent;
    return { endMs, lastEventMs, processedEvents, stoppedBy, traffic: this.traffic };
  }

  /** Plain-data state of every node and link, for debugger views. */
  snapshot(): ClusterSnapshot {
    const links = this.links.describe();
    return {
      timeMs: this.nowMs,
      nodes: this.slots.map((slot) => ({
        id: slot.id,
        status: !slot.up ? 'crashed' : slot.paused ? 'paused' : 'up',
        durable: this.setup.protocol.durableView(slot.id, slot.storage),
        volatile: slot.up ? slot.instance!.volatileState() : null,
        clockRate: slot.clockRate,
      })),
      partition: links.groups,
      cuts: links.cuts,
    };
  }

  /** Processes a popped entry: its fields are read and its handle released before anything it does schedules more. */
  private process(entry: number): void {
    const queue = this.queue;
    const kind = queue.kind(entry);
    const node = queue.node(entry);
    const other = queue.other(entry);
    if (kind !== FAULT) {
      const target = this.slots[kind === DELIVER ? other : node]!;
      if (target.paused) {
        target.waiting.push(entry);
        return;
      }
    }
    const id = queue.id(entry);
    const copies = queue.copies(entry);
    const payload = queue.payload(entry);
    queue.release(entry);
    switch (kind) {
      case DELIVER:
        return this.deliver(node, other, id, payload as Message, copies);
      case TIMER:
        return this.fireTimer(node, other, payload as string, id);
      case FAULT:
        return this.applyFault(payload as Fault);
      case REQUEST: {
        const { request, value } = payload as { request: Request; value: string };
        return this.handleRequest(node, request, value);
      }
      default:
        fail(`unknown queue entry kind ${kind}`);
    }
  }

  private counterOf(type: string): { sent: number } {
    let counter = this.sentCounts.get(type);
    if (counter === undefined) {
      counter = { sent: 0 };
      this.sentCounts.set(type, counter);
    }
    return counter;
  }

  /** A delivery entry, scheduled (the queue hands out the sequence number that breaks ties in time). */
  private scheduleDelivery(timeMs: number, from: number, to: number, id: number, message: Message, copies: number): number {
    const entry = this.queue.create(DELIVER, from, to, id, message, copies);
    this.queue.push(entry, timeMs);
    return entry;
  }

  /** A node's effects send through here (the simulation is its nodes' NodeAccess: no adapter object or closure per call). */
  nodeSend(fromSlot: NodeSlot<Message, StoredRecord, Request>, to: NodeId, message: Message): void {
    const from = fromSlot.index;
    const toIndex = this.links.index(to);
    const id = this.nextMessageId++;
    const t = this.nowMs;
    if (message !== this.lastCountedMessage) {
      this.lastCountedMessage = message;
      this.lastCounter = this.counterOf(message.type);
    }
    this.lastCounter.sent += 1;
    if (this.networkTrace !== null) this.networkTrace.send(t, fromSlot.id, to, id, message);
    else if (this.traceNetwork) this.emit({ t, type: 'send', from: fromSlot.id, to, id, msg: message } as AnyTraceEvent);
    else this.traffic.untracedEvents += 1;
    if (from === toIndex) {
      // A node's message to itself never leaves the process: reliable and immediate.
      this.scheduleDelivery(t, from, toIndex, id, message, NO_COPIES);
      return;
    }
    if (this.links.isBlocked(from, toIndex)) return this.emitDrop(fromSlot.id, to, id, 'partition');
    const stream = this.fate.sender(from);
    const spec = this.fate.specAt(t);
    if (chance(stream, spec.drop)) return this.emitDrop(fromSlot.id, to, id, 'random');
    const first = this.scheduleDelivery(t + drawDelayMs(spec.delay, stream), from, toIndex, id, message, NO_COPIES);
    if (chance(stream, spec.duplicate)) {
      if (this.networkTrace !== null) this.networkTrace.duplicate(t, fromSlot.id, to, id);
      else if (this.traceNetwork) this.emit({ t, type: 'duplicate', from: fromSlot.id, to, id });
      else this.traffic.untracedEvents += 1;
      // Both copies share one counter (copies plays no part in the queue's order), instead of a lookup by id at every delivery.
      const copies = this.copiesDelivered.length;
      this.copiesDelivered.push(0);
      this.queue.setCopies(first, copies);
      this.scheduleDelivery(t + drawDelayMs(spec.delay, stream), from, toIndex, id, message, copies);
    }
  }

  private deliver(from: number, to: number, id: number, message: Message, copies: number): void {
    const fromId = this.slots[from]!.id;
    const target = this.slots[to]!;
    if (!target.up) return this.emitDrop(fromId, target.id, id, 'crashed');
    // Checked again at delivery: a message in flight when a partition starts is lost.
    if (this.links.isBlocked(from, to)) return this.emitDrop(fromId, target.id, id, 'partition');
    if (copies !== NO_COPIES) {
      const delivered = this.copiesDelivered[copies]!;
      if (delivered === 1) this.traffic.duplicateDeliveries += 1;
      this.copiesDelivered[copies] = delivered + 1;
    }
    if (this.networkTrace !== null) this.networkTrace.deliver(this.nowMs, fromId, target.id, id, message);
    else if (this.traceNetwork) this.emit({ t: this.nowMs, type: 'deliver', from: fromId, to: target.id, id, msg: message } as AnyTraceEvent);
    else this.traffic.untracedEvents += 1;
    const instance = target.instance!;
    // Neither duplicated nor in a trace event, the message is this delivery's alone: a node that copies what it receives may skip the copy.
    if (copies === NO_COPIES && !this.traceNetwork && takesOwnedDelivery(instance)) instance.onOwnedMessage(fromId, message);
    else instance.onMessage(fromId, message);
  }

  private emitDrop(from: NodeId, to: NodeId, id: number, reason: DropReason): void {
    if (this.networkTrace !== null) this.networkTrace.drop(this.nowMs, from, to, id, reason);
    else if (this.traceNetwork) this.emit({ t: this.nowMs, type: 'drop', from, to, id, reason });
    else this.traffic.untracedEvents += 1;
  }

  private fireTimer(node: number, incarnation: number, name: string, token: number): void {
    const slot = this.slots[node]!;
    if (!slot.up || slot.incarnation !== incarnation || slot.timers.get(name) !== token) return;
    slot.timers.set(name, NO_TIMER);
    if (this.networkTrace !== null) this.networkTrace.timer(this.nowMs, slot.id, name);
    else if (this.traceNetwork) this.emit({ t: this.nowMs, type: 'timer', node: slot.id, timer: name });
    else this.traffic.untracedEvents += 1;
    slot.instance!.onTimer(name);
  }

  private handleRequest(node: number, request: Request, value: string): void {
    const slot = this.slots[node]!;
    if (!slot.up) {
      this.emit({ t: this.nowMs, type: 'request-lost', node: slot.id, value });
      return;
    }
    slot.instance!.onRequest(request);
  }

  private applyFault(fault: Fault): void {
    const t = this.nowMs;
    switch (fault.kind) {
      case 'crash':
        return this.crash(this.slots[this.links.index(fault.node)]!);
      case 'restart':
        return this.restart(this.slots[this.links.index(fault.node)]!);
      case 'partition':
        this.links.partition(fault.groups);
        // Packed in every tier: the checkers' partition tracking reads these groups (see util/packed-array.ts).
        this.emit({ t, type: 'partition', groups: mapPacked(fault.groups, (group) => [...group]) });
        return;
      case 'cut':
        this.links.cutLink(fault.from, fault.to);
        this.emit({ t, type: 'cut', from: fault.from, to: fault.to });
        return;
      case 'heal':
        this.links.healAll();
        this.emit({ t, type: 'heal' });
        return;
      case 'pause':
        return this.pause(this.slots[this.links.index(fault.node)]!);
      case 'resume':
        return this.resume(this.slots[this.links.index(fault.node)]!);
      case 'drift': {
        this.slots[this.links.index(fault.node)]!.clockRate = fault.rate;
        this.emit({ t, type: 'drift', node: fault.node, rate: fault.rate });
        return;
      }
      case 'burst': {
        this.fate.startBurst(t + fault.forMs, { drop: fault.drop, duplicate: fault.duplicate, delay: fault.delay });
        const event: FaultEvent & { type: 'burst' } = { t, type: 'burst', for: fault.forMs };
        if (fault.drop !== undefined) event.drop = fault.drop;
        if (fault.duplicate !== undefined) event.duplicate = fault.duplicate;
        if (fault.delay !== undefined) event.delay = fault.delay;
        this.emit(event);
        return;
      }
      default:
        unreachable(fault, 'fault');
    }
  }

  private crash(slot: NodeSlot<Message, StoredRecord, Request>): void {
    assert(slot.up, () => `crash of ${slot.id}, which is already down`);
    slot.up = false;
    slot.instance = null;
    slot.timers.clear();
    slot.incarnation += 1;
    slot.storage.crash();
    this.emit({ t: this.nowMs, type: 'crash', node: slot.id });
    // What waited for a paused node now meets a crashed one: dropped, stale or lost, as usual.
    this.releaseWaiting(slot);
  }

  private pause(slot: NodeSlot<Message, StoredRecord, Request>): void {
    assert(slot.up && !slot.paused, () => `pause of ${slot.id}, which is not running`);
    slot.paused = true;
    this.emit({ t: this.nowMs, type: 'pause', node: slot.id });
  }

  private resume(slot: NodeSlot<Message, StoredRecord, Request>): void {
    assert(slot.up && slot.paused, () => `resume of ${slot.id}, which is not paused`);
    this.emit({ t: this.nowMs, type: 'resume', node: slot.id });
    this.releaseWaiting(slot);
  }

  /** Everything that waited is processed now, in the order it arrived (timers fire late, messages arrive late). */
  private releaseWaiting(slot: NodeSlot<Message, StoredRecord, Request>): void {
    slot.paused = false;
    const waiting = slot.waiting;
    slot.waiting = [];
    for (const entry of waiting) this.queue.push(entry, this.nowMs);
  }

  private restart(slot: NodeSlot<Message, StoredRecord, Request>): void {
    assert(!slot.up, () => `restart of ${slot.id}, which is up`);
    slot.up = true;
    slot.incarnation += 1;
    this.emit({ t: this.nowMs, type: 'restart', node: slot.id });
    slot.instance = this.setup.protocol.createNode(this.effectsFor(slot));
    slot.instance.recover();
  }

  private effectsFor(slot: NodeSlot<Message, StoredRecord, Request>): Effects<Message, StoredRecord, Observation> {
    return incarnationEffects<Message, StoredRecord, Observation, Request>(this, slot, slot.incarnation);
  }

  nodeSetTimer(slot: NodeSlot<Message, StoredRecord, Request>, incarnation: number, name: string, delayMs: number): void {
    if (!(Number.isInteger(delayMs) && delayMs >= 0)) fail(`timer ${name} on ${slot.id}: delay must be a non-negative integer, got ${delayMs}`);
    const token = this.nextTimerToken++;
    slot.timers.set(name, token);
    const virtualDelayMs = slot.clockRate === 1 ? delayMs : Math.round(delayMs / slot.clockRate);
    this.queue.push(this.queue.create(TIMER, slot.index, incarnation, token, name, NO_COPIES), this.nowMs + virtualDelayMs);
  }

  nodeObserve(slot: NodeSlot<Message, StoredRecord, Request>, observation: Observation): void {
    this.emit(observationEvent(this.nowMs, slot.id, observation as unknown as Tagged & Record<string, unknown>));
  }
}

/** What a node's effects may do to the simulation (the simulation itself, shared by every incarnation's effects). */
interface NodeAccess<Message extends Tagged, StoredRecord, Observation extends Tagged, Request> {
  nodeSend(slot: NodeSlot<Message, StoredRecord, Request>, to: NodeId, message: Message): void;
  nodeSetTimer(slot: NodeSlot<Message, StoredRecord, Request>, incarnation: number, name: string, delayMs: number): void;
  nodeObserve(slot: NodeSlot<Message, StoredRecord, Request>, observation: Observation): void;
}

/** Where an incarnation's effects keep what they act on: a symbol, so it stays out of the protocol's way (and of Object.keys). */
const INCARNATION = Symbol('incarnation');

interface IncarnationState {
  readonly access: NodeAccess<Tagged, unknown, Tagged, unknown>;
  readonly slot: NodeSlot<Tagged, unknown, unknown>;
  readonly incarnation: number;
}

interface IncarnationEffects {
  readonly [INCARNATION]: IncarnationState;
}

/**
 * One incarnation's effects: a plain object whose methods are shared
 * functions reading its state through `this`, so a node costs one object
 * instead of a score of closures (a fuzz seed builds five nodes and rebuilds
 * them at every restart). Its own properties are the whole of it, so a
 * wrapper made with a spread (`{ ...effects, storage: mine }`) works too.
 * Its methods refuse to act once the incarnation is dead.
 */
function incarnationEffects<Message extends Tagged, StoredRecord, Observation extends Tagged, Request>(
  access: NodeAccess<Message, StoredRecord, Observation, Request>,
  slot: NodeSlot<Message, StoredRecord, Request>,
  incarnation: number,
): Effects<Message, StoredRecord, Observation> {
  const state = { access, slot, incarnation } as unknown as IncarnationState;
  const effects = {
    nodeId: slot.id,
    storage: new IncarnationStorage(slot.storage, state),
    send: effectsSend,
    setTimer: effectsSetTimer,
    cancelTimer: effectsCancelTimer,
    observe: effectsObserve,
    random: effectsRandom,
    [INCARNATION]: state,
  };
  return effects as unknown as Effects<Message, StoredRecord, Observation>;
}

function checkAlive(state: IncarnationState, action: string): void {
  if (!state.slot.up || state.slot.incarnation !== state.incarnation) fail(`${state.slot.id} tried to ${action} from a dead incarnation`);
}

function effectsSend(this: IncarnationEffects, to: NodeId, message: Tagged): void {
  const state = this[INCARNATION];
  checkAlive(state, 'send');
  state.access.nodeSend(state.slot, to, message);
}

function effectsSetTimer(this: IncarnationEffects, name: string, delayMs: number): void {
  const state = this[INCARNATION];
  checkAlive(state, 'set a timer');
  state.access.nodeSetTimer(state.slot, state.incarnation, name, delayMs);
}

function effectsCancelTimer(this: IncarnationEffects, name: string): void {
  const state = this[INCARNATION];
  checkAlive(state, 'cancel a timer');
  // Overwritten rather than deleted: a node re-arms the same few timers all run long.
  state.slot.timers.set(name, NO_TIMER);
}

function effectsObserve(this: IncarnationEffects, observation: Tagged): void {
  const state = this[INCARNATION];
  checkAlive(state, 'observe');
  state.access.nodeObserve(state.slot, observation);
}

function effectsRandom(this: IncarnationEffects): number {
  return this[INCARNATION].slot.random();
}

/**
 * The node's disk as its incarnation sees it: reads always, changes only while
 * that incarnation lives. A class (methods and the `size` getter on its
 * prototype): a plain object with a getter defined on it cost a slow
 * `defineProperty` per node and restart.
 */
class IncarnationStorage<StoredRecord> implements DurableStorage<StoredRecord> {
  // Private fields, so they stay out of the protocol's way (and of Object.keys), as the effects' symbol does.
  readonly #disk: SimulatedStorage<StoredRecord>;
  readonly #state: IncarnationState;

  constructor(disk: SimulatedStorage<StoredRecord>, state: IncarnationState) {
    this.#disk = disk;
    this.#state = state;
  }

  get size(): number {
    return this.#disk.size;
  }

  read(key: string): StoredRecord | undefined {
    return this.#disk.read(key);
  }

  readSlot(log: string, slot: number): StoredRecord | undefined {
    return this.#disk.readSlot(log, slot);
  }

  entries(): IterableIterator<[string, StoredRecord]> {
    return this.#disk.entries();
  }

  slotEntries(log: string): IterableIterator<[number, StoredRecord]> {
    return this.#disk.slotEntries(log);
  }

  write(key: string, record: StoredRecord): void {
    checkAlive(this.#state, 'write to storage');
    this.#disk.write(key, record);
  }

  remove(key: string): void {
    checkAlive(this.#state, 'remove from storage');
    this.#disk.remove(key);
  }

  writeSlot(log: string, slot: number, record: StoredRecord): void {
    checkAlive(this.#state, 'write to storage');
    this.#disk.writeSlot(log, slot, record);
  }

  removeSlot(log: string, slot: number): void {
    checkAlive(this.#state, 'remove from storage');
    this.#disk.removeSlot(log, slot);
  }

  sync(): void {
    checkAlive(this.#state, 'sync storage');
    this.#disk.sync();
  }
}
