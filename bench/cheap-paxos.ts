/**
 * Cheap Paxos against Multi-Paxos with 2f+1 acceptors: messages per command.
 * Counts come from the simulator's traffic tally (every send, by message
 * type), so they are exact and deterministic: no wall clock involved.
 */
import type { CheapPaxosSummary } from '../src/check/cheap-paxos-checks.js';
import type { MultiPaxosSummary } from '../src/check/multipaxos-checks.js';
import { runScenario } from '../src/run/runner.js';
import type { Scenario } from '../src/scenario/scenario.js';

export interface MessageRow {
  readonly workload: string;
  readonly runsPassed: number;
  readonly runs: number;
  readonly commands: number;
  /** Every message sent, clients' included. */
  readonly messages: number;
  /** Between replicas only (no request, reply, redirect). */
  readonly replicaMessages: number;
  readonly auxiliaryMessages: number | null;
}

const CLIENT_MESSAGE_TYPES = new Set(['request', 'reply', 'redirect']);

/** Seeds 1…`seeds` of `scenario`, pooled. Commands: client operations completed. */
export function measureMessages(scenario: Scenario, seeds: number, label = scenario.name): MessageRow {
  let passed = 0;
  let commands = 0;
  let messages = 0;
  let replicaMessages = 0;
  let auxiliaryMessages: number | null = null;
  for (let seed = 1; seed <= seeds; seed++) {
    const result = runScenario(scenario, { seed, hash: false });
    if (result.expectation.met) passed += 1;
    const summary = result.multipaxos as MultiPaxosSummary | CheapPaxosSummary | null;
    commands += summary?.completed ?? 0;
    for (const [type, count] of Object.entries(result.outcome.traffic.sentByType)) {
      messages += count;
      if (!CLIENT_MESSAGE_TYPES.has(type)) replicaMessages += count;
    }
    if (summary !== null && 'auxiliaryMessages' in summary) auxiliaryMessages = (auxiliaryMessages ?? 0) + summary.auxiliaryMessages;
  }
  return { workload: label, runsPassed: passed, runs: seeds, commands, messages, replicaMessages, auxiliaryMessages };
}

export function messagesSection(rows: readonly MessageRow[]): string[] {
  const perCommand = (count: number, commands: number) => (commands === 0 ? '-' : (count / commands).toFixed(2));
  const base = rows[0];
  return [
    '',
    '## (j) Cheap Paxos vs Multi-Paxos: messages per command (seeds 1–10 per row, pooled)',
    '',
    'Five nodes, three closed-loop clients, same network. Multi-Paxos sends Phase 2, commits and heartbeats to all 2f+1 = 5 replicas; Cheap Paxos to its f+1 = 3 mains only. Counts are every send (exact, deterministic); commands are client operations completed.',
    '',
    '| workload | runs passed | commands | messages | per command | replica↔replica | per command | vs first row | to auxiliaries |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => {
      const ratio = base === undefined || base.replicaMessages === 0 ? '-' : `${((row.replicaMessages / Math.max(1, row.commands)) / (base.replicaMessages / Math.max(1, base.commands))).toFixed(2)}×`;
      return `| ${row.workload} | ${row.runsPassed}/${row.runs} | ${row.commands.toLocaleString('en-US')} | ${row.messages.toLocaleString('en-US')} | ${perCommand(row.messages, row.commands)} | ${row.replicaMessages.toLocaleString('en-US')} | ${perCommand(row.replicaMessages, row.commands)} | ${ratio} | ${row.auxiliaryMessages ?? '-'} |`;
    }),
  ];
}
