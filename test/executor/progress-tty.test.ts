// The live tty display, drawn into a fake terminal that applies the escape sequences (cursor up, erase
// line, erase below) to a screen of lines, so each assertion is the frame a user would see.
import { describe, expect, it } from 'vitest';
import { plainProgress, progressFor, ttyProgress } from '../../executor/index.js';

class FakeTerminal {
  screen: string[] = [];
  row = 0;
  written = '';
  constructor(
    readonly columns = 60,
    readonly rows = 24,
  ) {}

  write(text: string): void {
    this.written += text;
    const tokens = text.split(/(\x1b\[\d*[AKJ])/);
    for (const token of tokens) {
      const esc = /^\x1b\[(\d*)([AKJ])$/.exec(token);
      if (esc) {
        if (esc[2] === 'A') this.row = Math.max(0, this.row - Number(esc[1] || 1));
        else if (esc[2] === 'K') this.screen[this.row] = '';
        else this.screen.length = Math.min(this.screen.length, this.row);
        continue;
      }
      for (const ch of token) {
        if (ch === '\n') this.row++;
        else this.screen[this.row] = (this.screen[this.row] ?? '') + ch;
      }
    }
  }

  /** What is on the screen (trailing spaces of each line dropped, to keep assertions readable). */
  frame(): string[] {
    return this.screen.slice(0, this.row).map((l) => l.trimEnd());
  }
}

function setup(columns = 60, rows = 24) {
  const term = new FakeTerminal(columns, rows);
  let now = 0;
  const progress = ttyProgress(term, { clock: () => now, intervalMs: 0 });
  return { term, progress, advance: (ms: number) => (now += ms) };
}

describe('ttyProgress', () => {
  it('draws 80 by 24 on a terminal that reports its size as 0 by 0 (a pty nobody sized)', () => {
    const { term, progress, advance } = setup(0, 0);
    const steps = [1, 2, 3, 4].map((n) => progress.step(`[${n}/4] RUN a step whose line is longer than twenty`));
    advance(100);
    progress.refresh();
    expect(term.frame()).toEqual([
      '[+] Building 0.1s (0/4)',
      ...[1, 2, 3, 4].map((n) => ` => [${n}/4] RUN a step whose line is longer than twenty${' '.repeat(23)}0.1s`),
    ]);
    for (const step of steps) step.done();
  });

  it('redraws running steps in place with timers, collapses finished ones and marks CACHED', () => {
    const { term, progress, advance } = setup();
    const load = progress.step('[internal] load build definition from Dockerfile');
    advance(40);
    load.done();
    const cached = progress.step('[1/3] COPY a /a');
    cached.cached();
    const run = progress.step('[2/3] RUN make');
    run.note('cache miss: --no-cache');
    advance(1200);
    run.output(Buffer.from('compiling one\ncompiling two\npart'));
    progress.refresh();
    expect(term.frame()).toEqual([
      '[+] Building 1.2s (2/3)',
      ' => [internal] load build definition from Dockerfile    0.0s',
      ' => CACHED [1/3] COPY a /a                              0.0s',
      ' => [2/3] RUN make                                      1.2s',
      ' => => cache miss: --no-cache',
      ' => => # compiling one',
      ' => => # compiling two',
      ' => => # part',
    ]);
    advance(300);
    run.done();
    expect(term.frame()).toEqual([
      '[+] Building 1.5s (3/3)',
      ' => [internal] load build definition from Dockerfile    0.0s',
      ' => CACHED [1/3] COPY a /a                              0.0s',
      ' => [2/3] RUN make                                      1.5s',
    ]);
    advance(100);
    progress.close();
    expect(term.frame()[0]).toBe('[+] Building 1.6s (3/3) FINISHED');
    expect(term.frame()).toHaveLength(4);
    // Every redraw starts by moving the cursor back over the previous frame.
    expect(term.written).toContain('\x1b[8A');
  });

  it('shows only the last output lines of a running step, and ERROR on failure', () => {
    const { term, progress, advance } = setup();
    const run = progress.step('[1/1] RUN ./test.sh');
    run.output(Buffer.from(`${Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n')}\n`));
    advance(2000);
    progress.refresh();
    expect(term.frame().slice(2)).toEqual(['4', '5', '6', '7', '8', '9'].map((n) => ` => => # line ${n}`));
    run.error('process "/bin/sh -c ./test.sh" did not complete successfully: exit code: 1');
    progress.close(true);
    expect(term.frame()).toEqual([
      '[+] Building 2.0s (1/1) ERROR',
      ' => ERROR [1/1] RUN ./test.sh                           2.0s',
    ]);
  });

  it('cuts long names to the width and lets old finished steps scroll away on a short terminal', () => {
    const { term, progress } = setup(40, 5);
    for (let i = 1; i <= 6; i++) progress.step(`[${i}/7] COPY file-number-${i} /somewhere/far/away`).done();
    const running = progress.step('[7/7] RUN sleep');
    running.output(Buffer.from('zz\n'));
    progress.refresh();
    expect(term.frame()).toEqual([
      '[+] Building 0.0s (6/7)',
      ' => [6/7] COPY file-number-6 /so... 0.0s',
      ' => [7/7] RUN sleep                 0.0s',
      ' => => # zz',
    ]);
    for (const line of term.frame().slice(1, 3)) expect(line).toHaveLength(40);
  });

  it('draws nothing after close', () => {
    const { term, progress } = setup();
    progress.close();
    const before = term.written;
    progress.step('late').done();
    progress.refresh();
    expect(term.written).toBe(before);
  });
});

describe('progressFor', () => {
  const collect = () => {
    let out = '';
    return { write: (t: string) => (out += t), out: () => out };
  };

  it('auto is tty on a terminal and plain otherwise; TERM=dumb is never a terminal', () => {
    const tty = collect();
    progressFor('auto', { ...tty, isTTY: true, env: {} })
      .step('x')
      .done();
    expect(tty.out()).toContain('[+] Building');
    const pipe = collect();
    progressFor('auto', { ...pipe, isTTY: false })
      .step('x')
      .done();
    expect(pipe.out()).toMatch(/^#1 x\n#1 DONE \d+\.\ds\n\n$/);
    const dumb = collect();
    progressFor('auto', { ...dumb, isTTY: true, env: { TERM: 'dumb' } })
      .step('x')
      .done();
    expect(dumb.out()).toMatch(/^#1 x\n/);
  });

  it('tty and plain are what they say, whatever stderr is; quiet writes nothing', () => {
    const forced = collect();
    const p = progressFor('tty', { ...forced, isTTY: false });
    p.step('x').done();
    p.close?.();
    expect(forced.out()).toContain('FINISHED');
    const plain = collect();
    progressFor('plain', { ...plain, isTTY: true })
      .step('x')
      .cached();
    expect(plain.out()).toBe('#1 x\n#1 CACHED\n\n');
    const quiet = collect();
    progressFor('quiet', { ...quiet, isTTY: true })
      .step('x')
      .done();
    expect(quiet.out()).toBe('');
    expect(plainProgress(() => {}).close).toBeUndefined();
  });
});
