import { fail } from '../util/assert.js';

/**
 * `JSON.stringify` of the trace events a single-decree Paxos run is made of,
 * written as UTF-8 bytes straight into a buffer by a hand-written writer per
 * event and message type: the same bytes, without building a string per line
 * (a traced run spent most of its time concatenating lines and encoding
 * them). An event or message whose keys are not exactly a known type's, in
 * its order, or whose values are not of that type's kinds, is rewound and
 * stringified whole; so a user protocol's messages, or a Multi-Paxos one with
 * the same type name, print correctly, only slower.
 */

/** How a known type is written: its keys in order (checked first), and a writer that returns false on a value of another kind. */
interface KnownType {
  readonly keys: readonly string[];
  readonly write: (out: JsonBytes, value: never) => boolean;
}

/** UTF-8 of a fixed piece of JSON. */
function bytesOf(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

// Fixed pieces: a key with what precedes it, and for events the type too (the writer is chosen by type, so it is known).
const T = bytesOf('{"t":');
const TO = bytesOf(',"to":');
const ID = bytesOf(',"id":');
const MSG = bytesOf(',"msg":');
const REASON = bytesOf(',"reason":');
const TIMER = bytesOf(',"timer":');
const VALUE = bytesOf(',"value":');
const BALLOT = bytesOf(',"ballot":');
const FROM_BALLOT = bytesOf(',"from":');
const ACCEPTED = bytesOf(',"accepted":');
const PROMISED = bytesOf(',"promised":');
const PROPOSAL_BALLOT = bytesOf('{"ballot":');
const NULL = bytesOf('null');

/** `,"type":"send","from":`: an event's type with the key that follows it. */
function typeBytes(type: string, nextKey: string | null): Uint8Array {
  return bytesOf(`,"type":${JSON.stringify(type)}${nextKey === null ? '' : `,"${nextKey}":`}`);
}

/** `{"type":"prepare","ballot":`: a message's type with the key that follows it. */
function messageTypeBytes(type: string, nextKey: string | null): Uint8Array {
  return bytesOf(`{"type":${JSON.stringify(type)}${nextKey === null ? '' : `,"${nextKey}":`}`);
}

type Envelope = { t: unknown; from: unknown; to: unknown; id: unknown };
type Observation = { t: unknown; node: unknown; value: unknown; ballot: unknown; from: unknown };

/** `{"t":…,"type":…,"from":…,"to":…,"id":…`: what every network event starts with. */
function envelope(out: JsonBytes, event: Envelope, type: Uint8Array): boolean {
  const { t, from, to, id } = event;
  if (typeof t !== 'number' || typeof from !== 'string' || typeof to !== 'string' || typeof id !== 'number') return false;
  out.fragment(T);
  out.number(t);
  out.fragment(type);
  out.string(from);
  out.fragment(TO);
  out.string(to);
  out.fragment(ID);
  out.number(id);
  return true;
}

/** `{"t":…,"type":…,"node":…`: what every observation starts with. */
function observed(out: JsonBytes, event: Observation, type: Uint8Array): boolean {
  const { t, node } = event;
  if (typeof t !== 'number' || typeof node !== 'string') return false;
  out.fragment(T);
  out.number(t);
  out.fragment(type);
  out.string(node);
  return true;
}

function carried(type: 'send' | 'deliver'): KnownType {
  const bytes = typeBytes(type, 'from');
  return {
    keys: ['t', 'type', 'from', 'to', 'id', 'msg'],
    write: (out, event: Envelope & { msg: unknown }) => envelope(out, event, bytes) && out.fragment(MSG) && out.message(event.msg) && out.close(),
  };
}

const DROP = typeBytes('drop', 'from');
const DUPLICATE = typeBytes('duplicate', 'from');
const TIMER_TYPE = typeBytes('timer', 'node');
const PROPOSE = typeBytes('propose', 'node');
const ADOPT = typeBytes('adopt', 'node');
const PROMISE = typeBytes('promise', 'node');
const ACCEPT = typeBytes('accept', 'node');
const LEARN = typeBytes('learn', 'node');
const CHOSEN = typeBytes('chosen', 'value');

/** Trace events by type: the network envelope and Paxos's observations, in the key order the simulator builds them. */
const EVENT_TYPES: ReadonlyMap<string, KnownType> = new Map<string, KnownType>([
  ['send', carried('send')],
  ['deliver', carried('deliver')],
  [
    'drop',
    {
      keys: ['t', 'type', 'from', 'to', 'id', 'reason'],
      write: (out, event: Envelope & { reason: unknown }) => envelope(out, event, DROP) && out.fragment(REASON) && out.field(event.reason) && out.close(),
    },
  ],
  ['duplicate', { keys: ['t', 'type', 'from', 'to', 'id'], write: (out, event: Envelope) => envelope(out, event, DUPLICATE) && out.close() }],
  [
    'timer',
    {
      keys: ['t', 'type', 'node', 'timer'],
      write: (out, event: Observation & { timer: unknown }) => observed(out, event, TIMER_TYPE) && out.fragment(TIMER) && out.field(event.timer) && out.close(),
    },
  ],
  [
    'propose',
    {
      keys: ['t', 'type', 'node', 'value', 'ballot'],
      write: (out, event: Observation) =>
        observed(out, event, PROPOSE) && out.fragment(VALUE) && out.field(event.value) && out.fragment(BALLOT) && out.ballot(event.ballot) && out.close(),
    },
  ],
  [
    'adopt',
    {
      keys: ['t', 'type', 'node', 'ballot', 'value', 'from'],
      write: (out, event: Observation) =>
        observed(out, event, ADOPT) &&
        out.fragment(BALLOT) &&
        out.ballot(event.ballot) &&
        out.fragment(VALUE) &&
        out.field(event.value) &&
        out.fragment(FROM_BALLOT) &&
        out.ballot(event.from) &&
        out.close(),
    },
  ],
  ['promise', { keys: ['t', 'type', 'node', 'ballot'], write: (out, event: Observation) => observed(out, event, PROMISE) && out.fragment(BALLOT) && out.ballot(event.ballot) && out.close() }],
  [
    'accept',
    {
      keys: ['t', 'type', 'node', 'ballot', 'value'],
      write: (out, event: Observation) =>
        observed(out, event, ACCEPT) && out.fragment(BALLOT) && out.ballot(event.ballot) && out.fragment(VALUE) && out.field(event.value) && out.close(),
    },
  ],
  ['learn', { keys: ['t', 'type', 'node', 'value'], write: (out, event: Observation) => observed(out, event, LEARN) && out.fragment(VALUE) && out.field(event.value) && out.close() }],
  [
    'chosen',
    {
      keys: ['t', 'type', 'value', 'ballot'],
      write: (out, event: Observation) =>
        typeof event.t === 'number' &&
        out.fragment(T) &&
        out.number(event.t) &&
        out.fragment(CHOSEN) &&
        out.field(event.value) &&
        out.fragment(BALLOT) &&
        out.ballot(event.ballot) &&
        out.close(),
    },
  ],
]);

type Message = { ballot: unknown; value: unknown; accepted: unknown; promised: unknown };

function ballotMessage(type: string, keys: readonly string[], rest: (out: JsonBytes, message: Message) => boolean): KnownType {
  const start = messageTypeBytes(type, 'ballot');
  return { keys, write: (out, message: Message) => out.fragment(start) && out.ballot(message.ballot) && rest(out, message) && out.close() };
}

const CATCHUP = messageTypeBytes('catchup', null);
const DECIDED = messageTypeBytes('decided', 'value');

/** Single-decree Paxos messages by type (src/protocols/paxos/messages.ts). */
const MESSAGE_TYPES: ReadonlyMap<string, KnownType> = new Map<string, KnownType>([
  ['prepare', ballotMessage('prepare', ['type', 'ballot'], () => true)],
  ['promise', ballotMessage('promise', ['type', 'ballot', 'accepted'], (out, message) => out.fragment(ACCEPTED) && out.proposal(message.accepted))],
  ['accept', ballotMessage('accept', ['type', 'ballot', 'value'], (out, message) => out.fragment(VALUE) && out.field(message.value))],
  ['accepted', ballotMessage('accepted', ['type', 'ballot', 'value'], (out, message) => out.fragment(VALUE) && out.field(message.value))],
  ['nack', ballotMessage('nack', ['type', 'ballot', 'promised'], (out, message) => out.fragment(PROMISED) && out.ballot(message.promised))],
  ['catchup', { keys: ['type'], write: (out) => out.fragment(CATCHUP) && out.close() }],
  ['decided', { keys: ['type', 'value'], write: (out, message: Message) => out.fragment(DECIDED) && out.field(message.value) && out.close() }],
]);


const PROPOSAL_KEYS = ['ballot', 'value'];

/** Exactly these own enumerable keys, in this order (an enumerable key on Object.prototype shows here too, and fails). */
function hasKeys(value: object, keys: readonly string[]): boolean {
  let index = 0;
  for (const key in value) {
    if (key !== keys[index]) return false;
    index += 1;
  }
  return index === keys.length;
}

/** Distinct strings quoted once each when they need escaping or are not ASCII; past this many, new ones are not kept. */
const QUOTED_CACHE_LIMIT = 10_000;

/** Integers below this print as plain digits in JSON (from 1e21 on, JSON switches to exponents). */
const DIGITS_BELOW = 1e15;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const ZERO = 0x30;
const MINUS = 0x2d;
/** Longest string written character by character before looking it up in the quoted cache. */
const INLINE_STRING_CHARS = 32;
/**
 * Bytes reserved before a known event is written: its fixed pieces (keys,
 * at most 30 bytes), numbers (at most 16), short strings (at most 34) and
 * brackets, about 20 pieces for the longest (adopt), fit well within it.
 */
const EVENT_RESERVE_BYTES = 1024;
/** 10^0 … 10^15: how many digits an integer below DIGITS_BELOW has. */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, exponent) => 10 ** exponent);

