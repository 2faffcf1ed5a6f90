import type { DurableStorage } from '../protocols/effects.js';
import { SimulatedStorage } from '../sim/storage.js';
import { addHashes, combineHashes, hashPlain, hashPlainRenamed, subtractHashes } from './canonical.js';

/**
 * A node's disk as the explorer keeps it: the simulator's storage, with a
 * hash of everything stored kept up to date as records are written and
 * removed (a sum over records, so a write rehashes one record). A node's
 * part of a state fingerprint hashes its disk this way rather than through
 * the protocol's `durableView`, which is meant for people and may summarize
 * (Multi-Paxos shows counts of accepted slots, not the slots).
 */
export class HashedStorage implements DurableStorage<unknown> {
  constructor(
    private readonly disk = new SimulatedStorage<unknown>(),
    private contentHash = 0,
    /** Every slot log ever written, in first-write order (storage cannot list them). */
    private readonly logs: string[] = [],
  ) {}

  /** Equal for equal contents, whatever order they were written in. */
  get hash(): number {
    return this.contentHash;
  }

  /** An independent copy: a step writes to a copy of a state's disk, never to the state's own. */
  copy(): HashedStorage {
    return new HashedStorage(this.disk.copy(), this.contentHash, [...this.logs]);
  }

  /** The contents' hash with node ids renamed (in keys, log names and records): see `hashPlainRenamed`. */
  renamedHash(names: ReadonlyMap<string, string>): number {
    let sum = 0;
    for (const [key, record] of this.disk.entries()) sum = addHashes(sum, keyedHash(key, record, names));
    for (const log of this.logs) {
      for (const [slot, record] of this.disk.slotEntries(log)) sum = addHashes(sum, slotHash(log, slot, record, names));
    }
    return sum;
  }

  read(key: string): unknown {
    return this.disk.read(key);
  }

  readSlot(log: string, slot: number): unknown {
    return this.disk.readSlot(log, slot);
  }

  entries(): IterableIterator<[string, unknown]> {
    return this.disk.entries();
  }

  slotEntries(log: string): IterableIterator<[number, unknown]> {
    return this.disk.slotEntries(log);
  }

  get size(): number {
    return this.disk.size;
  }

  write(key: string, record: unknown): void {
    this.forget(this.disk.read(key), () => keyedHash(key, this.disk.read(key)));
    this.disk.write(key, record);
    this.contentHash = addHashes(this.contentHash, keyedHash(key, record));
  }

  remove(key: string): void {
    this.forget(this.disk.read(key), () => keyedHash(key, this.disk.read(key)));
    this.disk.remove(key);
  }

  writeSlot(log: string, slot: number, record: unknown): void {
    this.forget(this.disk.readSlot(log, slot), () => slotHash(log, slot, this.disk.readSlot(log, slot)));
    if (!this.logs.includes(log)) this.logs.push(log);
    this.disk.writeSlot(log, slot, record);
    this.contentHash = addHashes(this.contentHash, slotHash(log, slot, record));
  }

  removeSlot(log: string, slot: number): void {
    this.forget(this.disk.readSlot(log, slot), () => slotHash(log, slot, this.disk.readSlot(log, slot)));
    this.disk.removeSlot(log, slot);
  }

  sync(): void {
    this.disk.sync();
  }

  /** Takes a record about to be replaced or removed out of the sum. */
  private forget(previous: unknown, hashOfPrevious: () => number): void {
    if (previous !== undefined) this.contentHash = subtractHashes(this.contentHash, hashOfPrevious());
  }
}

function keyedHash(key: string, record: unknown, names?: ReadonlyMap<string, string>): number {
  const keyHash = hashOf(key, names);
  return combineHashes(keyHash, hashOf(record, names));
}

function slotHash(log: string, slot: number, record: unknown, names?: ReadonlyMap<string, string>): number {
  const logHash = combineHashes(hashOf(log, names), slot);
  return combineHashes(logHash, hashOf(record, names));
}

function hashOf(value: unknown, names: ReadonlyMap<string, string> | undefined): number {
  return names === undefined ? hashPlain(value) : hashPlainRenamed(value, names);
}
