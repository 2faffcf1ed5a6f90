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
/** Integers below this are written from {@link TABLED_DIGITS}: times, ids and rounds nearly always are. */
const TABLED_BELOW = 10_000;
/** The ASCII digits of 0 … 9999 as one little-endian word each (1 to 4 bytes used): one load and one store instead of a division per digit. */
const TABLED_DIGITS = new Int32Array(TABLED_BELOW);
/** How many of a TABLED_DIGITS word's bytes are digits. */
const TABLED_DIGIT_COUNTS = new Uint8Array(TABLED_BELOW);
for (let value = 0; value < TABLED_BELOW; value++) {
  const digits = String(value);
  for (let index = 0; index < digits.length; index++) TABLED_DIGITS[value]! |= digits.charCodeAt(index) << (8 * index);
  TABLED_DIGIT_COUNTS[value] = digits.length;
}
/** 10^0 … 10^15: how many digits an integer below DIGITS_BELOW has. */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, exponent) => 10 ** exponent);

/** A buffer of no bytes, shared: nothing can be written into it (ensure() replaces it first). */
const NO_BYTES = new Uint8Array(0);
const NO_WORDS = new DataView(NO_BYTES.buffer);

/** What a piece writer returns for a value of another kind: the event is rewound and stringified whole. */
const WRONG_KIND = -1;

/**
 * A growing byte buffer of JSON text: the trace writer's chunk. Bytes are
 * written in place and handed out as a view ({@link view}), valid until the
 * next write.
 *
 * The writers of known events take the position to write at and return the
 * position after what they wrote (or WRONG_KIND), so the position stays in a
 * local: reading and writing a field per piece cost as much as the piece.
 * A piece that may grow the buffer (a long string, a fraction) reads the
 * buffer afresh, which is why they read `this.bytes` rather than a local.
 */
export class JsonBytes {
  private bytes: Uint8Array;
  /** The same memory, for writing fragments a word at a time. */
  private words: DataView;
  /** Bytes written so far. */
  length = 0;
  /** Made on first use: most chunks never meet a string that needs it, and a finished serializer's spare chunk is made per run. */
  private quoted: Map<string, Fragment> | null = null;

