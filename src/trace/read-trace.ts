import type { Ballot } from '../protocols/paxos/ballot.js';
import type { NodeId } from '../scenario/scenario.js';
import type { TraceEvent, TraceMeta } from '../sim/events.js';

/**
 * Reads a JSON Lines trace in the documented format (README, "Trace format"),
 * written by `paxsim run --trace` or by another implementation, and validates
 * what the checkers read. Every problem is one line naming `file:line` and the
 * field; all of them up to a cap, so a foreign trace is fixed in one pass.
 *
 * - Line 1 is the meta line: `type: "meta"` and `nodes`. `acceptors`,
 *   `proposers` and `learners` default to `nodes`; `scenario`, `seed`,
 *   `protocol` and `bug` are optional (`""`, 0, `""`).
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
 */
export type ReadTraceResult =
  | {
      ok: true;
      meta: TraceMeta;
      events: TraceEvent[];
      /** The keys the meta line actually had (a foreign trace may leave out `scenario`, `seed`, the roles). */
      metaKeys: string[];
    }
  | { ok: false; errors: string[] };

/** Most problem lines reported; one more line says how many were left out. */
export const MAX_TRACE_ERRORS = 20;

/** Types whose fields the checkers read, and so are validated. */
const VALIDATED_TYPES = new Set(['propose', 'promise', 'accept', 'learn', 'crash', 'restart', 'pause', 'resume', 'partition', 'cut', 'heal', 'burst']);

type Json = Record<string, unknown>;

class Problems {
  readonly lines: string[] = [];
  private count = 0;

  constructor(private readonly file: string) {}

  add(line: number, message: string): void {
    this.count += 1;
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
  readonly nodes: ReadonlySet<NodeId>;
  readonly acceptors: ReadonlySet<NodeId>;
  readonly proposers: ReadonlySet<NodeId>;
  readonly learners: ReadonlySet<NodeId>;
}

export function readTrace(text: string, file: string): ReadTraceResult {
  const problems = new Problems(file);
  const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) {
    return { ok: false, errors: [`${file}:1: meta: the trace is empty; line 1 must be the meta line {"type":"meta","nodes":[…]}`] };
  }

  const metaRead = readMeta(lines[0]!, problems);
  const meta = metaRead?.meta ?? null;
  const roles: Roles | null = meta && {
    nodes: new Set(meta.nodes),
    acceptors: new Set(meta.acceptors),
    proposers: new Set(meta.proposers),
    learners: new Set(meta.learners),
  };

  const events: TraceEvent[] = [];
  let previousT = 0;
  for (let index = 1; index < lines.length; index++) {
    const lineNumber = index + 1;
    const line = lines[index]!;
    if (line.trim() === '') {
      problems.add(lineNumber, 'blank line; every line after the meta line must be one JSON event (event i is line i + 2)');
      continue;
    }
    const parsed = parseJson(line);
    if (!parsed.ok) {
      problems.add(lineNumber, `not valid JSON (${parsed.reason})`);
      continue;
    }
    const event = readEvent(parsed.value, lineNumber, roles, problems);
    if (event === null) continue;
    if (event.t < previousT) {
      problems.add(lineNumber, `t: ${event.t} is before the previous event's t=${previousT}; events must be in time order`);
      continue;
    }
    previousT = event.t;
    events.push(event);
  }

