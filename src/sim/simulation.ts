import type { DurableStorage, Effects, ProtocolFactory, ProtocolNode, Tagged } from '../protocols/effects.js';
import type { Fault, NetworkSpec, NodeId } from '../scenario/scenario.js';
import { assert, fail, unreachable } from '../util/assert.js';
import { EventQueue, type Scheduled } from './event-queue.js';
import type { AnyTraceEvent, DropReason, FaultEvent } from './events.js';
import { LinkState, MessageFate } from './network.js';
import { randomStream, type Random } from './rng.js';
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
  /** Asked after every processed event; true ends the run early (a fuzzer stops at the first violation). */
  readonly shouldStop?: () => boolean;
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

/**
 * One scheduled event. Every kind has the same fields in the same order, so
 * the heap compares objects of a single hidden class (a third of all time
 * went to polymorphic property reads when each kind had its own shape); the
 * constructors below say what each field means per kind.
 */
interface QueueEntry extends Scheduled {
  kind: typeof DELIVER | typeof TIMER | typeof FAULT | typeof REQUEST;
  /** deliver: sender index; timer, request: node index. */
  node: number;
  /** deliver: receiver index; timer: the node's incarnation when armed. */
  other: number;
  /** deliver: message id; timer: arming token. */
  id: number;
  /** deliver: the message; timer: the timer's name; fault: the fault; request: the request and its display value. */
  payload: unknown;
  /** deliver of a duplicated message: the copies delivered so far, shared by both copies' entries; otherwise null. */
  copies: { delivered: number } | null;
}

function deliverEntry(timeMs: number, from: number, to: number, id: number, message: unknown): QueueEntry {
  return { timeMs, sequence: 0, kind: DELIVER, node: from, other: to, id, payload: message, copies: null };
}

function timerEntry(timeMs: number, node: number, incarnation: number, token: number, name: string): QueueEntry {
  return { timeMs, sequence: 0, kind: TIMER, node, other: incarnation, id: token, payload: name, copies: null };
}

function faultEntry(fault: Fault): QueueEntry {
  return { timeMs: fault.at, sequence: 0, kind: FAULT, node: -1, other: -1, id: -1, payload: fault, copies: null };
}

function requestEntry(timeMs: number, node: number, request: unknown, value: string): QueueEntry {
  return { timeMs, sequence: 0, kind: REQUEST, node, other: -1, id: -1, payload: { request, value }, copies: null };
}

interface NodeSlot<Message extends Tagged, StoredRecord, Request> {
  readonly id: NodeId;
  readonly index: number;
  up: boolean;
  /** A paused node processes nothing: what arrives for it waits here, in order, until it resumes. */
  paused: boolean;
  waiting: QueueEntry[];
  /** How fast this node's clock runs relative to virtual time: its timer delays are divided by it. */
  clockRate: number;
  /** Bumped on crash and restart, so effects and timers of a dead incarnation are recognized. */
  incarnation: number;
  instance: ProtocolNode<Message, Request> | null;
  /** The node's disk: it outlives every incarnation. */
  readonly storage: SimulatedStorage<StoredRecord>;
  /** Timer name → token of the live arming (NO_TIMER once fired or cancelled); a fired entry with another token was replaced or cancelled. */
  timers: Map<string, number>;
  readonly random: Random;
}

/**
 * The discrete-event core: one queue ordered by (virtual time, sequence),
 * a network that loses, delays, duplicates and partitions, and nodes that
 * crash and recover. Pure function of its setup: no wall clock, no ambient
 * randomness, no async.
 */
