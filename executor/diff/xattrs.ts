// Reads the extended attributes of a whole tree in one go: Node has no xattr API, and one child process per file
// would dominate the cost of a commit. The syscall helper (runtime/syscalls.ts) writes them to a file in getfattr's
// format, with no process started; where it cannot run, one `getfattr` run (Debian's `attr`) does, started by the
// shared launcher (a fork of the Node process costs 40–120 ms on the project's VMs, the launcher's shell ~1 ms).
import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { launch, launcherDir } from '../runtime/launcher.js';
import { syscallHelper } from '../runtime/syscalls.js';

export type Xattrs = Readonly<Record<string, Buffer>>;

let dumps = 0;

/**
 * Attributes of every entry below `root` (not following symlinks), keyed by path relative to
 * `root` ('' is the root itself). Entries without attributes are absent from the map.
 */
export async function readTreeXattrs(root: string): Promise<Map<string, Xattrs>> {
  const absolute = path.resolve(root);
  // The launcher's directory is private (0700), so nobody can put a link where the dump goes.
  const dump = path.join(launcherDir(), `xattrs-${++dumps}`);
  try {
    const syscalls = await syscallHelper();
    if (syscalls !== null) await syscalls.dumpXattrs(absolute, dump);
    else await runGetfattr(absolute, dump);
    return parseGetfattrDump(await readFile(dump), absolute);
  } finally {
    await unlink(dump).catch(() => {});
  }
}

/** The same dump by a getfattr process, where the syscall helper cannot run. */
async function runGetfattr(absolute: string, dump: string): Promise<void> {
  const result = await launch(
    'getfattr',
    ['-R', '-P', '-h', '--absolute-names', '-d', '-m', '-', '-e', 'hex', absolute],
    {
      stdout: dump,
    },
  );
  if (result.exitCode === 127) {
    throw new Error("getfattr is missing: install Debian's attr package (apt-get install -y attr)");
  }
  if (result.exitCode !== 0) {
    throw new Error(`getfattr ${absolute} failed (exit status ${result.exitCode}): ${result.stderr}`);
  }
}

/** Parses `getfattr -d -e hex --absolute-names` output; names use `\ooo` escapes for odd bytes. */
export function parseGetfattrDump(output: Buffer, root: string): Map<string, Xattrs> {
  const result = new Map<string, Xattrs>();
  let current: Record<string, Buffer> | undefined;
  for (const line of output.toString('latin1').split('\n')) {
    if (line.startsWith('# file: ')) {
      const full = unescapeName(line.slice('# file: '.length));
      const rel = path.relative(root, full);
      current = {};
      result.set(rel.startsWith('..') ? full : rel, current);
    } else if (line !== '' && current !== undefined) {
      const eq = line.indexOf('=');
      const name = unescapeName(eq < 0 ? line : line.slice(0, eq));
      current[name] = decodeValue(eq < 0 ? '' : line.slice(eq + 1));
    }
  }
  for (const [key, value] of result) if (Object.keys(value).length === 0) result.delete(key);
  return result;
}

/** The output was read as latin1 (one char per byte); rebuild the bytes, then decode UTF-8. */
function unescapeName(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && /^[0-7]{3}$/.test(text.slice(i + 1, i + 4))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(text.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeValue(text: string): Buffer {
  if (text.startsWith('0x')) return Buffer.from(text.slice(2), 'hex');
  if (text.startsWith('0s')) return Buffer.from(text.slice(2), 'base64');
  if (text.startsWith('"') && text.endsWith('"')) return Buffer.from(text.slice(1, -1), 'latin1');
  return Buffer.from(text, 'latin1');
}