/**
 * A growing byte buffer of JSON text: the trace writer's chunk. Bytes are
 * written in place and handed out as a view ({@link view}), valid until the
 * next write. The write methods used by the type writers return true, so a
 * writer reads as one chain of `&&` that stops at the first value of the
 * wrong kind.
 */
export class JsonBytes {
  private bytes: Uint8Array;
  /** Bytes written so far. */
  length = 0;
  private readonly quoted = new Map<string, Uint8Array>();

  constructor(initialCapacity: number) {
    this.bytes = new Uint8Array(initialCapacity);
  }

  /** What was written, as a view of the buffer (not a copy). */
  view(): Buffer {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length);
  }

  clear(): void {
    this.length = 0;
  }

  /** Any JSON text (or any text at all), as UTF-8. */
  text(text: string): void {
    // Room for the text and, after it, a fresh reservation for the rest of the event it may sit in.
    this.ensure(text.length * 3 + EVENT_RESERVE_BYTES);
    this.length += Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length).write(text, this.length, 'utf8');
  }

  newline(): void {
    this.byte(NEWLINE);
  }

  /** Makes room for `count` more bytes of fixed pieces (numbers, brackets) written outside {@link event}. */
  reserve(count: number): void {
    this.ensure(count);
  }

  byte(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value;
  }

  /** `JSON.stringify(event)`: by the writer of its type when it is exactly of it, else stringified whole. */
  event(event: { readonly type: string }): void {
    const start = this.length;
    const known = EVENT_TYPES.get(event.type);
    // One reservation covers every fixed-size piece a known event writes (see EVENT_RESERVE_BYTES); longer pieces reserve their own.
    this.ensure(EVENT_RESERVE_BYTES);
    if (known !== undefined && hasKeys(event, known.keys) && known.write(this, event as never)) {
      // A typed array drops writes past its end silently: a line longer than its reservation would be cut short.
      if (this.length > this.bytes.length) fail(`trace line of ${event.type} overran its ${EVENT_RESERVE_BYTES}-byte reservation`);
      return;
    }
    this.length = start;
    // String(): a value that stringifies to undefined (a toJSON returning it) prints as the text did before, "undefined".
    this.text(String(JSON.stringify(event)));
  }

  // ── for the type writers: each returns true, or false on a value of the wrong kind ──

  /** A fixed piece (within the event's reservation). */
  fragment(bytes: Uint8Array): true {
    const count = bytes.length;
    const target = this.bytes;
    let at = this.length;
    for (let index = 0; index < count; index++) target[at++] = bytes[index]!;
    this.length = at;
    return true;
  }

  close(): true {
    this.bytes[this.length++] = CLOSE_BRACE;
    return true;
  }

  /** Exactly `JSON.stringify(number)`. */
  number(value: number): true {
    if (Number.isInteger(value) && value > -DIGITS_BELOW && value < DIGITS_BELOW) this.integer(value);
    // JSON prints a finite number as its ToString (ASCII) and anything else as null.
    else this.text(Number.isFinite(value) ? '' + value : 'null');
    return true;
  }

  /** A field that must be a string. */
  field(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    this.string(value);
    return true;
  }

  /** `JSON.stringify(text)` as UTF-8. */
  string(text: string): true {
    const count = text.length;
    if (count <= INLINE_STRING_CHARS) {
      // Node ids, values and types are short ASCII: written as they are read (within the reservation), no lookup, unless a character needs escaping.
      const target = this.bytes;
      const start = this.length;
      let at = start;
      target[at++] = QUOTE;
      let index = 0;
      for (; index < count; index++) {
        const code = text.charCodeAt(index);
        if (code < 0x20 || code > 0x7e || code === QUOTE || code === BACKSLASH) break;
        target[at++] = code;
      }
      if (index === count) {
        target[at++] = QUOTE;
        this.length = at;
        return true;
      }
      this.length = start;
    }
    let quoted = this.quoted.get(text);
    if (quoted === undefined) {
      quoted = bytesOf(JSON.stringify(text));
      if (this.quoted.size < QUOTED_CACHE_LIMIT) this.quoted.set(text, quoted);
    }
    this.ensure(quoted.length + EVENT_RESERVE_BYTES);
    return this.fragment(quoted);
  }

  /** `[round,"node"]`: an array of exactly a number and a string. */
  ballot(value: unknown): boolean {
    if (!Array.isArray(value) || value.length !== 2 || 'toJSON' in value) return false;
    const round = value[0] as unknown;
    const node = value[1] as unknown;
    if (typeof round !== 'number' || typeof node !== 'string') return false;
    this.bytes[this.length++] = OPEN_BRACKET;
    this.number(round);
    this.bytes[this.length++] = COMMA;
    this.string(node);
    this.bytes[this.length++] = CLOSE_BRACKET;
    return true;
  }

  /** A Paxos `accepted`: null or `{"ballot":…,"value":…}`. */
  proposal(value: unknown): boolean {
    if (value === null) return this.fragment(NULL);
    if (typeof value !== 'object' || value === undefined || !hasKeys(value, PROPOSAL_KEYS)) return false;
    const proposal = value as { ballot: unknown; value: unknown };
    return this.fragment(PROPOSAL_BALLOT) && this.ballot(proposal.ballot) && this.fragment(VALUE) && this.field(proposal.value) && this.close();
  }

  /** A network event's message: a Paxos message by its writer, any other plain object stringified. */
  message(value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const type = (value as { type?: unknown }).type;
    const known = typeof type === 'string' ? MESSAGE_TYPES.get(type) : undefined;
    if (known !== undefined && hasKeys(value, known.keys)) {
      const start = this.length;
      if (known.write(this, value as never)) return true;
      this.length = start;
    }
    if (Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype || 'toJSON' in value) return false;
    // A message of another protocol: stringified on its own, inside the hand-written envelope.
    const text = JSON.stringify(value);
    if (text === undefined) return false;
    this.text(text);
    return true;
  }

  /** Digits written from the last one back: no string per number. */
  private integer(value: number): void {
    const bytes = this.bytes;
    let at = this.length;
    if (value < 0) {
      bytes[at++] = MINUS;
      value = -value;
    }
    // -0 lands here as 0, which JSON prints as 0 too.
    let digits = 1;
    while (digits < POWERS_OF_TEN.length && value >= POWERS_OF_TEN[digits]!) digits += 1;
    at += digits;
    this.length = at;
    // (rest - digit) / 10 is exact for integers below 2^53: no Math.floor.
    for (let rest = value; digits > 0; digits--) {
      const digit = rest % 10;
      bytes[--at] = ZERO + digit;
      rest = (rest - digit) / 10;
    }
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}
