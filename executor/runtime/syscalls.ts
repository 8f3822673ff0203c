// mount(2), umount2(2), mknodat(2) and reading and setting extended attributes without a process per call. Node has
// no binding for them, and each `mount`, `umount` or `getfattr` started for a step costs a fork and an exec whose
// ~150 page faults take 5–10 ms on the project's VMs, far more under load (a RUN step needs its overlay, the
// differ's lower view, their unmounts and a getfattr; an unpacked layer a setfattr per attribute). So one long-lived `perl` (perl-base is Essential in Debian: always installed) makes
// the system calls for the whole process: started by the launcher, it reads requests from one FIFO and answers on
// another (syscalls-script.ts). Where it cannot run (no perl, an architecture whose syscall numbers are not listed
// here), `syscallHelper()` resolves to null and callers run the commands instead.
import { closeSync, constants, open } from 'node:fs';
import { Socket } from 'node:net';
import os from 'node:os';
import { promisify } from 'node:util';
import { takeFifos } from './fifo-output.js';
import { launch } from './launcher.js';
import { syscallNumbers } from './syscall-numbers.js';
import { syscallsScript } from './syscalls-script.js';

const openFd = promisify(open);

/** FIFOs the helper takes from the pool (see `prepareFifos`). */
export const helperFifos = 2;

/** umount2 flags. */
export const MNT_DETACH = 2;
export const UMOUNT_NOFOLLOW = 8;

/** A failed system call: `code` is the errno name (EBUSY …). */
export class SyscallError extends Error {
  constructor(
    readonly code: string,
    readonly errno: number,
    message: string,
  ) {
    super(message);
    this.name = 'SyscallError';
  }
}

export interface Syscalls {
  /** mount(2) with relative paths resolved against `cwd`. */
  mount(cwd: string, source: string, target: string, type: string, flags: number, data: string): Promise<void>;
  umount(target: string, flags: number): Promise<void>;
  /** Writes every extended attribute below `root` to the new file `dump`, as `getfattr -R -P -d -e hex` does. */
  dumpXattrs(root: string, dump: string): Promise<void>;
  /** The same for `paths` only (absolute; symlinks not followed), as `getfattr -P -h -d -e hex PATH…` does. */
  dumpPathXattrs(paths: readonly string[], dump: string): Promise<void>;
  /** lsetxattr(2): sets `name` on `path` itself (a symlink is not followed), as `setfattr -h` does. */
  setXattr(path: string, name: string, value: Uint8Array): Promise<void>;
  /** mknodat(2): a new device node or FIFO at `path` (never replacing anything); `mode` holds the S_IF* type bits. */
  makeNode(path: string, mode: number, major: number, minor: number): Promise<void>;
}

/**
 * The device number mknod(2) takes: the kernel's 32-bit encoding (the minor's low 8 bits, the 12-bit major, the
 * minor's other 12 bits). Majors above 4095 and minors above 1048575 do not exist: EINVAL, as `mknod` says.
 */
export function deviceNumber(major: number, minor: number): number {
  if (
    !Number.isInteger(major) ||
    !Number.isInteger(minor) ||
    major < 0 ||
    minor < 0 ||
    major > 0xfff ||
    minor > 0xfffff
  ) {
    throw new SyscallError('EINVAL', os.constants.errno.EINVAL, `device ${major}:${minor}: EINVAL`);
  }
  return ((minor & 0xff) | (major << 8) | ((minor & 0xfff00) << 12)) >>> 0;
}

class PerlSyscalls implements Syscalls {
  private readonly pending = new Map<number, (errno: number) => void>();
  private nextId = 1;
  private buffered = '';
  private dead: Error | undefined;

  constructor(
    private readonly requests: Socket,
    private readonly answers: Socket,
  ) {
    answers.setEncoding('utf8');
    answers.on('data', (text: string) => this.onAnswers(text));
    answers.on('error', (error) => this.fail(error));
    requests.on('error', (error) => this.fail(error));
    this.refWhileBusy();
  }

  mount(cwd: string, source: string, target: string, type: string, flags: number, data: string): Promise<void> {
    return this.call('mount', [cwd, source, target, type, String(flags), data], `mount ${target}`);
  }

  umount(target: string, flags: number): Promise<void> {
    return this.call('umount', [target, String(flags)], `umount ${target}`);
  }

  dumpXattrs(root: string, dump: string): Promise<void> {
    return this.call('xattrs', [root, dump], `cannot read the extended attributes of ${root}`);
  }

  dumpPathXattrs(paths: readonly string[], dump: string): Promise<void> {
    return this.call('pathxattrs', [dump, ...paths], `cannot read the extended attributes of ${paths.length} paths`);
  }

  setXattr(path: string, name: string, value: Uint8Array): Promise<void> {
    return this.call('setxattr', [path, name, value], `cannot set the extended attribute ${name} of ${path}`);
  }

