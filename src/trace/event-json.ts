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

/**
 * A fixed piece of JSON: its UTF-8 bytes as little-endian 32-bit words, the
 * last one padded. Written a word at a time (see {@link JsonBytes.fragment}):
 * byte by byte, copying these pieces was a quarter of a traced run's writing.
 */
interface Fragment {
  readonly words: Int32Array;
  /** Bytes, without the padding. */
  readonly length: number;
}

function fragmentOf(text: string): Fragment {
  const bytes = Buffer.from(text, 'utf8');
  const words = new Int32Array(Math.ceil(bytes.length / 4));
  for (let index = 0; index < bytes.length; index++) words[index >> 2]! |= bytes[index]! << (8 * (index & 3));
  return { words, length: bytes.length };
}

/** `,"type":"send","from":`: an event's type (its writer is chosen by type, so it is known) with the key that follows it. */
function typeFragment(type: string, nextKey: string | null): Fragment {
  return fragmentOf(`,"type":${JSON.stringify(type)}${nextKey === null ? '' : `,"${nextKey}":`}`);
}

/** `,"msg":{"type":"prepare","ballot":`: a network event's message key, then the message's type with the key that follows it. */
function messageFragment(type: string, nextKey: string | null): Fragment {
  return fragmentOf(`,"msg":{"type":${JSON.stringify(type)}${nextKey === null ? '' : `,"${nextKey}":`}`);
}

// Fixed pieces: a key with what precedes it.
const T = fragmentOf('{"t":');
const TO = fragmentOf(',"to":');
const ID = fragmentOf(',"id":');
const MSG = fragmentOf(',"msg":');
const REASON = fragmentOf(',"reason":');
const TIMER = fragmentOf(',"timer":');
const VALUE = fragmentOf(',"value":');
const BALLOT = fragmentOf(',"ballot":');
const FROM_BALLOT = fragmentOf(',"from":');
const ACCEPTED = fragmentOf(',"accepted":');
const PROMISED = fragmentOf(',"promised":');
const GROUPS = fragmentOf(',"groups":');
const PROPOSAL_BALLOT = fragmentOf('{"ballot":');
const NULL = fragmentOf('null');

// Event types with the key that follows them.
const SEND = typeFragment('send', 'from');
const DELIVER = typeFragment('deliver', 'from');
const DROP = typeFragment('drop', 'from');
const DUPLICATE = typeFragment('duplicate', 'from');
const TIMER_TYPE = typeFragment('timer', 'node');
const PROPOSE = typeFragment('propose', 'node');
const ADOPT = typeFragment('adopt', 'node');
const PROMISE = typeFragment('promise', 'node');
const ACCEPT = typeFragment('accept', 'node');
const LEARN = typeFragment('learn', 'node');
const CHOSEN = typeFragment('chosen', 'value');
const CRASH = typeFragment('crash', 'node');
const RESTART = typeFragment('restart', 'node');
const PAUSE = typeFragment('pause', 'node');
const RESUME = typeFragment('resume', 'node');
const PARTITION = typeFragment('partition', null);
const HEAL = typeFragment('heal', null);
const CUT = typeFragment('cut', 'from');
const DRIFT = typeFragment('drift', 'node');
const REQUEST_LOST = typeFragment('request-lost', 'node');
const RATE = fragmentOf(',"rate":');

// Single-decree Paxos messages (src/protocols/paxos/messages.ts), each with what follows its type.
const PREPARE_MESSAGE = messageFragment('prepare', 'ballot');
const PROMISE_MESSAGE = messageFragment('promise', 'ballot');
const ACCEPT_MESSAGE = messageFragment('accept', 'ballot');
const ACCEPTED_MESSAGE = messageFragment('accepted', 'ballot');
const NACK_MESSAGE = messageFragment('nack', 'ballot');
const CATCHUP_MESSAGE = messageFragment('catchup', null);
const DECIDED_MESSAGE = messageFragment('decided', 'value');