export class Simulation<Message extends Tagged, StoredRecord, Observation extends Tagged, Request> {
  private readonly queue = new EventQueue<QueueEntry>();
  private readonly links: LinkState;
  private readonly fate: MessageFate;
  private readonly slots: NodeSlot<Message, StoredRecord, Request>[];
  private readonly emit: (event: AnyTraceEvent) => void;
  private nowMs = 0;
  private nextSequence = 0;
  private nextMessageId = 1;
  private nextTimerToken = 1;
  private readonly traceNetwork: boolean;
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
    this.links = new LinkState(setup.nodes, setup.alwaysConnected ?? []);
    this.fate = new MessageFate(setup.network, setup.seed, setup.nodes);
    this.slots = setup.nodes.map((id, index) => ({
      id,
      index,
      up: true,
      paused: false,
      waiting: [],
      clockRate: 1,
      incarnation: 0,
      instance: null,
      storage: new SimulatedStorage<StoredRecord>(),
      timers: new Map(),
      random: randomStream(setup.seed, `node/${id}`),
    }));
    for (const fault of setup.faults) this.schedule(faultEntry(fault));
    for (const request of setup.requests) {
      this.schedule(requestEntry(request.atMs, this.links.index(request.node), request.request, request.value));
    }
  }

  /** Network events counted but not emitted so far (traceNetwork off). */
  get untracedEvents(): number {
    return this.traffic.untracedEvents;
  }

  run(): SimulationOutcome {
    const { untilMs, maxEvents, shouldStop } = this.setup;
    for (const slot of this.slots) {
      slot.instance = this.setup.protocol.createNode(this.effectsFor(slot));
      slot.instance.start();
    }
    // A node that threw in start() (or a violation there, under stopOnViolation) ends the run before any event.
    if (shouldStop?.()) return this.outcome(this.nowMs, 0, 0, 'stopped');
    let processedEvents = 0;
    let lastEventMs = 0;
    for (;;) {
      const next = this.queue.peek();
      if (next === undefined) return this.outcome(untilMs, lastEventMs, processedEvents, 'quiescent');
      if (next.timeMs > untilMs) return this.outcome(untilMs, lastEventMs, processedEvents, 'until');
      this.queue.pop();
      if (next.timeMs < this.nowMs) fail(`time went backwards: ${next.timeMs} < ${this.nowMs}`);
      this.nowMs = next.timeMs;
      lastEventMs = next.timeMs;
      this.process(next);
      processedEvents += 1;
      if (shouldStop?.()) return this.outcome(this.nowMs, lastEventMs, processedEvents, 'stopped');
      if (processedEvents >= maxEvents) return this.outcome(this.nowMs, lastEventMs, processedEvents, 'max-events');
    }
  }

  private outcome(endMs: number, lastEventMs: number, processedEvents: number, stoppedBy: StopReason): SimulationOutcome {
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

  private process(entry: QueueEntry): void {
    if (entry.kind !== FAULT) {
      const target = this.slots[entry.kind === DELIVER ? entry.other : entry.node]!;
      if (target.paused) {
        target.waiting.push(entry);
        return;
      }
    }
    switch (entry.kind) {
      case DELIVER:
        return this.deliver(entry.node, entry.other, entry.id, entry.payload as Message, entry.copies);
      case TIMER:
        return this.fireTimer(entry.node, entry.other, entry.payload as string, entry.id);
      case FAULT:
        return this.applyFault(entry.payload as Fault);
      case REQUEST: {
        const { request, value } = entry.payload as { request: Request; value: string };
        return this.handleRequest(entry.node, request, value);
      }
      default:
        unreachable(entry.kind, 'queue entry');
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

  /** The only way into the queue: hands out the sequence number that breaks ties in time. */
  private schedule(entry: QueueEntry): void {
    entry.sequence = this.nextSequence++;
    this.queue.push(entry);
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
    if (this.traceNetwork) this.emit({ t, type: 'send', from: fromSlot.id, to, id, msg: message } as AnyTraceEvent);
    else this.traffic.untracedEvents += 1;
    if (from === toIndex) {
      // A node's message to itself never leaves the process: reliable and immediate.
      this.schedule(deliverEntry(t, from, toIndex, id, message));
      return;
    }
    if (this.links.isBlocked(from, toIndex)) return this.emitDrop(fromSlot.id, to, id, 'partition');
    const stream = this.fate.sender(from);
    if (this.fate.isDropped(stream, t)) return this.emitDrop(fromSlot.id, to, id, 'random');
    const first = deliverEntry(t + this.fate.delayMs(stream, t), from, toIndex, id, message);
    this.schedule(first);
    if (this.fate.isDuplicated(stream, t)) {
      if (this.traceNetwork) this.emit({ t, type: 'duplicate', from: fromSlot.id, to, id });
      else this.traffic.untracedEvents += 1;
      const second = deliverEntry(t + this.fate.delayMs(stream, t), from, toIndex, id, message);
      // Both copies share one counter (the field plays no part in the queue's order), instead of a lookup by id at every delivery.
      first.copies = second.copies = { delivered: 0 };
      this.schedule(second);
    }
  }

  private deliver(from: number, to: number, id: number, message: Message, copies: { delivered: number } | null): void {
    const fromId = this.slots[from]!.id;
    const target = this.slots[to]!;
    if (!target.up) return this.emitDrop(fromId, target.id, id, 'crashed');
    // Checked again at delivery: a message in flight when a partition starts is lost.
    if (this.links.isBlocked(from, to)) return this.emitDrop(fromId, target.id, id, 'partition');
    if (copies !== null) {
      if (copies.delivered === 1) this.traffic.duplicateDeliveries += 1;
      copies.delivered += 1;
    }
    if (this.traceNetwork) this.emit({ t: this.nowMs, type: 'deliver', from: fromId, to: target.id, id, msg: message } as AnyTraceEvent);
    else this.traffic.untracedEvents += 1;
    target.instance!.onMessage(fromId, message);
  }

  private emitDrop(from: NodeId, to: NodeId, id: number, reason: DropReason): void {
    if (this.traceNetwork) this.emit({ t: this.nowMs, type: 'drop', from, to, id, reason });
    else this.traffic.untracedEvents += 1;
  }

  private fireTimer(node: number, incarnation: number, name: string, token: number): void {
    const slot = this.slots[node]!;
    if (!slot.up || slot.incarnation !== incarnation || slot.timers.get(name) !== token) return;
    slot.timers.set(name, NO_TIMER);
    if (this.traceNetwork) this.emit({ t: this.nowMs, type: 'timer', node: slot.id, timer: name });
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
        this.emit({ t, type: 'partition', groups: fault.groups.map((group) => [...group]) });
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
    for (const entry of waiting) {
      entry.timeMs = this.nowMs;
      this.schedule(entry);
    }
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
    this.schedule(timerEntry(this.nowMs + virtualDelayMs, slot.index, incarnation, token, name));
  }

  nodeObserve(slot: NodeSlot<Message, StoredRecord, Request>, observation: Observation): void {
    // A spread copies the observation's fields after t, type and node (type keeps its place), as Object.assign did, with one allocation.
    this.emit({ t: this.nowMs, type: observation.type, node: slot.id, ...(observation as object) } as unknown as AnyTraceEvent);
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
    storage: incarnationStorage(slot.storage, state),
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
  // Overwritten rather than deleted: a Map shrinks (reallocates) as entries are deleted, and a node re-arms the same few timers all run long.
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

/** The node's disk as its incarnation sees it: reads always, changes only while that incarnation lives. Built like the effects, for the same reasons. */
function incarnationStorage<StoredRecord>(disk: SimulatedStorage<StoredRecord>, state: IncarnationState): DurableStorage<StoredRecord> {
  const storage = {
    read: storageRead,
    readSlot: storageReadSlot,
    entries: storageEntries,
    slotEntries: storageSlotEntries,
    write: storageWrite,
    remove: storageRemove,
    writeSlot: storageWriteSlot,
    removeSlot: storageRemoveSlot,
    sync: storageSync,
    [INCARNATION]: state,
    [DISK]: disk,
  };
  Object.defineProperty(storage, 'size', { get: storageSize, enumerable: true });
  return storage as unknown as DurableStorage<StoredRecord>;
}

const DISK = Symbol('disk');

interface IncarnationDisk {
  readonly [INCARNATION]: IncarnationState;
  readonly [DISK]: SimulatedStorage<unknown>;
}

function storageRead(this: IncarnationDisk, key: string): unknown {
  return this[DISK].read(key);
}

function storageReadSlot(this: IncarnationDisk, log: string, slot: number): unknown {
  return this[DISK].readSlot(log, slot);
}

function storageEntries(this: IncarnationDisk): IterableIterator<[string, unknown]> {
  return this[DISK].entries();
}

function storageSlotEntries(this: IncarnationDisk, log: string): IterableIterator<[number, unknown]> {
  return this[DISK].slotEntries(log);
}

function storageSize(this: IncarnationDisk): number {
  return this[DISK].size;
}

function storageWrite(this: IncarnationDisk, key: string, record: unknown): void {
  checkAlive(this[INCARNATION], 'write to storage');
  this[DISK].write(key, record);
}

function storageRemove(this: IncarnationDisk, key: string): void {
  checkAlive(this[INCARNATION], 'remove from storage');
  this[DISK].remove(key);
}

function storageWriteSlot(this: IncarnationDisk, log: string, slot: number, record: unknown): void {
  checkAlive(this[INCARNATION], 'write to storage');
  this[DISK].writeSlot(log, slot, record);
}

function storageRemoveSlot(this: IncarnationDisk, log: string, slot: number): void {
  checkAlive(this[INCARNATION], 'remove from storage');
  this[DISK].removeSlot(log, slot);
}

function storageSync(this: IncarnationDisk): void {
  checkAlive(this[INCARNATION], 'sync storage');
  this[DISK].sync();
}
