import type { TarEntry } from './tar-entry.js';
import { TarWriteError } from './tar-writer.js';

/** Compares paths component by component (byte order), so a directory always precedes its contents. */
export function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = Buffer.from(pa[i]!);
    const y = Buffer.from(pb[i]!);
    const c = Buffer.compare(x, y);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

/** Strips `./`, leading and trailing slashes and duplicate separators from an entry path; `..` is refused. */
export function cleanEntryPath(path: string): string {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new TarWriteError(`invalid entry path ${JSON.stringify(path)}`);
  return parts.join('/');
}

/**
 * Puts entries in the canonical layer order: sorted by path, with every hard link after the file it links to.
 * When a link sorts before its target, the first path of the link group (by sort order) becomes the regular
 * file carrying the content and the others link to it, so the same set of entries always gives the same tar.
 */
export function canonicalLayerOrder(entries: readonly TarEntry[]): TarEntry[] {
  const byPath = new Map<string, TarEntry>();
  for (const entry of entries) {
    const path = cleanEntryPath(entry.path);
    if (path === '') continue;
    if (byPath.has(path)) throw new TarWriteError(`duplicate entry ${path}`);
    const linkname = entry.type === 'hardlink' ? cleanEntryPath(entry.linkname ?? '') : entry.linkname;
    byPath.set(path, { ...entry, path, ...(linkname !== undefined && { linkname }) });
  }
  const groups = new Map<string, string[]>();
  for (const entry of byPath.values()) {
    if (entry.type !== 'hardlink') continue;
    const target = entry.linkname!;
    const targetEntry = byPath.get(target);
    if (targetEntry === undefined || targetEntry.type !== 'file') {
      throw new TarWriteError(`hard link ${entry.path} points to ${target}, which is not a file of this layer`);
    }
    groups.set(target, [...(groups.get(target) ?? [target]), entry.path]);
  }
  for (const [target, members] of groups) {
    members.sort(comparePaths);
    const first = members[0]!;
    if (first === target) continue;
    const file = byPath.get(target)!;
    const { content: _content, size: _size, ...meta } = file;
    for (const member of members) {
      if (member === first) byPath.set(member, { ...file, path: member });
      else byPath.set(member, { ...meta, path: member, type: 'hardlink', linkname: first });
    }
  }
  return [...byPath.values()].sort((a, b) => comparePaths(a.path, b.path));
}
