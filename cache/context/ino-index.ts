// An open-addressing hash table from inode number to record index, in one Int32Array: built
// for tens of thousands of records at once, where a Map with number keys measured ~20x slower.

const EMPTY = -1;

export class InoIndex {
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  constructor(
    /**
     * Record `i`'s inode number is `stamps[i * 5 + 1]` (read while probing and rehashing); the
     * owner replaces the array when it grows. An array rather than a callback: building the
     * index of 50,000 records is on the path of every snapshot, before the JIT has warmed up.
     */
    public stamps: Float64Array,
    expected = 0,
  ) {
    let size = 1024;
    while (size < expected * 2) size *= 2;
    this.slots = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
  }

  /** The first slot for `ino`; inode numbers can exceed 2^32, so both halves are mixed in. */
  private home(ino: number): number {
    const high = Math.floor(ino / 4294967296);
    return (Math.imul((ino >>> 0) ^ Math.imul(high, 0x27d4eb2d), 0x9e3779b1) >>> 0) & this.mask;
  }

  /** The record stored for `ino`, or -1. */
  get(ino: number): number {
    for (let s = this.home(ino); ; s = (s + 1) & this.mask) {
      const i = this.slots[s];
      if (i === EMPTY || this.stamps[i * 5 + 1] === ino) return i;
    }
  }

  /** Stores record `i` for its inode, replacing any record with the same inode. */
  set(i: number): void {
    if ((this.count + 1) * 2 > this.slots.length) this.rehash();
    const ino = this.stamps[i * 5 + 1];
    for (let s = this.home(ino); ; s = (s + 1) & this.mask) {
      const j = this.slots[s];
      if (j === EMPTY) {
        this.slots[s] = i;
        this.count++;
        return;
      }
      if (this.stamps[j * 5 + 1] === ino) {
        this.slots[s] = i;
        return;
      }
    }
  }

  /** Makes room for `records` inodes in all, so that adding them never rehashes. */
  reserve(records: number): void {
    let size = this.slots.length;
    while (size < records * 2) size *= 2;
    if (size > this.slots.length) this.rehash(size);
  }

  private rehash(size = this.slots.length * 2): void {
    const old = this.slots;
    this.slots = new Int32Array(size).fill(EMPTY);
    this.mask = this.slots.length - 1;
    this.count = 0;
    for (const i of old) if (i !== EMPTY) this.set(i);
  }
}
