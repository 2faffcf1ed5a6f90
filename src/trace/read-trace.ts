import type { Command, KvOp, KvResult } from '../protocols/multipaxos/messages.js';
import type { Ballot } from '../protocols/paxos/ballot.js';
import type { NodeId } from '../scenario/scenario.js';
import type { AnyTraceEvent, FaultEvent, MultiPaxosTraceEvent, TraceEvent, TraceMeta } from '../sim/events.js';
import { describeOp } from './format.js';
import { builtInTraceFormatOf, isMultiSlotFormat, traceFormatOf } from './trace-format.js';

/**
 * Reads a JSON Lines trace in the documented format (README, "Trace format"),
 * written by `paxsim run --trace` or by another implementation, and validates
 * what the checkers read. Every problem is one line naming `file:line` and the
 * field; all of them up to a cap, so a foreign trace is fixed in one pass.
 *
 * - Line 1 is the meta line: `type: "meta"` and `nodes`. `acceptors`,
 *   `proposers` and `learners` default to `nodes`; `scenario`, `seed`,
 *   `protocol` and `bug` are optional (`""`, 0, `""`), and so is `untilMs`
 *   (when the run ended; no event may come after it).
 * - Every later line is one event with a non-negative integer `t`
 *   (non-decreasing) and a string `type`. Blank lines are allowed only at the
 *   end, so event index `i` is always line `i + 2`.
 * - The fields the checkers read are validated for `propose`, `promise`,
 *   `accept`, `learn`, `crash`, `restart`, `pause`, `resume`, `partition`,
 *   `cut` and `burst` (`for`, when present). Node ids must be in `meta.nodes`,
 *   and an event must come from a node with the role (acceptor for
 *   promise/accept, learner for learn, proposer for propose).
 * - Other known types (send, deliver, drop, …, chosen, violation) and unknown
 *   types are passed through unvalidated: the checkers ignore them, so a
 *   foreign trace may carry whatever else it records.
 * - Lenient where it costs nothing: a bare integer ballot `7` reads as
 *   `[7, ""]`, and an integer node id, ballot id or value reads as its decimal
 *   string.
 *
 * A meta line with `protocolModule` is a user protocol's trace (paxsim run
 * writes it, with the protocol's `config`): its events are the protocol's own
 * vocabulary, so only the faults are validated and `clients` may be listed;
 * its definition's checks read the rest (`paxsim check --protocol`).
 *
 * A meta line with `"protocol":"multipaxos"` makes it a Multi-Paxos trace:
 * `nodes` are the replicas and `clients` (default: none) the client ids, a
 * separate set. Then the validated types are `leader`, `promise`, `accept`,
 * `learn`, `apply`, `invoke`, `complete`, `timeout` and the faults (whose
 * nodes must be replicas); a command is `{client, requestId, op}` or
 * `{noop: true}`, an op `{kind: "put", key, value}`, `{kind: "get", key}` or
 * `{kind: "cas", key, expected, value}` (keys, values and a get's result may
 * be integers, read as strings). Each client has at most one operation in
 * flight: `complete` and `timeout` must close the client's open `invoke`
 * (same request id and op), and request ids are never reused, because the
 * checkers pair them by client and identify a request by (client, requestId).
 */
export type ReadTraceResult =
  | {
      ok: true;
      protocol: 'paxos';
      meta: TraceMeta;
      events: TraceEvent[];
      /** The keys the meta line actually had (a foreign trace may leave out `scenario`, `seed`, the roles). */
      metaKeys: string[];
    }
  | {
      ok: true;
      protocol: 'multipaxos';
      meta: TraceMeta;
      events: MultiPaxosTraceEvent[];
      metaKeys: string[];
    }
  | {
      ok: true;
      protocol: 'raft';
      meta: TraceMeta;
      events: AnyTraceEvent[];
      metaKeys: string[];
    }
  | {
      ok: true;
      /** A user protocol's trace (the meta line names its `protocolModule`): only faults are validated, its own checks read the rest. */
      protocol: 'user';
      meta: TraceMeta;
      events: AnyTraceEvent[];
      metaKeys: string[];
    }
  | { ok: false; errors: string[] };

/** Most problem lines reported; one more line says how many were left out. */
export const MAX_TRACE_ERRORS = 20;

/** The faults, whose fields liveness reads in either protocol. */
const FAULT_TYPES = ['crash', 'restart', 'pause', 'resume', 'partition', 'cut', 'heal', 'burst'];

/** Types whose fields the checkers read, and so are validated. */
const VALIDATED_TYPES = new Set(['propose', 'promise', 'accept', 'learn', ...FAULT_TYPES]);

/** The same for a Raft trace (meta line `"protocol":"raft"`): servers are `nodes`, clients as for Multi-Paxos. */
const RAFT_VALIDATED_TYPES = new Set(['leader', 'vote', 'append', 'truncate', 'commit', 'apply', 'invoke', 'complete', 'timeout', ...FAULT_TYPES]);

/** The same for a user protocol's trace (meta line with `protocolModule`). */
const USER_VALIDATED_TYPES = new Set(FAULT_TYPES);

/** The same for a Multi-Paxos trace. */
const MULTIPAXOS_VALIDATED_TYPES = new Set(['leader', 'promise', 'accept', 'learn', 'apply', 'invoke', 'complete', 'timeout', ...FAULT_TYPES]);

type Json = Record<string, unknown>;

class Problems {
  readonly lines: string[] = [];
  private count = 0;
  /** The first problem: its line and message. */
  first: { readonly line: number; readonly message: string } | null = null;

  constructor(private readonly file: string) {}

  add(line: number, message: string): void {
    this.count += 1;
    this.first ??= { line, message };
    if (this.lines.length < MAX_TRACE_ERRORS) this.lines.push(`${this.file}:${line}: ${message}`);
  }

