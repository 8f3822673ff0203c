// A step's output lines as docker build's error box shows them: stamped with the seconds since the step started,
// the last ten, the same in every progress mode, and the same stamps as plain progress prints.
import { describe, expect, it } from 'vitest';
import { ttyProgress } from '../../executor/build/progress-tty.js';
import { StepLog } from '../../executor/build/step-log.js';
import { plainProgress, silentProgress } from '../../executor/index.js';

/** A clock that reads `now`, moved by the test. */
function fakeClock(): { clock: () => number; at: (ms: number) => void } {
  let now = 1000;
  return { clock: () => now, at: (ms) => (now = 1000 + ms) };
}

describe('StepLog', () => {
  it('stamps complete lines with the seconds since the start, keeps the last ten, and flushes a partial line', () => {
    const { clock, at } = fakeClock();
    const printed: string[] = [];
    const log = new StepLog(clock(), clock, (line) => printed.push(line));
    at(95);
    log.write(Buffer.from('hello\npart'));
    at(1234);
    log.write(Buffer.from('ial\n\n'));
    expect(printed).toEqual(['0.095 hello', '1.234 partial', '1.234 ']);
    expect(log.lastLines()).toEqual(['0.095 hello', '1.234 partial']);
    at(2000);
    log.write(Buffer.from(Array.from({ length: 12 }, (_, i) => `l${i}`).join('\n')));
    log.flush();
    expect(log.lastLines()).toEqual(Array.from({ length: 10 }, (_, i) => `2.000 l${i + 2}`));
  });
});

describe('outputTail of the progress modes', () => {
  it('plain: the stamps it printed', () => {
    const { clock, at } = fakeClock();
    let text = '';
    const step = plainProgress((t) => (text += t), clock).step('[2/2] RUN x');
    at(50);
    step.output(Buffer.from('one\ntwo'));
    step.error('failed');
    expect(text).toBe('#1 [2/2] RUN x\n#1 0.050 one\n#1 0.050 two\n#1 ERROR: failed\n\n');
    expect(step.outputTail?.()).toEqual(['0.050 one', '0.050 two']);
  });

  it('quiet and tty keep the stamped lines too', () => {
    const quiet = silentProgress.step('[2/2] RUN x');
    quiet.output(Buffer.from('said\n'));
    quiet.error('failed');
    expect(quiet.outputTail?.()).toEqual([expect.stringMatching(/^\d+\.\d{3} said$/)]);
    const stream = { columns: 80, rows: 24, write: () => {} };
    const { clock, at } = fakeClock();
    const tty = ttyProgress(stream, { clock, intervalMs: 0 }).step('[2/2] RUN x');
    at(7);
    tty.output(Buffer.from('shown'));
    tty.error('failed');
    expect(tty.outputTail?.()).toEqual(['0.007 shown']);
  });
});
