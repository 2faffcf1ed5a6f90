import type { NoopCommand, MultiPaxosMessage, MultiPaxosObservation, Slot, Command } from '../multipaxos/messages.js';
import type { Configuration } from './config.js';

/**
 * A reconfiguration: chosen in the log like any command, a no-op for the
 * key-value machine, and the configuration of every slot from α after it.
 */
export interface ReconfigCommand extends NoopCommand {
  readonly configuration: Configuration;
}

export function isReconfig(command: Command): command is ReconfigCommand {
  return 'configuration' in command;
}

/** Leader → auxiliary: every slot below `uptoSlot` is chosen and applied by every main; drop what you accepted there. */
export interface DiscardMessage {
  readonly type: 'discard';
  readonly uptoSlot: Slot;
}

export type CheapPaxosMessage = MultiPaxosMessage | DiscardMessage;

export type CheapPaxosObservation =
  | MultiPaxosObservation
  /** A replica applied the reconfiguration chosen at `slot`. */
  | { readonly type: 'config'; readonly slot: Slot; readonly main: readonly string[]; readonly auxiliary: readonly string[] }
  /** An auxiliary dropped every accepted value below `uptoSlot`. */
  | { readonly type: 'discard'; readonly uptoSlot: Slot };