  result(): string[] {
    const left = this.count - this.lines.length;
    return left > 0 ? [...this.lines, `${this.file}: … and ${left} more problem${left === 1 ? '' : 's'}`] : this.lines;
  }

  get empty(): boolean {
    return this.count === 0;
  }
}

interface Roles {
  /** Multi-Paxos: the replicas. */
  readonly nodes: ReadonlySet<NodeId>;
  readonly acceptors: ReadonlySet<NodeId>;
  readonly proposers: ReadonlySet<NodeId>;
  readonly learners: ReadonlySet<NodeId>;
  /** Multi-Paxos only (empty for Paxos). */
  readonly clients: ReadonlySet<NodeId>;
}

type Role = 'acceptors' | 'proposers' | 'learners' | 'clients';

/** A whole trace in memory (tests, small traces); `paxsim check` reads files line by line with {@link TraceReader}. */
export function readTrace(text: string, file: string): ReadTraceResult {
  const reader = new TraceReader(file);
  const events: (TraceEvent | MultiPaxosTraceEvent)[] = [];
  text.split('\n').forEach((line, index) => {
    const event = reader.line(line.endsWith('\r') ? line.slice(0, -1) : line, index + 1);
    if (event !== null) events.push(event);
  });
  const end = reader.end();
  if (!end.ok) return end;
  // The reader built each event for its protocol: only validated types are narrowed, the rest pass through.
  if (end.protocol === 'multipaxos') return { ok: true, protocol: 'multipaxos', meta: end.meta, events: events as MultiPaxosTraceEvent[], metaKeys: end.metaKeys };
  if (end.protocol === 'raft' || end.protocol === 'user') return { ok: true, protocol: end.protocol, meta: end.meta, events, metaKeys: end.metaKeys };
  return { ok: true, protocol: 'paxos', meta: end.meta, events: events as TraceEvent[], metaKeys: end.metaKeys };
}

/** Which events a trace's reader validates: a built-in protocol's, or (`user`) only the faults. */
export type TraceFormat = 'paxos' | 'multipaxos' | 'raft' | 'user';

/** How a trace read line by line ended: its meta line and event count, or its problems. */
export type TraceReadEnd =
  | { ok: true; protocol: TraceFormat; meta: TraceMeta; metaKeys: string[]; eventCount: number }
  | { ok: false; errors: string[] };

/**
 * Reads a trace one line at a time, validating as {@link readTrace} documents
 * and keeping only what validation needs (the roles, the previous time, each
 * client's operation in flight and request ids), never the events.
 * `line` returns each valid event with its normalized fields; once a problem
 * was found (`failed`), later events may not be consistent with the ones
 * before, so a caller stops feeding them to checkers and reports `end()`'s
 * problems instead.
 */
export class TraceReader {
  private readonly problems: Problems;
  /** Multi-Paxos or Raft: clients, and their history rules. */
  private multipaxos = false;
  private raft = false;
  /** A user protocol's trace: its events are its own vocabulary, read by its own checks. */
  private user = false;
  private metaLineSeen = false;
  private metaRead: { meta: TraceMeta; keys: string[] } | null = null;
  private roles: Roles | null = null;
  private clientHistory: ClientHistory | null = null;
  private previousT = 0;
  private lastLine = 0;
  /** A run of blank lines not yet known to be in the middle (they are allowed at the end). */
  private blankFrom = 0;
  private blankCount = 0;
  /** The meta line's `protocol` when it names none paxsim knows and no `protocolModule` (the trace reads as single-decree Paxos); else null. */
  private unknownProtocol: string | null = null;

  /** `userProtocol`: read it as a user protocol's trace even when its meta line names no `protocolModule` (`check --protocol MODULE` says it is). */
  constructor(
    private readonly file: string,
    private readonly options: { readonly userProtocol?: boolean } = {},
  ) {
    this.problems = new Problems(file);
  }

  get failed(): boolean {
    return !this.problems.empty || (this.metaLineSeen && this.metaRead === null);
  }

  /** The meta line, once line 1 was read and is valid. */
  get meta(): TraceMeta | null {
    return this.metaRead?.meta ?? null;
  }

  /** Line `lineNumber` (1-based, in order, without its newline): its valid event, or null (meta line, blank line, or a problem reported). */
  line(text: string, lineNumber: number): TraceEvent | MultiPaxosTraceEvent | null {
    const line = lineNumber === 1 && text.startsWith('\uFEFF') ? text.slice(1) : text;
    if (line.trim() === '') {
      if (this.blankCount === 0) this.blankFrom = lineNumber;
      this.blankCount += 1;
      return null;
    }
    if (this.blankCount > 0) this.blankLinesInTheMiddle();
    this.lastLine = lineNumber;
    if (!this.metaLineSeen) {
      this.readMetaLine(line);
      return null;
    }
    return this.readEventLine(line, lineNumber);
  }

  private blankLinesInTheMiddle(): void {
    let from = this.blankFrom;
    const to = this.blankFrom + this.blankCount;
    this.blankCount = 0;
    if (!this.metaLineSeen) {
      // Line 1 is the meta line, blank or not.
      this.readMetaLine('');
      from += 1;
    }
    for (let lineNumber = from; lineNumber < to; lineNumber++) {
      this.problems.add(lineNumber, 'blank line; every line after the meta line must be one JSON event (event i is line i + 2)');
    }
  }

