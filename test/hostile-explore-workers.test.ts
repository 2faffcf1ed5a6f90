import { describe, expect, it } from 'vitest';
import { expectOneLine, runCli } from './helpers/cli.js';

/** Bad input: exit 2, one line on stderr naming the flag (no stack trace), nothing searched. */
async function expectBadInput(argv: string[], ...fragments: string[]): Promise<void> {
  const outcome = await runCli(argv);
  expect(outcome.code).toBe(2);
  const line = expectOneLine(outcome.stderr);
  for (const fragment of fragments) expect(line).toContain(fragment);
  expect(outcome.stdout).toBe('');
}

describe('hostile paxsim explore --workers', () => {
  it('zero, negative, fractional, text or too many workers', async () => {
    await expectBadInput(['explore', 'explore-paxos-3', '--workers', '0'], '--workers', '"0"');
    await expectBadInput(['explore', 'explore-paxos-3', '--workers', '-2'], '--workers');
    await expectBadInput(['explore', 'explore-paxos-3', '--workers', '1.5'], '--workers');
    await expectBadInput(['explore', 'explore-paxos-3', '--workers', 'two'], '--workers', '"two"');
    await expectBadInput(['explore', 'explore-paxos-3', '--workers', '100000'], '--workers');
  });

  it('depth-first on workers is refused, saying what to do instead', async () => {
    await expectBadInput(['explore', 'explore-paxos-3', '--workers', '2', '--strategy', 'dfs'], '--workers 2', 'breadth-first', '--strategy bfs');
  });

  it('one worker with depth-first is the single-threaded search, and fine', async () => {
    const outcome = await runCli(['explore', 'explore-paxos-3', '--workers', '1', '--strategy', 'dfs', '--depth', '3']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).not.toContain('workers ');
  });
});
