/**
 * A fast, non-cryptographic 64-bit hash of data as JSON sees it, fed value by
 * value with no string or JSON text built: what fuzz's determinism recheck
 * compares between two runs of one seed (sha256 of JSON lines cost more than
 * a whole plain seed when the recheck ran every 20th seed, its buffer and
 * code cold).
 *
 * Two values hash equal when `JSON.stringify` prints them the same; any
 * difference JSON shows changes the hash, except by a 64-bit collision (two
 * independent 32-bit lanes). So object keys count in their own order (as
 * JSON prints them), value kinds are tagged (`"1"` ≠ `1`, `[]` ≠ `{}`, `null`
 * ≠ a missing field), nesting is delimited, and what JSON leaves out or
 * rewrites is left out or rewritten the same way: undefined, function and
 * symbol fields are skipped (`null` in arrays), non-finite numbers are `null`,
 * `-0` is `0`, `toJSON` is called. Not for adversarial input, and not the
 * explorer's `hashPlain` (src/explore/canonical.ts), which ignores key order
 * on purpose.
 */
export class StructuralHash {
  /** The two lanes, murmur3-style with different constants, and the words fed (the finalizer mixes the count in). */
  private laneA = 0x2f6b_1e35;
  private laneB = 0x5bd1_e995;
  private words = 0;

  /** Feeds one value (any JSON-able data) into the hash. */
  value(value: unknown): void {
    this.feedValue(value, '');
  }

  /** Feeds one number, tagged as a value (the same as `value(number)`). */
  number(value: number): void {
    this.feedNumber(value);
  }

  /** The hash of everything fed so far, as 16 hex digits. Feeding may go on after it. */
  digest(): string {
    const a = finalMix(this.laneA ^ this.words ^ Math.imul(this.laneB, 0x9e37_79b1));
    const b = finalMix(this.laneB ^ this.words ^ Math.imul(a, 0x85eb_ca77));
    return hex8(a) + hex8(b);
  }

  /** `key`: the field name or array index JSON would pass to a `toJSON` method. */
  private feedValue(value: unknown, key: string | number): void {
    switch (typeof value) {
      case 'string':
        this.feed(TAG.string);
        this.feedString(value);
        return;
      case 'number':
        this.feedNumber(value);
        return;
      case 'boolean':
        this.feed(value ? TAG.true : TAG.false);
        return;
      case 'object':
        if (value === null) this.feed(TAG.null);
        else if (Array.isArray(value)) this.feedArray(value);
        else this.feedObject(value, key);
        return;
      case 'bigint':
        // What JSON.stringify does with one: the recheck must not pass what the trace writer throws on.
        throw new TypeError('Do not know how to serialize a BigInt');
      default:
        // undefined, a function or a symbol where JSON would write null (an array item) or nothing (top level).
        this.feed(TAG.undefined);
    }
  }

  private feedNumber(value: number): void {
    if ((value | 0) === value) {
      // Integers that fit 32 bits (most of a trace): one word. -0 | 0 is 0, as JSON prints it.
      this.feed(TAG.int32);
      this.feed(value);
    } else if (Number.isFinite(value)) {
      FLOAT[0] = value;
      this.feed(TAG.float64);
      this.feed(FLOAT_WORDS[0]!);
      this.feed(FLOAT_WORDS[1]!);
    } else {
      // NaN and the infinities print as null.
      this.feed(TAG.null);
    }
  }

  /** Length first, then two UTF-16 code units per word: no two strings feed the same words. */
  private feedString(text: string): void {
    const length = text.length;
    this.feed(length);
    let index = 0;
    for (; index + 1 < length; index += 2) this.feed(text.charCodeAt(index) | (text.charCodeAt(index + 1) << 16));
    if (index < length) this.feed(text.charCodeAt(index));
  }

  private feedArray(items: readonly unknown[]): void {
    this.feed(TAG.array);
    this.feed(items.length);
    for (let index = 0; index < items.length; index++) {
      const item = items[index];
      // JSON writes null for an array item it cannot print.
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') this.feed(TAG.null);
      else this.feedValue(item, index);
    }
  }

  private feedObject(object: object, key: string | number): void {
    const printed = printedAs(object, key);
    if (printed === object) {
      this.feedFields(object);
    } else if (typeof printed === 'object' && printed !== null && !Array.isArray(printed)) {
      // JSON calls toJSON once: an object it returns is printed field by field.
      this.feedFields(printed);
    } else {
      this.feedValue(printed, key);
    }
  }

  private feedFields(object: object): void {
    this.feed(TAG.object);
    const fields = object as Record<string, unknown>;
    // Own keys in their own order (what JSON prints); for…in allocates nothing, and a plain object inherits no enumerable key.
    for (const field in fields) {
      if (!Object.prototype.hasOwnProperty.call(fields, field)) continue;
      const item = fields[field];
      // JSON leaves such fields out: a field holding undefined hashes as a missing one.
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      // No tag before a key: its length (below 2^30) cannot be mistaken for the end tag.
      this.feedString(field);
      this.feedValue(item, field);
    }
    this.feed(TAG.end);
  }

  /** murmur3's body, once per lane with its own constants. */
  private feed(word: number): void {
    let a = Math.imul(word, 0xcc9e_2d51);
    a = Math.imul((a << 15) | (a >>> 17), 0x1b87_3593);
    let laneA = this.laneA ^ a;
    laneA = (laneA << 13) | (laneA >>> 19);
    this.laneA = (Math.imul(laneA, 5) + 0xe654_6b64) | 0;

    let b = Math.imul(word, 0x85eb_ca6b);
    b = Math.imul((b << 16) | (b >>> 16), 0xc2b2_ae35);
    let laneB = this.laneB ^ b;
    laneB = (laneB << 17) | (laneB >>> 15);
    this.laneB = (Math.imul(laneB, 9) + 0x3849_5ab5) | 0;

    this.words = (this.words + 1) | 0;
  }
}

/** Type tags, fed before each value; distinct from one another and above any string length, which is all they need to be. */
const TAG = {
  null: 0x7f00_0001,
  true: 0x7f00_0002,
  false: 0x7f00_0003,
  int32: 0x7f00_0004,
  float64: 0x7f00_0005,
  string: 0x7f00_0006,
  array: 0x7f00_0007,
  object: 0x7f00_0008,
  end: 0x7f00_000a,
  undefined: 0x7f00_000b,
} as const;

const FLOAT = new Float64Array(1);
const FLOAT_WORDS = new Int32Array(FLOAT.buffer);

/** What JSON.stringify prints for an object: toJSON's result, a boxed primitive's value, or (a plain object's case) the object itself. */
function printedAs(object: object, key: string | number): unknown {
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return (toJSON as (key: string) => unknown).call(object, String(key));
  if (Object.getPrototypeOf(object) === Object.prototype) return object;
  if (object instanceof Number || object instanceof String || object instanceof Boolean) return object.valueOf();
  return object;
}

/** murmur3's finalizer: every input bit reaches every output bit. */
function finalMix(value: number): number {
  let mixed = value ^ (value >>> 16);
  mixed = Math.imul(mixed, 0x85eb_ca6b);
  mixed ^= mixed >>> 13;
  mixed = Math.imul(mixed, 0xc2b2_ae35);
  return (mixed ^ (mixed >>> 16)) >>> 0;
}

function hex8(word: number): string {
  return word.toString(16).padStart(8, '0');
}
