// The output of one step as BuildKit logs it: complete lines, each stamped with the seconds since the step started
// (`0.123 text`, the form plain progress prints after `#N`). The last of them are what docker build's error box
// (`------ > [2/3] RUN …:`) shows of a failed step, stamped the same way.

/** Lines the error box shows, as BuildKit keeps them. */
const tailLines = 10;

export class StepLog {
  private partial = '';
  private readonly tail: string[] = [];

  /** `onLine` gets each stamped line as it completes (plain progress prints it). */
  constructor(
    private readonly started: number,
    private readonly clock: () => number,
    private readonly onLine?: (stamped: string) => void,
  ) {}

  /** Output of the step; a partial line waits for its end (or `flush`). */
  write(chunk: Buffer): void {
    const lines = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** The step has ended: a last line without its newline counts as one. */
  flush(): void {
    if (this.partial !== '') this.line(this.partial);
    this.partial = '';
  }

  /** The last lines, stamped; empty ones are left out, as the error box leaves them out. */
  lastLines(): readonly string[] {
    return [...this.tail];
  }

  private line(text: string): void {
    const stamped = `${((this.clock() - this.started) / 1000).toFixed(3)} ${text}`;
    if (text !== '') {
      this.tail.push(stamped);
      if (this.tail.length > tailLines) this.tail.shift();
    }
    this.onLine?.(stamped);
  }
}
