/**
 * How a built-in protocol's traces read: the events the reader validates
 * (read-trace.ts), the types `--type` knows (filter.ts) and the checkers
 * `paxsim check` judges them by (check/check-trace.ts). Each built-in
 * definition names its format (run/builtin-protocols.ts); the trace layer
 * sits below the run layer, so the registry provides them here by protocol
 * name ({@link provideTraceFormats}), and the readers ask
 * {@link traceFormatOf} instead of naming protocols. A new protocol whose
 * traces read like an existing format is one definition and one registry
 * line; a new format is reader and checker code.
 *
 * - `paxos`: single-decree Paxos's observations; also what a trace naming
 *   no protocol, or one paxsim does not know, reads as.
 * - `multipaxos`: replicas and clients, slots, the key-value commands.
 * - `cheap-paxos`: Multi-Paxos's, plus `config` and `discard` events, the
 *   `discard` message and the meta line's `main`, `auxiliary` and `alpha`.
 * - `raft`: terms, votes, the log, with Multi-Paxos's clients.
 */
export type BuiltInTraceFormat = 'paxos' | 'multipaxos' | 'cheap-paxos' | 'raft';

export interface TraceFormats {
  /** The format a registered protocol's traces follow; undefined for a user protocol's (its own vocabulary) or an unknown name. */
  formatOf(protocol: string): BuiltInTraceFormat | undefined;
}

let formats: TraceFormats | null = null;

/** Called once by the protocol registry as it is loaded: where formats come from. */
export function provideTraceFormats(provider: TraceFormats): void {
  formats = provider;
}

/** The format a registered protocol's traces follow; undefined for a user protocol's, an unknown name or none. */
export function builtInTraceFormatOf(protocol: string | undefined): BuiltInTraceFormat | undefined {
  // An internal invariant: every entry point (CLI, library index, workers) loads the registry before reading a trace.
  if (formats === null) throw new Error('paxsim: trace formats asked for before the protocol registry was loaded (import run/registry.js first)');
  return protocol === undefined ? undefined : formats.formatOf(protocol);
}

/** The format of a trace whose meta line names `protocol` (a user protocol's trace, with `protocolModule`, is told apart before this). */
export function traceFormatOf(protocol: string | undefined): BuiltInTraceFormat {
  return builtInTraceFormatOf(protocol) ?? 'paxos';
}

/** Multi-Paxos's slots and clients: Multi-Paxos and Cheap Paxos. */
export function isMultiSlotFormat(format: BuiltInTraceFormat): boolean {
  return format === 'multipaxos' || format === 'cheap-paxos';
}