// Each known shape's keys, in the order the simulator and the Paxos nodes build them.
const CARRIED_KEYS = ['t', 'type', 'from', 'to', 'id', 'msg'];
const DROP_KEYS = ['t', 'type', 'from', 'to', 'id', 'reason'];
const DUPLICATE_KEYS = ['t', 'type', 'from', 'to', 'id'];
const TIMER_KEYS = ['t', 'type', 'node', 'timer'];
const PROPOSE_KEYS = ['t', 'type', 'node', 'value', 'ballot'];
const ADOPT_KEYS = ['t', 'type', 'node', 'ballot', 'value', 'from'];
const PROMISE_KEYS = ['t', 'type', 'node', 'ballot'];
const ACCEPT_KEYS = ['t', 'type', 'node', 'ballot', 'value'];
const LEARN_KEYS = ['t', 'type', 'node', 'value'];
const CHOSEN_KEYS = ['t', 'type', 'value', 'ballot'];
const NODE_FAULT_KEYS = ['t', 'type', 'node'];
const PARTITION_KEYS = ['t', 'type', 'groups'];
const HEAL_KEYS = ['t', 'type'];
const CUT_KEYS = ['t', 'type', 'from', 'to'];
const DRIFT_KEYS = ['t', 'type', 'node', 'rate'];
const BALLOT_MESSAGE_KEYS = ['type', 'ballot'];
const PROMISE_MESSAGE_KEYS = ['type', 'ballot', 'accepted'];
const VALUE_MESSAGE_KEYS = ['type', 'ballot', 'value'];
const NACK_MESSAGE_KEYS = ['type', 'ballot', 'promised'];
const CATCHUP_MESSAGE_KEYS = ['type'];
const DECIDED_MESSAGE_KEYS = ['type', 'value'];
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

/** The fields the known events and messages have; any of them may hold a value of another kind, which the writers check. */
interface Fields {
  readonly t: unknown;
  readonly type: unknown;
  readonly from: unknown;
  readonly to: unknown;
  readonly id: unknown;
  readonly msg: unknown;
  readonly reason: unknown;
  readonly node: unknown;
  readonly timer: unknown;
  readonly value: unknown;
  readonly ballot: unknown;
  readonly accepted: unknown;
  readonly promised: unknown;
  readonly groups: unknown;
  readonly rate: unknown;
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
 * at most 40 bytes, plus 3 bytes of a last word's padding), numbers (at most
 * 16), short strings (at most 34) and brackets, about 20 pieces for the
 * longest (adopt), fit well within it. Longer pieces reserve their own.
 */
const EVENT_RESERVE_BYTES = 1024;
/** 10^0 … 10^15: how many digits an integer below DIGITS_BELOW has. */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, exponent) => 10 ** exponent);

/**
 * A growing byte buffer of JSON text: the trace writer's chunk. Bytes are
 * written in place and handed out as a view ({@link view}), valid until the
 * next write. The writers return true, so a writer reads as one chain of `&&`
 * that stops at the first value of the wrong kind.
 */
export class JsonBytes {
  private bytes: Uint8Array;
  /** The same memory, for writing fragments a word at a time. */
  private words: DataView;
  /** Bytes written so far. */
  length = 0;
  private readonly quoted = new Map<string, Fragment>();

  constructor(initialCapacity: number) {
    this.bytes = new Uint8Array(initialCapacity);
    this.words = new DataView(this.bytes.buffer);
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
    // One reservation covers every fixed-size piece a known event writes (see EVENT_RESERVE_BYTES); longer pieces reserve their own.
    this.ensure(EVENT_RESERVE_BYTES);
    if (this.knownEvent(event as unknown as Fields)) {
      // A typed array drops writes past its end silently: a line longer than its reservation would be cut short.
      if (this.length > this.bytes.length) fail(`trace line of ${event.type} overran its ${EVENT_RESERVE_BYTES}-byte reservation`);
      return;
    }
    this.length = start;
    // String(): a value that stringifies to undefined (a toJSON returning it) prints as the text did before, "undefined".
    this.text(String(JSON.stringify(event)));
  }