  private readMetaLine(line: string): void {
    this.metaLineSeen = true;
    const declared = declaredMeta(line);
    this.user = this.options.userProtocol === true || declared['protocolModule'] !== undefined;
    // The meta line's `protocol` names the format (trace/trace-format.ts); any other, or none, reads as single-decree Paxos.
    const protocol = typeof declared['protocol'] === 'string' ? declared['protocol'] : undefined;
    const format = traceFormatOf(protocol);
    this.unknownProtocol = !this.user && protocol !== undefined && protocol !== '' && builtInTraceFormatOf(protocol) === undefined ? protocol : null;
    this.raft = !this.user && format === 'raft';
    this.multipaxos = !this.user && (isMultiSlotFormat(format) || this.raft);
    this.metaRead = readMeta(line, this.problems, this.multipaxos || this.user);
    const meta = this.metaRead?.meta ?? null;
    this.roles = meta && {
      nodes: new Set(meta.nodes),
      acceptors: new Set(meta.acceptors),
      proposers: new Set(meta.proposers),
      learners: new Set(meta.learners),
      clients: new Set(meta.clients ?? []),
    };
    this.clientHistory = this.multipaxos ? new ClientHistory(this.problems) : null;
  }

  private readEventLine(line: string, lineNumber: number): TraceEvent | MultiPaxosTraceEvent | null {
    const { problems, roles, clientHistory } = this;
    const parsed = parseJson(line);
    if (!parsed.ok) {
      problems.add(lineNumber, `not valid JSON (${parsed.reason})`);
      return null;
    }
    const event = this.user
      ? readUserProtocolEvent(parsed.value, lineNumber, roles, problems)
      : this.raft
        ? readRaftEvent(parsed.value, lineNumber, roles, problems)
        : this.multipaxos
          ? readMultiPaxosEvent(parsed.value, lineNumber, roles, problems)
          : readEvent(parsed.value, lineNumber, roles, problems);
    if (event === null) {
      clientHistory?.rejected(parsed.value);
      return null;
    }
    if (event.t < this.previousT) {
      problems.add(lineNumber, `t: ${event.t} is before the previous event's t=${this.previousT}; events must be in time order`);
      clientHistory?.rejected(event);
      return null;
    }
    const untilMs = this.meta?.untilMs;
    if (untilMs !== undefined && event.t > untilMs) {
      problems.add(lineNumber, `t: ${event.t} is after the meta line's untilMs ${untilMs}, when the run ended`);
      clientHistory?.rejected(event);
      return null;
    }
    this.previousT = event.t;
    clientHistory?.follow(event as MultiPaxosTraceEvent, lineNumber);
    return event;
  }

  /**
   * A trace of a protocol paxsim does not know (no `protocolModule`) reads
   * as single-decree Paxos (a foreign Paxos implementation may name itself);
   * when its events do not, that is one problem, its meta line's protocol,
   * not one per event with hints for other formats.
   */
  private unknownProtocolProblem(protocol: string, first: { readonly line: number; readonly message: string }): string {
    const what = first.message.split('; ')[0];
    return (
      `${this.file}:1: protocol: "${protocol}" is no protocol paxsim knows, so the trace was read as single-decree Paxos, which it is not (line ${first.line}: ${what}); ` +
      `check a user protocol's trace with --protocol MODULE, or name its protocol in the meta line`
    );
  }

  private get format(): TraceFormat {
    return this.user ? 'user' : this.raft ? 'raft' : this.multipaxos ? 'multipaxos' : 'paxos';
  }

  /** After the last line: the meta line and the number of events, or every problem (blank lines at the end are fine). */
  end(): TraceReadEnd {
    if (!this.metaLineSeen) {
      return { ok: false, errors: [`${this.file}:1: meta: the trace is empty; line 1 must be the meta line {"type":"meta","nodes":[…]}`] };
    }
    const metaRead = this.metaRead;
    if (metaRead !== null && this.unknownProtocol !== null && this.problems.first !== null) return { ok: false, errors: [this.unknownProtocolProblem(this.unknownProtocol, this.problems.first)] };
    if (metaRead === null || !this.problems.empty) return { ok: false, errors: this.problems.result() };
    return { ok: true, protocol: this.format, meta: metaRead.meta, metaKeys: metaRead.keys, eventCount: this.lastLine - 1 };
  }
}

/** What line 1 says (its `protocol`, its `protocolModule`), read before the meta line is validated, so events are read right even when it is not. */
function declaredMeta(line: string): Json {
  const parsed = parseJson(line);
  return parsed.ok && isObject(parsed.value) ? parsed.value : {};
}

function parseJson(line: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(line) as unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: reason.length > 80 ? `${reason.slice(0, 77)}...` : reason };
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** A node id: a non-empty string, or an integer read as its decimal string. */
function asNodeId(value: unknown): NodeId | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}

