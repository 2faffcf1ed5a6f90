import { compareBallots, formatBallot, type Ballot } from '../protocols/paxos/ballot.js';
import type { AcceptedProposal } from '../protocols/paxos/messages.js';
import type { ProposerState } from '../protocols/paxos/proposer.js';
import type { ReplicaState } from '../protocols/multipaxos/replica.js';
import type { ReplicaDurableView } from '../protocols/multipaxos/state.js';
import { describeCommand, printable, quoted } from './format.js';
import type { AcceptorRecord, PaxosDurable } from '../protocols/paxos/state.js';
import type { NodeId } from '../scenario/scenario.js';
import type { AnyTraceEvent, TraceEvent } from '../sim/events.js';
import type { ClusterSnapshot, NodeSnapshot } from '../sim/simulation.js';
import type { Palette } from './timeline.js';
import { plural } from '../util/plural.js';
import { formatRaftTable } from './raft-state-table.js';

interface PromiseMemory {
  readonly ballot: Ballot;
  readonly t: number;
}

interface AcceptedMemory extends PromiseMemory {
  readonly value: string;
}

/**
 * Every node's state at one moment, as a table. A user protocol's
 * (`ownViews`): each node's status and the views its definition gives, the
 * durable view and volatileState(). paxsim's own: Multi-Paxos replicas and
 * Raft servers by their durable view's kind; single-decree Paxos: status,
 * promised ballot, accepted proposal, learned value, proposer progress; and
 * which links are down. An acceptor whose promise is lower than one it made
 * earlier in the trace (a promise lost in a crash) is flagged with what it forgot.
 */
