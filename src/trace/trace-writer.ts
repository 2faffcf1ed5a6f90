import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { AnyTraceEvent } from '../sim/events.js';

/** Receives text in order, in chunks: a trace file, an HTML page, a test's buffer. */
export interface TextSink {
  write(text: string): void;
  /** The same text already encoded as UTF-8, when the sink can take it (saves encoding it twice). */
  writeBytes?(bytes: Buffer): void;
}

/**
 * Characters gathered before a chunk is hashed and handed to the sinks.
 * Hashing and writing cost about the same per call whatever the size, so one
 * call per 64 K characters instead of one per line is what makes a traced run
 * cheap; a chunk this size still stays in cache.
 */
export const TRACE_CHUNK_CHARS = 1 << 16;

/**
 * Serializes trace lines (each once, never a whole-trace string) and passes each chunk, exactly as written, to an optional sha256
 * and to the sinks. So the hash is the sha256 of the trace file's bytes.
 */
export class TraceSerializer {
  private pending = '';
  private readonly hash: Hash | null;
  private readonly envelope = new NetworkEventSerializer();

  constructor(
    private readonly sinks: readonly TextSink[],
    hash: boolean,
  ) {
    this.hash = hash ? createHash('sha256') : null;
  }

  line(value: unknown): void {
    this.pending += JSON.stringify(value);
    this.pending += '\n';
    if (this.pending.length >= TRACE_CHUNK_CHARS) this.flush();
  }

  /**
   * A trace event: the same bytes as {@link line}, faster for the network
   * events the simulator builds (most of a trace), whose envelope is written
   * by hand in the simulator's key order; everything else, and any event of
   * another shape, goes through `JSON.stringify`.
   */
  event(event: AnyTraceEvent): void {
    this.pending += this.envelope.serialize(event);
    this.pending += '\n';
    if (this.pending.length >= TRACE_CHUNK_CHARS) this.flush();
  }

  flush(): void {
    const chunk = this.pending;
    if (chunk === '') return;
    this.pending = '';
    const bytes = Buffer.from(chunk, 'utf8');
    this.hash?.update(bytes);
    for (const sink of this.sinks) {
      if (sink.writeBytes) sink.writeBytes(bytes);
      else sink.write(chunk);
    }
  }

  /** Flushes, then the hex sha256 of everything written (null without hashing). Call once, at the end. */
  finish(): string | null {
    this.flush();
    return this.hash === null ? null : this.hash.digest('hex');
  }
}

/**
 * `JSON.stringify` of a network event, with the envelope (`t`, `type`,
 * `from`, `to`, `id`) concatenated and node ids quoted once each. Only the
 * exact shapes the simulator builds take the short way: the key list is
 * checked, so an event with other keys or key order is stringified whole.
 */
class NetworkEventSerializer {
  private readonly quoted = new Map<string, string>();

  serialize(event: AnyTraceEvent): string {
    switch (event.type) {
      case 'send':
      case 'deliver':
        if (!hasKeys(event, SEND_KEYS)) break;
        return `${this.head(event, event.type)},"msg":${JSON.stringify(event.msg)}}`;
      case 'drop':
        if (!hasKeys(event, DROP_KEYS)) break;
        return `${this.head(event, 'drop')},"reason":${this.quote(event.reason)}}`;
      case 'duplicate':
        if (!hasKeys(event, DUPLICATE_KEYS)) break;
        return `${this.head(event, 'duplicate')}}`;
      default:
        break;
    }
    return JSON.stringify(event);
  }

  private head(event: { t: number; from: string; to: string; id: number }, type: string): string {
    return `{"t":${event.t},"type":"${type}","from":${this.quote(event.from)},"to":${this.quote(event.to)},"id":${event.id}`;
  }

  private quote(text: string): string {
    let quoted = this.quoted.get(text);
    if (quoted === undefined) {
      quoted = JSON.stringify(text);
      this.quoted.set(text, quoted);
    }
    return quoted;
  }
}

const SEND_KEYS = ['t', 'type', 'from', 'to', 'id', 'msg'];
const DROP_KEYS = ['t', 'type', 'from', 'to', 'id', 'reason'];
const DUPLICATE_KEYS = ['t', 'type', 'from', 'to', 'id'];

/**
 * Exactly these own keys, in this order, with values the hand-written
 * envelope prints as `JSON.stringify` would: integers, strings, and a message
 * that is an object (an undefined one would be left out, not printed).
 */
function hasKeys(event: object, keys: readonly string[]): boolean {
  const actual = Object.keys(event);
  if (actual.length !== keys.length) return false;
  for (let index = 0; index < keys.length; index++) if (actual[index] !== keys[index]) return false;
  const { t, from, to, id, msg, reason } = event as { t: unknown; from: unknown; to: unknown; id: unknown; msg?: unknown; reason?: unknown };
  if (!(Number.isSafeInteger(t) && Number.isSafeInteger(id) && typeof from === 'string' && typeof to === 'string')) return false;
  if (keys === SEND_KEYS) return typeof msg === 'object' && msg !== null;
  if (keys === DROP_KEYS) return typeof reason === 'string';
  return true;
}

/** A file written with synchronous writes as text arrives (no async inside a run). */
export class FileSink implements TextSink {
  private fd: number | null;

  /** Opens (creates or truncates) `path`; throws the fs error (ENOENT, EISDIR, EACCES…) for the caller to word. */
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    this.writeBytes(Buffer.from(text, 'utf8'));
  }

  writeBytes(bytes: Buffer): void {
    if (this.fd === null) throw new Error(`${this.path}: written after close`);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}

/** Collects the text in memory: for tests and for callers that want the string after all. */
export class StringSink implements TextSink {
  private readonly parts: string[] = [];

  write(text: string): void {
    this.parts.push(text);
  }

  text(): string {
    return this.parts.join('');
  }
}
