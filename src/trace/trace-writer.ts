import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

/** Receives text in order, in chunks: a trace file, an HTML page, a test's buffer. */
export interface TextSink {
  write(text: string): void;
}

/**
 * Characters gathered before a chunk is hashed and handed to the sinks.
 * Hashing and writing cost about the same per call whatever the size, so one
 * call per 64 K characters instead of one per line is what makes a traced run
 * cheap; a chunk this size still stays in cache.
 */
export const TRACE_CHUNK_CHARS = 1 << 16;

/**
 * Serializes trace lines (one `JSON.stringify` per line, never a whole-trace
 * string) and passes each chunk, exactly as written, to an optional sha256
 * and to the sinks. So the hash is the sha256 of the trace file's bytes.
 */
export class TraceSerializer {
  private pending = '';
  private readonly hash: Hash | null;

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

  flush(): void {
    const chunk = this.pending;
    if (chunk === '') return;
    this.pending = '';
    this.hash?.update(chunk);
    for (const sink of this.sinks) sink.write(chunk);
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
    if (this.fd === null) throw new Error(`${this.path}: written after close`);
    const bytes = Buffer.from(text, 'utf8');
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
