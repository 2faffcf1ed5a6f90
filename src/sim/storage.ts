import type { DurableStorage } from '../protocols/effects.js';
import { assert } from '../util/assert.js';

/** A write or removal made since the last sync, and what the key held before it. */
interface UnsyncedChange<StoredRecord> {
  readonly key: string;
  /** undefined: the key held nothing. */
  readonly previous: StoredRecord | undefined;
}

/**
 * One node's simulated disk: a map of records that outlives the node's
 * incarnations. Every write and removal costs O(1).
 *
 * Storage faults hook: every change gets a write sequence number, and with
 * `journalUnsynced` the changes since the last `sync` are kept in an undo
 * journal (cleared at each sync, so it stays as short as the protocol's
 * stretch between barriers). Today a crash keeps every write (`crash` syncs)
 * and nothing turns the journal on, so it costs nothing; a future fault turns
 * it on and calls `discardUnsynced` at the crash instead, to model writes that
 * never reached the disk (or undoes only a suffix of the journal, for a torn
 * write).
 */
export class SimulatedStorage<StoredRecord> implements DurableStorage<StoredRecord> {
  private readonly records = new Map<string, StoredRecord>();
  private unsynced: UnsyncedChange<StoredRecord>[] = [];
  /** Changes made so far (writes and removals), numbering each. */
  private writeSequence = 0;
  /** The write sequence at the last sync: everything up to it is durable under any fault. */
  private syncedSequence = 0;

  constructor(private readonly journalUnsynced = false) {}

  read(key: string): StoredRecord | undefined {
    return this.records.get(key);
  }

  entries(): IterableIterator<[string, StoredRecord]> {
    return this.records.entries();
  }

  get size(): number {
    return this.records.size;
  }

  write(key: string, record: StoredRecord): void {
    if (this.journalUnsynced) this.unsynced.push({ key, previous: this.records.get(key) });
    this.records.set(key, record);
    this.writeSequence += 1;
  }

  remove(key: string): void {
    if (this.journalUnsynced) {
      const previous = this.records.get(key);
      if (previous === undefined) return;
      this.unsynced.push({ key, previous });
    }
    if (this.records.delete(key)) this.writeSequence += 1;
  }

  sync(): void {
    if (this.unsynced.length > 0) this.unsynced = [];
    this.syncedSequence = this.writeSequence;
  }

  /** Changes not yet behind a sync barrier. */
  get unsyncedChanges(): number {
    return this.writeSequence - this.syncedSequence;
  }

  /** The node crashed. Today's semantics: everything written before the crash survives. */
  crash(): void {
    this.sync();
  }

  /** The storage fault hook: undo every change since the last sync, newest first (as if never written). Needs `journalUnsynced`. */
  discardUnsynced(): void {
    assert(this.journalUnsynced, 'discardUnsynced needs a storage that journals unsynced changes');
    for (let index = this.unsynced.length - 1; index >= 0; index--) {
      const { key, previous } = this.unsynced[index]!;
      if (previous === undefined) this.records.delete(key);
      else this.records.set(key, previous);
    }
    this.unsynced = [];
    this.writeSequence = this.syncedSequence;
  }
}
