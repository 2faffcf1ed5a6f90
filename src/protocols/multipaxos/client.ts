import type { NodeId, ProtocolNode } from '../effects.js';
import { assert, unreachable } from '../../util/assert.js';
import { emptyDict, type Dict } from '../../util/dict.js';
import { DEFAULT_KEYS, DEFAULT_OP_MIX, type MultiPaxosConfig } from './config.js';
import type { ClientCommand, ClientWorkload, KvOp, KvResult, MultiPaxosMessage } from './messages.js';
import type { MultiPaxosEffects } from './replica.js';
import { storageKeys, storedNextRequestId } from './state.js';

export const CLIENT_TIMEOUT_TIMER = 'client-timeout';
export const CLIENT_RETRY_TIMER = 'client-retry';
export const CLIENT_THINK_TIMER = 'client-think';

/** What a message to a client says about its request: answered with a result, or redirected elsewhere. */
export type ClientAnswer =
  | { readonly requestId: number; readonly result: KvResult }
  /** "Not here": try the node named next, or (null) the next replica after `retryMs`. */
  | { readonly requestId: number; readonly redirect: NodeId | null };

/**
 * How a client's requests and answers travel as a protocol's messages: the
 * one thing a protocol serving paxsim's clients must say (a user protocol's
 * `clients` hook). Multi-Paxos and Raft use {@link PAXSIM_CLIENT_MESSAGES}.
 */
export interface ClientCodec<Message = unknown> {
  /** The message that carries a client's command `{client, requestId, op}` to a replica. */
  request(command: ClientCommand): Message;
  /** What a message a client receives answers: `{requestId, result}`, `{requestId, redirect: nodeId | null}`, or null (not an answer: ignored). */
  answer(message: Message): ClientAnswer | null;
}

/** paxsim's own client messages: `request {command}` out, `reply {requestId, result}` or `redirect {requestId, leaderHint}` back. */
export const PAXSIM_CLIENT_MESSAGES: ClientCodec<MultiPaxosMessage> = {
  request: (command) => ({ type: 'request', command }),
  answer: (message) => {
    if (message.type === 'reply') return { requestId: message.requestId, result: message.result };
    if (message.type === 'redirect') return { requestId: message.requestId, redirect: message.leaderHint };
    return null;
  },
};

/** The operation in progress. */
interface PendingOp {
  readonly requestId: number;
  readonly op: KvOp;
  /** Sends after the first: one per timeout, one per redirect. */
  retries: number;
}

export interface ClientState {
  workload: ClientWorkload | null;
  /** Operations of the workload issued so far. */
  issued: number;
  pending: PendingOp | null;
  /** Index in config.replicas of the replica this client believes leads. */
  target: number;
  /** key → the value this client last saw there: the `expected` of its next cas on that key. */
  lastSeen: Dict<string | null>;
}

/**
 * A client: one operation at a time, each with a fresh request id. It sends
 * to the replica it believes leads (at first its workload's `startAt`, or the
 * first replica), follows
 * redirects that name a leader, waits retryMs after one that does not, and on
 * a timeout resends the same request id to the next replica (round-robin).
 * After maxRetries resends it gives up (`timeout`: the outcome is unknown,
 * the command may still be applied) and goes on with the next operation.
 */
export class Client implements ProtocolNode<MultiPaxosMessage, ClientWorkload> {
  readonly state: ClientState = { workload: null, issued: 0, pending: null, target: 0, lastSeen: emptyDict() };
  /** Stored before use, so a restarted client never reuses a request id. */
  private nextRequestId: number;
  private readonly id: NodeId;

  constructor(
    private readonly effects: MultiPaxosEffects,
    private readonly config: MultiPaxosConfig,
    private readonly messages: ClientCodec<MultiPaxosMessage> = PAXSIM_CLIENT_MESSAGES,
  ) {
    assert(config.replicas.length > 0, 'a multipaxos client needs at least one replica');
    this.nextRequestId = storedNextRequestId(effects.storage);
    this.id = effects.nodeId;
  }

  start(): void {}

  /** A restarted client has lost its workload; it only keeps its request ids unique. */
  recover(): void {}

  /**
   * A new workload replaces what is left of the current one; the operation in
   * progress finishes first. A workload that names `startAt` points the client
   * there first (a client configured with a replica it knows, say the nearest),
   * instead of at the first replica.
   */
  onRequest(workload: ClientWorkload): void {
    this.state.workload = workload;
    this.state.issued = 0;
    if (workload.startAt !== undefined) this.state.target = this.replicaIndex(workload.startAt);
    if (this.state.pending === null) {
      this.effects.cancelTimer(CLIENT_THINK_TIMER);
      this.nextOp();
    }
  }

  onMessage(from: NodeId, message: MultiPaxosMessage): void {
    const answer = this.messages.answer(message);
    if (answer === null) return;
    if ('result' in answer) this.onReply(from, answer);
    else this.onRedirect(from, answer);
  }

  onTimer(name: string): void {
    if (name === CLIENT_THINK_TIMER) {
      if (this.state.pending === null) this.nextOp();
      return;
    }
    const pending = this.state.pending;
    if (pending === null) return;
    if (name === CLIENT_TIMEOUT_TIMER) {
      if (!this.countRetry(pending)) return;
      this.state.target = (this.state.target + 1) % this.config.replicas.length;
      this.send(pending);
    } else if (name === CLIENT_RETRY_TIMER) {
      this.send(pending);
    }
  }

