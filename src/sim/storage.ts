import type { DurableStorage } from '../protocols/effects.js';
import { assert } from '../util/assert.js';

/** A change made since the last sync, and what its place held before it (undefined: nothing). */
type UnsyncedChange<StoredRecord> =
  | { readonly log: null; readonly key: string; readonly previous: StoredRecord | undefined }
  | { readonly log: string; readonly slot: number; readonly previous: StoredRecord | undefined };

/**
 * One node's simulated disk: records by key and slot logs (records by integer
 * slot), outliving the node's incarnations. Every write and removal costs O(1).
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
  /** Slot logs by name, created at the first slot write (most protocols keep none, and a run builds a disk per node). */
  private logs: Map<string, Map<number, StoredRecord>> | null = null;
  private unsynced: UnsyncedChange<StoredRecord>[] = [];
  /** Changes made so far (writes and removals), numbering each. */
  private writeSequence = 0;
  /** The write sequence at the last sync: everything up to it is durable under any fault. */
  private syncedSequence = 0;
  private slotRecords = 0;

  constructor(private readonly journalUnsynced = false) {}

  /** An independent copy of what is stored (synced, no journal): the explorer steps from copies of a state's disks. */
  copy(): SimulatedStorage<StoredRecord> {
    const copy = new SimulatedStorage<StoredRecord>(this.journalUnsynced);
    for (const [key, record] of this.records) copy.records.set(key, record);
    if (this.logs !== null) copy.logs = new Map([...this.logs].map(([name, log]) => [name, new Map(log)]));
    copy.slotRecords = this.slotRecords;
    return copy;
  }

  read(key: string): StoredRecord | undefined {
    return this.records.get(key);
  }

  readSlot(log: string, slot: number): StoredRecord | undefined {
    return this.logs?.get(log)?.get(slot);
  }

  entries(): IterableIterator<[string, StoredRecord]> {
    return this.records.entries();
  }

  slotEntries(log: string): IterableIterator<[number, StoredRecord]> {
    return (this.logs?.get(log) ?? new Map<number, StoredRecord>()).entries();
  }

  get size(): number {
    return this.records.size + this.slotRecords;
  }

  write(key: string, record: StoredRecord): void {
    if (this.journalUnsynced) this.unsynced.push({ log: null, key, previous: this.records.get(key) });
    this.records.set(key, record);
    this.writeSequence += 1;
  }

  remove(key: string): void {
    const previous = this.records.get(key);
    if (previous === undefined) return;
    if (this.journalUnsynced) this.unsynced.push({ log: null, key, previous });
    this.records.delete(key);
    this.writeSequence += 1;
  }

  writeSlot(log: string, slot: number, record: StoredRecord): void {
    this.logs ??= new Map();
    let records = this.logs.get(log);
    if (records === undefined) {
      records = new Map();
      this.logs.set(log, records);
    }
    const previous = records.get(slot);
    if (this.journalUnsynced) this.unsynced.push({ log, slot, previous });
    if (previous === undefined) this.slotRecords += 1;
    records.set(slot, record);
    this.writeSequence += 1;
  }

  removeSlot(log: string, slot: number): void {
    const records = this.logs?.get(log);
    const previous = records?.get(slot);
    if (previous === undefined) return;
    if (this.journalUnsynced) this.unsynced.push({ log, slot, previous });
    records!.delete(slot);
    this.slotRecords -= 1;
    this.writeSequence += 1;
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
      const change = this.unsynced[index]!;
      if (change.log === null) this.restore(this.records, change.key, change.previous);
      else this.restoreSlot(change.log, change.slot, change.previous);
    }
    this.unsynced = [];
    this.writeSequence = this.syncedSequence;
  }

  private restore(records: Map<string, StoredRecord>, key: string, previous: StoredRecord | undefined): void {
    if (previous === undefined) records.delete(key);
    else records.set(key, previous);
  }

  private restoreSlot(log: string, slot: number, previous: StoredRecord | undefined): void {
    const records = this.logs!.get(log)!;
    const had = records.has(slot);
    if (previous === undefined) records.delete(slot);
    else records.set(slot, previous);
    this.slotRecords += (previous === undefined ? 0 : 1) - (had ? 1 : 0);
  }
}