export function formatStateTable(snapshot: ClusterSnapshot, anyHistory: readonly AnyTraceEvent[], palette: Palette, ownViews = false): string {
  if (ownViews) return formatViewTable(snapshot, palette);
  if (snapshot.nodes.some((node) => (node.durable as { kind?: string }).kind === 'replica')) return formatReplicaTable(snapshot, palette);
  if (snapshot.nodes.some((node) => (node.durable as { kind?: string }).kind === 'server')) return formatRaftTable(snapshot, describeLinks, palette);
  const history = anyHistory as readonly TraceEvent[];
  const remembered = highestPromises(history, snapshot.timeMs);
  const header = ['node', 'status', 'promised', 'accepted', 'learned', 'proposer'];
  const rows = snapshot.nodes.map((node) => describeNode(node));
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row.cells[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  const lines = [palette.dim(line(header))];
  const notes: string[] = [];
  for (const row of rows) {
    let text = line(row.cells);
    if (row.status !== 'up') text = palette.fault(text);
    const earlier = remembered.promised.get(row.id);
    if (earlier !== undefined && (row.promised === null || compareBallots(row.promised, earlier.ballot) < 0)) {
      text += palette.violation(` ← forgot its promise ${formatBallot(earlier.ballot)}`);
      notes.push(
        `${row.id} promised ${formatBallot(earlier.ballot)} at t=${earlier.t} but now holds ${row.promised ? formatBallot(row.promised) : 'no promise'}: the promise was lost (not persisted before a crash?)`,
      );
    }
    const lastAccepted = remembered.accepted.get(row.id);
    if (lastAccepted !== undefined && (row.accepted === null || compareBallots(row.accepted.ballot, lastAccepted.ballot) < 0)) {
      text += palette.violation(` ← forgot it accepted ${quoted(lastAccepted.value)} in ${formatBallot(lastAccepted.ballot)}`);
      notes.push(
        `${row.id} accepted ${quoted(lastAccepted.value)} in ${formatBallot(lastAccepted.ballot)} at t=${lastAccepted.t} but now holds ${row.accepted ? `${quoted(row.accepted.value)} in ${formatBallot(row.accepted.ballot)}` : 'nothing accepted'}: the acceptance was lost`,
      );
    }
    lines.push(text);
  }
  lines.push(palette.dim(`links: ${describeLinks(snapshot)}`));
  for (const note of notes) lines.push(palette.violation(note));
  return lines.join('\n') + '\n';
}

/**
 * Multi-Paxos replicas: status, role and ballot, promise, how much of the log
 * is applied, the last applied commands, and who each replica thinks leads.
 */
function formatReplicaTable(snapshot: ClusterSnapshot, palette: Palette): string {
  const header = ['node', 'status', 'role', 'promised', 'applied', 'last applied', 'believes leader'];
  const rows = snapshot.nodes
    .filter((node) => (node.durable as { kind?: string }).kind === 'replica')
    .map((node) => {
      const durable = node.durable as ReplicaDurableView;
      const volatile = node.volatile as ReplicaState | null;
      const role = volatile === null ? '—' : `${volatile.role}${volatile.ballot ? ` ${formatBallot(volatile.ballot)}` : ''}`;
      const recent = durable.lastApplied.map(({ slot, command }) => `${slot}: ${describeCommand(command)}`);
      return {
        status: node.status,
        cells: [printable(node.id), node.status, role, durable.promised ? formatBallot(durable.promised) : '—', plural(durable.appliedSlots, 'slot'), recent.join(', ') || '—', volatile?.leaderHint ? printable(volatile.leaderHint) : '—'],
      };
    });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row.cells[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  const lines = [palette.dim(line(header)), ...rows.map((row) => (row.status === 'up' ? line(row.cells) : palette.fault(line(row.cells))))];
  lines.push(palette.dim(`links: ${describeLinks(snapshot)}`));
  return lines.join('\n') + '\n';
}

/**
 * Any other protocol (a user's): each node's status and its own views, the
 * durable view (from its records) and volatileState(), as compact JSON.
 */
function formatViewTable(snapshot: ClusterSnapshot, palette: Palette): string {
  const header = ['node', 'status', 'durable', 'volatile'];
  const rows = snapshot.nodes.map((node) => ({
    status: node.status,
    cells: [printable(node.id), node.status, printable(JSON.stringify(node.durable) ?? '—'), node.volatile === null ? '—' : printable(JSON.stringify(node.volatile) ?? '—')],
  }));
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row.cells[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  const lines = [palette.dim(line(header)), ...rows.map((row) => (row.status === 'up' ? line(row.cells) : palette.fault(line(row.cells))))];
  lines.push(palette.dim(`links: ${describeLinks(snapshot)}`));
  return lines.join('\n') + '\n';
}

interface NodeRow {
  readonly id: NodeId;
  readonly status: NodeSnapshot['status'];
  readonly promised: Ballot | null;
  readonly accepted: AcceptedProposal | null;
  readonly cells: string[];
}

function describeNode(node: NodeSnapshot): NodeRow {
  const durable = node.durable as PaxosDurable;
  const volatile = node.volatile as { proposer: ProposerState | null; acceptor: AcceptorRecord | null } | null;
  // Under `forget-promise` the acceptor's record lives in memory only: show what the node actually holds.
  const acceptor = volatile?.acceptor ?? durable.acceptor;
  const status = node.status + (node.clockRate !== 1 ? ` (clock ×${node.clockRate})` : '');
  return {
    id: node.id,
    status: node.status,
    promised: acceptor.promised,
    accepted: acceptor.accepted,
    cells: [
      printable(node.id),
      status,
      acceptor.promised ? formatBallot(acceptor.promised) : '—',
      acceptor.accepted ? `${quoted(acceptor.accepted.value)} in ${formatBallot(acceptor.accepted.ballot)}` : '—',
      durable.learned === null ? '—' : `${quoted(durable.learned)}`,
      describeProposer(volatile?.proposer ?? null, durable.lastRound),
    ],
  };
}

function describeProposer(proposer: ProposerState | null, lastRound: number): string {
  if (proposer === null || proposer.phase === 'idle') return lastRound > 0 ? `idle (last round ${lastRound})` : '—';
  const ballot = proposer.ballot ? formatBallot(proposer.ballot) : '';
  // The value sent in phase 2 once there is one; before that, the value the client asked for.
  const value = proposer.proposalValue !== null ? `${quoted(proposer.proposalValue)}` : proposer.input !== null ? `(client value ${quoted(proposer.input)})` : null;
  const progress =
    proposer.phase === 'preparing' ? plural(proposer.promisedBy.length, 'promise') : proposer.phase === 'accepting' ? `${proposer.acceptedBy.length} accepted` : '';
  return [proposer.phase, ballot, value ?? '', progress].filter((part) => part !== '').join(' ');
}

function describeLinks(snapshot: ClusterSnapshot): string {
  const parts: string[] = [];
  if (snapshot.partition) parts.push(`partition ${snapshot.partition.map((group) => `{${group.join(' ')}}`).join(' | ')}`);
  if (snapshot.cuts.length > 0) parts.push(`cut ${snapshot.cuts.map(([from, to]) => `${from}→${to}`).join(', ')}`);
  return parts.length === 0 ? 'all up' : parts.join('; ');
}

/** What each acceptor promised (or accepted) at most, and accepted last, up to a time, from the trace. */
function highestPromises(history: readonly TraceEvent[], untilMs: number): { promised: Map<NodeId, PromiseMemory>; accepted: Map<NodeId, AcceptedMemory> } {
  const promised = new Map<NodeId, PromiseMemory>();
  const accepted = new Map<NodeId, AcceptedMemory>();
  for (const event of history) {
    if (event.t > untilMs) break;
    if (event.type !== 'promise' && event.type !== 'accept') continue;
    const known = promised.get(event.node);
    if (known === undefined || compareBallots(event.ballot, known.ballot) > 0) promised.set(event.node, { ballot: event.ballot, t: event.t });
    if (event.type === 'accept') {
      const last = accepted.get(event.node);
      if (last === undefined || compareBallots(event.ballot, last.ballot) >= 0) accepted.set(event.node, { ballot: event.ballot, value: event.value, t: event.t });
    }
  }
  return { promised, accepted };
}
