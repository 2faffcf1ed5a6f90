import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { AnyTraceEvent } from '../sim/events.js';
import { JsonBytes } from './event-json.js';

/** Receives text in order, in chunks: a trace file, an HTML page, a test's buffer. */
export interface TextSink {
  write(text: string): void;
  /**
   * The same text already encoded as UTF-8, when the sink can take it (saves
   * decoding it). The bytes are a view of the writer's buffer: use them
   * before returning, keep a copy if they must outlive the call.
   */
  writeBytes?(bytes: Buffer): void;
}

/**
 * Bytes gathered before a chunk is hashed and handed to the sinks. Hashing
 * and writing cost about the same per call whatever the size, so one call
 * per 64 KB instead of one per line is what makes a traced run cheap; a
 * chunk this size still stays in cache.
 */
export const TRACE_CHUNK_CHARS = 1 << 16;

/**
 * Serializes trace lines as UTF-8 bytes into one reusable buffer (never a
 * string per line, never a whole-trace string) and passes each chunk,
 * exactly as written, to an optional sha256 and to the sinks. So the hash is
 * the sha256 of the trace file's bytes.
 */
export class TraceSerializer {
  private readonly hash: Hash | null;
  /** The chunk being filled; lines are never split between chunks. Taken from the spares, given back by {@link finish}. */
  private chunk = SPARE_CHUNKS.pop() ?? new JsonBytes(TRACE_CHUNK_CHARS + 4096);

  constructor(
    private readonly sinks: readonly TextSink[],
    hash: boolean,
  ) {
    this.hash = hash ? createHash('sha256') : null;
  }

  /** `JSON.stringify(value)` as a line. */
  line(value: unknown): void {
    // String(): a value JSON cannot print (undefined) still makes a line, as it did when lines were strings.
    this.chunk.text(String(JSON.stringify(value)));
    this.endLine();
  }

  /**
   * A trace event: the same bytes as {@link line}, faster for the events a
   * Paxos run is made of (network events, observations), which are written
   * from their shapes (event-json.ts); any other event goes through
   * `JSON.stringify`.
   */
  event(event: AnyTraceEvent): void {
    this.chunk.event(event);
    this.endLine();
  }

  /** A send's line, from its fields: the same bytes as {@link event} of the event the simulator would build. */
  send(t: number, from: string, to: string, id: number, msg: unknown): void {
    this.chunk.sendLine(t, from, to, id, msg);
    this.endLine();
  }

  /** A delivery's line, from its fields (as {@link send}). */
  deliver(t: number, from: string, to: string, id: number, msg: unknown): void {
    this.chunk.deliverLine(t, from, to, id, msg);
    this.endLine();
  }

  /** A drop's line, from its fields (as {@link send}). */
  drop(t: number, from: string, to: string, id: number, reason: string): void {
    this.chunk.dropLine(t, from, to, id, reason);
    this.endLine();
  }

  /** A duplicate's line, from its fields (as {@link send}). */
  duplicate(t: number, from: string, to: string, id: number): void {
    this.chunk.duplicateLine(t, from, to, id);
    this.endLine();
  }

  /** A timer's line, from its fields (as {@link send}). */
  timer(t: number, node: string, timer: string): void {
    this.chunk.timerLine(t, node, timer);
    this.endLine();
  }

  /** `[index,event]` as a line: the same bytes as {@link line} of that array (the fuzzer's determinism fingerprint). */
  indexedEvent(index: number, event: AnyTraceEvent): void {
    const chunk = this.chunk;
    chunk.reserve(32);
    chunk.byte(OPEN_BRACKET);
    chunk.number(index);
    chunk.byte(COMMA);
    chunk.event(event);
    chunk.byte(CLOSE_BRACKET);
    this.endLine();
  }

  flush(): void {
    if (this.chunk.length === 0) return;
    const bytes = this.chunk.view();
    this.hash?.update(bytes);
    for (const sink of this.sinks) {
      if (sink.writeBytes) sink.writeBytes(bytes);
      else sink.write(bytes.toString('utf8'));
    }
    this.chunk.clear();
  }

  /** Flushes, then the hex sha256 of everything written (null without hashing). Call once, at the end. */
  finish(): string | null {
    this.flush();
    if (SPARE_CHUNKS.length < MAX_SPARE_CHUNKS) SPARE_CHUNKS.push(this.chunk);
    // Anything written after this goes to a buffer of its own, never to the spare another serializer may take (empty until then: most are never written to).
    this.chunk = new JsonBytes(0);
    return this.hash === null ? null : this.hash.digest('hex');
  }

  private endLine(): void {
    this.chunk.newline();
    if (this.chunk.length >= TRACE_CHUNK_CHARS) this.flush();
  }
}

/**
 * Chunk buffers of finished serializers, for the next ones: a fuzz seed or
 * bench run makes one or two serializers, and allocating (and zeroing) 68 KB
 * for each was a visible part of a short traced run.
 */
const SPARE_CHUNKS: JsonBytes[] = [];
const MAX_SPARE_CHUNKS = 4;

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

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