  /**
   * The writer of the event's type, chosen once by a switch (each branch sees
   * one shape, so its property reads stay monomorphic); false for any other
   * type, other keys, or a value of another kind.
   */
  private knownEvent(event: Fields): boolean {
    switch (event.type) {
      case 'send':
        return hasKeys(event, CARRIED_KEYS) && this.envelope(event, SEND) && this.message(event.msg) && this.close();
      case 'deliver':
        return hasKeys(event, CARRIED_KEYS) && this.envelope(event, DELIVER) && this.message(event.msg) && this.close();
      case 'drop':
        return hasKeys(event, DROP_KEYS) && this.envelope(event, DROP) && this.fragment(REASON) && this.field(event.reason) && this.close();
      case 'duplicate':
        return hasKeys(event, DUPLICATE_KEYS) && this.envelope(event, DUPLICATE) && this.close();
      case 'timer':
        return hasKeys(event, TIMER_KEYS) && this.observed(event, TIMER_TYPE) && this.fragment(TIMER) && this.field(event.timer) && this.close();
      case 'propose':
        return (
          hasKeys(event, PROPOSE_KEYS) &&
          this.observed(event, PROPOSE) &&
          this.fragment(VALUE) &&
          this.field(event.value) &&
          this.fragment(BALLOT) &&
          this.ballot(event.ballot) &&
          this.close()
        );
      case 'adopt':
        return (
          hasKeys(event, ADOPT_KEYS) &&
          this.observed(event, ADOPT) &&
          this.fragment(BALLOT) &&
          this.ballot(event.ballot) &&
          this.fragment(VALUE) &&
          this.field(event.value) &&
          this.fragment(FROM_BALLOT) &&
          this.ballot(event.from) &&
          this.close()
        );
      case 'promise':
        return hasKeys(event, PROMISE_KEYS) && this.observed(event, PROMISE) && this.fragment(BALLOT) && this.ballot(event.ballot) && this.close();
      case 'accept':
        return (
          hasKeys(event, ACCEPT_KEYS) &&
          this.observed(event, ACCEPT) &&
          this.fragment(BALLOT) &&
          this.ballot(event.ballot) &&
          this.fragment(VALUE) &&
          this.field(event.value) &&
          this.close()
        );
      case 'learn':
        return hasKeys(event, LEARN_KEYS) && this.observed(event, LEARN) && this.fragment(VALUE) && this.field(event.value) && this.close();
      case 'chosen':
        return (
          hasKeys(event, CHOSEN_KEYS) && this.time(event.t, CHOSEN) && this.field(event.value) && this.fragment(BALLOT) && this.ballot(event.ballot) && this.close()
        );
      case 'crash':
        return hasKeys(event, NODE_FAULT_KEYS) && this.observed(event, CRASH) && this.close();
      case 'restart':
        return hasKeys(event, NODE_FAULT_KEYS) && this.observed(event, RESTART) && this.close();
      case 'pause':
        return hasKeys(event, NODE_FAULT_KEYS) && this.observed(event, PAUSE) && this.close();
      case 'resume':
        return hasKeys(event, NODE_FAULT_KEYS) && this.observed(event, RESUME) && this.close();
      case 'partition':
        return hasKeys(event, PARTITION_KEYS) && this.time(event.t, PARTITION) && this.fragment(GROUPS) && this.groups(event.groups) && this.close();
      case 'heal':
        return hasKeys(event, HEAL_KEYS) && this.time(event.t, HEAL) && this.close();
      case 'cut':
        return (
          hasKeys(event, CUT_KEYS) && this.time(event.t, CUT) && this.field(event.from) && this.fragment(TO) && this.field(event.to) && this.close()
        );
      case 'drift':
        return hasKeys(event, DRIFT_KEYS) && this.observed(event, DRIFT) && this.fragment(RATE) && this.numberField(event.rate) && this.close();
      case 'request-lost':
        return hasKeys(event, LEARN_KEYS) && this.observed(event, REQUEST_LOST) && this.fragment(VALUE) && this.field(event.value) && this.close();
      default:
        return false;
    }
  }

