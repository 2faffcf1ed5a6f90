import { describe, expect, it } from 'vitest';
import { checkTrace } from '../src/check/check-trace.js';
import { multiPaxosDefinition } from '../src/run/builtin-protocols.js';
import { defineProtocol } from '../src/run/protocol-definition.js';
import { registerProtocol } from '../src/run/registry.js';
import { resolveTypeWords } from '../src/trace/filter.js';
import { viewOf } from '../src/trace/html.js';
import { readTrace } from '../src/trace/read-trace.js';
import { traceFormatOf } from '../src/trace/trace-format.js';

/**
 * The trace readers, `paxsim check` and `--type` ask a protocol's definition
 * for its trace format (trace/trace-format.ts), not its name: a new built-in
 * whose traces read like Multi-Paxos's is one definition and one registry line.
 */

// A stand-in for a new built-in: Multi-Paxos's driver under another name, declaring Multi-Paxos's trace format.
const twin = defineProtocol({ name: 'multipaxos-twin', scenario: multiPaxosDefinition.scenarioShape, traceFormat: 'multipaxos', setup: (cluster) => multiPaxosDefinition.setup(cluster) });
registerProtocol(twin, '/nowhere/twin.js');

const TWIN_TRACE = [
  { type: 'meta', nodes: ['A', 'B', 'C'], protocol: 'multipaxos-twin', clients: ['c1'] },
  { t: 0, type: 'invoke', node: 'c1', client: 'c1', requestId: 1, op: { kind: 'put', key: 'x', value: '1' } },
  { t: 1, type: 'accept', node: 'A', slot: 0, ballot: [1, 'A'], command: { client: 'c1', requestId: 1, op: { kind: 'put', key: 'x', value: '1' } } },
  { t: 2, type: 'accept', node: 'B', slot: 0, ballot: [1, 'A'], command: { client: 'c1', requestId: 1, op: { kind: 'put', key: 'x', value: '1' } } },
  { t: 3, type: 'apply', node: 'A', slot: 0, command: { client: 'c1', requestId: 1, op: { kind: 'put', key: 'x', value: '1' } }, result: 'ok' },
  { t: 4, type: 'complete', node: 'c1', client: 'c1', requestId: 1, op: { kind: 'put', key: 'x', value: '1' }, result: 'ok' },
]
  .map((line) => JSON.stringify(line))
  .join('\n');

describe('trace formats come from the definitions', () => {
  it('each built-in names its format; an unknown or missing protocol reads as single-decree Paxos', () => {
    expect(['paxos', 'multipaxos', 'raft', 'cheap-paxos'].map(traceFormatOf)).toEqual(['paxos', 'multipaxos', 'raft', 'cheap-paxos']);
    expect(traceFormatOf(undefined)).toBe('paxos');
    expect(traceFormatOf('')).toBe('paxos');
    expect(traceFormatOf('gossip')).toBe('paxos');
    expect(traceFormatOf('__proto__')).toBe('paxos');
  });

  it('a trace of a protocol registered with the Multi-Paxos format reads, checks and filters as Multi-Paxos', () => {
    expect(traceFormatOf('multipaxos-twin')).toBe('multipaxos');
    const read = readTrace(TWIN_TRACE, 'twin.jsonl');
    if (!read.ok) throw new Error(read.errors.join('\n'));
    expect(read.protocol).toBe('multipaxos');
    expect(read.meta.clients).toEqual(['c1']);
    const result = checkTrace(read.meta, read.events);
    expect(result.protocol).toBe('multipaxos');
    expect(result.multipaxos?.operations).toBe(1);
    expect(result.violations).toEqual([]);
    expect(resolveTypeWords(['heartbeat', 'apply'], 'multipaxos-twin', '--type')).toEqual({ ok: true, eventTypes: ['apply'], messageTypes: ['heartbeat'] });
    // The HTML page draws it with the multi-slot view, not the generic one a user's protocol gets.
    expect(viewOf('multipaxos-twin')).toBe('multi-slot');
  });

  it('Cheap Paxos\'s format adds its configuration events and discard message to Multi-Paxos\'s', () => {
    expect(resolveTypeWords(['config', 'discard'], 'cheap-paxos', '--type')).toEqual({ ok: true, eventTypes: ['config', 'discard'], messageTypes: ['discard'] });
    expect(resolveTypeWords(['discard'], 'multipaxos', '--type').ok).toBe(false);
  });
});
