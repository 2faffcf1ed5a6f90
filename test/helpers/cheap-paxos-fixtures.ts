/**
 * Cheap Paxos with two mains and one auxiliary, expecting no message to reach
 * the auxiliary: B's crash at 0 makes A ask C, so every run fails
 * auxiliaries-idle (explore's schedule for it is 3 steps). `explore` is the
 * scenario's `explore:` value, if any; `expectMore` is appended inside
 * `expect: {…}`.
 */
export function auxiliaryIdleYaml(name: string, options: { readonly explore?: string; readonly expectMore?: string } = {}): string {
  return [
    `name: ${name}`,
    'protocol: cheap-paxos',
    'nodes: [A, B, C]',
    'roles: { main: [A, B], auxiliary: [C] }',
    'cheapPaxos: { alpha: 1 }',
    'clients:',
    '  - { id: c1, ops: [{ put: { key: x, value: "1" } }] }',
    'faults:',
    '  - { at: 0, crash: B }',
    'until: 3000',
    ...(options.explore === undefined ? [] : [`explore: ${options.explore}`]),
    `expect: { safety: hold, auxiliaries: { maxMessages: 0 }${options.expectMore ?? ''} }`,
    '',
  ].join('\n');
}
