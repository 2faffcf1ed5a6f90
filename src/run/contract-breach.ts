/**
 * Thrown by paxsim's own code, inside a call into a user protocol, when the
 * protocol broke the API's contract (a hook returned something it may not, a
 * value is not plain data). The fence turns it into a one-line
 * `ProtocolError` naming the node and handler (exit 2), where any other throw
 * is a finding of the run (the `no-exceptions` checker).
 */
export class ContractBreach extends Error {
  override name = 'ContractBreach';
}
