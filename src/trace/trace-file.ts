import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';

/**
 * Longest trace line read, in bytes. paxsim's own lines are a few hundred
 * bytes and a meta line for thousands of nodes a few hundred kilobytes; the
 * cap is what keeps a file without newlines (`/dev/zero`) from filling memory.
 */
export const MAX_TRACE_LINE_BYTES = 16 * 1024 * 1024;

/** Bytes per read: large enough that reads are cheap, small enough to stay out of the way. */
const READ_CHUNK_BYTES = 1 << 20;

export interface TraceReadLimits {
  /** Default {@link MAX_TRACE_LINE_BYTES}. */
  readonly maxLineBytes?: number;
  /** Bytes per read (tests use tiny ones, so lines cross reads). */
  readonly chunkBytes?: number;
}

/**
 * Reads a trace file line by line with synchronous chunked reads, so memory
 * is one chunk and one line whatever the file's size. Lines are decoded as
 * UTF-8, without their `\n` or `\r\n`; a last line without a newline counts.
 * Returns null when the whole file was read, or one line naming the problem
 * (`file: cannot read the trace (is a directory)`, `file:7: line longer than
 * N bytes`). A directory, a FIFO or a socket is refused before it is opened
 * (opening a FIFO would wait for a writer).
 */
export function readTraceLines(file: string, onLine: (line: string, lineNumber: number) => void, limits: TraceReadLimits = {}): string | null {
  const maxLineBytes = limits.maxLineBytes ?? MAX_TRACE_LINE_BYTES;
  const chunkBytes = limits.chunkBytes ?? READ_CHUNK_BYTES;
  const cannot = (reason: string) => `${file}: cannot read the trace (${reason})`;
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (error) {
    return cannot(reasonOf(error));
  }
  if (stats.isDirectory()) return cannot('is a directory');
  if (stats.isFIFO()) return cannot('is a FIFO (named pipe); a trace must be a file');
  if (stats.isSocket()) return cannot('is a socket; a trace must be a file');
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    return cannot(reasonOf(error));
  }
  try {
    return readLinesFrom(fd, file, onLine, maxLineBytes, chunkBytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    return cannot(reasonOf(error));
  } finally {
    closeSync(fd);
  }
}

function readLinesFrom(fd: number, file: string, onLine: (line: string, lineNumber: number) => void, maxLineBytes: number, chunkBytes: number): string | null {
  const buffer = Buffer.allocUnsafe(chunkBytes);
  // The start of a line that runs past the chunk it began in.
  let carried: Buffer[] = [];
  let carriedBytes = 0;
  let lineNumber = 1;
  const tooLong = () => `${file}:${lineNumber}: line longer than ${maxLineBytes} bytes; a trace line is one JSON event (is this a trace file?)`;
  for (;;) {
    const read = readSync(fd, buffer, 0, buffer.length, null);
    if (read === 0) break;
    const chunk = buffer.subarray(0, read);
    let start = 0;
    while (start < read) {
      const newline = chunk.indexOf(10, start);
      if (newline === -1) {
        if (carriedBytes + read - start > maxLineBytes) return tooLong();
        carried.push(Buffer.from(chunk.subarray(start, read)));
        carriedBytes += read - start;
        break;
      }
      if (carriedBytes + newline - start > maxLineBytes) return tooLong();
      let line: string;
      if (carriedBytes === 0) {
        line = chunk.toString('utf8', start, newline);
      } else {
        carried.push(chunk.subarray(start, newline));
        line = Buffer.concat(carried).toString('utf8');
        carried = [];
        carriedBytes = 0;
      }
      onLine(withoutCarriageReturn(line), lineNumber);
      lineNumber += 1;
      start = newline + 1;
    }
  }
  if (carriedBytes > 0) onLine(withoutCarriageReturn(Buffer.concat(carried).toString('utf8')), lineNumber);
  return null;
}

function withoutCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return code ?? String(error);
}
