// cli/stdio.ts: build output written with write(2) on fds 1 and 2, handed to Node's stream when the descriptor
// will not take it. The system calls are mocked: the test runner's own stdout and stderr stay untouched.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const fsMock = vi.hoisted(() => ({
  writeSync: vi.fn<(fd: number, buffer: Uint8Array, offset: number) => number>(),
  fstatSync: vi.fn<(fd: number) => { isCharacterDevice(): boolean }>(),
}));
vi.mock('node:fs', async (importOriginal) => ({ ...(await importOriginal<object>()), ...fsMock }));

const { fdWriter, stderrTerminal } = await import('../../cli/stdio.js');

const eagain = () => Object.assign(new Error('EAGAIN: resource temporarily unavailable, write'), { code: 'EAGAIN' });

describe('fdWriter', () => {
  let streamWrites: string[];
  beforeEach(() => {
    streamWrites = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      streamWrites.push(Buffer.from(chunk).toString('utf8'));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    fsMock.writeSync.mockReset();
  });

  it('writes the UTF-8 bytes to the descriptor, looping over partial writes, without the stream', () => {
    const written: string[] = [];
    fsMock.writeSync.mockImplementation((fd, buffer, offset) => {
      expect(fd).toBe(2);
      const take = Math.min(3, buffer.length - offset);
      written.push(Buffer.from(buffer.subarray(offset, offset + take)).toString('latin1'));
      return take;
    });
    const write = fdWriter(2);
    write('#1 é\n');
    expect(Buffer.from(written.join(''), 'latin1').toString('utf8')).toBe('#1 é\n');
    expect(written).toHaveLength(2); // 6 bytes, 3 at a time
    expect(streamWrites).toEqual([]);
  });

  it('hands the unwritten rest and every later write to the stream once the descriptor refuses', () => {
    let calls = 0;
    fsMock.writeSync.mockImplementation((_fd, _buffer, offset) => {
      calls++;
      if (offset === 0) return 4;
      throw eagain();
    });
    const write = fdWriter(2);
    write('#1 DONE 0.0s\n');
    write('#2 next\n');
    expect(streamWrites).toEqual(['ONE 0.0s\n', '#2 next\n']); // '#1 D' went to fd 2
    expect(calls).toBe(2); // no more write(2) after the first refusal
  });
});

describe('stderrTerminal', () => {
  afterEach(() => {
    fsMock.fstatSync.mockReset();
  });

  it('is no terminal without asking process.stderr when fd 2 is not a character device (a pipe, a file)', () => {
    fsMock.fstatSync.mockReturnValue({ isCharacterDevice: () => false });
    expect(stderrTerminal()).toEqual({ isTTY: false });
  });

  it('is process.stderr itself when fd 2 is a character device (a terminal, /dev/null)', () => {
    fsMock.fstatSync.mockReturnValue({ isCharacterDevice: () => true });
    expect(stderrTerminal()).toBe(process.stderr);
  });
});