function readMeta(line: string, problems: Problems, withClients: boolean): { meta: TraceMeta; keys: string[] } | null {
  const parsed = parseJson(line);
  if (!parsed.ok) {
    problems.add(1, `meta: not valid JSON (${parsed.reason}); line 1 must be the meta line {"type":"meta","nodes":[…]}`);
    return null;
  }
  const raw = parsed.value;
  if (!isObject(raw)) {
    problems.add(1, `meta: must be a JSON object {"type":"meta","nodes":[…]}, got ${describe(raw)}`);
    return null;
  }
  if (raw['type'] !== 'meta') {
    const got = raw['type'] === undefined ? 'no type' : `type ${describe(raw['type'])}`;
    problems.add(1, `type: line 1 must be the meta line {"type":"meta","nodes":[…]}, got ${got}`);
    return null;
  }
  let ok = true;
  const nodes = readNodeList(raw, 'nodes', null, problems);
  if (nodes === null) ok = false;
  else if (nodes.length === 0) {
    problems.add(1, 'nodes: must list at least one node');
    ok = false;
  }
  const known = nodes === null ? null : new Set(nodes);
  const roleList = (key: 'acceptors' | 'proposers' | 'learners'): NodeId[] | null => {
    if (raw[key] === undefined) return nodes;
    const list = readNodeList(raw, key, known, problems);
    if (list === null) ok = false;
    return list;
  };
  const acceptors = roleList('acceptors');
  const proposers = roleList('proposers');
  const learners = roleList('learners');
  if (acceptors !== null && acceptors.length === 0 && nodes !== null && nodes.length > 0) {
    problems.add(1, 'acceptors: must list at least one acceptor');
    ok = false;
  }
  const optionalString = (key: string): string => {
    const value = raw[key];
    if (value === undefined) return '';
    if (typeof value !== 'string') {
      problems.add(1, `${key}: must be a string, got ${describe(value)}`);
      ok = false;
      return '';
    }
    return value;
  };
  const scenario = optionalString('scenario');
  const protocol = optionalString('protocol');
  const bug = optionalString('bug');
  const protocolModule = raw['protocolModule'] === undefined ? undefined : optionalString('protocolModule');
  let seed = 0;
  if (raw['seed'] !== undefined) {
    if (typeof raw['seed'] === 'number' && Number.isSafeInteger(raw['seed']) && raw['seed'] >= 0) seed = raw['seed'];
    else {
      problems.add(1, `seed: must be a non-negative integer, got ${describe(raw['seed'])}`);
      ok = false;
    }
  }
  let untilMs: number | undefined;
  if (raw['untilMs'] !== undefined) {
    if (typeof raw['untilMs'] === 'number' && Number.isSafeInteger(raw['untilMs']) && raw['untilMs'] >= 0) untilMs = raw['untilMs'];
    else {
      problems.add(1, `untilMs: must be a non-negative integer (virtual ms the run ran until), got ${describe(raw['untilMs'])}`);
      ok = false;
    }
  }
  let clients: NodeId[] | null = [];
  if (withClients && raw['clients'] !== undefined) {
    clients = readNodeList(raw, 'clients', null, problems);
    clients?.forEach((client, position) => {
      if (known?.has(client) !== true) return;
      problems.add(1, `clients[${position}]: "${client}" is also in nodes; in a Multi-Paxos trace nodes are the replicas and clients the other ids`);
      ok = false;
    });
    if (clients === null) ok = false;
  }
  const cheapFormat = traceFormatOf(protocol) === 'cheap-paxos';
  const cheap = cheapFormat ? readCheapPaxosMeta(raw, nodes, problems) : null;
  if (cheapFormat && cheap === null) ok = false;
  if (!ok || nodes === null || acceptors === null || proposers === null || learners === null || clients === null) return null;
  const meta: TraceMeta = { type: 'meta', scenario, seed, ...(untilMs === undefined ? {} : { untilMs }), nodes, acceptors, proposers, learners, protocol };
  if (withClients && (protocolModule === undefined || raw['clients'] !== undefined)) meta.clients = clients;
  if (cheap !== null) Object.assign(meta, cheap);
  // A user protocol's: the module (a file or package name, never a path) and its parsed config, both read by its definition.
  if (protocolModule !== undefined) meta.protocolModule = protocolModule;
  if (raw['config'] !== undefined) meta.config = raw['config'];
  if (bug !== '') meta.bug = bug;
  return { meta, keys: Object.keys(raw) };
}

/** Cheap Paxos's meta fields: `main` and `auxiliary` split `nodes`, `alpha` a positive integer. */
function readCheapPaxosMeta(raw: Json, nodes: NodeId[] | null, problems: Problems): Pick<TraceMeta, 'main' | 'auxiliary' | 'alpha' | 'auxiliaryLimits'> | null {
  const known = nodes === null ? null : new Set(nodes);
  const main = readNodeList(raw, 'main', known, problems);
  const auxiliary = readNodeList(raw, 'auxiliary', known, problems);
  const alpha = raw['alpha'];
  let ok = main !== null && auxiliary !== null;
  if (typeof alpha !== 'number' || !Number.isSafeInteger(alpha) || alpha < 1) {
    problems.add(1, `alpha: must be a positive integer (a configuration chosen at slot i governs slots from i + alpha on), got ${describe(alpha)}`);
    ok = false;
  }
  if (main !== null && main.length === 0) {
    problems.add(1, 'main: must list at least one main processor');
    ok = false;
  }
  const overlap = main?.find((id) => auxiliary?.includes(id));
  if (overlap !== undefined) {
    problems.add(1, `auxiliary: "${overlap}" is also in main`);
    ok = false;
  }
  const limits = readAuxiliaryLimits(raw['auxiliaryLimits'], problems);
  if (limits === null) ok = false;
  if (!ok) return null;
  return { main: main!, auxiliary: auxiliary!, alpha: alpha as number, ...(limits === undefined || limits === null ? {} : { auxiliaryLimits: limits }) };
}

/** `auxiliaryLimits`, when the run judged auxiliaries-idle: `{maxMessages?, idleAfterMs?}`, each a non-negative integer. */
function readAuxiliaryLimits(value: unknown, problems: Problems): TraceMeta['auxiliaryLimits'] | null | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.add(1, `auxiliaryLimits: must be an object like {"maxMessages":0}, got ${describe(value)}`);
    return null;
  }
  const limits: { maxMessages?: number; idleAfterMs?: number } = {};
  for (const [key, limit] of Object.entries(value)) {
    if (key !== 'maxMessages' && key !== 'idleAfterMs') {
      problems.add(1, `auxiliaryLimits.${key}: unknown; expected maxMessages or idleAfterMs`);
      return null;
    }
    if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) {
      problems.add(1, `auxiliaryLimits.${key}: must be a non-negative integer, got ${describe(limit)}`);
      return null;
    }
    limits[key] = limit;
  }
  return limits;
}

