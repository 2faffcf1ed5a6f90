/**
 * Ctrl-C and SIGTERM for long commands: the first signal asks to stop after
 * the work in flight (and still write what was found); a second one quits at
 * once, but only when it comes deliberately later. `timeout 120 paxsim fuzz`
 * forwards one `kill -INT` to paxsim and to its whole process group, so one
 * keypress can arrive as two signals within microseconds: those count once.
 * This is the CLI's interactive layer, where reading the wall clock is allowed.
 */
export const SIGNAL_SETTLE_MS = 1000;

export interface InterruptOptions {
  /** Says the run is stopping (once, on the first signal). */
  readonly acknowledge: (signal: NodeJS.Signals) => void;
  /** A deliberate second signal: quit now. */
  readonly quitNow: (signal: NodeJS.Signals) => void;
  readonly nowMs?: () => number;
  readonly settleMs?: number;
}

export class InterruptWatch {
  private firstAtMs: number | null = null;
  private firstSignal: NodeJS.Signals | null = null;
  private readonly nowMs: () => number;
  private readonly settleMs: number;
  private readonly listener = (signal: NodeJS.Signals) => this.receive(signal);

  constructor(private readonly options: InterruptOptions) {
    this.nowMs = options.nowMs ?? (() => performance.now());
    this.settleMs = options.settleMs ?? SIGNAL_SETTLE_MS;
  }

  /** The signal that asked to stop, or null. */
  get signal(): NodeJS.Signals | null {
    return this.firstSignal;
  }

  get stopRequested(): boolean {
    return this.firstSignal !== null;
  }

  receive(signal: NodeJS.Signals): void {
    if (this.firstAtMs === null) {
      this.firstAtMs = this.nowMs();
      this.firstSignal = signal;
      this.options.acknowledge(signal);
      return;
    }
    if (this.nowMs() - this.firstAtMs >= this.settleMs) this.options.quitNow(signal);
  }

  install(): this {
    process.on('SIGINT', this.listener);
    process.on('SIGTERM', this.listener);
    return this;
  }

  dispose(): void {
    process.off('SIGINT', this.listener);
    process.off('SIGTERM', this.listener);
  }
}

/** The conventional exit status of a process stopped by a signal: 128 + its number. */
export function signalExitCode(signal: NodeJS.Signals | null): number {
  return signal === 'SIGTERM' ? 143 : 130;
}