  /** `{"t":…` and the type's fragment: how every known event starts. */
  private time(t: unknown, type: Fragment): boolean {
    if (typeof t !== 'number') return false;
    this.fragment(T);
    this.number(t);
    return this.fragment(type);
  }

  /** `{"t":…,"type":…,"from":…,"to":…,"id":…`: what every network event starts with. */
  private envelope(event: Fields, type: Fragment): boolean {
    const { from, to, id } = event;
    if (typeof from !== 'string' || typeof to !== 'string' || typeof id !== 'number' || !this.time(event.t, type)) return false;
    this.string(from);
    this.fragment(TO);
    this.string(to);
    this.fragment(ID);
    this.number(id);
    return true;
  }

  /** `{"t":…,"type":…,"node":…`: what every observation starts with. */
  private observed(event: Fields, type: Fragment): boolean {
    const node = event.node;
    if (typeof node !== 'string' || !this.time(event.t, type)) return false;
    this.string(node);
    return true;
  }

  /** `,"msg":…`: a Paxos message by its writer, any other plain object stringified. */
  private message(value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const start = this.length;
    if (this.knownMessage(value as Fields)) return true;
    this.length = start;
    if (Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype || 'toJSON' in value) return false;
    // A message of another protocol: stringified on its own, inside the hand-written envelope.
    const text = JSON.stringify(value);
    if (text === undefined) return false;
    this.fragment(MSG);
    this.text(text);
    return true;
  }

  /** `,"msg":{…}` for a single-decree Paxos message (its fragment carries the `,"msg":` key too). */
  private knownMessage(message: Fields): boolean {
    switch (message.type) {
      case 'prepare':
        return hasKeys(message, BALLOT_MESSAGE_KEYS) && this.fragment(PREPARE_MESSAGE) && this.ballot(message.ballot) && this.close();
      case 'promise':
        return (
          hasKeys(message, PROMISE_MESSAGE_KEYS) &&
          this.fragment(PROMISE_MESSAGE) &&
          this.ballot(message.ballot) &&
          this.fragment(ACCEPTED) &&
          this.proposal(message.accepted) &&
          this.close()
        );
      case 'accept':
        return this.valueMessage(message, ACCEPT_MESSAGE);
      case 'accepted':
        return this.valueMessage(message, ACCEPTED_MESSAGE);
      case 'nack':
        return (
          hasKeys(message, NACK_MESSAGE_KEYS) &&
          this.fragment(NACK_MESSAGE) &&
          this.ballot(message.ballot) &&
          this.fragment(PROMISED) &&
          this.ballot(message.promised) &&
          this.close()
        );
      case 'catchup':
        return hasKeys(message, CATCHUP_MESSAGE_KEYS) && this.fragment(CATCHUP_MESSAGE) && this.close();
      case 'decided':
        return hasKeys(message, DECIDED_MESSAGE_KEYS) && this.fragment(DECIDED_MESSAGE) && this.field(message.value) && this.close();
      default:
        return false;
    }
  }

  /** `accept` and `accepted`: a ballot and a value. */
  private valueMessage(message: Fields, start: Fragment): boolean {
    return (
      hasKeys(message, VALUE_MESSAGE_KEYS) && this.fragment(start) && this.ballot(message.ballot) && this.fragment(VALUE) && this.field(message.value) && this.close()
    );
  }

  // ── pieces: each returns true, or false on a value of the wrong kind ──

