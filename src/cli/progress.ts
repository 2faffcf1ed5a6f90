import type { FuzzProgress } from '../run/fuzz.js';
import type { CliIo } from './io.js';

const PLAIN_INTERVAL_MS = 5000;

/**
 * The fuzz progress display, the one place (with the time limit) that reads
 * the wall clock: a live line on a terminal, a plain line every few seconds
 * in CI logs.
 */
export class ProgressDisplay {
  private readonly startMs = performance.now();
  private lastPlainMs = this.startMs;
  private shown = false;

  constructor(
    private readonly io: CliIo,
    private readonly enabled: boolean,
  ) {}

  elapsedMs(): number {
    return performance.now() - this.startMs;
  }

  update(progress: FuzzProgress): void {
    if (!this.enabled) return;
    const nowMs = performance.now();
    if (this.io.isTTY) {
      this.io.stderr(`\r\x1b[K${this.describe(progress, nowMs)}`);
      this.shown = true;
    } else if (nowMs - this.lastPlainMs >= PLAIN_INTERVAL_MS) {
      this.lastPlainMs = nowMs;
      this.io.stderr(`${this.describe(progress, nowMs)}\n`);
    }
  }

  finish(): void {
    if (this.shown) this.io.stderr('\r\x1b[K');
  }

  private describe(progress: FuzzProgress, nowMs: number): string {
    const seconds = Math.max(0.001, (nowMs - this.startMs) / 1000);
    const rate = progress.seedsRun / seconds;
    const planned = progress.seedsPlanned === null ? '' : `/${progress.seedsPlanned}`;
    const remaining = progress.seedsPlanned === null ? null : (progress.seedsPlanned - progress.seedsRun) / Math.max(rate, 1e-9);
    const eta = remaining === null ? '' : `  ETA ${formatSeconds(remaining)}`;
    return `fuzz: ${progress.seedsRun}${planned} seeds  ${Math.round(rate)} seeds/s  ${progress.failures} failing${eta}`;
  }
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}
