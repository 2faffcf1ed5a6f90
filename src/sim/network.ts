import { assert, fail } from '../util/assert.js';
import type { DelaySpec, NetworkSpec, NodeId } from '../scenario/scenario.js';
import { randomStream, uniformInt, type Random } from './rng.js';

/**
 * Which links are up, and what the network does to each message. Nodes are
 * addressed by index in the sorted node list; a link is blocked when its
 * ends sit in different partition groups or it is cut one way.
 */
/** Up to this many nodes, ids are found by a scan instead of a map lookup. */
const SCANNED_NODES = 8;

export class LinkState {
  /** Node index by id, for clusters too large to scan (null otherwise). */
  private readonly indexOf: Map<NodeId, number> | null;
  /** groupOf[i]: the partition group of node i; all zero when whole. */
  private readonly groupOf: Int32Array;
  /** cut[from * n + to] is 1: the one-way link from → to is cut. Typed arrays: built twice per fuzz seed (simulator and liveness view) and refilled at every heal. */
  private readonly cut: Uint8Array;

  /** alwaysConnected[i] is 1: node i is never cut off (a protocol's clients). */
  private readonly alwaysConnected: Uint8Array;

  constructor(
    readonly nodes: readonly NodeId[],
    alwaysConnected: readonly NodeId[] = [],
  ) {
    const count = nodes.length;
    this.indexOf = count > SCANNED_NODES ? new Map() : null;
    this.alwaysConnected = new Uint8Array(count);
    for (let index = 0; index < count; index++) {
      const id = nodes[index]!;
      this.indexOf?.set(id, index);
      if (alwaysConnected.length > 0 && alwaysConnected.includes(id)) this.alwaysConnected[index] = 1;
    }
    this.groupOf = new Int32Array(count);
    this.cut = new Uint8Array(count * count);
  }

  /** Every send looks its receiver up here: in a small cluster a scan of the ids (mostly the same string objects, so a pointer compare) beats hashing. */
  index(id: NodeId): number {
    const nodes = this.nodes;
    if (this.indexOf === null) {
      for (let index = 0; index < nodes.length; index++) if (nodes[index] === id) return index;
    } else {
      const index = this.indexOf.get(id);
      if (index !== undefined) return index;
    }
    fail(`unknown node ${id}`);
  }

  /** A new partition replaces the previous one; nodes not listed form one more group together. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    this.groupOf.fill(groups.length + 1);
    for (let groupIndex = 0; groupIndex < groups.length; groupIndex++) {
      for (const id of groups[groupIndex]!) this.groupOf[this.index(id)] = groupIndex + 1;
    }
  }

  cutLink(from: NodeId, to: NodeId): void {
    assert(from !== to, 'a node cannot be cut from itself');
    this.cut[this.index(from) * this.nodes.length + this.index(to)] = 1;
  }

  healAll(): void {
    this.groupOf.fill(0);
    this.cut.fill(0);
  }

  isBlocked(fromIndex: number, toIndex: number): boolean {
    if (fromIndex === toIndex || this.alwaysConnected[fromIndex] === 1 || this.alwaysConnected[toIndex] === 1) return false;
    return this.groupOf[fromIndex] !== this.groupOf[toIndex] || this.cut[fromIndex * this.nodes.length + toIndex] === 1;
  }

  /** The links that are down now, for debugger views. */
  describe(): { groups: NodeId[][] | null; cuts: [NodeId, NodeId][] } {
    // Nodes that are never cut off (clients) belong to no group.
    const members = (group: number) => this.nodes.filter((_, index) => this.groupOf[index] === group && this.alwaysConnected[index] === 0);
    const distinctGroups = [...new Set([...this.groupOf].filter((_, index) => this.alwaysConnected[index] === 0))];
    const groups = distinctGroups.length <= 1 ? null : distinctGroups.map(members).filter((group) => group.length > 0);
    const cuts: [NodeId, NodeId][] = [];
    this.nodes.forEach((from, fromIndex) =>
      this.nodes.forEach((to, toIndex) => {
        if (this.cut[fromIndex * this.nodes.length + toIndex] === 1) cuts.push([from, to]);
      }),
    );
    return { groups, cuts };
  }

  /** True when every link is up. */
  isWhole(): boolean {
    return this.groupOf.every((group) => group === this.groupOf[0]) && !this.cut.includes(1);
  }
}

interface Burst {
  readonly untilMs: number;
  readonly spec: NetworkSpec;
}

/**
 * The per-message random choices: loss, delay, duplication. Each sender draws
 * from its own stream, so a fault that changes one node's traffic does not
 * reshuffle the delays of every other node's messages (DESIGN.md rule 2),
 * which also keeps a shrunk scenario failing the way the original did.
 * (A stream per directed link would isolate more, but a run would then spend
 * a sixth of its time seeding streams.) A burst overrides the base
 * parameters for a while.
 */
export class MessageFate {
  private burst: Burst | null = null;
  private readonly senderStreams: (Random | undefined)[];

  constructor(
    private readonly base: NetworkSpec,
    private readonly seed: number,
    private readonly nodes: readonly NodeId[],
  ) {
    this.senderStreams = new Array<Random | undefined>(nodes.length).fill(undefined);
  }

  /** The stream of messages sent by node `fromIndex`, created on first use. */
  sender(fromIndex: number): Random {
    let stream = this.senderStreams[fromIndex];
    if (stream === undefined) {
      stream = randomStream(this.seed, `network/from/${this.nodes[fromIndex]}`);
      this.senderStreams[fromIndex] = stream;
    }
    return stream;
  }

  /** From now until untilMs, use these parameters (unset ones keep their base value); a new burst replaces the last. */
  startBurst(untilMs: number, change: Partial<NetworkSpec>): void {
    this.burst = {
      untilMs,
      spec: {
        delay: change.delay ?? this.base.delay,
        drop: change.drop ?? this.base.drop,
        duplicate: change.duplicate ?? this.base.duplicate,
      },
    };
  }

  /**
   * The parameters in force at `nowMs`. A message's fate draws from its
   * sender's stream, in this order: `chance(spec.drop)`, then, if it is not
   * lost, `drawDelayMs(spec.delay)`, `chance(spec.duplicate)` and, for a
   * duplicate, a second delay. One spec serves all of a message's draws (its
   * time does not change between them).
   */
  specAt(nowMs: number): NetworkSpec {
    const burst = this.burst;
    if (burst === null) return this.base;
    if (nowMs < burst.untilMs) return burst.spec;
    this.burst = null;
    return this.base;
  }
}

export function drawDelayMs(delay: DelaySpec, random: Random): number {
  switch (delay.distribution) {
    case 'uniform':
      return delay.min === delay.max ? delay.min : uniformInt(random, delay.min, delay.max);
    case 'exponential': {
      const drawn = delay.min - delay.mean * Math.log(1 - random());
      return clampDelay(Math.round(drawn), delay.min, delay.max);
    }
    case 'normal': {
      // Box–Muller; one of the pair is discarded to keep one draw pattern per message.
      const u1 = 1 - random();
      const u2 = random();
      const gaussian = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      return clampDelay(Math.round(delay.mean + delay.stddev * gaussian), delay.min, delay.max);
    }
  }
}

function clampDelay(delayMs: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, delayMs));
}