  /** A fixed piece (within the event's reservation). */
  private fragment(fragment: Fragment): true {
    const words = fragment.words;
    const view = this.words;
    let at = this.length;
    // Whole words, padding included: what lands past the piece's end is overwritten by what follows it (or lies beyond `length`).
    for (let index = 0; index < words.length; index++, at += 4) view.setInt32(at, words[index]!, true);
    this.length += fragment.length;
    return true;
  }

  private close(): true {
    this.bytes[this.length++] = CLOSE_BRACE;
    return true;
  }

  /** Exactly `JSON.stringify(number)`. */
  number(value: number): true {
    // Times, ids and rounds are small non-negative integers: int arithmetic, no doubles (-0 lands here too, and JSON prints it as 0).
    if ((value | 0) === value && value >= 0) this.smallInteger(value);
    else if (Number.isInteger(value) && value > -DIGITS_BELOW && value < DIGITS_BELOW) this.integer(value);
    // JSON prints a finite number as its ToString (ASCII) and anything else as null.
    else this.text(Number.isFinite(value) ? '' + value : 'null');
    return true;
  }

  /** A field that must be a number. */
  private numberField(value: unknown): boolean {
    return typeof value === 'number' && this.number(value);
  }

  /** A field that must be a string. */
  private field(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    this.string(value);
    return true;
  }

  /** `JSON.stringify(text)` as UTF-8. */
  private string(text: string): true {
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
      quoted = fragmentOf(JSON.stringify(text));
      if (this.quoted.size < QUOTED_CACHE_LIMIT) this.quoted.set(text, quoted);
    }
    this.ensure(quoted.length + EVENT_RESERVE_BYTES);
    return this.fragment(quoted);
  }

  /** `[round,"node"]`: an array of exactly a number and a string. */
  private ballot(value: unknown): boolean {
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
  private proposal(value: unknown): boolean {
    if (value === null) return this.fragment(NULL);
    if (typeof value !== 'object' || value === undefined || !hasKeys(value, PROPOSAL_KEYS)) return false;
    const proposal = value as Fields;
    return this.fragment(PROPOSAL_BALLOT) && this.ballot(proposal.ballot) && this.fragment(VALUE) && this.field(proposal.value) && this.close();
  }

  /** A partition's `[["A","B"],["C"]]`: arrays of strings, nothing else. */
  private groups(value: unknown): boolean {
    if (!plainArray(value)) return false;
    this.bytes[this.length++] = OPEN_BRACKET;
    for (let index = 0; index < value.length; index++) {
      const group = value[index] as unknown;
      if (!plainArray(group)) return false;
      // A group of many long names can outgrow the event's reservation: each name reserves room for itself and what follows it.
      this.ensure(EVENT_RESERVE_BYTES);
      if (index > 0) this.bytes[this.length++] = COMMA;
      this.bytes[this.length++] = OPEN_BRACKET;
      for (let member = 0; member < group.length; member++) {
        if (member > 0) this.bytes[this.length++] = COMMA;
        if (!this.field(group[member])) return false;
        this.ensure(EVENT_RESERVE_BYTES);
      }
      this.bytes[this.length++] = CLOSE_BRACKET;
    }
    this.bytes[this.length++] = CLOSE_BRACKET;
    return true;
  }

  /** Digits of an integer in [0, 2^31), written from the last one back. */
  private smallInteger(value: number): void {
    const bytes = this.bytes;
    let digits = 1;
    for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits += 1;
    let at = this.length + digits;
    this.length = at;
    do {
      const next = (value / 10) | 0;
      bytes[--at] = ZERO + value - next * 10;
      value = next;
    } while (value !== 0);
  }

  /** Digits written from the last one back: no string per number. */
  private integer(value: number): void {
    const bytes = this.bytes;
    let at = this.length;
    if (value < 0) {
      bytes[at++] = MINUS;
      value = -value;
    }
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
    this.words = new DataView(grown.buffer);
  }
}

/** An array JSON prints element by element: no toJSON, no holes left to chance (a hole reads undefined and fails the element's check). */
function plainArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) && !('toJSON' in value);
}
