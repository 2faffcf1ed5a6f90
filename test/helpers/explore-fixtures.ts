/** Small explore configurations the explorer's speed and worker tests share. */

/** One proposer, no timers: exhausted in a few thousand states (its last level all terminal states without faults). */
export const SMALL_EXPLORE = `
name: explore-small
nodes: [A, B, C]
roles: { proposers: [A] }
proposals: [{ at: 0, node: A, value: X }]
expect: { safety: hold }
`;

/** Two proposers and three plain acceptors (C, D, E interchangeable under --symmetry). */
export const SYMMETRIC_EXPLORE = `
name: explore-symmetric
nodes: [A, B, C, D, E]
roles: { proposers: [A, B] }
proposals: [{ at: 0, node: A, value: X }, { at: 0, node: B, value: Y }]
expect: { safety: hold }
`;