/** A list of distinct node ids; with `known`, each must be one of them (a role list inside `nodes`). */
function readNodeList(raw: Json, key: string, known: ReadonlySet<NodeId> | null, problems: Problems): NodeId[] | null {
  const value = raw[key];
  if (value === undefined) {
    problems.add(1, `${key}: missing; the meta line must list the node ids, e.g. "nodes":["A","B","C"]`);
    return null;
  }
  if (!Array.isArray(value)) {
    problems.add(1, `${key}: must be an array of node ids, got ${describe(value)}`);
    return null;
  }
  const list: NodeId[] = [];
  const listed = new Set<NodeId>();
  let ok = true;
  value.forEach((entry: unknown, position) => {
    const id = asNodeId(entry);
    if (id === null) {
      problems.add(1, `${key}[${position}]: must be a node id (a non-empty string), got ${describe(entry)}`);
      ok = false;
    } else if (listed.has(id)) {
      problems.add(1, `${key}[${position}]: "${id}" is listed twice`);
      ok = false;
    } else if (known !== null && !known.has(id)) {
      problems.add(1, `${key}[${position}]: "${id}" is not in nodes`);
      ok = false;
    } else {
      list.push(id);
      listed.add(id);
    }
  });
  return ok ? list : null;
}

/** One event line: the validated, normalized event, or null after reporting its problems. */
function readEvent(raw: unknown, line: number, roles: Roles | null, problems: Problems): TraceEvent | null {
  return readEventWith(raw, line, roles, problems, VALIDATED_TYPES, '("propose", "promise", "accept", "learn", …)', readValidated);
}

/** The same for a Multi-Paxos trace. */
function readMultiPaxosEvent(raw: unknown, line: number, roles: Roles | null, problems: Problems): MultiPaxosTraceEvent | null {
  return readEventWith(raw, line, roles, problems, MULTIPAXOS_VALIDATED_TYPES, '("accept", "learn", "apply", "invoke", …)', readMultiPaxosValidated);
}

/** The same for a user protocol's trace: its observations are its own, so only the faults (which liveness reads) are validated. */
function readUserProtocolEvent(raw: unknown, line: number, roles: Roles | null, problems: Problems): AnyTraceEvent | null {
  const event = readEventWith<AnyTraceEvent>(raw, line, roles, problems, USER_VALIDATED_TYPES, "(the protocol's observations, the faults, …)", readFault);
  // A run's observations each name one of its nodes or clients: another id (an edited trace) would count as a node of its own.
  const node: unknown = event === null ? undefined : (event as { node?: unknown }).node;
  if (node === undefined || roles === null || (typeof node === 'string' && (roles.nodes.has(node) || roles.clients.has(node)))) return event;
  problems.add(line, `node: ${describe(node)} is not a node or client of the meta line (nodes: ${sampleOf(roles.nodes)})`);
  return null;
}

/** The same for a Raft trace. */
function readRaftEvent(raw: unknown, line: number, roles: Roles | null, problems: Problems): AnyTraceEvent | null {
  return readEventWith(raw, line, roles, problems, RAFT_VALIDATED_TYPES, '("leader", "vote", "append", "commit", "apply", "invoke", …)', readRaftValidated);
}

function readEventWith<E>(
  raw: unknown,
  line: number,
  roles: Roles | null,
  problems: Problems,
  validatedTypes: ReadonlySet<string>,
  typeExamples: string,
  build: (type: string, reader: FieldReader) => E,
): E | null {
  if (!isObject(raw)) {
    problems.add(line, `must be a JSON object with "t" and "type", got ${describe(raw)}`);
    return null;
  }
  const type = raw['type'];
  let ok = true;
  const t = raw['t'];
  if (t === undefined) {
    problems.add(line, 't: missing; every event needs a non-negative integer virtual time t');
    ok = false;
  } else if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) {
    problems.add(line, `t: must be a non-negative integer, got ${describe(t)}`);
    ok = false;
  }
  if (type === undefined) {
    problems.add(line, `type: missing; every event needs a type ${typeExamples}`);
    return null;
  }
  if (typeof type !== 'string' || type === '') {
    problems.add(line, `type: must be a non-empty string, got ${describe(type)}`);
    return null;
  }
  if (type === 'meta') {
    problems.add(line, 'type: a second meta line; only line 1 is the meta line');
    return null;
  }
  if (!ok) return null;
  if (!validatedTypes.has(type)) return raw as unknown as E;

  const reader = new FieldReader(raw, type, line, roles, problems);
  const event = build(type, reader);
  return reader.ok ? event : null;
}

function readValidated(type: string, r: FieldReader): TraceEvent {
  const t = r.raw['t'] as number;
  const rest = r.raw;
  if (FAULT_TYPES.includes(type)) return readFault(type, r);
  switch (type) {
    case 'propose':
      return { ...rest, t, type: 'propose', node: r.node('node', 'proposers'), value: r.value('value'), ballot: r.ballot('ballot') };
    case 'promise':
      return { ...rest, t, type: 'promise', node: r.node('node', 'acceptors'), ballot: r.ballot('ballot') };
    case 'accept':
      return { ...rest, t, type: 'accept', node: r.node('node', 'acceptors'), ballot: r.ballot('ballot'), value: r.paxosValue('value') };
    case 'learn':
      return { ...rest, t, type: 'learn', node: r.node('node', 'learners'), value: r.paxosValue('value') };
    default:
      throw new Error(`readValidated: unhandled type ${type}`);
  }
}

