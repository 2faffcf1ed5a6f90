import { formatBallot } from '../protocols/paxos/ballot.js';
import type { AcceptedProposal, PaxosMessage } from '../protocols/paxos/messages.js';
import type { DelaySpec } from '../scenario/scenario.js';
import { isNoop, type Command, type KvOp, type KvResult, type MultiPaxosMessage } from '../protocols/multipaxos/messages.js';
import { printable, printableLines } from '../util/printable.js';
import { describeRaftMessage, isRaftMessage } from './raft-format.js';

export { printable, printableLines };

/** A value as the timeline and verdicts show it: in double quotes, printable. */
export function quoted(value: string): string {
  return `"${printable(value)}"`;
}

/** A message of either protocol as a person reads it: `prepare (10,A)`, `accept (10,A) "X"`, `accept slot 3 (2,B) c1#4 put x="1"`. */
export function describeMessage(message: PaxosMessage | MultiPaxosMessage): string {
  // A user protocol's message may share a type name with paxsim's (`nack`, `heartbeat`) but not its fields: then it is shown as its JSON.
  let known: string;
  try {
    known = describeBuiltInMessage(message);
  } catch {
    return describeAnyMessage(message);
  }
  return /\bundefined\b|\bNaN\b/.test(known) ? describeAnyMessage(message) : known;
}

/** `type {the other fields as JSON}`. */
function describeAnyMessage(message: { readonly type: string }): string {
  const { type, ...fields } = message as { type: unknown } & Record<string, unknown>;
  const rest = JSON.stringify(fields) ?? '';
  return printable(`${String(type)} ${rest.length > 120 ? `${rest.slice(0, 120)}…` : rest}`);
}

function describeBuiltInMessage(message: PaxosMessage | MultiPaxosMessage): string {
  // A NACK looks the same in both protocols.
  if (isRaftMessage(message)) return describeRaftMessage(message);
  if (message.type === 'nack') return `nack ${formatBallot(message.ballot)}, promised ${formatBallot(message.promised)}`;
  if (isMultiPaxosMessage(message)) return describeMultiPaxosMessage(message);
  switch (message.type) {
    case 'prepare':
      return `prepare ${formatBallot(message.ballot)}`;
    case 'promise':
      return `promise ${formatBallot(message.ballot)} ${describeAccepted(message.accepted)}`;
    case 'accept':
      return `accept ${formatBallot(message.ballot)} ${quoted(message.value)}`;
    case 'accepted':
      return `accepted ${formatBallot(message.ballot)} ${quoted(message.value)}`;
    case 'catchup':
      return 'catchup';
    case 'decided':
      return `decided ${quoted(message.value)}`;
    default:
      return describeOwnMessage(message);
  }
}

/** A user protocol's message, whose vocabulary is its own: its type, then its other fields as JSON (`rumor {"value":"X"}`). */
export function describeOwnMessage(message: unknown): string {
  return describeRecord(message as Record<string, unknown>, ['type']);
}

/** A record's `type`, then its fields but `shownApart` as JSON; just the type when nothing else is left. */
export function describeRecord(record: Record<string, unknown>, shownApart: readonly string[]): string {
  const rest = Object.fromEntries(Object.entries(record).filter(([key]) => !shownApart.includes(key)));
  const type = printable(String(record['type']));
  return Object.keys(rest).length === 0 ? type : `${type} ${printable(JSON.stringify(rest))}`;
}

/** Multi-Paxos messages carry slots, commands or client fields that Paxos messages do not. */
function isMultiPaxosMessage(message: PaxosMessage | MultiPaxosMessage): message is Exclude<MultiPaxosMessage, { type: 'nack' }> {
  return 'slot' in message || 'fromSlot' in message || 'command' in message || 'commitIndex' in message || 'requestId' in message || Array.isArray((message as { accepted?: unknown }).accepted);
}

