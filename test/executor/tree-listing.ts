// A complete, comparable description of a directory tree: for every path its type, mode, owner, times, size
// and content hash, link target, device number, hard-link group and extended attributes. Two trees with the
// same listing are the same to anything that reads them (a build, an overlay, a layer made from them).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import path from 'node:path';

function kind(st: Stats): string {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return 'other';
}

/** `getfattr -R` of the tree: `rel name=0xhex` lines, sorted. */
function xattrLines(root: string): Map<string, string[]> {
  let out: string;
  try {
    out = execFileSync('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', root], {
      encoding: 'latin1',
    });
  } catch (error) {
    out = (error as { stdout?: string }).stdout ?? '';
  }
  const byPath = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of out.split('\n')) {
    if (line.startsWith('# file: ')) {
      current = [];
      byPath.set(path.relative(root, line.slice(8)), current);
    } else if (line !== '' && current) current.push(line);
  }
  return byPath;
}

/**
 * One line per path under `root` (sorted); stats are all taken before any content is read (atimes). Times from
 * `freshAfter` on (directories made implicitly, or changed by a whiteout: not from a tar) read `fresh`.
 */
export function treeListing(root: string, freshAfter = 1_700_000_000): string[] {
  const tarTime = (seconds: number) => (seconds < freshAfter ? String(seconds) : 'fresh');
  const stats = new Map<string, Stats>();
  const visit = (rel: string) => {
    const st = lstatSync(path.join(root, rel));
    stats.set(rel, st);
    if (st.isDirectory()) for (const name of readdirSync(path.join(root, rel))) visit(path.join(rel, name));
  };
  visit('');
  const xattrs = xattrLines(root);
  const inodes = new Map<number, string>();
  const lines: string[] = [];
  for (const rel of [...stats.keys()].sort()) {
    const st = stats.get(rel)!;
    const file = path.join(root, rel);
    const parts = [rel === '' ? '.' : rel, kind(st), (st.mode & 0o7777).toString(8), `${st.uid}:${st.gid}`];
    parts.push(`m=${tarTime(Math.floor(st.mtimeMs / 1000))}`, `a=${tarTime(Math.floor(st.atimeMs / 1000))}`);
    if (st.isFile()) {
      parts.push(`size=${st.size}`, createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12));
      if (st.nlink > 1) {
        const first = inodes.get(st.ino);
        if (first === undefined) inodes.set(st.ino, rel);
        parts.push(`links=${st.nlink}${first === undefined ? '' : ` same-as=${first}`}`);
      }
    }
    if (st.isSymbolicLink()) parts.push(`-> ${readlinkSync(file)}`);
    if (st.isCharacterDevice() || st.isBlockDevice()) parts.push(`rdev=${st.rdev}`);
    for (const x of (xattrs.get(rel) ?? []).sort()) parts.push(x);
    lines.push(parts.join(' '));
  }
  return lines;
}