  async makeNode(path: string, mode: number, major: number, minor: number): Promise<void> {
    const device = deviceNumber(major, minor);
    return this.call('mknod', [path, String(mode), String(device)], `mknod ${path}`);
  }

  /** Resolves once the helper said it is ready (its first line, id 0). */
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.dead !== undefined) reject(this.dead);
      else this.pending.set(0, (errno) => (errno === 0 ? resolve() : reject(new Error('syscall helper failed'))));
      this.refWhileBusy();
    });
  }

  fail(error: Error): void {
    if (this.dead !== undefined) return;
    this.dead = error;
    for (const settle of this.pending.values()) settle(-1);
    this.pending.clear();
    this.requests.destroy();
    this.answers.destroy();
  }

  /** Strings are paths and names (no NUL byte); bytes (an attribute's value) go as they are. */
  private call(op: string, fields: readonly (string | Uint8Array)[], what: string): Promise<void> {
    if (this.dead !== undefined) return Promise.reject(this.dead);
    if (fields.some((field) => typeof field === 'string' && field.includes('\0'))) {
      return Promise.reject(new Error(`${what}: a path cannot contain a NUL byte`));
    }
    const id = this.nextId++;
    const line = `${id} ${op} ${fields.map((f) => Buffer.from(f).toString('hex')).join(' ')}\n`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (errno) => {
        if (errno === 0) resolve();
        else if (errno < 0) reject(this.dead ?? new Error('syscall helper exited'));
        else reject(syscallError(what, errno));
      });
      this.refWhileBusy();
      this.requests.write(line);
    });
  }

  private onAnswers(text: string): void {
    this.buffered += text;
    let newline = this.buffered.indexOf('\n');
    while (newline >= 0) {
      const match = /^(\d+) (\d+)$/.exec(this.buffered.slice(0, newline));
      this.buffered = this.buffered.slice(newline + 1);
      const settle = match === null ? undefined : this.pending.get(Number(match[1]));
      if (match !== null && settle !== undefined) {
        this.pending.delete(Number(match[1]));
        settle(Number(match[2]));
      }
      newline = this.buffered.indexOf('\n');
    }
    this.refWhileBusy();
  }

  /** The helper keeps the process alive only while a call is in flight. */
  private refWhileBusy(): void {
    for (const socket of [this.requests, this.answers]) {
      if (this.pending.size > 0) socket.ref();
      else socket.unref();
    }
  }
}

function syscallError(what: string, errno: number): SyscallError {
  const code = Object.entries(os.constants.errno).find(([, n]) => n === errno)?.[0] ?? `errno ${errno}`;
  return new SyscallError(code, errno, `${what}: ${code}`);
}

let started: Promise<Syscalls | null> | undefined;

/**
 * The helper if something already started it, else undefined: for a caller that would rather run one command than
 * start perl for it (a COPY-only build).
 */
export function startedSyscallHelper(): Promise<Syscalls | null> | undefined {
  return started;
}

/**
 * The process's syscall helper, started on first use (and again after it died); null where it cannot run. Never
 * rejects.
 */
export function syscallHelper(): Promise<Syscalls | null> {
  started ??= start();
  return started;
}

async function start(): Promise<Syscalls | null> {
  const calls = syscallNumbers();
  if (calls === undefined || process.platform !== 'linux') return null;
  // The script's order: mount, umount2, lgetxattr, llistxattr, lsetxattr, mknodat.
  const numbers = [calls.mount, calls.umount2, calls.lgetxattr, calls.llistxattr, calls.lsetxattr, calls.mknodat];
  let sockets: Socket[] = [];
  try {
    // Both ends read-write: opening never waits for the other side, and neither side sees an end of file while
    // tsbuild lives; when it exits, perl reads the end of its requests and exits too.
    const [requestFifo, answerFifo] = await takeFifos(helperFifos);
    const opened = await Promise.allSettled(
      [requestFifo, answerFifo].map((fifo) =>
        openFd(fifo, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOFOLLOW),
      ),
    );
    const fds = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    if (fds.length < 2) {
      for (const fd of fds) closeSync(fd);
      return null;
    }
    sockets = [
      new Socket({ fd: fds[0], readable: false, writable: true }),
      new Socket({ fd: fds[1], readable: true, writable: false }),
    ];
    const helper = new PerlSyscalls(sockets[0], sockets[1]);
    let ready = false;
    const job = launch('perl', ['-e', syscallsScript, ...numbers.map(String), requestFifo, answerFifo], {
      background: true,
    });
    const ended = (error: Error) => {
      helper.fail(error);
      // One that ran is started again on next use; one that never came up (no perl) is not tried again.
      if (ready) started = undefined;
    };
    void job.then(
      () => ended(new Error('the syscall helper (perl) exited')),
      (error: Error) => ended(error),
    );
    await helper.ready();
    ready = true;
    return helper;
  } catch {
    for (const socket of sockets) socket.destroy();
    return null;
  }
}
