import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXCEPTION_EVENT, fatalEventText, isFatalEvent, type AnyTraceEvent } from '../src/sim/events.js';
import { NO_EXCEPTIONS } from '../src/run/determinism-guard.js';
import { PLAIN, timelineLine } from '../src/trace/timeline.js';
import { runCli } from './helpers/cli.js';

/**
 * One notion of a fatal event (sim/events.ts): the runner stops at it, the
 * `no-exceptions` checker reports it and the timeline prints it, all from the
 * same table, not from a checker's name or a type compared in each place.
 */

const thrown = { t: 7, type: EXCEPTION_EVENT, node: 'B', handler: 'onMessage', error: 'Error: boom\u0007' } as unknown as AnyTraceEvent;

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('fatal events', () => {
  it('the exception event is fatal; other types are not, whatever they are called (no prototype keys)', () => {
    expect(isFatalEvent(thrown)).toBe(true);
    expect(fatalEventText(thrown)).toBe('threw in onMessage: Error: boom\u0007');
    for (const type of ['violation', 'crash', 'constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(isFatalEvent({ type })).toBe(false);
      expect(fatalEventText({ type })).toBeNull();
    }
  });

  it('the no-exceptions checker and the timeline say the same thing about it', () => {
    expect(NO_EXCEPTIONS.monitor({} as never)(thrown)).toBe('B threw in onMessage: Error: boom\u0007');
    const line = timelineLine(thrown, PLAIN, { ownVocabulary: true });
    expect(line).toContain('B');
    expect(line).toContain('✗ threw in onMessage: Error: boom\\x07');
  });

  it('a run stops at a fatal event even when no checker reports it (a low-level definition with no checker)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paxsim-fatal-'));
    scratch.push(dir);
    const scenario = join(dir, 'scenario.yaml');
    const trace = join(dir, 'trace.jsonl');
    writeFileSync(scenario, `name: fatal\nprotocol: ${join(import.meta.dirname, 'fixtures', 'protocols', 'fatal-setup.mjs')}\nnodes: [A, B, C]\nuntil: 200\n`);
    const outcome = await runCli(['run', scenario, '--trace', trace]);
    expect(outcome.stderr).toBe('');
    const lines = readFileSync(trace, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; t: number; node?: string });
    const fatalAt = lines.findIndex((line) => line.type === EXCEPTION_EVENT);
    expect(lines[fatalAt]).toMatchObject({ t: 25, node: 'B', handler: 'onTimer' });
    // Ticks came before it (t=10, 20), none after: the run ended at the fatal event, not at t=200.
    expect(lines.filter((line) => line.type === 'tick').length).toBeGreaterThan(0);
    expect(lines.slice(fatalAt + 1).filter((line) => line.type === 'tick')).toEqual([]);
  });
});
