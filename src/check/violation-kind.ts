import type { Violation } from './checker.js';

/**
 * The kind of a violation: its checker and what shape of wrong it found
 * ("agreement/two-values-chosen" vs "agreement/learners-disagree"). The
 * shrinker keeps a failure's kind, not just its checker, so a shrunk scenario
 * tells the same story as the original. Values, nodes, ballots, slots and
 * times are left out: those are what shrinking is allowed to change.
 *
 * Checkers report a message, not a code, so the shape is read from the
 * message's fixed wording. A message no pattern knows (a new checker, or
 * wording changed without updating this table) gets the shape `other`: the
 * kind degrades to the checker alone, never to a wrong match.
 */
const SHAPES: Readonly<Record<string, readonly (readonly [shape: string, pattern: RegExp])[]>> = {
  agreement: [
    ['two-values-chosen', /^two values chosen/],
    ['learners-disagree', / learned .* but .* learned /],
  ],
  integrity: [
    ['learned-twice', / a second time /],
    ['changed-mind', / changed its mind/],
    ['learned-unchosen', /which no majority of acceptors accepted/],
  ],
  validity: [
    ['chose-unproposed', / was chosen but never proposed$/],
    ['learned-unproposed', /, which was never proposed$/],
  ],
  'acceptor-discipline': [
    ['accepted-below-promise', / accepted .* after promising /],
    ['promise-went-down', / promised ballot .* after promising /],
  ],
  'ballot-uniqueness': [['two-values-in-one-ballot', /: a ballot must carry one value$/]],
  liveness: [['missed-deadline', / had not learned a value by /]],
  'slot-agreement': [
    ['two-commands-chosen', / chosen in .* after .* was chosen in /],
    ['learned-unchosen', / learned .* at slot \d+, but .* was chosen there$/],
    ['learners-disagree', / learned another command there /],
  ],
  'log-consistency': [
    ['applied-out-of-order', / when its next slot was /],
    ['applied-unaccepted', /which no majority of replicas had accepted$/],
    ['applied-unchosen', / applied .* at slot \d+, but .* was chosen there$/],
    ['replicas-disagree', / applied another command there /],
  ],
  'exactly-once': [['applied-twice', / a second time, at slot /]],
  'client-liveness': [['operation-late', / (gave up on|still waits for) #/]],
};

/**
 * `ownShape`: the protocol's reading of its own checkers' messages (its
 * definition's `violationShape`: `no-exceptions` and a user's invariants);
 * the table above reads paxsim's built-in checkers'.
 */
export function violationKind(violation: Pick<Violation, 'checker' | 'message'>, ownShape?: (violation: Pick<Violation, 'checker' | 'message'>) => string | undefined): string {
  const own = ownShape?.(violation);
  if (own !== undefined) return `${violation.checker}/${own}`;
  const shapes = SHAPES[violation.checker] ?? [];
  const shape = shapes.find(([, pattern]) => pattern.test(violation.message))?.[0] ?? 'other';
  return `${violation.checker}/${shape}`;
}
