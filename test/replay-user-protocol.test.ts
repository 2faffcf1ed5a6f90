import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { useTempDir } from './helpers/temp-dir.js';

/**
 * replay and diff for a user protocol (issue 10): its messages and
 * observations are its own vocabulary (`rumor`, `heard`, an `accept` that is
 * not Paxos's), shown as they are, filtered by its own types, and its state
 * tables come from its definition's views. The fixture imports 'paxsim': this
 * package's build (npm test builds first).
 */

const ROOT = join(import.meta.dirname, '..');
const RUMOR = join(import.meta.dirname, 'fixtures', 'protocols', 'rumor.js');
const REGISTER = join(ROOT, 'examples', 'register', 'scenarios', 'register.yaml');

const temp = useTempDir('paxsim-replay-user-');

function rumorScenario(): string {
  return temp.write('rumor.yaml', `name: rumor\nprotocol: ${RUMOR}\nnodes: [A, B, C]\nproposals:\n  - { at: 0, node: A, value: X }\n`);
}

describe('replay of a user protocol', () => {
  it("shows its own messages and observations as they are (it crashed formatting them as Paxos's before)", async () => {
    const outcome = await runCli(['replay', rumorScenario(), '--sends']);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('      0  A→B       send rumor {"value":"X"}  #1\n');
    expect(outcome.stdout).toContain('      7  A→B       rumor {"value":"X"}  #1\n');
    expect(outcome.stdout).toContain('      7  B         ● heard {"from":"A","value":"X"}\n');
    expect(outcome.stdout).toContain('      7  B         ● accept {"slot":1}\n');
    expect(outcome.stdout).toContain('      7  B→A       send ack  #3\n');
  });

  it('--type takes its own event and message types', async () => {
    const outcome = await runCli(['replay', rumorScenario(), '--type', 'heard,ack']);
    expect(outcome.stderr).toBe('');
    const timeline = outcome.stdout.split('\n\n')[0]!.split('\n');
    expect(timeline).toEqual([
      '      7  B         ● heard {"from":"A","value":"X"}',
      '     10  C         ● heard {"from":"A","value":"X"}',
      '     13  B→A       ack  #3',
      '     15  C→A       ack  #4',
    ]);
  });

  it('an unknown --type names the run whose types it knows, with a guess: exit 2, one line', async () => {
    const outcome = await runCli(['replay', rumorScenario(), '--type', 'rumour']);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toBe(
      '--type: no event or message of type "rumour" in this run of rumor (seed 1) (did you mean "rumor"?); known: accept, ack, burst, chosen, crash, cut, deliver, drift, drop, duplicate, heal, heard, partition, pause, request-lost, restart, resume, rumor, send, timer, violation\n',
    );
  });

  it("--state-at shows the definition's durable view and volatile state", async () => {
    const outcome = await runCli(['replay', rumorScenario(), '--state-at', '8', '--type', 'crash']);
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toMatch(/node\s+status\s+durable\s+volatile\nA\s+up\s+\{"heard":"X"\}\s+\{"heard":"X"\}\nB\s+up\s+\{"heard":"X"\}\s+\{"heard":"X"\}\nC\s+up\s+\{"heard":null\}\s+\{"heard":null\}\n/);
  });

  it("keeps the single-decree lines for observations of that shape; the protocol's messages are its own", async () => {
    const outcome = await runCli(['replay', REGISTER, '--type', 'promised', '--to', '0']);
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toContain('      0  A         ● promised (1,A)\n');
    expect(outcome.stdout).toContain('      0  A→A       promised {"ballot":[1,"A"],"accepted":null}  #4\n');
  });
});

describe('--shiviz of a user protocol', () => {
  it('describes its messages as they are, and its own observations as local events', async () => {
    const log = join(temp.path, 'rumor.shiviz');
    const outcome = await runCli(['run', rumorScenario(), '--shiviz', log]);
    expect(outcome.stderr).toBe('');
    const text = readFileSync(log, 'utf8');
    expect(text).toContain('\nA {"A":1}\nt=0 send rumor {"value":"X"} to B #1\n');
    expect(text).toContain('\nB {"A":1,"B":1}\nt=7 receive rumor {"value":"X"} from A #1\nB {"A":1,"B":2}\nt=7 heard {"from":"A","value":"X"}\n');
  });
});

describe('diff of a user protocol', () => {
  it('shows where two seeds diverge in its own vocabulary (an internal error before)', async () => {
    const outcome = await runCli(['diff', rumorScenario(), '--seeds', '1,2']);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toContain('first divergence at event #2 (trace line 4):\n  left   7  A→B       rumor {"value":"X"}  #1\n  right  6  A→C       rumor {"value":"X"}  #2\n');
  });
});
