import { emptyDict, type Dict } from '../../util/dict.js';
import { isNoop, type Command, type KvOp, type KvResult } from './messages.js';

/** The last request applied for a client, and what it returned. */
export interface Session {
  readonly requestId: number;
  readonly result: KvResult;
}

/**
 * The replicated state machine: a key-value map plus the client table that
 * makes a retried request apply at most once. Volatile (rebuilt from the
 * durable log); plain data, keys in the order the log first wrote them;
 * prototype-free, since keys and client ids are user text.
 */
export interface KvStore {
  readonly data: Dict<string>;
  /** By client id. */
  readonly sessions: Dict<Session>;
}

export function emptyKvStore(): KvStore {
  return { data: emptyDict(), sessions: emptyDict() };
}

export interface ApplyOutcome {
  readonly result: KvResult;
  /** The client table recognized the request as already applied (or superseded): nothing changed. */
  readonly duplicate: boolean;
}

/**
 * Apply one chosen command. With `dedup`, a request whose id is not above the
 * client's last applied one is skipped: an equal id returns the stored result,
 * a lower one (a request the client gave up on, chosen late) returns null.
 */
export function applyCommand(store: KvStore, command: Command, dedup: boolean): ApplyOutcome {
  if (isNoop(command)) return { result: null, duplicate: false };
  const session = store.sessions[command.client];
  if (dedup && session !== undefined && session.requestId >= command.requestId) {
    return { result: session.requestId === command.requestId ? session.result : null, duplicate: true };
  }
  const result = execute(store.data, command.op);
  store.sessions[command.client] = { requestId: command.requestId, result };
  return { result, duplicate: false };
}

/** Read a key without going through the log (what `stale-read` does). */
export function readLocal(store: KvStore, key: string): string | null {
  return Object.hasOwn(store.data, key) ? store.data[key]! : null;
}

function execute(data: Dict<string>, op: KvOp): KvResult {
  const current = Object.hasOwn(data, op.key) ? data[op.key]! : null;
  switch (op.kind) {
    case 'put':
      data[op.key] = op.value;
      return 'ok';
    case 'get':
      return current;
    case 'cas':
      if (current !== op.expected) return false;
      data[op.key] = op.value;
      return true;
  }
}

/** An independent copy (sessions are immutable values, so they are shared): what a snapshot stores. */
export function copyKvStore(store: KvStore): KvStore {
  return { data: { ...store.data }, sessions: { ...store.sessions } };
}

/** Keys plus client sessions: what copying the store costs. O(size); called once per snapshot. */
export function kvStoreSize(store: KvStore): number {
  return Object.keys(store.data).length + Object.keys(store.sessions).length;
}
