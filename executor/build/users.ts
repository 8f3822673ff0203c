// Resolving user and group names the way BuildKit does, from the image's own /etc/passwd and
// /etc/group (read inside the root: symlinks never lead out of it). Two flavours:
//  - file ops (COPY --chown, WORKDIR): a numeric user without a group gets gid = uid;
//  - processes (RUN): a numeric user without a passwd entry gets gid 0, and the supplementary groups
//    are the primary gid plus every group listing the user.
import { readFile } from 'node:fs/promises';
import { isInside, resolveInRoot } from '../../image/index.js';

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

export class UserLookupError extends Error {
  readonly code = 'E_USER';
}

/** Reads a file of the image; absent, unreadable or escaping files read as empty. */
export async function readImageFile(root: string, rel: string): Promise<string> {
  try {
    const target = await resolveInRoot(root, rel, true);
    if (!isInside(root, target)) return '';
    return await readFile(target, 'utf8');
  } catch {
    return '';
  }
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || line.startsWith('#')) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) continue;
    out.push({ name: f[0], uid, gid, home: f[5] ?? '' });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#')) continue;
    const gid = Number(f[2]);
    if (!Number.isInteger(gid)) continue;
    out.push({ name: f[0], gid, members: (f[3] ?? '').split(',').filter((m) => m !== '') });
  }
  return out;
}

const numeric = (s: string): boolean => /^[0-9]+$/.test(s);

function splitSpec(spec: string): [string, string | null] {
  const colon = spec.indexOf(':');
  return colon < 0 ? [spec, null] : [spec.slice(0, colon), spec.slice(colon + 1)];
}

async function tables(root: string): Promise<{ passwd: PasswdEntry[]; group: GroupEntry[] }> {
  const [p, g] = await Promise.all([readImageFile(root, 'etc/passwd'), readImageFile(root, 'etc/group')]);
  return { passwd: parsePasswd(p), group: parseGroup(g) };
}

function lookupGroup(groups: readonly GroupEntry[], name: string): number {
  if (numeric(name)) return Number(name);
  const found = groups.find((g) => g.name === name);
  if (found === undefined) throw new UserLookupError(`unable to find group ${name}: no matching entries in group file`);
  return found.gid;
}

/** `--chown` / WORKDIR owner: `user[:group]`, names from the image (BuildKit's readUser). */
export async function resolveFileOwner(root: string, spec: string): Promise<{ uid: number; gid: number }> {
  const [user, group] = splitSpec(spec);
  const needTables = (user !== '' && !numeric(user)) || (group !== null && group !== '' && !numeric(group));
  const { passwd, group: groups } = needTables ? await tables(root) : { passwd: [], group: [] };
  let uid = 0;
  let gid = 0;
  if (user !== '') {
    if (numeric(user)) {
      uid = Number(user);
      gid = uid;
    } else {
      const found = passwd.find((p) => p.name === user);
      if (found === undefined)
        throw new UserLookupError(`unable to find user ${user}: no matching entries in passwd file`);
      uid = found.uid;
      gid = found.gid;
    }
  }
  if (group !== null && group !== '') gid = lookupGroup(groups, group);
  return { uid, gid };
}

export interface ProcessUser {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids: readonly number[];
  readonly home: string;
}

/**
 * The user a RUN process runs as (runc/containerd's user lookup as BuildKit uses it). No USER is uid 0, as
 * BuildKit's GetUser has it: a root filesystem without /etc/passwd (FROM scratch and a static binary) runs as 0:0.
 */
export async function resolveProcessUser(root: string, spec: string): Promise<ProcessUser> {
  const [user, group] = splitSpec(spec === '' ? '0' : spec);
  const { passwd, group: groups } = await tables(root);
  const entry = numeric(user) ? passwd.find((p) => p.uid === Number(user)) : passwd.find((p) => p.name === user);
  if (entry === undefined && !numeric(user)) {
    throw new UserLookupError(`unable to find user ${user}: no matching entries in passwd file`);
  }
  const uid = entry?.uid ?? Number(user);
  let gid = entry?.gid ?? 0;
  if (group !== null && group !== '') gid = lookupGroup(groups, group);
  const additional = new Set<number>([gid]);
  if (entry !== undefined && (group === null || group === '')) {
    for (const g of groups) if (g.members.includes(entry.name)) additional.add(g.gid);
  }
  return { uid, gid, additionalGids: [...additional], home: entry?.home ?? '/' };
}
