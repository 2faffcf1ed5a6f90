import type { RaftVolatileState } from '../protocols/raft/server.js';
import type { RaftServerDurableView } from '../protocols/raft/state.js';
import type { ClusterSnapshot } from '../sim/simulation.js';
import { printable } from '../util/printable.js';
import type { Palette } from './timeline.js';

/**
 * Raft servers at one moment: status, role, currentTerm and votedFor, the log
 * as runs of terms, commitIndex and lastApplied, and for a leader each
 * follower's nextIndex/matchIndex. A crashed server shows what it will recover
 * from (its durable state) and no volatile state.
 */
export function formatRaftTable(snapshot: ClusterSnapshot, describeLinks: (snapshot: ClusterSnapshot) => string, palette: Palette): string {
  const header = ['node', 'status', 'role', 'term', 'voted for', 'log (terms)', 'commit', 'applied', 'next/match'];
  const rows = snapshot.nodes
    .filter((node) => (node.durable as { kind?: string }).kind === 'server')
    .map((node) => {
      const durable = node.durable as RaftServerDurableView;
      const volatile = node.volatile as RaftVolatileState | null;
      return {
        status: node.status,
        cells: [
          printable(node.id),
          node.status + (node.clockRate !== 1 ? ` (clock ×${node.clockRate})` : ''),
          volatile?.role ?? '—',
          String(durable.currentTerm),
          durable.votedFor === null ? '—' : printable(durable.votedFor),
          describeLogTerms(durable.logTerms),
          volatile === null ? '—' : String(volatile.commitIndex),
          volatile === null ? '—' : String(volatile.lastApplied),
          volatile?.role === 'leader' ? describeProgress(volatile, node.id) : '',
        ],
      };
    });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row.cells[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  const lines = [palette.dim(line(header)), ...rows.map((row) => (row.status === 'up' ? line(row.cells) : palette.fault(line(row.cells))))];
  lines.push(palette.dim(`links: ${describeLinks(snapshot)}`));
  return lines.join('\n') + '\n';
}

/** `[t1×3 t2 t4×2] (6)`: the log's terms in runs, and its length; `[]` when empty. */
export function describeLogTerms(terms: readonly number[]): string {
  if (terms.length === 0) return '[]';
  const runs: string[] = [];
  let start = 0;
  for (let index = 1; index <= terms.length; index++) {
    if (index < terms.length && terms[index] === terms[start]) continue;
    const count = index - start;
    runs.push(`t${terms[start]}${count > 1 ? `×${count}` : ''}`);
    start = index;
  }
  return `[${runs.join(' ')}] (${terms.length})`;
}

/** `B 7/6 C 7/6 …`: each follower's nextIndex/matchIndex. */
function describeProgress(state: RaftVolatileState, self: string): string {
  return Object.keys(state.nextIndex)
    .filter((server) => server !== self)
    .map((server) => `${printable(server)} ${state.nextIndex[server]}/${state.matchIndex[server] ?? -1}`)
    .join(' ');
}
