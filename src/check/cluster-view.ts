import type { NodeId } from '../scenario/scenario.js';
import type { AnyTraceEvent } from '../sim/events.js';
import { LinkState } from '../sim/network.js';
import { mapPacked } from '../util/packed-array.js';

/**
 * Who is up and who can reach whom, rebuilt from a trace's fault events, so
 * that liveness checkers can tell when the cluster is healthy enough to owe
 * progress. Paused nodes count as down until they resume.
 */
export class ClusterView {
  private readonly links: LinkState;
  private readonly up: Set<NodeId>;

  constructor(private readonly nodes: readonly NodeId[]) {
    this.links = new LinkState(nodes);
    this.up = new Set(nodes);
  }

  /** Applies a fault event; true when it changed who is up or connected. */
  track(event: AnyTraceEvent): boolean {
    switch (event.type) {
      case 'crash':
      case 'pause':
        this.up.delete(event.node);
        return true;
      case 'restart':
      case 'resume':
        this.up.add(event.node);
        return true;
      case 'partition':
        this.links.partition(event.groups);
        return true;
      case 'cut':
        this.links.cutLink(event.from, event.to);
        return true;
      case 'heal':
        this.links.healAll();
        return true;
      default:
        return false;
    }
  }

  isUp(node: NodeId): boolean {
    return this.up.has(node);
  }

  /** Groups of up nodes that can all reach each other both ways, in node order. */
  connectedComponents(): NodeId[][] {
    const nodes = this.nodes;
    // Per node (in `nodes` order): placed in a component yet? Down nodes count as placed. An array by position, not a Map by id: liveness asks at every change.
    // Packed in every tier: with `map`, this function's first optimized code deopted on its own (holey) result (see util/packed-array.ts).
    const placed: boolean[] = mapPacked(nodes, (node) => !this.up.has(node));
    const components: NodeId[][] = [];
    for (let start = 0; start < nodes.length; start++) {
      if (placed[start]) continue;
      placed[start] = true;
      const component = [nodes[start]!];
      const indices = [this.links.index(nodes[start]!)];
      for (let cursor = 0; cursor < indices.length; cursor++) {
        const current = indices[cursor]!;
        for (let other = start + 1; other < nodes.length; other++) {
          if (placed[other]) continue;
          const otherIndex = this.links.index(nodes[other]!);
          if (!this.links.isBlocked(current, otherIndex) && !this.links.isBlocked(otherIndex, current)) {
            placed[other] = true;
            component.push(nodes[other]!);
            indices.push(otherIndex);
          }
        }
      }
      components.push(component);
    }
    return components;
  }
}
