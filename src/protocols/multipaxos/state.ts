import type { StorageReader } from '../effects.js';
import type { Ballot } from '../paxos/ballot.js';
import type { KvStore } from './kv.js';
import type { Command, Slot } from './messages.js';

/** One slot's accepted proposal, as an acceptor stores it. */
export interface AcceptedValue {
  readonly ballot: Ballot;
  readonly command: Command;
}

/**
 * What a Multi-Paxos node keeps in stable storage, one record per key (see
 * `storageKeys`) or per slot of a slot log (`storageLogs`). Each is written on its own, so an accept or an apply costs
 * one record however long the log is.
 */
export type MultiPaxosRecord =
  /** Acceptor: the highest ballot promised (or accepted), for every slot at once. */
  | { readonly kind: 'promise'; readonly ballot: Ballot }
  /** The highest round this replica campaigned with, so a restarted replica never reuses a ballot. */
  | { readonly kind: 'round'; readonly round: number }
  /** Acceptor: what it accepted at `slot`. Pruned once every replica has applied the slot. */
  | { readonly kind: 'accepted'; readonly slot: Slot; readonly ballot: Ballot; readonly command: Command }
  /** The applied log: the chosen command of `slot`, applied in slot order. Pruned once every replica has applied it and a snapshot covers it. */
  | { readonly kind: 'applied'; readonly slot: Slot; readonly command: Command }
  /** The state machine (and client table) after applying every slot below `nextSlot`: recovery starts here. */
  | { readonly kind: 'snapshot'; readonly nextSlot: Slot; readonly store: KvStore }
  /** A client: the next request id, so ids are never reused. */
  | { readonly kind: 'client'; readonly nextRequestId: number };

/** Where each record lives: single records by key, per-slot records in slot logs (pruning removes single slots). */
export const storageKeys = {
  promise: 'promise',
  round: 'round',
  snapshot: 'snapshot',
  client: 'client',
} as const;

export const storageLogs = {
  accepted: 'accepted',
  applied: 'applied',
} as const;

/** A replica's durable state as the replay state table shows it: plain data, computed from its records. */
export interface ReplicaDurableView {
  readonly kind: 'replica';
  readonly promised: Ballot | null;
  readonly lastRound: number;
  /** Slots applied: the applied log's length. */
  readonly appliedSlots: number;
  /** The last (up to) two applied commands still stored, oldest first. */
  readonly lastApplied: readonly { readonly slot: Slot; readonly command: Command }[];
  /** Records of accepted slots still stored (pruned below what every replica applied). */
  readonly acceptedStored: number;
  /** The snapshot recovery starts from: the slot after it, or 0 without one. */
  readonly snapshotNextSlot: Slot;
}

export interface ClientDurableView {
  readonly kind: 'client';
  readonly nextRequestId: number;
}

export type MultiPaxosDurableView = ReplicaDurableView | ClientDurableView;

/** A client's next request id, as stored. */
export function storedNextRequestId(storage: StorageReader<MultiPaxosRecord>): number {
  const record = storage.read(storageKeys.client);
  return record?.kind === 'client' ? record.nextRequestId : 1;
}

/** Reads a replica's records once: O(records), for recovery and views. */
export function scanReplicaRecords(storage: StorageReader<MultiPaxosRecord>): {
  promised: Ballot | null;
  lastRound: number;
  snapshot: Extract<MultiPaxosRecord, { kind: 'snapshot' }> | null;
  applied: Map<Slot, Command>;
  acceptedCount: number;
  /** The lowest slot with an accepted or applied record (Infinity: none). */
  lowestRecordSlot: number;
  /** -1: none. */
  highestAcceptedSlot: number;
} {
  let promised: Ballot | null = null;
  let lastRound = 0;
  let snapshot: Extract<MultiPaxosRecord, { kind: 'snapshot' }> | null = null;
  const applied = new Map<Slot, Command>();
  let acceptedCount = 0;
  let lowestRecordSlot = Infinity;
  let highestAcceptedSlot = -1;
  for (const [, record] of storage.entries()) {
    switch (record.kind) {
      case 'promise':
        promised = record.ballot;
        break;
      case 'round':
        lastRound = record.round;
        break;
      case 'snapshot':
        snapshot = record;
        break;
      default:
        break;
    }
  }
  for (const [slot, record] of storage.slotEntries(storageLogs.applied)) {
    if (record.kind !== 'applied') continue;
    applied.set(slot, record.command);
    lowestRecordSlot = Math.min(lowestRecordSlot, slot);
  }
  for (const [slot, record] of storage.slotEntries(storageLogs.accepted)) {
    if (record.kind !== 'accepted') continue;
    acceptedCount += 1;
    lowestRecordSlot = Math.min(lowestRecordSlot, slot);
    highestAcceptedSlot = Math.max(highestAcceptedSlot, slot);
  }
  return { promised, lastRound, snapshot, applied, acceptedCount, lowestRecordSlot, highestAcceptedSlot };
}

/** The end of the applied log: the snapshot's next slot, extended by the applied records that follow it without a gap. */
export function appliedLogEnd(snapshotNextSlot: Slot, applied: ReadonlyMap<Slot, Command>): Slot {
  let end = snapshotNextSlot;
  while (applied.has(end)) end += 1;
  return end;
}

export function multiPaxosDurableView(storage: StorageReader<MultiPaxosRecord>, role: 'replica' | 'client'): MultiPaxosDurableView {
  if (role === 'client') return { kind: 'client', nextRequestId: storedNextRequestId(storage) };
  const { promised, lastRound, snapshot, applied, acceptedCount } = scanReplicaRecords(storage);
  const snapshotNextSlot = snapshot?.nextSlot ?? 0;
  const appliedSlots = appliedLogEnd(snapshotNextSlot, applied);
  const lastApplied = [appliedSlots - 2, appliedSlots - 1].filter((slot) => applied.has(slot)).map((slot) => ({ slot, command: applied.get(slot)! }));
  return { kind: 'replica', promised, lastRound, appliedSlots, lastApplied, acceptedStored: acceptedCount, snapshotNextSlot };
}
