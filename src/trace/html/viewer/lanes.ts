import type { TraceMeta } from '../../../sim/events.js';
import type { PageEvent } from '../page-data.js';
import { AXIS, CLIENT_LANE, GROUP_GAP, LANE } from './geometry.js';
import { nodeOf } from './model.js';

/** Events whose `from` and `to` are the nodes a message went between. */
const NETWORK_EVENT_TYPES: ReadonlySet<string> = new Set(['send', 'deliver', 'drop', 'duplicate']);

/** Client operations (the published client vocabulary): their node is a client, drawn in the client lanes. */
const CLIENT_EVENT_TYPES: ReadonlySet<string> = new Set(['invoke', 'complete', 'timeout']);

/**
 * Lanes left to right: the meta line's nodes, nodes the meta line forgot (but
 * events name), then the clients (the meta line's, and any node that invokes,
 * completes or times out an operation), after a gap.
 */
export class Lanes {
  /** Node ids in lane order. */
  readonly nodes: string[] = [];
  private readonly xs = new Map<string, number>();
  private readonly clients: Set<string>;
  /** Right edge of the last non-client lane. */
  readonly replicaRight: number;
  /** Right edge of the last lane. */
  readonly lanesRight: number;
  /** Left edge of the client lanes, or -1 when there are none. */
  readonly clientLeft: number;
  /** Canvas width: the lanes and room for the labels of the last lane's marks. */
  readonly width: number;

  constructor(meta: TraceMeta, events: readonly PageEvent[]) {
    const clients = new Set(meta.clients ?? []);
    for (const e of events) if (CLIENT_EVENT_TYPES.has(e.type) && e.node !== undefined) clients.add(e.node);
    this.clients = clients;
    const add = (node: string | undefined): void => {
      if (node !== undefined && node !== null && !this.xs.has(node)) {
        this.xs.set(node, 0);
        this.nodes.push(node);
      }
    };
    for (const node of meta.nodes) if (!clients.has(node)) add(node);
    // A message's ends are nodes; an observation's `from` may be something else (an adopt's ballot).
    for (const e of events) for (const node of [e.node, ...(NETWORK_EVENT_TYPES.has(e.type) ? [nodeOf(e.from), e.to] : [])]) if (node !== undefined && !clients.has(node)) add(node);
    for (const node of meta.clients ?? []) add(node);
    for (const node of clients) add(node);
    let replicaRight = AXIS;
    let lanesRight = AXIS;
    let clientLeft = -1;
    for (const node of this.nodes) {
      const w = this.width_(node);
      if (clients.has(node) && clientLeft < 0) {
        if (lanesRight > AXIS) lanesRight += GROUP_GAP;
        clientLeft = lanesRight;
      }
      this.xs.set(node, lanesRight + w / 2);
      lanesRight += w;
      if (!clients.has(node)) replicaRight = lanesRight;
    }
    this.replicaRight = replicaRight;
    this.lanesRight = lanesRight;
    this.clientLeft = clientLeft;
    this.width = lanesRight + (clientLeft >= 0 ? 110 : 40);
  }

  private width_(node: string): number {
    return this.clients.has(node) ? CLIENT_LANE : LANE;
  }

  /** Centre x of a node's lane (the axis for a node no lane has). */
  x(node: string | undefined): number {
    const x = node === undefined ? undefined : this.xs.get(node);
    return x === undefined ? AXIS : x;
  }

  laneWidth(node: string): number {
    return this.width_(node);
  }

  isClient(node: string): boolean {
    return this.clients.has(node);
  }
}