  if (meta === null || !problems.empty) return { ok: false, errors: problems.result() };
  return { ok: true, meta, events, metaKeys: metaRead?.keys ?? [] };
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

function readMeta(line: string, problems: Problems): { meta: TraceMeta; keys: string[] } | null {
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
  let seed = 0;
  if (raw['seed'] !== undefined) {
    if (typeof raw['seed'] === 'number' && Number.isSafeInteger(raw['seed']) && raw['seed'] >= 0) seed = raw['seed'];
    else {
      problems.add(1, `seed: must be a non-negative integer, got ${describe(raw['seed'])}`);
      ok = false;
    }
  }
  if (!ok || nodes === null || acceptors === null || proposers === null || learners === null) return null;
  const meta: TraceMeta = { type: 'meta', scenario, seed, nodes, acceptors, proposers, learners, protocol };
  if (bug !== '') meta.bug = bug;
  return { meta, keys: Object.keys(raw) };
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
  let ok = true;
  value.forEach((entry: unknown, position) => {
    const id = asNodeId(entry);
    if (id === null) {
      problems.add(1, `${key}[${position}]: must be a node id (a non-empty string), got ${describe(entry)}`);
      ok = false;
    } else if (list.includes(id)) {
      problems.add(1, `${key}[${position}]: "${id}" is listed twice`);
      ok = false;
    } else if (known !== null && !known.has(id)) {
      problems.add(1, `${key}[${position}]: "${id}" is not in nodes`);
      ok = false;
    } else {
      list.push(id);
    }
  });
  return ok ? list : null;
}

/** One event line: the validated, normalized event, or null after reporting its problems. */
function readEvent(raw: unknown, line: number, roles: Roles | null, problems: Problems): TraceEvent | null {
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
    problems.add(line, 'type: missing; every event needs a type ("propose", "promise", "accept", "learn", …)');
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
  if (!VALIDATED_TYPES.has(type)) return raw as unknown as TraceEvent;

  const reader = new FieldReader(raw, type, line, roles, problems);
  const event = readValidated(type, reader);
  return reader.ok ? event : null;
}

function readValidated(type: string, r: FieldReader): TraceEvent {
  const t = r.raw['t'] as number;
  const rest = r.raw;
  switch (type) {
    case 'propose':
      return { ...rest, t, type: 'propose', node: r.node('node', 'proposers'), value: r.value('value'), ballot: r.ballot('ballot') };
    case 'promise':
      return { ...rest, t, type: 'promise', node: r.node('node', 'acceptors'), ballot: r.ballot('ballot') };
    case 'accept':
      return { ...rest, t, type: 'accept', node: r.node('node', 'acceptors'), ballot: r.ballot('ballot'), value: r.value('value') };
    case 'learn':
      return { ...rest, t, type: 'learn', node: r.node('node', 'learners'), value: r.value('value') };
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
      return (forMs === undefined ? { ...rest, t, type: 'burst' } : { ...rest, t, type: 'burst', for: forMs }) as TraceEvent;
    }
    default:
      throw new Error(`readValidated: unhandled type ${type}`);
  }
}

/** Reads and checks one event's fields, reporting each problem as `file:line: type.field: …`. */
class FieldReader {
  ok = true;

  constructor(
    readonly raw: Json,
    private readonly type: string,
    private readonly line: number,
    private readonly roles: Roles | null,
    private readonly problems: Problems,
  ) {}

  fail(field: string, message: string): void {
    this.ok = false;
    this.problems.add(this.line, `${this.type}.${field}: ${message}`);
  }

  private present(field: string, what: string): unknown {
    const value = this.raw[field];
    if (value === undefined) this.fail(field, `missing; ${/^[aeiou]/.test(this.type) ? 'an' : 'a'} ${this.type} event needs ${what}`);
    return value;
  }

  node(field: string, role?: 'acceptors' | 'proposers' | 'learners'): NodeId {
    const value = this.present(field, 'a node id');
    if (value === undefined) return '';
    const id = asNodeId(value);
    if (id === null) {
      this.fail(field, `must be a node id (a non-empty string), got ${describe(value)}`);
      return '';
    }
    if (this.roles === null) return id;
    if (!this.roles.nodes.has(id)) {
      this.fail(field, `"${id}" is not a node in the meta line (nodes: ${[...this.roles.nodes].join(', ')})`);
    } else if (role !== undefined && !this.roles[role].has(id)) {
      this.fail(field, `"${id}" is not one of the meta line's ${role} (${[...this.roles[role]].join(', ')})`);
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
        else if (this.roles !== null && !this.roles.nodes.has(id)) this.fail(where, `"${id}" is not a node in the meta line (nodes: ${[...this.roles.nodes].join(', ')})`);
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
