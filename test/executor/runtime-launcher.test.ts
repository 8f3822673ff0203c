import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareFifos, readFifo, returnFifos, takeFifos } from '../../executor/runtime/fifo-output.js';
import { launch, launcherDir, removeStaleLauncherDirs, shellQuote } from '../../executor/runtime/launcher.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tsb-launch-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('launch', () => {
  it('returns the exit status, and stderr only when the command failed', async () => {
    expect(await launch('sh', ['-c', 'echo fine >&2'])).toEqual({ exitCode: 0, stderr: '' });
    expect(await launch('sh', ['-c', 'echo oops >&2; exit 3'])).toEqual({ exitCode: 3, stderr: 'oops' });
  });

  it('passes every argument verbatim: quotes, spaces, $, backquotes, newlines', async () => {
    const text = `it's "$HOME" \`id\` $(id)\nsecond line\\`;
    const out = path.join(dir, 'verbatim');
    expect((await launch('sh', ['-c', 'printf %s "$1" > "$2"', 'sh', text, out])).exitCode).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(text);
  });

  it('runs in the given directory with stdin from /dev/null', async () => {
    expect((await launch('sh', ['-c', 'pwd > where; cat > input'], { cwd: dir })).exitCode).toBe(0);
    expect(await readFile(path.join(dir, 'where'), 'utf8')).toBe(`${dir}\n`);
    expect(await readFile(path.join(dir, 'input'), 'utf8')).toBe('');
  });

  it('reports a missing command or directory as a failure', async () => {
    const missing = await launch('tsbuild-no-such-command', []);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toContain('tsbuild-no-such-command');
    const noDir = await launch('true', [], { cwd: path.join(dir, 'absent') });
    expect(noDir.exitCode).not.toBe(0);
    expect(noDir.stderr).toContain('absent');
  });

  it('runs commands concurrently: a quick one is not held up by a slow one', async () => {
    const order: string[] = [];
    const slow = launch('sleep', ['1']).then(() => order.push('slow'));
    const quick = launch('true', []).then(() => order.push('quick'));
    await Promise.all([slow, quick]);
    expect(order).toEqual(['quick', 'slow']);
  });

  it("tells the command's pid once it runs, and writes stdout where asked", async () => {
    let alive = false;
    const out = path.join(dir, 'stdout');
    const result = await launch('sh', ['-c', 'echo hello; sleep 0.3'], {
      stdout: out,
      onStart: (pid) => {
        process.kill(pid, 0); // throws unless the process exists
        alive = true;
      },
    });
    expect(result.exitCode).toBe(0);
    expect(alive).toBe(true);
    expect(await readFile(out, 'utf8')).toBe('hello\n');
  });

  it('a command killed by a signal exits with 128 + its number', async () => {
    const result = await launch('sh', ['-c', 'kill -9 $$']);
    expect(result.exitCode).toBe(137);
  });
});

describe('shellQuote', () => {
  it('single-quotes, escaping single quotes, and refuses NUL', () => {
    expect(shellQuote("a b'c")).toBe(`'a b'\\''c'`);
    expect(() => shellQuote('a\0b')).toThrow('a command argument cannot contain a NUL byte');
  });
});

describe('readFifo', () => {
  it('delivers everything a launched command writes, ending once the writer is released and gone', async () => {
    const fifo = path.join(dir, 'out.fifo');
    expect((await launch('mkfifo', ['-m', '0600', fifo])).exitCode).toBe(0);
    const chunks: string[] = [];
    const output = await readFifo(fifo, (chunk) => chunks.push(chunk.toString()));
    const result = await launch('sh', ['-c', 'echo one; sleep 0.2; echo two; (sleep 0.3; echo late) &'], {
      stdout: fifo,
    });
    expect(result.exitCode).toBe(0);
    await output.releaseWriter();
    await output.drained;
    // Like a pipe, the output ends with its last writer (here a background process), not the command.
    expect(chunks.join('')).toBe('one\ntwo\nlate\n');
  });

  it('does not end early when the command has not opened the FIFO yet', async () => {
    const fifo = path.join(dir, 'slow.fifo');
    expect((await launch('mkfifo', [fifo])).exitCode).toBe(0);
    const chunks: string[] = [];
    const output = await readFifo(fifo, (chunk) => chunks.push(chunk.toString()));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await launch('echo', ['after a while'], { stdout: fifo })).exitCode).toBe(0);
    await output.releaseWriter();
    await output.drained;
    expect(chunks.join('')).toBe('after a while\n');
  });
});

describe('takeFifos', () => {
  it('makes FIFOs in a private directory and reuses the ones handed back', async () => {
    const [a, b] = await takeFifos(2);
    expect(a).not.toBe(b);
    expect((await stat(a)).isFIFO()).toBe(true);
    expect((await stat(path.dirname(a))).mode & 0o777).toBe(0o700);
    returnFifos([a, b]);
    expect(await takeFifos(3)).toEqual([a, b, expect.not.stringMatching(new RegExp(`^(${a}|${b})$`))]);
  });
});

describe('prepareFifos', () => {
  it('leaves FIFOs ready in the pool, so the next takeFifos makes none', async () => {
    const before = new Set(await readdir(launcherDir()));
    await prepareFifos(2);
    const made = (await readdir(launcherDir())).filter((name) => !before.has(name) && name.startsWith('fifo-'));
    const taken = await takeFifos(2);
    for (const fifo of taken) expect((await stat(fifo)).isFIFO()).toBe(true);
    expect((await readdir(launcherDir())).filter((name) => !before.has(name) && name.startsWith('fifo-'))).toEqual(
      made,
    );
    expect(taken.map((fifo) => path.basename(fifo)).every((name) => before.has(name) || made.includes(name))).toBe(
      true,
    );
    returnFifos(taken);
  });
});

describe('prepareFifos and takeFifos at once', () => {
  it('a taker waits for the FIFOs being made ahead instead of making its own', async () => {
    const fifos = () => readdir(launcherDir()).then((names) => names.filter((name) => name.startsWith('fifo-')));
    // The pool emptied: every FIFO made so far is taken (and kept).
    await takeFifos((await fifos()).length);
    const before = new Set(await fifos());
    const prepared = prepareFifos(2);
    const taken = await takeFifos(2);
    await prepared;
    const made = (await fifos()).filter((name) => !before.has(name));
    // Two for the step, two for the syscall helper (started by prepareFifos): one mkfifo made them all.
    expect(made).toHaveLength(4);
    expect(taken.map((fifo) => path.basename(fifo)).every((name) => made.includes(name))).toBe(true);
    returnFifos(taken);
  });
});

describe('removeStaleLauncherDirs', () => {
  it('removes the launcher directories of dead processes and keeps those of live ones', async () => {
    const tmp = path.join(dir, 'tmp');
    const dead = spawnSync('true').pid;
    for (const name of [
      `tsbuild-launch-${dead}-abc`,
      `tsbuild-launch-${process.pid}-def`,
      'tsbuild-launch-x',
      'other',
    ]) {
      await mkdir(path.join(tmp, name), { recursive: true });
    }
    await removeStaleLauncherDirs(tmp);
    expect((await readdir(tmp)).sort()).toEqual(['other', `tsbuild-launch-${process.pid}-def`, 'tsbuild-launch-x']);
  });
});
