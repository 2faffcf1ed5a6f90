/**
 * A broken invariant inside paxsim is a bug in paxsim, never a result: it
 * crashes loudly with a message (the CLI maps it to exit code 3).
 */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) {
    throw new InvariantError(typeof message === 'string' ? message : message());
  }
}

/**
 * For hot paths: `if (!condition) fail(message)` builds the message (and
 * allocates nothing) only when the invariant is already broken.
 */
export function fail(message: string): never {
  throw new InvariantError(message);
}

export function unreachable(value: never, context: string): never {
  throw new InvariantError(`${context}: unexpected ${JSON.stringify(value)}`);
}