/** A Multi-Paxos event of a validated type: replica events name replicas (`nodes`), client events clients. */
function readMultiPaxosValidated(type: string, r: FieldReader): MultiPaxosTraceEvent {
  const t = r.raw['t'] as number;
  const rest = r.raw;
  if (FAULT_TYPES.includes(type)) return readFault(type, r);
  switch (type) {
    case 'leader':
    case 'promise':
      return { ...rest, t, type, node: r.node('node'), ballot: r.ballot('ballot') };
    case 'accept':
      return { ...rest, t, type: 'accept', node: r.node('node'), slot: r.slot('slot'), ballot: r.ballot('ballot'), command: r.command('command') };
    case 'learn':
      return { ...rest, t, type: 'learn', node: r.node('node'), slot: r.slot('slot'), command: r.command('command') };
    case 'apply': {
      const node = r.node('node');
      const slot = r.slot('slot');
      const command = r.command('command');
      const result = r.result('result', null);
      const { duplicate: _duplicate, ...others } = rest;
      const event = { ...others, t, type: 'apply' as const, node, slot, command, result };
      return r.optionalFlag('duplicate') ? { ...event, duplicate: true } : event;
    }
    case 'invoke':
      return { ...rest, t, type: 'invoke', node: r.node('node', 'clients'), client: r.node('client', 'clients'), requestId: r.requestId('requestId'), op: r.op('op', r.raw['op']) };
    case 'complete': {
      const node = r.node('node', 'clients');
      const client = r.node('client', 'clients');
      const requestId = r.requestId('requestId');
      const failuresBefore = r.failures;
      const op = r.op('op', r.raw['op']);
      return { ...rest, t, type: 'complete', node, client, requestId, op, result: r.result('result', r.failures === failuresBefore ? op : null) };
    }
    case 'timeout':
      return { ...rest, t, type: 'timeout', node: r.node('node', 'clients'), client: r.node('client', 'clients'), requestId: r.requestId('requestId'), op: r.op('op', r.raw['op']) };
    default:
      throw new Error(`readMultiPaxosValidated: unhandled type ${type}`);
  }
}

/** A Raft event of a validated type: server events name servers (`nodes`); apply and client events are read as Multi-Paxos's. */
function readRaftValidated(type: string, r: FieldReader): AnyTraceEvent {
  const t = r.raw['t'] as number;
  const rest = r.raw;
  switch (type) {
    case 'leader':
      return { ...rest, t, type, node: r.node('node'), term: r.slot('term') } as unknown as AnyTraceEvent;
    case 'vote':
      return { ...rest, t, type, node: r.node('node'), term: r.slot('term'), candidate: r.node('candidate') } as unknown as AnyTraceEvent;
    case 'append':
      return { ...rest, t, type, node: r.node('node'), slot: r.slot('slot'), term: r.slot('term'), command: r.command('command') } as unknown as AnyTraceEvent;
    case 'truncate':
      return { ...rest, t, type, node: r.node('node'), fromSlot: r.slot('fromSlot') } as unknown as AnyTraceEvent;
    case 'commit':
      return { ...rest, t, type, node: r.node('node'), slot: r.slot('slot') } as unknown as AnyTraceEvent;
    default:
      return readMultiPaxosValidated(type, r);
  }
}

/** A fault: its nodes must be in `nodes` (the replicas, for Multi-Paxos). */
function readFault(type: string, r: FieldReader): FaultEvent {
  const t = r.raw['t'] as number;
  const rest = r.raw;
  switch (type) {
    case 'crash':
    case 'restart':
    case 'pause':
    case 'resume':
      return { ...rest, t, type, node: r.node('node') };
    case 'partition':
      return { ...rest, t, type: 'partition', groups: r.groups('groups') };
    case 'cut': {
      const from = r.node('from');
      const to = r.node('to');
      if (r.ok && from === to) r.fail('to', `must differ from from ("${from}"): a node cannot be cut from itself`);
      return { ...rest, t, type: 'cut', from, to };
    }
    case 'heal':
      return { ...rest, t, type: 'heal' };
    case 'burst': {
      const forMs = r.optionalDuration('for');
      // `for` is optional here: without it the burst counts as a fault at its own time only.
      return (forMs === undefined ? { ...rest, t, type: 'burst' } : { ...rest, t, type: 'burst', for: forMs }) as FaultEvent;
    }
    default:
      throw new Error(`readFault: unhandled type ${type}`);
  }
}

type ClientEvent = Extract<MultiPaxosTraceEvent, { type: 'invoke' | 'complete' | 'timeout' }>;

/**
 * A Multi-Paxos client history must pair up the way the checkers read it:
 * each client has at most one operation in flight, `complete` or `timeout`
 * closes it (same request id and op), and a request id is never reused (it
 * names the command in the log). A client whose line was rejected is not
 * followed any further, so one bad line is one problem, not a cascade.
 */
class ClientHistory {
  private readonly open = new Map<NodeId, { requestId: number; op: KvOp; line: number }>();
  private readonly invoked = new Map<NodeId, Map<number, number>>();
  private readonly lost = new Set<NodeId>();

  constructor(private readonly problems: Problems) {}

  /** A line that was not read: stop following its client. */
  rejected(raw: unknown): void {
    if (!isObject(raw) || !['invoke', 'complete', 'timeout'].includes(raw['type'] as string)) return;
    const client = asNodeId(raw['client']);
    if (client !== null) this.lost.add(client);
  }

  follow(event: MultiPaxosTraceEvent, line: number): void {
    if (event.type !== 'invoke' && event.type !== 'complete' && event.type !== 'timeout') return;
    if (this.lost.has(event.client)) return;
    if (event.type === 'invoke') this.invoke(event, line);
    else this.close(event, line);
  }

  private invoke(event: ClientEvent, line: number): void {
    const { client, requestId } = event;
    const open = this.open.get(client);
    const ids = this.invoked.get(client) ?? new Map<number, number>();
    this.invoked.set(client, ids);
    const earlier = ids.get(requestId);
    if (open !== undefined) {
      this.fail(line, 'invoke.requestId', `${client} invokes #${requestId} while #${open.requestId} (line ${open.line}) has neither completed nor timed out; a client has one operation in flight at a time`);
    } else if (earlier !== undefined) {
      this.fail(line, 'invoke.requestId', `${client} already invoked #${requestId} on line ${earlier}; a request id names one command, so it is never reused`);
    } else {
      this.open.set(client, { requestId, op: event.op, line });
    }
    ids.set(requestId, ids.get(requestId) ?? line);
  }