  constructor(initialCapacity: number) {
    // An empty one (a finished serializer's, made per run) shares the empty views until its first write grows it.
    this.bytes = initialCapacity === 0 ? NO_BYTES : new Uint8Array(initialCapacity);
    this.words = initialCapacity === 0 ? NO_WORDS : new DataView(this.bytes.buffer);
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

  /** Exactly `JSON.stringify(number)` (within a reservation). */
  number(value: number): void {
    this.length = this.putNumber(this.length, value);
  }

  /** `JSON.stringify(event)`: by the writer of its type when it is exactly of it, else stringified whole. */
  event(event: { readonly type: string }): void {
    const start = this.startKnown();
    if (!this.endKnown(this.knownEvent(start, event as unknown as Fields), event.type)) this.whole(start, event);
  }

  /*
   * The network events written from their fields, with no event object (a
   * traced run that nobody else reads them in): the same bytes as
   * {@link event} of `{t, type, from, to, id, msg}` (or `reason`, or
   * `node, timer`), the object the simulator would have built.
   */

  /** A send's line: `{"t":…,"type":"send","from":…,"to":…,"id":…,"msg":…}`. */
  sendLine(t: number, from: string, to: string, id: number, msg: unknown): void {
    const start = this.startKnown();
    if (!this.endKnown(this.closed(this.message(this.envelope(start, t, SEND, from, to, id), msg)), 'send')) this.whole(start, { t, type: 'send', from, to, id, msg });
  }

  /** A delivery's line, as {@link sendLine}. */
  deliverLine(t: number, from: string, to: string, id: number, msg: unknown): void {
    const start = this.startKnown();
    if (!this.endKnown(this.closed(this.message(this.envelope(start, t, DELIVER, from, to, id), msg)), 'deliver')) this.whole(start, { t, type: 'deliver', from, to, id, msg });
  }

  /** A drop's line: the envelope and its reason. */
  dropLine(t: number, from: string, to: string, id: number, reason: string): void {
    const start = this.startKnown();
    if (!this.endKnown(this.closed(this.stringField(this.envelope(start, t, DROP, from, to, id), REASON, reason)), 'drop')) this.whole(start, { t, type: 'drop', from, to, id, reason });
  }

  /** A duplicate's line: the envelope alone. */
  duplicateLine(t: number, from: string, to: string, id: number): void {
    const start = this.startKnown();
    if (!this.endKnown(this.closed(this.envelope(start, t, DUPLICATE, from, to, id)), 'duplicate')) this.whole(start, { t, type: 'duplicate', from, to, id });
  }

  /** A timer's line: its node and name. */
  timerLine(t: number, node: string, timer: string): void {
    const start = this.startKnown();
    if (!this.endKnown(this.closed(this.stringField(this.observed(start, t, TIMER_TYPE, node), TIMER, timer)), 'timer')) this.whole(start, { t, type: 'timer', node, timer });
  }

  /** Where a known event starts: one reservation covers every fixed-size piece it writes (see EVENT_RESERVE_BYTES); longer pieces reserve their own. */
  private startKnown(): number {
    this.ensure(EVENT_RESERVE_BYTES);
    return this.length;
  }

  /** Keeps a known event's bytes written up to `end`; false (nothing kept) when a writer met a value of another kind. */
  private endKnown(end: number, type: string): boolean {
    if (end === WRONG_KIND) return false;
    // A typed array drops writes past its end silently: a line longer than its reservation would be cut short.
    if (end > this.bytes.length) fail(`trace line of ${type} overran its ${EVENT_RESERVE_BYTES}-byte reservation`);
    this.length = end;
    return true;
  }

  /** Rewinds to `start` and writes the event stringified whole. */
  private whole(start: number, event: unknown): void {
    this.length = start;
    // String(): a value that stringifies to undefined (a toJSON returning it) prints as the text did before, "undefined".
    this.text(String(JSON.stringify(event)));
  }

  /**
   * The writer of the event's type, chosen by one switch; WRONG_KIND for any
   * other type, other keys, or a value of another kind. Each writer is its own
   * small function that reads its event's fields itself, so each read sees one
   * shape (monomorphic), and hands values, not the event, to the pieces.
   */
  private knownEvent(at: number, event: Fields): number {
    switch (event.type) {
      case 'send':
        return hasKeys(event, CARRIED_KEYS) ? this.carried(at, event, SEND) : WRONG_KIND;
      case 'deliver':
        return hasKeys(event, CARRIED_KEYS) ? this.carried(at, event, DELIVER) : WRONG_KIND;
      case 'drop':
        return hasKeys(event, DROP_KEYS) ? this.drop(at, event) : WRONG_KIND;
      case 'duplicate':
        return hasKeys(event, DUPLICATE_KEYS) ? this.duplicate(at, event) : WRONG_KIND;
      case 'timer':
        return hasKeys(event, TIMER_KEYS) ? this.timer(at, event) : WRONG_KIND;
      case 'propose':
        return hasKeys(event, PROPOSE_KEYS) ? this.propose(at, event) : WRONG_KIND;
      case 'adopt':
        return hasKeys(event, ADOPT_KEYS) ? this.adopt(at, event) : WRONG_KIND;
      case 'promise':
        return hasKeys(event, PROMISE_KEYS) ? this.promise(at, event) : WRONG_KIND;
      case 'accept':
        return hasKeys(event, ACCEPT_KEYS) ? this.accept(at, event) : WRONG_KIND;
      case 'learn':
        return hasKeys(event, LEARN_KEYS) ? this.nodeValue(at, event, LEARN) : WRONG_KIND;
      case 'chosen':
        return hasKeys(event, CHOSEN_KEYS) ? this.chosen(at, event) : WRONG_KIND;
      case 'crash':
        return hasKeys(event, NODE_FAULT_KEYS) ? this.nodeFault(at, event, CRASH) : WRONG_KIND;
      case 'restart':
        return hasKeys(event, NODE_FAULT_KEYS) ? this.nodeFault(at, event, RESTART) : WRONG_KIND;
      case 'pause':
        return hasKeys(event, NODE_FAULT_KEYS) ? this.nodeFault(at, event, PAUSE) : WRONG_KIND;
      case 'resume':
        return hasKeys(event, NODE_FAULT_KEYS) ? this.nodeFault(at, event, RESUME) : WRONG_KIND;
      case 'partition':
        return hasKeys(event, PARTITION_KEYS) ? this.partition(at, event) : WRONG_KIND;
      case 'heal':
        return hasKeys(event, HEAL_KEYS) ? this.closed(this.time(at, event.t, HEAL)) : WRONG_KIND;
      case 'cut':
        return hasKeys(event, CUT_KEYS) ? this.cut(at, event) : WRONG_KIND;
      case 'drift':
        return hasKeys(event, DRIFT_KEYS) ? this.drift(at, event) : WRONG_KIND;
      case 'request-lost':
        return hasKeys(event, LEARN_KEYS) ? this.nodeValue(at, event, REQUEST_LOST) : WRONG_KIND;
      default:
        return WRONG_KIND;
    }
  }

  // ── event writers: each takes the position and returns the next one, or WRONG_KIND ──

  /** send and deliver: the envelope, then the message. */
  private carried(at: number, event: Fields, type: Fragment): number {
    const { t, from, to, id, msg } = event;
    return this.closed(this.message(this.envelope(at, t, type, from, to, id), msg));
  }

  private drop(at: number, event: Fields): number {
    const { t, from, to, id, reason } = event;
    return this.closed(this.stringField(this.envelope(at, t, DROP, from, to, id), REASON, reason));
  }

  private duplicate(at: number, event: Fields): number {
    const { t, from, to, id } = event;
    return this.closed(this.envelope(at, t, DUPLICATE, from, to, id));
  }

  private timer(at: number, event: Fields): number {
    const { t, node, timer } = event;
    return this.closed(this.stringField(this.observed(at, t, TIMER_TYPE, node), TIMER, timer));
  }

  private propose(at: number, event: Fields): number {
    const { t, node, value, ballot } = event;
    return this.closed(this.ballotField(this.stringField(this.observed(at, t, PROPOSE, node), VALUE, value), BALLOT, ballot));
  }

  private adopt(at: number, event: Fields): number {
    const { t, node, ballot, value, from } = event;
    const adopted = this.ballotField(this.observed(at, t, ADOPT, node), BALLOT, ballot);
    return this.closed(this.ballotField(this.stringField(adopted, VALUE, value), FROM_BALLOT, from));
  }

  private promise(at: number, event: Fields): number {
    const { t, node, ballot } = event;
    return this.closed(this.ballotField(this.observed(at, t, PROMISE, node), BALLOT, ballot));
  }

  private accept(at: number, event: Fields): number {
    const { t, node, ballot, value } = event;
    return this.closed(this.stringField(this.ballotField(this.observed(at, t, ACCEPT, node), BALLOT, ballot), VALUE, value));
  }

  /** learn and request-lost: a node and a value. */
  private nodeValue(at: number, event: Fields, type: Fragment): number {
    const { t, node, value } = event;
    return this.closed(this.stringField(this.observed(at, t, type, node), VALUE, value));
  }

  private chosen(at: number, event: Fields): number {
    const { t, value, ballot } = event;
    return this.closed(this.ballotField(this.string(this.time(at, t, CHOSEN), value), BALLOT, ballot));
  }

  /** crash, restart, pause and resume: a node. */
  private nodeFault(at: number, event: Fields, type: Fragment): number {
    const { t, node } = event;
    return this.closed(this.observed(at, t, type, node));
  }

  private partition(at: number, event: Fields): number {
    const { t, groups } = event;
    return this.closed(this.groups(this.fragmentAfter(this.time(at, t, PARTITION), GROUPS), groups));
  }

  private cut(at: number, event: Fields): number {
    const { t, from, to } = event;
    return this.closed(this.stringField(this.string(this.time(at, t, CUT), from), TO, to));
  }

  private drift(at: number, event: Fields): number {
    const { t, node, rate } = event;
    return this.closed(this.numberField(this.observed(at, t, DRIFT, node), RATE, rate));
  }

  /** `{"t":…` and the type's fragment: how every known event starts. */
  private time(at: number, t: unknown, type: Fragment): number {
    if (typeof t !== 'number') return WRONG_KIND;
    return this.fragment(this.putNumber(this.fragment(at, T), t), type);
  }

  /** `{"t":…,"type":…,"from":…,"to":…,"id":…`: what every network event starts with. */
  private envelope(at: number, t: unknown, type: Fragment, from: unknown, to: unknown, id: unknown): number {
    if (typeof from !== 'string' || typeof to !== 'string' || typeof id !== 'number') return WRONG_KIND;
    at = this.time(at, t, type);
    if (at === WRONG_KIND) return WRONG_KIND;
    return this.putNumber(this.fragment(this.putString(this.fragment(this.putString(at, from), TO), to), ID), id);
  }

  /** `{"t":…,"type":…,"node":…`: what every observation starts with. */
  private observed(at: number, t: unknown, type: Fragment, node: unknown): number {
    return this.string(this.time(at, t, type), node);
  }

  /** `,"msg":…`: a Paxos message by its writer, any other plain object stringified. */
  private message(at: number, value: unknown): number {
    if (at === WRONG_KIND || typeof value !== 'object' || value === null) return WRONG_KIND;
    const end = this.knownMessage(at, value as Fields);
    if (end !== WRONG_KIND) return end;
    if (Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype || 'toJSON' in value) return WRONG_KIND;
    // A message of another protocol: stringified on its own, inside the hand-written envelope.
    const text = JSON.stringify(value);
    if (text === undefined) return WRONG_KIND;
    this.length = this.fragment(at, MSG);
    this.text(text);
    return this.length;
  }

  /** `,"msg":{…}` for a single-decree Paxos message (its fragment carries the `,"msg":` key too). */
  private knownMessage(at: number, message: Fields): number {
    switch (message.type) {
      case 'prepare':
        return hasKeys(message, BALLOT_MESSAGE_KEYS) ? this.prepareMessage(at, message) : WRONG_KIND;
      case 'promise':
        return hasKeys(message, PROMISE_MESSAGE_KEYS) ? this.promiseMessage(at, message) : WRONG_KIND;
      case 'accept':
        return hasKeys(message, VALUE_MESSAGE_KEYS) ? this.valueMessage(at, message, ACCEPT_MESSAGE) : WRONG_KIND;
      case 'accepted':
        return hasKeys(message, VALUE_MESSAGE_KEYS) ? this.valueMessage(at, message, ACCEPTED_MESSAGE) : WRONG_KIND;
      case 'nack':
        return hasKeys(message, NACK_MESSAGE_KEYS) ? this.nackMessage(at, message) : WRONG_KIND;
      case 'catchup':
        return hasKeys(message, CATCHUP_MESSAGE_KEYS) ? this.closed(this.fragment(at, CATCHUP_MESSAGE)) : WRONG_KIND;
      case 'decided':
        return hasKeys(message, DECIDED_MESSAGE_KEYS) ? this.closed(this.string(this.fragment(at, DECIDED_MESSAGE), message.value)) : WRONG_KIND;
      default:
        return WRONG_KIND;
    }
  }

  private prepareMessage(at: number, message: Fields): number {
    return this.closed(this.ballot(this.fragment(at, PREPARE_MESSAGE), message.ballot));
  }

  private promiseMessage(at: number, message: Fields): number {
    const { ballot, accepted } = message;
    return this.closed(this.proposal(this.fragmentAfter(this.ballot(this.fragment(at, PROMISE_MESSAGE), ballot), ACCEPTED), accepted));
  }

  /** `accept` and `accepted`: a ballot and a value. */
  private valueMessage(at: number, message: Fields, start: Fragment): number {
    const { ballot, value } = message;
    return this.closed(this.stringField(this.ballot(this.fragment(at, start), ballot), VALUE, value));
  }

  private nackMessage(at: number, message: Fields): number {
    const { ballot, promised } = message;
    return this.closed(this.ballotField(this.ballot(this.fragment(at, NACK_MESSAGE), ballot), PROMISED, promised));
  }

  /** A Paxos `accepted`: null or `{"ballot":…,"value":…}`. */
  private proposal(at: number, value: unknown): number {
    if (at === WRONG_KIND) return WRONG_KIND;
    if (value === null) return this.fragment(at, NULL);
    if (typeof value !== 'object' || value === undefined || !hasKeys(value, PROPOSAL_KEYS)) return WRONG_KIND;
    const proposal = value as Fields;
    return this.closed(this.stringField(this.ballot(this.fragment(at, PROPOSAL_BALLOT), proposal.ballot), VALUE, proposal.value));
  }

  /** A partition's `[["A","B"],["C"]]`: arrays of strings, nothing else. */
  private groups(at: number, value: unknown): number {
    if (at === WRONG_KIND || !plainArray(value)) return WRONG_KIND;
    this.bytes[at++] = OPEN_BRACKET;
    for (let index = 0; index < value.length; index++) {
      const group = value[index] as unknown;
      if (!plainArray(group)) return WRONG_KIND;
      // A group of many long names can outgrow the event's reservation: each name reserves room for itself and what follows it.
      this.length = at;
      this.ensure(EVENT_RESERVE_BYTES);
      if (index > 0) this.bytes[at++] = COMMA;
      this.bytes[at++] = OPEN_BRACKET;
      for (let member = 0; member < group.length; member++) {
        if (member > 0) this.bytes[at++] = COMMA;
        at = this.string(at, group[member]);
        if (at === WRONG_KIND) return WRONG_KIND;
        this.length = at;
        this.ensure(EVENT_RESERVE_BYTES);
      }
      this.bytes[at++] = CLOSE_BRACKET;
    }
    this.bytes[at++] = CLOSE_BRACKET;
    return at;
  }

  // ── pieces: each passes WRONG_KIND on, and returns it for a value of the wrong kind ──

  /** `}` after a known event or message. */
  private closed(at: number): number {
    if (at === WRONG_KIND) return WRONG_KIND;
    this.bytes[at] = CLOSE_BRACE;
    return at + 1;
  }

  /** A fixed piece after what came before it, unless that was of the wrong kind. */
  private fragmentAfter(at: number, fragment: Fragment): number {
    return at === WRONG_KIND ? WRONG_KIND : this.fragment(at, fragment);
  }

  /** A key's fragment, then a string. */
  private stringField(at: number, key: Fragment, value: unknown): number {
    return this.string(this.fragmentAfter(at, key), value);
  }

  /** A key's fragment, then a ballot. */
  private ballotField(at: number, key: Fragment, value: unknown): number {
    return this.ballot(this.fragmentAfter(at, key), value);
  }

  /** A key's fragment, then a number. */
  private numberField(at: number, key: Fragment, value: unknown): number {
    if (at === WRONG_KIND || typeof value !== 'number') return WRONG_KIND;
    return this.putNumber(this.fragment(at, key), value);
  }

  /** A value that must be a string. */
  private string(at: number, value: unknown): number {
    if (at === WRONG_KIND || typeof value !== 'string') return WRONG_KIND;
    return this.putString(at, value);
  }

  /** `[round,"node"]`: an array of exactly a number and a string. */
  private ballot(at: number, value: unknown): number {
    if (at === WRONG_KIND || !Array.isArray(value) || value.length !== 2 || 'toJSON' in value) return WRONG_KIND;
    const round = value[0] as unknown;
    const node = value[1] as unknown;
    if (typeof round !== 'number' || typeof node !== 'string') return WRONG_KIND;
    this.bytes[at] = OPEN_BRACKET;
    at = this.putNumber(at + 1, round);
    this.bytes[at] = COMMA;
    at = this.putString(at + 1, node);
    this.bytes[at] = CLOSE_BRACKET;
    return at + 1;
  }

  // ── writing at a position: values already of the right kind ──

  /** A fixed piece (within the event's reservation). */
  private fragment(at: number, fragment: Fragment): number {
    const words = fragment.words;
    const view = this.words;
    // Whole words, padding included: what lands past the piece's end is overwritten by what follows it (or lies beyond `length`).
    for (let index = 0; index < words.length; index++) view.setInt32(at + 4 * index, words[index]!, true);
    return at + fragment.length;
  }

  /** Exactly `JSON.stringify(number)`. */
  private putNumber(at: number, value: number): number {
    // Times, ids and rounds are small non-negative integers: a table, or int arithmetic, no doubles (-0 lands here too, and JSON prints it as 0).
    if ((value | 0) === value && value >= 0) {
      if (value < TABLED_BELOW) {
        // The word's unused high bytes land past the digits and are overwritten by what follows (as a fragment's padding).
        this.words.setInt32(at, TABLED_DIGITS[value]!, true);
        return at + TABLED_DIGIT_COUNTS[value]!;
      }
      return this.smallInteger(at, value);
    }
    if (Number.isInteger(value) && value > -DIGITS_BELOW && value < DIGITS_BELOW) return this.integer(at, value);
    // JSON prints a finite number as its ToString (ASCII) and anything else as null.
    this.length = at;
    this.text(Number.isFinite(value) ? '' + value : 'null');
    return this.length;
  }

  /** `JSON.stringify(text)` as UTF-8. */
  private putString(at: number, text: string): number {
    const count = text.length;
    if (count <= INLINE_STRING_CHARS) {
      // Node ids, values and types are short ASCII: written as they are read (within the reservation), no lookup, unless a character needs escaping.
      const target = this.bytes;
      let end = at;
      target[end++] = QUOTE;
      let index = 0;
      for (; index < count; index++) {
        const code = text.charCodeAt(index);
        if (code < 0x20 || code > 0x7e || code === QUOTE || code === BACKSLASH) break;
        target[end++] = code;
      }
      if (index === count) {
        target[end] = QUOTE;
        return end + 1;
      }
    }
    const cache = (this.quoted ??= new Map());
    let quoted = cache.get(text);
    if (quoted === undefined) {
      quoted = fragmentOf(JSON.stringify(text));
      if (cache.size < QUOTED_CACHE_LIMIT) cache.set(text, quoted);
    }
    this.length = at;
    this.ensure(quoted.length + EVENT_RESERVE_BYTES);
    return this.fragment(at, quoted);
  }

  /** Digits of an integer in [0, 2^31), written from the last one back. */
  private smallInteger(at: number, value: number): number {
    const bytes = this.bytes;
    let digits = 1;
    for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits += 1;
    const end = at + digits;
    let position = end;
    do {
      const next = (value / 10) | 0;
      bytes[--position] = ZERO + value - next * 10;
      value = next;
    } while (value !== 0);
    return end;
  }

  /** Digits written from the last one back: no string per number. */
  private integer(at: number, value: number): number {
    const bytes = this.bytes;
    if (value < 0) {
      bytes[at++] = MINUS;
      value = -value;
    }
    let digits = 1;
    while (digits < POWERS_OF_TEN.length && value >= POWERS_OF_TEN[digits]!) digits += 1;
    const end = at + digits;
    let position = end;
    // (rest - digit) / 10 is exact for integers below 2^53: no Math.floor.
    for (let rest = value; digits > 0; digits--) {
      const digit = rest % 10;
      bytes[--position] = ZERO + digit;
      rest = (rest - digit) / 10;
    }
    return end;
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.words = new DataView(grown.buffer);
  }
}

/** An array JSON prints element by element: no toJSON (a hole reads undefined and fails the element's check). */
function plainArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) && !('toJSON' in value);
}
