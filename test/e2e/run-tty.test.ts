// `tsbuild run -it` and `-t` as a user runs them: the CLI as it ships (dist/; `npm run build` first) in
// a real terminal of 17 rows and 91 columns made by script(1). Keys go in through the terminal, the
// transcript is everything the terminal showed, and after tsbuild the terminal's own settings are
// printed (`icanon`: runc gave the terminal back out of raw mode). Compared with docker 20.10 on this
// machine: the same bytes, line ends included (`-t` alone leaves the caller's terminal cooked, so it
// adds its own \r to the container's \r\n, as with docker).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMountsUnder, shellWord } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import { crunUnavailable } from '../executor/helpers.js';
import {
  bundledCli,
  bundledCliUnavailable,
  isolationUnavailable,
  removeFreshDirs,
  storeWithBusybox,
} from './helpers.js';

interface Terminal {
  readonly child: ChildProcess;
  /** What the terminal showed so far. */
  transcript(): string;
  /** Resolves once the transcript holds `text`. */
  waitFor(text: string): Promise<void>;
  /** Types `keys` on the terminal. */
  type(keys: string): void;
  /** The transcript once the terminal's shell is done. */
  readonly done: Promise<string>;
}

/**
 * `tsbuild run ARGS…` in a new terminal; prints `pid N /dev/pts/M` first (tsbuild's, the terminal's),
 * `exit N` and `icanon` or `-icanon` after.
 */
function runInTerminal(store: Store, args: readonly string[]): Terminal {
  const tsbuild = ['sh', '-c', 'echo "pid $$ $(tty)"; exec "$@"', 'sh', process.execPath, bundledCli, 'run', ...args];
  // `trap : INT`: like a user's interactive shell, the terminal's shell outlives a Ctrl-C meant for tsbuild.
  const command = `trap : INT; stty rows 17 cols 91; ${tsbuild.map(shellWord).join(' ')}; echo "exit $?"; stty -a | grep -o -- '-\\?icanon'`;
  // script's stdin stays open until the end: at its end script would type an EOF character.
  const child = spawn('script', ['-q', '-c', command, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, TSBUILD_ROOT: store.root, SHELL: '/bin/sh' },
  });
  let output = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const waiter of waiters.filter((w) => output.includes(w.text))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const done = new Promise<string>((resolve) =>
    child.on('close', () => {
      child.stdin?.destroy();
      resolve(output);
    }),
  );
  return {
    child,
    transcript: () => output,
    waitFor: (text) =>
      output.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve })),
    type: (keys) => child.stdin?.write(keys),
    done,
  };
}

/** The transcript's first line: tsbuild's pid and the terminal it runs in. */
function firstLine(transcript: string): { line: string; pid: number; tty: string } {
  const found = /^pid (\d+) (\/dev\/pts\/\d+)\r\n/.exec(transcript);
  if (found === null) throw new Error(`no pid in ${JSON.stringify(transcript)}`);
  return { line: found[0], pid: Number(found[1]), tty: found[2] };
}

const pidOf = (transcript: string) => firstLine(transcript).pid;