  private close(event: ClientEvent, line: number): void {
    const { client, requestId, type } = event;
    const open = this.open.get(client);
    if (open === undefined) {
      this.fail(line, `${type}.requestId`, `${client} has no operation in flight to ${type === 'complete' ? 'complete' : 'time out'} (#${requestId} needs an invoke before it)`);
      return;
    }
    this.open.delete(client);
    if (open.requestId !== requestId) {
      this.fail(line, `${type}.requestId`, `#${requestId} is not ${client}'s operation in flight, #${open.requestId} (invoked on line ${open.line})`);
    } else if (JSON.stringify(open.op) !== JSON.stringify(event.op)) {
      this.fail(line, `${type}.op`, `${describeOp(event.op)} differs from the op ${client} invoked as #${requestId} on line ${open.line} (${describeOp(open.op)})`);
    }
  }

  private fail(line: number, field: string, message: string): void {
    this.problems.add(line, `${field}: ${message}`);
  }
}

/** Names shown in a message at most; a list beyond it is cut short, so a message stays a line however large the meta line. */
export const MAX_NAMES_IN_MESSAGE = 8;

/** "A, B, C" or, for a long list, its first names and "… and N more". */
export function sampleOf(names: ReadonlySet<string>): string {
  const shown: string[] = [];
  for (const name of names) {
    if (shown.length === MAX_NAMES_IN_MESSAGE) break;
    shown.push(name);
  }
  const more = names.size - shown.length;
  return more > 0 ? `${shown.join(', ')}, … and ${more} more` : shown.join(', ');
}

