/**
 * `JSON.stringify` of the trace events a single-decree Paxos run is made of,
 * written from a table of their shapes instead: the same bytes, several times
 * faster (a traced run spent most of its time in `JSON.stringify` of small
 * messages). An event or message whose keys are not exactly a known shape's,
 * in its order, or whose values are not of the shape's kinds, returns null,
 * and the caller stringifies it whole; so a user protocol's messages, or a
 * Multi-Paxos one with the same type name, print correctly, only slower.
 */

/** How one field prints: a finite-or-not number, a string, a ballot `[round, node]`, a Paxos `accepted` (null or {ballot, value}), a message. */
type FieldKind = 'number' | 'string' | 'ballot' | 'proposal' | 'message';

interface Shape {
  readonly keys: readonly string[];
  readonly kinds: readonly FieldKind[];
  /** `{"key":` for the first field, `,"key":` for the others. */
  readonly prefixes: readonly string[];
}

function shape(fields: Readonly<Record<string, FieldKind>>): Shape {
  const keys = Object.keys(fields);
  return { keys, kinds: keys.map((key) => fields[key]!), prefixes: keys.map((key, index) => `${index === 0 ? '{' : ','}${JSON.stringify(key)}:`) };
}

const ENVELOPE = { t: 'number', type: 'string', from: 'string', to: 'string', id: 'number' } as const;

/** Trace events by type: the network envelope and Paxos's observations, in the key order the simulator builds them. */
const EVENT_SHAPES: ReadonlyMap<string, Shape> = new Map([
  ['send', shape({ ...ENVELOPE, msg: 'message' })],
  ['deliver', shape({ ...ENVELOPE, msg: 'message' })],
  ['drop', shape({ ...ENVELOPE, reason: 'string' })],
  ['duplicate', shape(ENVELOPE)],
  ['timer', shape({ t: 'number', type: 'string', node: 'string', timer: 'string' })],
  ['propose', shape({ t: 'number', type: 'string', node: 'string', value: 'string', ballot: 'ballot' })],
  ['adopt', shape({ t: 'number', type: 'string', node: 'string', ballot: 'ballot', value: 'string', from: 'ballot' })],
  ['promise', shape({ t: 'number', type: 'string', node: 'string', ballot: 'ballot' })],
  ['accept', shape({ t: 'number', type: 'string', node: 'string', ballot: 'ballot', value: 'string' })],
  ['learn', shape({ t: 'number', type: 'string', node: 'string', value: 'string' })],
  ['chosen', shape({ t: 'number', type: 'string', value: 'string', ballot: 'ballot' })],
]);

/** Single-decree Paxos messages by type (src/protocols/paxos/messages.ts). */
const MESSAGE_SHAPES: ReadonlyMap<string, Shape> = new Map([
  ['prepare', shape({ type: 'string', ballot: 'ballot' })],
  ['promise', shape({ type: 'string', ballot: 'ballot', accepted: 'proposal' })],
  ['accept', shape({ type: 'string', ballot: 'ballot', value: 'string' })],
  ['accepted', shape({ type: 'string', ballot: 'ballot', value: 'string' })],
  ['nack', shape({ type: 'string', ballot: 'ballot', promised: 'ballot' })],
  ['catchup', shape({ type: 'string' })],
  ['decided', shape({ type: 'string', value: 'string' })],
]);

const PROPOSAL = shape({ ballot: 'ballot', value: 'string' });

/** Distinct strings quoted once each (node ids, values, types repeat on every line); past this many, new ones are not kept. */
const QUOTED_CACHE_LIMIT = 10_000;

export class EventJson {
  private readonly quoted = new Map<string, string>();
  /** False once a string with a character outside ASCII was printed: the chunk then needs real UTF-8 encoding. */
  private onlyAscii = true;

  /** Did everything printed since the last {@link resetAscii} stay within ASCII (so latin1 and UTF-8 bytes agree)? */
  get ascii(): boolean {
    return this.onlyAscii;
  }

  resetAscii(): void {
    this.onlyAscii = true;
  }

  /** The line for `event`, exactly `JSON.stringify(event)`. */
  event(event: { readonly type: string }): string {
    const known = EVENT_SHAPES.get(event.type);
    const fast = known === undefined ? null : this.object(event, known);
    if (fast !== null) return fast;
    const text = JSON.stringify(event);
    if (this.onlyAscii && !ASCII_ONLY.test(text)) this.onlyAscii = false;
    return text;
  }

  /** `JSON.stringify(value)` for a value of the shape, or null when it is not exactly of it. */
  private object(value: object, shape: Shape): string | null {
    const { keys, kinds, prefixes } = shape;
    let index = 0;
    // Own enumerable keys, in JSON.stringify's order (an enumerable key on Object.prototype shows here too, and falls back).
    for (const key in value) {
      if (key !== keys[index]) return null;
      index += 1;
    }
    if (index !== keys.length) return null;
    let out = '';
    for (index = 0; index < keys.length; index++) {
      const field = this.field((value as Record<string, unknown>)[keys[index]!], kinds[index]!);
      if (field === null) return null;
      out += prefixes[index]!;
      out += field;
    }
    return out + '}';
  }

  private field(value: unknown, kind: FieldKind): string | null {
    switch (kind) {
      case 'number':
        // JSON prints a finite number as its ToString and anything else as null.
        return typeof value === 'number' ? (Number.isFinite(value) ? '' + value : 'null') : null;
      case 'string':
        return typeof value === 'string' ? this.quote(value) : null;
      case 'ballot':
        return this.ballot(value);
      case 'proposal':
        if (value === null) return 'null';
        return typeof value === 'object' && value !== undefined ? this.object(value, PROPOSAL) : null;
      case 'message': {
        if (typeof value !== 'object' || value === null) return null;
        const type = (value as { type?: unknown }).type;
        const known = typeof type === 'string' ? MESSAGE_SHAPES.get(type) : undefined;
        if (known !== undefined) {
          const fast = this.object(value, known);
          if (fast !== null) return fast;
        }
        if (Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype || 'toJSON' in value) return null;
        // A message of another protocol: stringified on its own, inside the hand-written envelope.
        const text = JSON.stringify(value);
        if (text === undefined) return null;
        if (this.onlyAscii && !ASCII_ONLY.test(text)) this.onlyAscii = false;
        return text;
      }
    }
  }

  /** `[round,"node"]`: an array of exactly a number and a string. */
  private ballot(value: unknown): string | null {
    if (!Array.isArray(value) || value.length !== 2 || 'toJSON' in value) return null;
    const round = value[0] as unknown;
    const node = value[1] as unknown;
    if (typeof round !== 'number' || typeof node !== 'string') return null;
    return `[${Number.isFinite(round) ? '' + round : 'null'},${this.quote(node)}]`;
  }

  private quote(text: string): string {
    let quoted = this.quoted.get(text);
    if (quoted === undefined) {
      quoted = JSON.stringify(text);
      if (!ASCII_ONLY.test(quoted)) this.onlyAscii = false;
      else if (this.quoted.size < QUOTED_CACHE_LIMIT) this.quoted.set(text, quoted);
    }
    return quoted;
  }
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** True when every character is ASCII (so the text's latin1 and UTF-8 bytes are the same). */
export function isAscii(text: string): boolean {
  return ASCII_ONLY.test(text);
}
