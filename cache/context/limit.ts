// A counting semaphore: bounds how many filesystem operations or hashes run at once.

export class Limiter {
  private active = 0;
  // A queue with a moving head: Array#shift is O(n) and a walk can queue 50,000 tasks.
  private waiting: (() => void)[] = [];
  private head = 0;

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.wakeNext();
    }
  }

  private wakeNext(): void {
    if (this.head >= this.waiting.length) return;
    const next = this.waiting[this.head++];
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    next();
  }
}
