import { copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { useTempDir } from './helpers/temp-dir.js';

/**
 * Failure files of a user protocol name its module portably (issue 10): a
 * path relative to the failure file, or an installed package by its name, so
 * a fuzz-failures directory moved with its project (or uploaded as a CI
 * artifact) still replays. The example imports 'paxsim': each project links
 * this package (npm test builds it first).
 */

const ROOT = join(import.meta.dirname, '..');
const EXAMPLE = join(ROOT, 'examples', 'register');
const BIN = join(ROOT, 'dist', 'cli', 'main.js');

const temp = useTempDir('paxsim-failure-files-');

/** A project holding the example register (as a file, or as an installed package) and its nemesis scenario. */
function project(name: string, protocol: 'file' | 'package'): string {
  const dir = join(temp.path, name);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'paxsim'), 'dir');
  mkdirSync(join(dir, 'scenarios'));
  let reference = '../register.mjs';
  if (protocol === 'file') copyFileSync(join(EXAMPLE, 'register.mjs'), join(dir, 'register.mjs'));
  else {
    const installed = join(dir, 'node_modules', 'my-register');
    mkdirSync(installed);
    // Another name: one process registers each protocol name once (the file variant took `register`).
    writeFileSync(join(installed, 'register.mjs'), readFileSync(join(EXAMPLE, 'register.mjs'), 'utf8').replace("name: 'register'", "name: 'my-register'"));
    writeFileSync(join(installed, 'package.json'), JSON.stringify({ name: 'my-register', type: 'module', main: 'register.mjs' }));
    reference = 'my-register';
  }
  const nemesis = readFileSync(join(EXAMPLE, 'scenarios', 'register-nemesis.yaml'), 'utf8').replace('protocol: ../register.mjs', `protocol: ${reference}`);
  writeFileSync(join(dir, 'scenarios', 'register-nemesis.yaml'), nemesis);
  return dir;
}

interface Verdict {
  protocol: string;
  bug: string | null;
  violations: { checker: string; message: string; t: number; event: number }[];
}

/** Fuzzes the project's buggy register into `fuzz-failures/`, then runs each written scenario: their verdicts by file name. */
async function fuzzAndReplay(dir: string): Promise<{ files: Record<string, string>; verdicts: Record<string, Verdict> }> {
  const out = join(dir, 'fuzz-failures');
  const fuzz = await runCli(['fuzz', join(dir, 'scenarios', 'register-nemesis.yaml'), '--bug', 'stale-read', '--seeds', '200', '--workers', '0', '--no-progress', '--out', out]);
  expect(fuzz.code).toBe(1);
  const names = readdirSync(out).filter((file) => file.endsWith('.yaml'));
  expect(names).toHaveLength(2); // the failure and its shrunk form
  const files = Object.fromEntries(names.map((file) => [file, readFileSync(join(out, file), 'utf8')]));
  const verdicts: Record<string, Verdict> = {};
  for (const file of names) verdicts[file] = JSON.parse((await runCli(['run', join(out, file), '--json'])).stdout) as Verdict;
  return { files, verdicts };
}

/** Moves the project, then runs each failure file in a new process (as on another machine: nothing loaded yet) from elsewhere. */
function replayMoved(from: string, to: string, names: readonly string[]): Record<string, Verdict> {
  renameSync(from, to);
  const verdicts: Record<string, Verdict> = {};
  for (const file of names) {
    const outcome = spawnSync(process.execPath, [BIN, 'run', join(to, 'fuzz-failures', file), '--json'], { cwd: temp.path, encoding: 'utf8' });
    expect(outcome.stderr).toBe('');
    verdicts[file] = JSON.parse(outcome.stdout) as Verdict;
  }
  return verdicts;
}

describe('failure files of a user protocol', () => {
  it('name a module file relative to themselves (an absolute path before), and replay the same violation after the project moved', async () => {
    const dir = project('by-file', 'file');
    const { files, verdicts } = await fuzzAndReplay(dir);
    for (const text of Object.values(files)) {
      expect(text).toMatch(/\nprotocol: \.\.\/register\.mjs\n/);
      expect(text.split('\n').filter((line) => !line.startsWith('#'))).not.toContain(expect.stringContaining(dir));
    }
    for (const verdict of Object.values(verdicts)) {
      expect(verdict).toMatchObject({ protocol: 'register', bug: 'stale-read' });
      expect(verdict.violations.some((violation) => violation.checker === 'agreement')).toBe(true);
    }
    const moved = replayMoved(dir, join(temp.path, 'by-file-moved'), Object.keys(files));
    expect(moved).toEqual(verdicts);
  });

  it('name an installed protocol package by its name, and replay from the moved project', async () => {
    const dir = project('by-package', 'package');
    const { files, verdicts } = await fuzzAndReplay(dir);
    for (const text of Object.values(files)) expect(text).toMatch(/\nprotocol: my-register\n/);
    expect(Object.values(verdicts).map((verdict) => verdict.protocol)).toEqual(['my-register', 'my-register']);
    const moved = replayMoved(dir, join(temp.path, 'by-package-moved'), Object.keys(files));
    expect(moved).toEqual(verdicts);
  });
});
