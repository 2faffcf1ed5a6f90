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

export interface Effects<Message extends Tagged, Durable, Observation extends Tagged> {
  readonly nodeId: NodeId;
  /** Hand a message to the network; it may be delayed, duplicated or lost. */
  send(to: NodeId, message: Message): void;
  /** Arm the timer `name` to fire after delayMs of this node's time; re-arming replaces it. */
  setTimer(name: string, delayMs: number): void;
  cancelTimer(name: string): void;
  /**
   * Write durable state to stable storage. It is stored by reference, so
   * durable state must be treated as an immutable value (replace, never
   * mutate). After a crash, the node recovers from the last value persisted.
   */
  persist(durable: Durable): void;
  /** Report a protocol fact ("promised b", "learned v") to the trace and the checkers. */
  observe(observation: Observation): void;
  /** A draw in [0, 1) from this node's own seeded stream (timer jitter). */
  random(): number;
}

export interface ProtocolNode<Message extends Tagged, Request> {
  /** First boot, with the initial durable state. */
  start(): void;
  /** Boot after a crash: only the durable state survived. */
  recover(): void;
  /** A client asks this node to do something (single-decree Paxos: propose a value). */
  onRequest(request: Request): void;
  onMessage(from: NodeId, message: Message): void;
  onTimer(name: string): void;
  /** Plain-data views of the node's state, for debugger views and hashing. */
  durableState(): unknown;
  volatileState(): unknown;
}

/** Everything a protocol needs to build a node, given the cluster's layout. */
export interface ProtocolFactory<Message extends Tagged, Durable, Observation extends Tagged, Request> {
  readonly name: string;
  initialDurable(nodeId: NodeId): Durable;
  createNode(
    effects: Effects<Message, Durable, Observation>,
    durable: Durable,
  ): ProtocolNode<Message, Request>;
}
