import { dirname } from 'node:path';
import type { TraceMeta } from '../sim/events.js';
import { makeDirectory } from '../util/output-path.js';
import { SequenceDiagramWriter, type SequenceDiagramViolation } from '../trace/html.js';
import { ShivizWriter } from '../trace/shiviz.js';
import { FileSink, type TextSink } from '../trace/trace-writer.js';
import { planRun, runScenario, type RunOptions, type RunResult } from './runner.js';
import type { Scenario } from '../scenario/scenario.js';

/** The files a run can write, each optional: the JSON Lines trace, the HTML diagram, the ShiViz log. */
export interface TraceOutputTargets {
  readonly trace?: string | undefined;
  readonly html?: string | undefined;
  readonly shiviz?: string | undefined;
}

export type TraceOutputKind = keyof TraceOutputTargets;

/** An output file that could not be opened or written: which one, and the fs error code (ENOENT, ENOSPC, …). */
export class TraceOutputError extends Error {
  override name = 'TraceOutputError';
  constructor(
    readonly kind: TraceOutputKind,
    readonly path: string,
    readonly code: string,
  ) {
    super(`${path}: cannot write (${code})`);
  }
}

/** A file sink whose fs errors say which output they concern. */
class OutputFile implements TextSink {
  private readonly file: FileSink;

  constructor(
    private readonly kind: TraceOutputKind,
    path: string,
  ) {
    // Missing directories are made as for every output (one level at a time: see util/output-path.ts).
    const directoryProblem = makeDirectory(dirname(path));
    if (directoryProblem !== null) throw new TraceOutputError(kind, path, directoryProblem);
    this.file = guard(kind, path, () => new FileSink(path));
  }

  write(text: string): void {
    guard(this.kind, this.file.path, () => this.file.write(text));
  }

  writeBytes(bytes: Buffer): void {
    guard(this.kind, this.file.path, () => this.file.writeBytes(bytes));
  }

  close(): void {
    guard(this.kind, this.file.path, () => this.file.close());
  }
}

function guard<T>(kind: TraceOutputKind, path: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    throw new TraceOutputError(kind, path, code);
  }
}

/**
 * The outputs of one run, written as it goes: all files are opened before the
 * run starts (a path that cannot be written fails before any work), the trace
 * text and the diagram's events are appended in chunks, and `finish` writes
 * what only the end knows (the diagram's summary, the last ShiViz lines).
 */
export class TraceOutputs {
  readonly traceSinks: readonly TextSink[];
  private readonly files: OutputFile[] = [];
  private readonly html: SequenceDiagramWriter | null;
  private readonly shiviz: ShivizWriter | null;

  constructor(targets: TraceOutputTargets, meta: TraceMeta) {
    try {
      const open = (kind: TraceOutputKind, path: string): OutputFile => {
        const file = new OutputFile(kind, path);
        this.files.push(file);
        return file;
      };
      this.traceSinks = targets.trace === undefined ? [] : [open('trace', targets.trace)];
      this.html = targets.html === undefined ? null : new SequenceDiagramWriter(open('html', targets.html), meta);
      this.shiviz = targets.shiviz === undefined ? null : new ShivizWriter(open('shiviz', targets.shiviz), meta);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Sees every event (null when no output needs events one by one). */
  get observer(): ((event: Parameters<SequenceDiagramWriter['observe']>[0]) => void) | null {
    const { html, shiviz } = this;
    if (html === null && shiviz === null) return null;
    return (event) => {
      html?.observe(event);
      shiviz?.observe(event);
    };
  }

  finish(violations: readonly SequenceDiagramViolation[]): void {
    this.html?.finish(violations);
    this.shiviz?.finish();
    this.close();
  }

  /** Closes every file (idempotent; after an error, what was written stays). */
  close(): void {
    for (const file of this.files.splice(0)) file.close();
  }
}

/** `runScenario` with its trace, diagram and ShiViz log streamed to files as it runs. */
export function runWithOutputs(input: Scenario, options: RunOptions, targets: TraceOutputTargets): RunResult {
  const outputs = new TraceOutputs(targets, planRun(input, options).meta);
  try {
    const observeOutputs = outputs.observer;
    const observeCaller = options.observe;
    const observe =
      observeOutputs === null
        ? observeCaller
        : observeCaller === undefined
          ? observeOutputs
          : (event: Parameters<typeof observeOutputs>[0]) => {
              observeOutputs(event);
              observeCaller(event);
            };
    const result = runScenario(input, {
      ...options,
      traceSinks: [...(options.traceSinks ?? []), ...outputs.traceSinks],
      ...(observe === undefined ? {} : { observe }),
      // The diagram and the ShiViz log draw messages.
      ...(observeOutputs === null ? {} : { traceNetwork: true }),
    });
    outputs.finish(result.violations);
    return result;
  } finally {
    outputs.close();
  }
}

/**
 * {@link runWithOutputs} where a file that cannot be written must not lose the
 * run (fuzz failures): the problem comes back as a value, and the run's
 * verdict is still there (re-run without the files if writing broke it off).
 */
export function runWithOutputsOrProblem(input: Scenario, options: RunOptions, targets: TraceOutputTargets): { result: RunResult; problem: string | null } {
  try {
    return { result: runWithOutputs(input, options, targets), problem: null };
  } catch (error) {
    if (!(error instanceof TraceOutputError)) throw error;
    return { result: runScenario(input, options), problem: `cannot write ${error.path} (${error.code})` };
  }
}
