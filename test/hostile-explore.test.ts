import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const BASE = `name: pinned
nodes: [A, B, C]
roles: { proposers: [A] }
proposals: [{ at: 0, node: A, value: X }]
`;

function scenarioFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'paxsim-hostile-explore-')), 'pinned.yaml');
  writeFileSync(file, text);
  return file;
}

/** Bad input: exit 2, exactly one line on stderr naming the file and the field, no stack trace. */
async function expectBadInput(argv: string[], ...fragments: string[]): Promise<void> {
  const outcome = await runCli(argv);
  expect(outcome.code).toBe(2);
  const lines = outcome.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  for (const fragment of fragments) expect(lines[0]).toContain(fragment);
  expect(outcome.stderr).not.toMatch(/\n\s+at /);
}

describe('hostile schedules (paxsim run on a pinned schedule)', () => {
  it('a step that names two kinds', async () => {
    const file = scenarioFile(`${BASE}schedule: [{ request: A, crash: B }]\n`);
    await expectBadInput(['run', file], file, 'schedule[0]', 'exactly one kind');
  });

  it('a step that names nothing', async () => {
    const file = scenarioFile(`${BASE}schedule: [{}]\n`);
    await expectBadInput(['run', file], 'schedule[0]', 'names no step');
  });

  it('an unknown node', async () => {
    const file = scenarioFile(`${BASE}schedule: [{ crash: Z }]\n`);
    await expectBadInput(['run', file], 'schedule[0].crash', 'unknown node "Z"');
  });

  it('a message that is not in flight', async () => {
    const file = scenarioFile(`${BASE}schedule: [{ request: A }, { deliver: 99 }]\n`);
    await expectBadInput(['run', file], `${file}: schedule[1].deliver: no message 99 is in flight`);
  });

  it('a timer that is not armed, a restart of a node that is up, a second request', async () => {
    await expectBadInput(['run', scenarioFile(`${BASE}schedule: [{ fire: { node: A, timer: nope } }]\n`)], 'schedule[0].fire.timer', 'no armed timer "nope"');
    await expectBadInput(['run', scenarioFile(`${BASE}schedule: [{ restart: B }]\n`)], 'schedule[0].restart', 'B is up');
    await expectBadInput(['run', scenarioFile(`${BASE}schedule: [{ request: A }, { request: A }]\n`)], 'schedule[1].request', 'no request left');
    await expectBadInput(['run', scenarioFile(`${BASE}schedule: [{ crash: B }, { crash: B }]\n`)], 'schedule[1].crash', 'already down');
  });

  it('a message id that is not a positive integer', async () => {
    await expectBadInput(['run', scenarioFile(`${BASE}schedule: [{ deliver: -1 }]\n`)], 'schedule[0].deliver');
    await expectBadInput(['run', scenarioFile(`${BASE}schedule: [{ deliver: "1; rm -rf" }]\n`)], 'schedule[0].deliver');
  });

  it('a schedule beside faults', async () => {
    const file = scenarioFile(`${BASE}faults: [{ at: 5, crash: B }]\nschedule: [{ request: A }]\n`);
    await expectBadInput(['run', file], 'faults', 'schedule');
  });

  it('a Multi-Paxos client cannot be crashed', async () => {
    const file = scenarioFile(`name: pinned-mp
protocol: multipaxos
nodes: [A, B, C]
clients: [{ id: c1, ops: [{ get: x }] }]
schedule: [{ crash: c1 }]
`);
    await expectBadInput(['run', file], 'schedule[0].crash', 'c1 is a client');
  });

  it('an empty schedule replays to a quiet PASS', async () => {
    const outcome = await runCli(['run', scenarioFile(`${BASE}schedule: []\n`), '--json']);
    expect(outcome.code).toBe(0);
    expect(JSON.parse(outcome.stdout)).toMatchObject({ violations: [], endMs: 0 });
  });
});

describe('hostile explore flags and bounds', () => {
  it('rejects an unknown strategy, fault kind, or out-of-range bound, naming the flag', async () => {
    await expectBadInput(['explore', 'explore-paxos-3', '--strategy', 'random'], '--strategy');
    await expectBadInput(['explore', 'explore-paxos-3', '--faults', 'drop,partition'], '--faults', 'partition');
    await expectBadInput(['explore', 'explore-paxos-3', '--depth', '0'], '--depth');
    await expectBadInput(['explore', 'explore-paxos-3', '--max-drops', '-1'], '--max-drops');
    await expectBadInput(['explore', 'explore-paxos-3', '--max-states', '1e99'], '--max-states');
    await expectBadInput(['explore', 'explore-paxos-3', '--bug', 'no-dedup'], '--bug');
  });

  it('rejects explore bounds out of range in a scenario file', async () => {
    const file = scenarioFile(`${BASE}explore: { maxDrops: 1000 }\n`);
    await expectBadInput(['explore', file], 'explore.maxDrops', 'at most 100');
  });

  it('a bound that cuts the search is never called verified', async () => {
    const outcome = await runCli(['explore', 'explore-paxos-3', '--max-states', '50', '--json']);
    const report = JSON.parse(outcome.stdout) as { exhausted: boolean; cutBy: string[] };
    expect(report.exhausted).toBe(false);
    expect(report.cutBy).toContain('states');
    const text = await runCli(['explore', 'explore-paxos-3', '--max-states', '50']);
    expect(text.stdout).toMatch(/no violation; stopped after ≥ 50 states \([0-9]+ distinct states; not exhausted\)/);
    expect(text.stdout).not.toMatch(/verified|exhausted:/);
  });
});
