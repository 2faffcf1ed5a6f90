/**
 * The one seam between a protocol and whatever drives it (DESIGN.md, Layers).
 * A protocol node reacts to start, recover, requests, messages and timers, and
 * acts only through these effects. It never reads a clock or a global random
 * source, never imports from sim/, run/ or cli/.
 */

export type NodeId = string;

/** The base every protocol message and observation extends: a `type` tag. */
export interface Tagged {
  readonly type: string;
}

/**
 * Read access to a node's stable storage: what recovery and debugger views
 * see. Storage holds records by string key, and slot logs: records by integer
 * slot under a log name (`accepted`, say), which cost no key building.
 */
export interface StorageReader<StoredRecord> {
  /** The record at `key`, or undefined. Reads see every write so far, synced or not. */
  read(key: string): StoredRecord | undefined;
  /** The record at `slot` of the slot log `log`, or undefined. */
  readSlot(log: string, slot: number): StoredRecord | undefined;
  /**
   * Every record stored by key, in the order its key was first written (a
   * pure function of the run). Meant for recovery and views: O(records).
   */
  entries(): IterableIterator<[string, StoredRecord]>;
  /** Every record of the slot log `log`, in the order its slot was first written. O(records). */
  slotEntries(log: string): IterableIterator<[number, StoredRecord]>;
  /** How many records are stored, by key and in every slot log. */
  readonly size: number;
}

/**
 * A node's stable storage: plain-data records by key, each written or removed
 * on its own, so persisting costs O(1) per record however much is stored
 * (a log of accepted slots, say) instead of a copy of the whole state.
 *
 * Records are kept by reference: treat a record as immutable once written
 * (write a new one to change it). Keys are the protocol's own; the simulator
 * never interprets records.
 *
 * Crash semantics: a node that crashes restarts with exactly the records
 * written before the crash (nothing else survives), and rebuilds its state
 * from them in its constructor.
 *
 * `sync` is the write barrier. Today every write is durable as soon as it is
 * made, so `sync` changes nothing a run can see; a protocol must still call it
 * wherever it relies on its writes (before a reply that promises them). That
 * is the hook for the storage faults TigerBeetle's simulator injects: the
 * simulator numbers every write and keeps an undo journal of the writes since
 * the last `sync` (see sim/storage.ts), so a fault that loses unsynced writes
 * at a crash can be added without touching any protocol.
 */
export interface DurableStorage<StoredRecord> extends StorageReader<StoredRecord> {
  /** Store `record` (never undefined) at `key`, replacing what was there. */
  write(key: string, record: StoredRecord): void;
  /** Remove the record at `key`, if any. */
  remove(key: string): void;
  /** Store `record` (never undefined) at `slot` of the slot log `log`, replacing what was there. */
  writeSlot(log: string, slot: number, record: StoredRecord): void;
  /** Remove the record at `slot` of `log`, if any (pruning a log). */
  removeSlot(log: string, slot: number): void;
  /** Write barrier: every write and removal before it is durable, even under storage faults. */
  sync(): void;
}

/**
 * What a protocol node may do. `Message` is what it sends, `StoredRecord`
 * what it keeps in stable storage, `Observation` what it reports. These are
 * methods of one object per node incarnation (as is `storage`): call them on
 * it (`effects.send(…)`) or on a copy made with a spread, do not detach them.
 */
export interface Effects<Message extends Tagged, StoredRecord, Observation extends Tagged> {
  readonly nodeId: NodeId;
  /** Hand a message to the network; it may be delayed, duplicated or lost. */
  send(to: NodeId, message: Message): void;
  /** Arm the timer `name` to fire after delayMs of this node's time; re-arming replaces it. */
  setTimer(name: string, delayMs: number): void;
  cancelTimer(name: string): void;
  /** This node's stable storage: what it holds when the node is created is all that survived. */
  readonly storage: DurableStorage<StoredRecord>;
  /** Report a protocol fact ("promised b", "learned v") to the trace and the checkers. */
  observe(observation: Observation): void;
  /** A draw in [0, 1) from this node's own seeded stream (timer jitter). */
  random(): number;
}

export interface ProtocolNode<Message extends Tagged, Request> {
  /** First boot, with empty storage. */
  start(): void;
  /** Boot after a crash: only the stored records survived. */
  recover(): void;
  /** A client asks this node to do something (single-decree Paxos: propose a value). */
  onRequest(request: Request): void;
  onMessage(from: NodeId, message: Message): void;
  onTimer(name: string): void;
  /** A plain-data view of the node's volatile state (what a crash wipes), for debugger views and hashing. */
  volatileState(): unknown;
}

/**
 * paxsim's own hook, not public API (index.ts does not export it): a node that
 * copies every message it receives (a user protocol, behind
 * run/determinism-guard.ts) may skip the copy when the driver hands over a
 * message that is this delivery's alone. A driver calls it only then: the
 * message is not duplicated, not kept in a trace, not replayed; otherwise it
 * calls `onMessage`.
 */
export interface OwnedDelivery<Message extends Tagged> {
  /** `message` is this delivery's alone: the node may keep or change it, no one else sees it. */
  onOwnedMessage(from: NodeId, message: Message): void;
}

export function takesOwnedDelivery<Message extends Tagged>(node: ProtocolNode<Message, unknown>): node is ProtocolNode<Message, unknown> & OwnedDelivery<Message> {
  return typeof (node as Partial<OwnedDelivery<Message>>).onOwnedMessage === 'function';
}

/** Everything a protocol needs to build a node, given the cluster's layout. */
export interface ProtocolFactory<Message extends Tagged, StoredRecord, Observation extends Tagged, Request> {
  readonly name: string;
  /**
   * A node, built from what its storage holds (empty on first boot). It
   * recovers its durable state here, reading the records once.
   */
  createNode(effects: Effects<Message, StoredRecord, Observation>): ProtocolNode<Message, Request>;
  /**
   * A plain-data view of a node's durable state, computed from its records
   * alone (so a crashed node shows what it will recover from): for debugger
   * views such as the replay state table.
   */
  durableView(nodeId: NodeId, storage: StorageReader<StoredRecord>): unknown;
}
