import type { FuzzProgress } from '../run/fuzz.js';
import type { CliIo } from './io.js';

const PLAIN_INTERVAL_MS = 5000;

/**
 * The fuzz progress display, the one place (with the time limit) that reads
 * the wall clock: a live line on a terminal, a plain line every few seconds
 * in CI logs.
 */
export class ProgressDisplay {
  private readonly startMs: number;
  private lastPlainMs: number;
  private shown = false;

  constructor(
    private readonly io: CliIo,
    private readonly enabled: boolean,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.startMs = nowMs();
    this.lastPlainMs = this.startMs;
  }

  elapsedMs(): number {
    return this.nowMs() - this.startMs;
  }

  update(progress: FuzzProgress): void {
    if (!this.enabled) return;
    const nowMs = this.nowMs();
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
    // No seed done yet, no rate to extrapolate from: an ETA would be a division by zero.
    const remaining = progress.seedsPlanned === null || progress.seedsRun === 0 ? null : (progress.seedsPlanned - progress.seedsRun) / rate;
    const eta = progress.seedsPlanned === null ? '' : `  ETA ${remaining === null ? '…' : formatSeconds(remaining)}`;
    return `fuzz: ${progress.seedsRun}${planned} seeds  ${Math.round(rate)} seeds/s  ${progress.failures} failing${eta}`;
  }
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '…';
  if (seconds < 59.5) return `${seconds.toFixed(seconds < 9.95 ? 1 : 0)}s`;
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (minutes < 60) return `${minutes}m${pad(whole % 60)}s`;
  return `${Math.floor(minutes / 60)}h${pad(minutes % 60)}m`;
}