  volatileState(): ClientState {
    return this.state;
  }

  private onReply(from: NodeId, message: { readonly requestId: number; readonly result: KvResult }): void {
    const state = this.state;
    const pending = state.pending;
    if (pending === null || message.requestId !== pending.requestId) return; // a late or duplicated reply
    this.effects.observe({ type: 'complete', client: this.id, requestId: pending.requestId, op: pending.op, result: message.result });
    this.remember(pending.op, message.result);
    const index = this.config.replicas.indexOf(from);
    if (index >= 0) state.target = index;
    this.finish();
  }

  private onRedirect(from: NodeId, message: { readonly requestId: number; readonly redirect: NodeId | null }): void {
    const state = this.state;
    const pending = state.pending;
    if (pending === null || message.requestId !== pending.requestId || from !== this.config.replicas[state.target]) return;
    if (!this.countRetry(pending)) return;
    const hint = message.redirect === null ? -1 : this.config.replicas.indexOf(message.redirect);
    if (hint >= 0 && message.redirect !== from) {
      state.target = hint;
      this.send(pending);
      return;
    }
    state.target = (state.target + 1) % this.config.replicas.length;
    this.effects.cancelTimer(CLIENT_TIMEOUT_TIMER);
    this.effects.setTimer(CLIENT_RETRY_TIMER, this.config.timing.retryMs);
  }

  /** Where `replica` is in config.replicas; the scenario's validation makes sure it is there. */
  private replicaIndex(replica: NodeId): number {
    const index = this.config.replicas.indexOf(replica);
    assert(index >= 0, () => `client ${this.id}: startAt ${replica} is not one of its replicas (${this.config.replicas.join(', ')})`);
    return index;
  }

  /** One more resend; false (after giving up and moving on) once there were maxRetries already. */
  private countRetry(pending: PendingOp): boolean {
    pending.retries += 1;
    if (pending.retries <= this.config.maxRetries) return true;
    this.effects.observe({ type: 'timeout', client: this.id, requestId: pending.requestId, op: pending.op });
    this.finish();
    return false;
  }

  /** The operation is over (answered or given up): think, then start the next one. */
  private finish(): void {
    this.state.pending = null;
    this.effects.cancelTimer(CLIENT_TIMEOUT_TIMER);
    this.effects.cancelTimer(CLIENT_RETRY_TIMER);
    const thinkMs = this.state.workload?.thinkMs ?? 0;
    if (thinkMs > 0) this.effects.setTimer(CLIENT_THINK_TIMER, Math.floor(this.effects.random() * (thinkMs + 1)));
    else this.nextOp();
  }

  private nextOp(): void {
    const state = this.state;
    const requestId = this.nextRequestId;
    const op = this.drawOp(requestId);
    if (op === null) return;
    state.issued += 1;
    this.nextRequestId = requestId + 1;
    this.effects.storage.write(storageKeys.client, { kind: 'client', nextRequestId: this.nextRequestId });
    this.effects.storage.sync();
    this.effects.observe({ type: 'invoke', client: this.id, requestId, op });
    const pending: PendingOp = { requestId, op, retries: 0 };
    state.pending = pending;
    this.send(pending);
  }

  private send(pending: PendingOp): void {
    const target = this.config.replicas[this.state.target]!;
    this.effects.send(target, this.messages.request({ client: this.id, requestId: pending.requestId, op: pending.op }));
    this.effects.cancelTimer(CLIENT_RETRY_TIMER);
    this.effects.setTimer(CLIENT_TIMEOUT_TIMER, this.config.timing.clientTimeoutMs);
  }

  /** The next operation of the workload, or null when it is done. Written values are unique: `<client>.<requestId>`. */
  private drawOp(requestId: number): KvOp | null {
    const state = this.state;
    const workload = state.workload;
    if (workload === null) return null;
    if (workload.ops !== undefined) return workload.ops[state.issued] ?? null;
    if (state.issued >= (workload.count ?? 0)) return null;
    const mix = workload.mix ?? DEFAULT_OP_MIX;
    const keys = workload.keys ?? DEFAULT_KEYS;
    const total = mix.put + mix.get + mix.cas;
    assert(keys.length > 0 && total > 0, () => `client ${this.id}: a workload needs keys and a mix with some weight`);
    const kindDraw = this.effects.random() * total;
    const key = keys[Math.min(keys.length - 1, Math.floor(this.effects.random() * keys.length))]!;
    const value = `${this.id}.${requestId}`;
    if (kindDraw < mix.put) return { kind: 'put', key, value };
    if (kindDraw < mix.put + mix.get) return { kind: 'get', key };
    return { kind: 'cas', key, expected: state.lastSeen[key] ?? null, value };
  }

  /** What a completed operation tells the client about its key. */
  private remember(op: KvOp, result: KvResult): void {
    switch (op.kind) {
      case 'put':
        this.state.lastSeen[op.key] = op.value;
        return;
      case 'get':
        this.state.lastSeen[op.key] = typeof result === 'string' ? result : null;
        return;
      case 'cas':
        if (result === true) this.state.lastSeen[op.key] = op.value;
        return;
      default:
        unreachable(op, 'kv op');
    }
  }
}