describe.skipIf(isolationUnavailable() !== undefined || bundledCliUnavailable() !== undefined)(
  'tsbuild run -it in a terminal',
  () => {
    let store: Store;
    beforeAll(async () => {
      store = await storeWithBusybox();
    });
    afterAll(removeFreshDirs);

    async function leftovers(): Promise<string[]> {
      const work = (await readdir(store.paths.snapshots)).filter((name) => name.startsWith('tr-'));
      return [...work, ...(await listMountsUnder(store.root)).map((m) => m.target)];
    }

    it('-it: the container’s stdio is a new terminal of the caller’s size, TERM=xterm, its exit code', async () => {
      const terminal = runInTerminal(store, [
        '-it',
        'busybox',
        'sh',
        '-c',
        'tty; stty size; echo "TERM=$TERM"; exit 7',
      ]);
      const transcript = await terminal.done;
      expect(transcript).toBe(`${firstLine(transcript).line}/dev/pts/0\r\n17 91\r\nTERM=xterm\r\nexit 7\r\nicanon\r\n`);
      expect(await leftovers()).toEqual([]);
    });

    it('-it sh: a prompt, line editing (echo of what is typed), and exit with the shell’s code', async () => {
      const terminal = runInTerminal(store, ['-it', 'busybox', 'sh']);
      // busybox asks the terminal where its cursor is (ESC [6n) before each prompt.
      await terminal.waitFor('/ # \x1b[6n');
      terminal.type('echo $((6*7))\r');
      await terminal.waitFor('42\r\n/ # \x1b[6n');
      terminal.type('exit 5\r');
      const transcript = await terminal.done;
      expect(transcript).toMatch(/^pid \d+ \S+\r\n\r\n\r\nBusyBox v[^\r\n]+ built-in shell \(ash\)\r\n/);
      expect(transcript.slice(transcript.indexOf('/ # '))).toBe(
        '/ # \x1b[6necho $((6*7))\r\n42\r\n/ # \x1b[6nexit 5\r\nexit 5\r\nicanon\r\n',
      );
    });

    it('-it: the container’s console follows the terminal’s size (runc passes SIGWINCH on)', async () => {
      const script = 'trap "stty size; exit 0" WINCH; echo ready; sleep 30 & wait';
      const terminal = runInTerminal(store, ['-it', 'busybox', 'sh', '-c', script]);
      await terminal.waitFor('ready\r\n');
      // The terminal's new size (one ioctl: stty sets rows and cols one at a time): the kernel signals
      // its foreground process group, runc among it, which resizes the container's console.
      execFileSync('stty', ['-F', firstLine(terminal.transcript()).tty, 'rows', '30']);
      const transcript = await terminal.done;
      expect(transcript).toBe(`${firstLine(transcript).line}ready\r\n30 91\r\nexit 0\r\nicanon\r\n`);
    });

    it('-it: Ctrl-C reaches the container’s process (its trap runs), not tsbuild', async () => {
      const script = 'trap "echo interrupted; exit 3" INT; echo ready; read line';
      const terminal = runInTerminal(store, ['-it', 'busybox', 'sh', '-c', script]);
      await terminal.waitFor('ready\r\n');
      terminal.type('\x03');
      const transcript = await terminal.done;
      expect(transcript).toBe(`${firstLine(transcript).line}ready\r\n^Cinterrupted\r\nexit 3\r\nicanon\r\n`);
    });

    it('-it: SIGTERM to tsbuild reaches the container’s process, which shuts down as it would (its exit code)', async () => {
      const script = 'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done';
      const terminal = runInTerminal(store, ['-it', 'busybox', 'sh', '-c', script]);
      await terminal.waitFor('ready\r\n');
      process.kill(pidOf(terminal.transcript()), 'SIGTERM');
      const transcript = await terminal.done;
      expect(transcript).toBe(`${firstLine(transcript).line}ready\r\ngot TERM\r\nexit 7\r\nicanon\r\n`);
      expect(await leftovers()).toEqual([]);
    });

    it('without -i or -t too, SIGTERM to tsbuild reaches the container’s process', async () => {
      const script = 'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done';
      const terminal = runInTerminal(store, ['busybox', 'sh', '-c', script]);
      await terminal.waitFor('ready\r\n');
      process.kill(pidOf(terminal.transcript()), 'SIGTERM');
      const transcript = await terminal.done;
      expect(transcript).toBe(`${firstLine(transcript).line}ready\r\ngot TERM\r\nexit 7\r\nicanon\r\n`);
      expect(await leftovers()).toEqual([]);
    });

    it('-it: a second SIGTERM kills a container that ignores the first, cleans up and gives the terminal back (exit 143)', async () => {
      // PID 1 without a handler ignores SIGTERM, as under docker (which would wait for `docker kill`).
      const terminal = runInTerminal(store, ['-it', 'busybox', 'sh', '-c', 'echo ready; exec sleep 30']);
      await terminal.waitFor('ready\r\n');
      const pid = pidOf(terminal.transcript());
      process.kill(pid, 'SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 500));
      process.kill(pid, 'SIGTERM');
      const transcript = await terminal.done;
      expect(transcript).toBe(`${firstLine(transcript).line}ready\r\nexit 143\r\nicanon\r\n`);
      expect(await leftovers()).toEqual([]);
    });

    it('-t alone: a terminal of the caller’s size; Ctrl-C goes to the container, a second one stops it (exit 130)', async () => {
      const script = 'tty; stty size; echo ready; exec sleep 30';
      const terminal = runInTerminal(store, ['-t', 'busybox', 'sh', '-c', script]);
      await terminal.waitFor('ready\r\r\n');
      terminal.type('\x03');
      await new Promise((resolve) => setTimeout(resolve, 500));
      terminal.type('\x03');
      const transcript = await terminal.done;
      expect(transcript).toBe(
        `${firstLine(transcript).line}/dev/pts/0\r\r\n17 91\r\r\nready\r\r\n^C^Cexit 130\r\nicanon\r\n`,
      );
      expect(await leftovers()).toEqual([]);
    });

    it('-t alone: the container’s console follows the caller’s terminal’s size too, as with docker', async () => {
      const script = 'trap "stty size; exit 0" WINCH; echo ready; sleep 30 & wait';
      const terminal = runInTerminal(store, ['-t', 'busybox', 'sh', '-c', script]);
      await terminal.waitFor('ready\r\r\n');
      // tsbuild gets the SIGWINCH of its terminal and sets the new size on the private one runc proxies.
      execFileSync('stty', ['-F', firstLine(terminal.transcript()).tty, 'rows', '30']);
      const transcript = await terminal.done;
      expect(transcript).toBe(`${firstLine(transcript).line}ready\r\r\n30 91\r\r\nexit 0\r\nicanon\r\n`);
      expect(await leftovers()).toEqual([]);
    });

    // crun (1.8) forwards the terminal's SIGWINCH to the container but leaves its console's size: tsbuild sets it.
    it.skipIf(crunUnavailable() !== undefined).each([['-t'], ['-it']])(
      '%s with crun: the console follows the terminal’s size too',
      async (flag) => {
        const script = 'trap "stty size" WINCH; echo ready; i=0; while [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done';
        const terminal = runInTerminal(store, ['--runtime', 'crun', flag, 'busybox', 'sh', '-c', script]);
        await terminal.waitFor('ready\r');
        execFileSync('stty', ['-F', firstLine(terminal.transcript()).tty, 'rows', '30']);
        const transcript = await terminal.done;
        // One line per SIGWINCH the container saw (crun's own, then the resize's): the last one has the new size.
        const sizes = [...transcript.matchAll(/^(\d+ \d+)\r/gm)].map((m) => m[1]);
        expect(sizes.at(-1)).toBe('30 91');
        expect(transcript.endsWith('exit 0\r\nicanon\r\n')).toBe(true);
      },
    );

    it('without -t nothing changes: -i passes the terminal’s input through pipes, no TERM', async () => {
      const script = 'tty; echo "TERM=[$TERM]"; read line; echo "read: $line"; exit 4';
      const terminal = runInTerminal(store, ['-i', 'busybox', 'sh', '-c', script]);
      await terminal.waitFor('TERM=[]\r\n');
      terminal.type('typed\r');
      const transcript = await terminal.done;
      // The caller's terminal echoes what is typed; the container only reads it.
      expect(transcript).toBe(
        `${firstLine(transcript).line}not a tty\r\nTERM=[]\r\ntyped\r\nread: typed\r\nexit 4\r\nicanon\r\n`,
      );
    });
  },
);
