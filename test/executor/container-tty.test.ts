// `tsbuild run -t` in-process with real runc: the container gets a pseudo-terminal as with docker (its
// output, stderr included, comes through the pty with \r\n; TERM=xterm; the caller's size), and `-it`
// refuses a stdin that is not a terminal in docker's words. The runs under a real terminal, where `-it`
// connects the container to it, are in test/e2e/run-tty.test.ts.
import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallerTerminal, runArgv } from '../../cli/commands/run/run.js';
import { defaultRuncStateRoot, listMountsUnder, shellWord } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import { removeTestDir, storeWithBusybox } from './container-store.js';
import { crunUnavailable, isolationUnavailable } from './helpers.js';

interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const noTerminal: CallerTerminal = { stdinIsTerminal: false };
const sized: CallerTerminal = { stdinIsTerminal: false, size: { rows: 17, cols: 91 } };

describe('shellWord', () => {
  it('quotes any word for sh', () => {
    expect(shellWord("it's $HOME `x` \\")).toBe(`'it'\\''s $HOME \`x\` \\'`);
    const word = 'a\'b "c" $d\n';
    expect(execFileSync('sh', ['-c', `printf %s ${shellWord(word)}`], { encoding: 'utf8' })).toBe(word);
  });
});

describe.skipIf(isolationUnavailable() !== undefined)('tsbuild run -t (runc)', () => {
  let store: Store;

  beforeAll(async () => {
    store = await storeWithBusybox();
  }, 120_000);

  afterAll(async () => {
    await removeTestDir(store?.root);
  });

  /** `tsbuild run ARGV…` on this store, its output so far readable while it runs. */
  function startRun(argv: readonly string[], terminal: CallerTerminal, signal?: AbortSignal) {
    let stdout = '';
    let stderr = '';
    const done = runArgv(['--root', store.root, ...argv], {
      stdout: (d) => {
        stdout += Buffer.from(d).toString('utf8');
      },
      stderr: (d) => {
        stderr += Buffer.from(d).toString('utf8');
      },
      env: {},
      terminal,
      ...(signal === undefined ? {} : { signal }),
    });
    return { result: done.then((code): Captured => ({ code, stdout, stderr })), stdout: () => stdout };
  }

  const tsbuildRun = (argv: readonly string[], terminal: CallerTerminal) => startRun(argv, terminal).result;

  /** Work dirs, mounts and tsbuild's runc containers of this store: none after any run. */
  async function leftovers(): Promise<string[]> {
    const work = (await readdir(store.paths.snapshots)).filter((name) => name.startsWith('tr-'));
    const mounts = (await listMountsUnder(store.root)).map((m) => m.target);
    const listed = execFileSync('runc', ['--root', defaultRuncStateRoot, 'list', '--format', 'json'], {
      encoding: 'utf8',
    });
    const containers = ((JSON.parse(listed) as { id: string; bundle: string }[] | null) ?? [])
      .filter((c) => c.bundle.startsWith(`${store.root}/`))
      .map((c) => c.id);
    return [...work, ...mounts, ...containers];
  }

  it('-t: the process has a terminal of the caller’s size, TERM=xterm, stderr in the same stream, its exit code', async () => {
    const script = 'tty; stty size; echo "TERM=$TERM"; echo err >&2; exit 7';
    expect(await tsbuildRun(['-t', 'busybox', 'sh', '-c', script], sized)).toEqual({
      code: 7,
      stdout: '/dev/pts/0\r\n17 91\r\nTERM=xterm\r\nerr\r\n',
      stderr: '',
    });
    expect(await leftovers()).toEqual([]);
  });

  it.skipIf(crunUnavailable() !== undefined)('-t with crun, which wants the pty as its stdin too', async () => {
    const script = 'tty; stty size; echo "TERM=$TERM"; exit 3';
    expect(await tsbuildRun(['--runtime', 'crun', '-t', 'busybox', 'sh', '-c', script], sized)).toEqual({
      code: 3,
      stdout: '/dev/pts/0\r\n17 91\r\nTERM=xterm\r\n',
      stderr: '',
    });
    expect(await leftovers()).toEqual([]);
  });

  it('-t: a size the caller’s terminal takes while runc creates the container is the console’s once it runs', async () => {
    // The caller's terminal takes its new sizes as soon as tsbuild listens, tens of ms before the container's
    // process exists; the last of them is the one the container sees.
    const resizedEarly: CallerTerminal = {
      ...sized,
      onResize: (listener) => {
        listener({ rows: 30, cols: 100 });
        listener({ rows: 40, cols: 120 });
        return () => {};
      },
    };
    expect(await tsbuildRun(['-t', 'busybox', 'sh', '-c', 'sleep 1; stty size'], resizedEarly)).toEqual({
      code: 0,
      stdout: '40 120\r\n',
      stderr: '',
    });
    expect(await leftovers()).toEqual([]);
  });

  it('-t without a terminal of the caller’s: a console without a size, as docker’s', async () => {
    const result = await tsbuildRun(
      ['-t', 'busybox', 'sh', '-c', 'tty; echo "size: [$(stty size 2>/dev/null)]"'],
      noTerminal,
    );
    expect(result).toEqual({ code: 0, stdout: '/dev/pts/0\r\nsize: []\r\n', stderr: '' });
  });

  it('-t: -e TERM and a non-root user (who owns the terminal) as with docker', async () => {
    const script = 'echo "$TERM $(id -u)"; stat -c "%u %a" "$(tty)"';
    expect(await tsbuildRun(['-t', '-e', 'TERM=vt100', '-u', '1000', 'busybox', 'sh', '-c', script], sized)).toEqual({
      code: 0,
      stdout: 'vt100 1000\r\n1000 620\r\n',
      stderr: '',
    });
  });

  it('without -t nothing changes: no terminal, no TERM, \\n line ends', async () => {
    const script = 'tty; echo "TERM=[$TERM]"';
    expect(await tsbuildRun(['busybox', 'sh', '-c', script], sized)).toEqual({
      code: 0,
      stdout: 'not a tty\nTERM=[]\n',
      stderr: '',
    });
  });

  it('-it with a stdin that is no terminal: docker’s error and exit status 1, no container', async () => {
    for (const flags of [['-it'], ['-ti'], ['-i', '-t'], ['--interactive', '--tty']]) {
      expect(await tsbuildRun([...flags, 'busybox', 'true'], noTerminal)).toEqual({
        code: 1,
        stdout: '',
        stderr: 'the input device is not a TTY\n',
      });
    }
    expect(await leftovers()).toEqual([]);
  });

  it('-t: a command that cannot start exits 127 with the runtime’s message once', async () => {
    expect(await tsbuildRun(['-t', 'busybox', 'nonexistent-command'], sized)).toEqual({
      code: 127,
      stdout: '',
      stderr:
        'runc run failed: unable to start container process: exec: "nonexistent-command": executable file not found in $PATH\n',
    });
    expect(await leftovers()).toEqual([]);
  });

  it('-t: cancelling kills the container and cleans up (exit 143 for SIGTERM)', async () => {
    const controller = new AbortController();
    const running = startRun(['-t', 'busybox', 'sh', '-c', 'echo started; sleep 30'], sized, controller.signal);
    // Cancelled once the container runs: its output says so.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (running.stdout() === 'started\r\n') {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    controller.abort();
    expect(await running.result).toEqual({ code: 143, stdout: 'started\r\n', stderr: '' });
    expect(await leftovers()).toEqual([]);
  });
});
