import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { AnyTraceEvent } from '../sim/events.js';
import { EventJson, isAscii } from './event-json.js';

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
  private readonly json = new EventJson();
  /** Lines written with JSON.stringify since the last chunk: all ASCII? */
  private linesAscii = true;

  constructor(
    private readonly sinks: readonly TextSink[],
    hash: boolean,
  ) {
    this.hash = hash ? createHash('sha256') : null;
  }

  line(value: unknown): void {
    const text = JSON.stringify(value);
    if (this.linesAscii && !isAscii(text)) this.linesAscii = false;
    this.pending += text;
    this.pending += '\n';
    if (this.pending.length >= TRACE_CHUNK_CHARS) this.flush();
  }

  /**
   * A trace event: the same bytes as {@link line}, faster for the events a
   * Paxos run is made of (network events, observations), which are written
   * from their shapes (event-json.ts); any other event goes through
   * `JSON.stringify`.
   */
  event(event: AnyTraceEvent): void {
    this.pending += this.json.event(event);
    this.pending += '\n';
    if (this.pending.length >= TRACE_CHUNK_CHARS) this.flush();
  }

  /** `[index,event]` as a line: the same bytes as {@link line} of that array (the fuzzer's determinism fingerprint). */
  indexedEvent(index: number, event: AnyTraceEvent): void {
    this.pending += `[${index},${this.json.event(event)}]\n`;
    if (this.pending.length >= TRACE_CHUNK_CHARS) this.flush();
  }

  flush(): void {
    const chunk = this.pending;
    if (chunk === '') return;
    this.pending = '';
    // Encoding a long concatenation as latin1 is a third of the cost of UTF-8, and for ASCII text the bytes are the same.
    const bytes = Buffer.from(chunk, this.linesAscii && this.json.ascii ? 'latin1' : 'utf8');
    this.linesAscii = true;
    this.json.resetAscii();
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