function describeMultiPaxosMessage(message: Exclude<MultiPaxosMessage, { type: 'nack' }>): string {
  switch (message.type) {
    case 'prepare':
      return `prepare ${formatBallot(message.ballot)} from slot ${message.fromSlot}`;
    case 'promise':
      return `promise ${formatBallot(message.ballot)} (${message.accepted.length} accepted)`;
    case 'accept':
      return `accept slot ${message.slot} ${formatBallot(message.ballot)} ${describeCommand(message.command)}`;
    case 'accepted':
      return `accepted slot ${message.slot} ${formatBallot(message.ballot)}`;
    case 'commit':
      return `commit slot ${message.slot} ${describeCommand(message.command)}`;
    case 'heartbeat':
      return `heartbeat ${formatBallot(message.ballot)} commit ${message.commitIndex}`;
    case 'catchup':
      return `catchup from slot ${message.fromSlot}`;
    case 'request':
      return `request ${describeCommand(message.command)}`;
    case 'reply':
      return `reply #${message.requestId} ${describeResult(message.result)}`;
    case 'redirect':
      return `redirect #${message.requestId} to ${message.leaderHint === null ? 'anyone' : printable(message.leaderHint)}`;
    default:
      return describeOwnMessage(message);
  }
}

export function describeCommand(command: Command): string {
  // A user protocol's command may be any plain data: shown as its JSON.
  if (typeof command !== 'object' || command === null || !('noop' in command || isKvRequest(command))) return printable(JSON.stringify(command) ?? String(command));
  if (isNoop(command)) return 'configuration' in command ? describeReconfig(command.configuration as { main: readonly string[]; auxiliary: readonly string[] }) : 'no-op';
  return `${printable(command.client)}#${command.requestId} ${describeOp(command.op)}`;
}

/** A client's key-value request (`{client, requestId, op: {kind, key, …}}`), as paxsim's clients send: any other `op` is a user's own data. */
function isKvRequest(command: object): boolean {
  const { client, op } = command as { client?: unknown; op?: { kind?: unknown; key?: unknown } | null };
  return typeof client === 'string' && typeof op === 'object' && op !== null && (op.kind === 'put' || op.kind === 'get' || op.kind === 'cas') && typeof op.key === 'string';
}

export function describeOp(op: KvOp): string {
  switch (op.kind) {
    case 'put':
      return `put ${printable(op.key)}=${quoted(op.value)}`;
    case 'get':
      return `get ${printable(op.key)}`;
    case 'cas':
      return `cas ${printable(op.key)} ${op.expected === null ? 'absent' : quoted(op.expected)}→${quoted(op.value)}`;
  }
}

/** A delay distribution as a person reads it: `1–50 ms`, `exponential mean 20 ms (1–200)`. */
export function describeDelay(delay: DelaySpec): string {
  switch (delay.distribution) {
    case 'uniform':
      return delay.min === delay.max ? `${delay.min} ms` : `${delay.min}–${delay.max} ms`;
    case 'exponential':
      return `exponential mean ${delay.mean} ms (${delay.min}–${delay.max})`;
    case 'normal':
      return `normal mean ${delay.mean} ms, stddev ${delay.stddev} (${delay.min}–${delay.max})`;
  }
}

export function describeResult(result: KvResult): string {
  return result === null ? 'null' : typeof result === 'boolean' ? String(result) : quoted(result);
}

function describeAccepted(accepted: AcceptedProposal | null): string {
  return accepted === null ? '(nothing accepted)' : `(accepted ${quoted(accepted.value)} in ${formatBallot(accepted.ballot)})`;
}

/** A Cheap Paxos reconfiguration command. */
function describeReconfig(configuration: { main: readonly string[]; auxiliary: readonly string[] }): string {
  return `reconfigure main ${configuration.main.map(printable).join(',') || '-'} aux ${configuration.auxiliary.map(printable).join(',') || '-'}`;
}