/** "an accept", "a learn". */
function articled(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** Reads and checks one event's fields, reporting each problem as `file:line: type.field: …`. */
class FieldReader {
  /** Problems reported so far for this event. */
  failures = 0;

  get ok(): boolean {
    return this.failures === 0;
  }

  constructor(
    readonly raw: Json,
    private readonly type: string,
    private readonly line: number,
    private readonly roles: Roles | null,
    private readonly problems: Problems,
  ) {}

  fail(field: string, message: string): void {
    this.failures += 1;
    this.problems.add(this.line, `${this.type}.${field}: ${message}`);
  }

  private present(field: string, what: string): unknown {
    const value = this.raw[field];
    if (value === undefined) this.fail(field, `missing; ${articled(this.type)} event needs ${what}`);
    return value;
  }

  node(field: string, role?: Role): NodeId {
    const value = this.present(field, 'a node id');
    if (value === undefined) return '';
    return this.nodeAt(field, value, role);
  }

  /** A node id at `path`; Multi-Paxos: without a role it must be a replica, with `clients` a client. */
  private nodeAt(path: string, value: unknown, role?: Role): NodeId {
    const id = asNodeId(value);
    if (id === null) {
      this.fail(path, `must be a node id (a non-empty string), got ${describe(value)}`);
      return '';
    }
    if (this.roles === null) return id;
    if (role === 'clients') {
      const clients = this.roles.clients;
      if (clients.has(id)) return id;
      if (clients.size === 0) this.fail(path, `"${id}" is not a client: the meta line lists no clients (add "clients":["${id}", …] to it)`);
      else if (this.roles.nodes.has(id)) this.fail(path, `"${id}" is a replica, not one of the meta line's clients (${sampleOf(clients)})`);
      else this.fail(path, `"${id}" is not one of the meta line's clients (${sampleOf(clients)})`);
      return id;
    }
    if (!this.roles.nodes.has(id)) {
      this.fail(
        path,
        this.roles.clients.has(id)
          ? `"${id}" is a client; ${articled(this.type)} event names a replica (nodes: ${sampleOf(this.roles.nodes)})`
          : `"${id}" is not a node in the meta line (nodes: ${sampleOf(this.roles.nodes)})`,
      );
    } else if (role !== undefined && !this.roles[role].has(id)) {
      this.fail(path, `"${id}" is not one of the meta line's ${role} (${sampleOf(this.roles[role])})`);
    }
    return id;
  }

  value(field: string): string {
    const value = this.present(field, 'a value');
    if (value === undefined) return '';
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    this.fail(field, `must be a string (or an integer), got ${describe(value)}`);
    return '';
  }

  /** A Paxos value; a missing one next to a slot or a command hints at the meta line's protocol. */
  paxosValue(field: string): string {
    if (this.raw[field] === undefined && (this.raw['slot'] !== undefined || this.raw['command'] !== undefined)) {
      this.fail(field, `missing; ${articled(this.type)} event needs a value (this one has a slot or a command: for a Multi-Paxos trace, put "protocol":"multipaxos" in the meta line)`);
      return '';
    }
    return this.value(field);
  }

  /** A Multi-Paxos log slot: a non-negative integer. */
  slot(field: string): number {
    const value = this.present(field, 'a slot (a non-negative integer)');
    if (value === undefined) return 0;
    return this.naturalAt(field, value);
  }

  requestId(field: string): number {
    const value = this.present(field, 'a request id (a non-negative integer)');
    if (value === undefined) return 0;
    return this.naturalAt(field, value);
  }

  private naturalAt(path: string, value: unknown): number {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    this.fail(path, `must be a non-negative integer, got ${describe(value)}`);
    return 0;
  }

  /** A string, or an integer read as its decimal string (keys and values of the key-value store). */
  private textAt(path: string, value: unknown, what: string): string {
    if (value === undefined) {
      this.fail(path, `missing; ${what}`);
      return '';
    }
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    this.fail(path, `must be a string (or an integer), got ${describe(value)}`);
    return '';
  }

  /** A Multi-Paxos command: `{client, requestId, op}`, or `{noop: true}`. */
  command(field: string): Command {
    const shape = 'a command {client, requestId, op} or {noop: true}';
    const value = this.present(field, shape);
    if (value === undefined) return { noop: true };
    if (!isObject(value)) {
      this.fail(field, `must be ${shape}, got ${describe(value)}`);
      return { noop: true };
    }
    if (value['noop'] !== undefined) {
      if (value['noop'] !== true) this.fail(`${field}.noop`, `must be true (a no-op command is {"noop":true}), got ${describe(value['noop'])}`);
      // A Cheap Paxos reconfiguration is a no-op for the key-value machine that carries its configuration.
      return value['configuration'] === undefined ? { noop: true } : ({ noop: true, configuration: this.configuration(`${field}.configuration`, value['configuration']) } as Command);
    }
    const client = value['client'];
    const requestId = value['requestId'];
    if (client === undefined) this.fail(`${field}.client`, `missing; ${shape} needs the client id`);
    if (requestId === undefined) this.fail(`${field}.requestId`, `missing; ${shape} needs the request id`);
    return {
      client: client === undefined ? '' : this.nodeAt(`${field}.client`, client, 'clients'),
      requestId: requestId === undefined ? 0 : this.naturalAt(`${field}.requestId`, requestId),
      op: this.op(`${field}.op`, value['op']),
    };
  }

  /** A Cheap Paxos reconfiguration's configuration: `{main: [ids], auxiliary: [ids]}`. */
  configuration(field: string, value: unknown): { main: string[]; auxiliary: string[] } {
    const ids = (key: 'main' | 'auxiliary'): string[] => {
      const list = isObject(value) ? value[key] : undefined;
      if (Array.isArray(list) && list.every((id) => typeof id === 'string')) return list as string[];
      this.fail(`${field}.${key}`, `must be a list of node ids, got ${describe(list)}`);
      return [];
    };
    return { main: ids('main'), auxiliary: ids('auxiliary') };
  }

  /** A key-value operation: put {key, value}, get {key}, cas {key, expected (null: absent), value}. */
  op(path: string, value: unknown): KvOp {
    const shape = 'an op {kind: "put" | "get" | "cas", key, …}';
    const fallback: KvOp = { kind: 'get', key: '' };
    if (value === undefined) {
      this.fail(path, path === 'op' ? `missing; ${articled(this.type)} event needs ${shape}` : `missing; a command needs ${shape}`);
      return fallback;
    }
    if (!isObject(value)) {
      this.fail(path, `must be ${shape}, got ${describe(value)}`);
      return fallback;
    }
    const kind = value['kind'];
    if (kind !== 'put' && kind !== 'get' && kind !== 'cas') {
      this.fail(`${path}.kind`, kind === undefined ? 'missing; an op needs a kind: "put", "get" or "cas"' : `must be "put", "get" or "cas", got ${describe(kind)}`);
      return fallback;
    }
    const key = this.textAt(`${path}.key`, value['key'], `a ${kind} op needs a key`);
    if (kind === 'get') return { kind, key };
    const written = this.textAt(`${path}.value`, value['value'], `a ${kind} op needs the value it writes`);
    if (kind === 'put') return { kind, key, value: written };
    const expected = value['expected'];
    if (expected === null) return { kind, key, expected: null, value: written };
    const expectedText = this.textAt(`${path}.expected`, expected, 'a cas op needs expected: the value it replaces, or null for an absent key');
    return { kind, key, expected: expectedText, value: written };
  }

  /** What an operation returned; with its op, checked against it: a get reads a string or null, a cas says true or false. */
  result(field: string, op: KvOp | null): KvResult {
    if (!Object.hasOwn(this.raw, field)) {
      this.present(field, 'a result');
      return null;
    }
    const value = this.raw[field];
    const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
    switch (op?.kind) {
      case 'get':
        if (typeof text === 'string' || text === null) return text;
        this.fail(field, `must be what the get read: a string, or null when the key is absent; got ${describe(value)}`);
        return null;
      case 'cas':
        if (typeof text === 'boolean') return text;
        this.fail(field, `must be true or false (whether the cas swapped), got ${describe(value)}`);
        return null;
      default:
        if (typeof text === 'string' || typeof text === 'boolean' || text === null) return text;
        this.fail(field, `must be a string, a boolean or null, got ${describe(value)}`);
        return null;
    }
  }

  /** An optional boolean: absent is false. */
  optionalFlag(field: string): boolean {
    const value = this.raw[field];
    if (value === undefined) return false;
    if (typeof value === 'boolean') return value;
    this.fail(field, `must be true or false, got ${describe(value)}`);
    return false;
  }

  ballot(field: string): Ballot {
    const value = this.present(field, 'a ballot [round, "node"]');
    if (value === undefined) return [0, ''];
    if (typeof value === 'number' && Number.isSafeInteger(value)) return [value, ''];
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && Number.isSafeInteger(value[0])) {
      const id: unknown = value[1];
      if (typeof id === 'string') return [value[0], id];
      if (typeof id === 'number' && Number.isSafeInteger(id)) return [value[0], String(id)];
    }
    this.fail(field, `must be a ballot [round, "node"] (an integer round and a string id) or a bare integer round, got ${describe(value)}`);
    return [0, ''];
  }

  groups(field: string): NodeId[][] {
    const value = this.present(field, 'groups of node ids, e.g. [["A","B"],["C"]]');
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((group) => Array.isArray(group))) {
      this.fail(field, `must be an array of arrays of node ids, e.g. [["A","B"],["C"]], got ${describe(value)}`);
      return [];
    }
    const seen = new Set<NodeId>();
    return (value as unknown[][]).map((group, groupIndex) =>
      group.map((entry, position) => {
        const id = asNodeId(entry);
        const where = `${field}[${groupIndex}][${position}]`;
        if (id === null) this.fail(where, `must be a node id (a non-empty string), got ${describe(entry)}`);
        else if (this.roles !== null && !this.roles.nodes.has(id)) this.fail(where, `"${id}" is not a node in the meta line (nodes: ${sampleOf(this.roles.nodes)})`);
        else if (seen.has(id)) this.fail(where, `"${id}" is in two groups`);
        else seen.add(id);
        return id ?? '';
      }),
    );
  }

  optionalDuration(field: string): number | undefined {
    const value = this.raw[field];
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    this.fail(field, `must be a non-negative integer (ms), got ${describe(value)}`);
    return undefined;
  }
}
