// The expectations of a case (README section 4) checked against a finished build: files of the
// exported filesystem, the image config, JSON-pointer checks on config and manifest. Each failed
// check is returned as a sentence, so a failing case says exactly what differs.
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { FileCheck, ImageCheck } from './cases.js';

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export interface FileContext {
  readonly root: string;
  readonly contextDir: string;
  readonly httpBody: (p: string) => Promise<Buffer>;
  readonly caseRoot: (name: string) => string | null;
  readonly lastModified: (p: string) => number | null;
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}

export async function checkFile(ctx: FileContext, check: FileCheck): Promise<string[]> {
  const full = path.join(ctx.root, check.path);
  const problems: string[] = [];
  const where = check.path;
  if (check.absent) {
    if (await exists(full)) problems.push(`${where} exists but should be absent`);
    return problems;
  }
  if (!(await exists(full))) return [`${where} does not exist`];
  const st = await lstat(full);
  if (check.symlink !== undefined) {
    if (!st.isSymbolicLink()) problems.push(`${where} is not a symlink`);
    else if ((await readlink(full)) !== check.symlink)
      problems.push(`${where} -> ${await readlink(full)}, expected ${check.symlink}`);
  }
  if (check.type === 'file' && !st.isFile()) problems.push(`${where} is not a regular file`);
  if (check.type === 'dir' && !st.isDirectory()) problems.push(`${where} is not a directory`);
  if (check.empty && st.isDirectory() && (await readdir(full)).length > 0) problems.push(`${where} is not empty`);
  if (check.uid !== undefined && st.uid !== check.uid) problems.push(`${where} uid ${st.uid}, expected ${check.uid}`);
  if (check.gid !== undefined && st.gid !== check.gid) problems.push(`${where} gid ${st.gid}, expected ${check.gid}`);
  if (check.sameFileAs !== undefined) {
    const other = await stat(path.join(ctx.root, check.sameFileAs)).catch(() => null);
    if (other === null || other.ino !== (await stat(full)).ino)
      problems.push(`${where} is not a hard link of ${check.sameFileAs}`);
  }
  const needsContent =
    check.content !== undefined ||
    check.trimmedContent !== undefined ||
    check.contains !== undefined ||
    check.notContains !== undefined ||
    check.nonEmpty !== undefined ||
    check.minLength !== undefined ||
    check.sameBytesAs !== undefined;
  if (needsContent) {
    const data = await readFile(full).catch(() => null);
    if (data === null) return [...problems, `${where} cannot be read`];
    const text = data.toString('utf8');
    if (check.content !== undefined && text !== check.content)
      problems.push(
        `${where} content ${JSON.stringify(text.slice(0, 200))}, expected ${JSON.stringify(check.content)}`,
      );
    if (check.trimmedContent !== undefined && text.trim() !== check.trimmedContent)
      problems.push(
        `${where} trimmed content ${JSON.stringify(text.trim().slice(0, 200))}, expected ${JSON.stringify(check.trimmedContent)}`,
      );
    for (const s of list(check.contains)) if (!text.includes(s)) problems.push(`${where} lacks ${JSON.stringify(s)}`);
    for (const s of list(check.notContains))
      if (text.includes(s)) problems.push(`${where} contains ${JSON.stringify(s)}`);
    if (check.nonEmpty && data.length === 0) problems.push(`${where} is empty`);
    if (check.minLength !== undefined && data.length < check.minLength)
      problems.push(`${where} is shorter than ${check.minLength}`);
    if (check.sameBytesAs !== undefined) {
      const expected = await sameBytesSource(ctx, check.sameBytesAs);
      if (expected === null) problems.push(`${where}: unsupported sameBytesAs ${check.sameBytesAs}`);
      else if (!expected.equals(data)) problems.push(`${where} differs from ${check.sameBytesAs}`);
    }
  }
  if (check.mtimeFromLastModified !== undefined) {
    const expected = ctx.lastModified(check.mtimeFromLastModified);
    if (expected === null || Math.floor(st.mtimeMs / 1000) !== expected)
      problems.push(`${where} mtime ${Math.floor(st.mtimeMs / 1000)}, expected ${expected}`);
  }
  return problems;
}

async function sameBytesSource(ctx: FileContext, spec: string): Promise<Buffer | null> {
  if (spec.startsWith('context:')) return readFile(path.join(ctx.contextDir, spec.slice('context:'.length)));
  if (spec.startsWith('http:')) return ctx.httpBody(spec.slice('http:'.length));
  const match = /^case:(.+):(\/.*)$/.exec(spec);
  const root = match === null ? null : ctx.caseRoot(match[1]);
  if (match === null || root === null) return null;
  return readFile(path.join(root, match[2])).catch(() => null);
}

export function checkConfig(
  config: Record<string, unknown>,
  exact: Record<string, unknown> | undefined,
  subset: Record<string, unknown> | undefined,
): string[] {
  const problems: string[] = [];
  for (const [key, want] of Object.entries(exact ?? {})) {
    const got = config[key] ?? null;
    if (!isDeepStrictEqual(got, want ?? null))
      problems.push(`config.${key} = ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }
  for (const [key, want] of Object.entries(subset ?? {})) {
    const got = config[key];
    if (Array.isArray(want)) {
      for (const item of want)
        if (!Array.isArray(got) || !got.some((g) => isDeepStrictEqual(g, item)))
          problems.push(`config.${key} lacks ${JSON.stringify(item)} (has ${JSON.stringify(got)})`);
    } else if (want !== null && typeof want === 'object') {
      for (const [k, v] of Object.entries(want))
        if (!isDeepStrictEqual((got as Record<string, unknown> | undefined)?.[k], v))
          problems.push(
            `config.${key}.${k} = ${JSON.stringify((got as Record<string, unknown> | undefined)?.[k])}, expected ${JSON.stringify(v)}`,
          );
    }
  }
  return problems;
}

/** JSON pointer with `@last`, `*` (every element) and `name@new` (elements after the base image's). */
function resolvePointer(doc: unknown, pointer: string, baseCounts: Record<string, number>): unknown[] {
  let current: unknown[] = [doc];
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const next: unknown[] = [];
    for (const value of current) {
      if (segment.endsWith('@new')) {
        const name = segment.slice(0, -4);
        const arr = (value as Record<string, unknown> | undefined)?.[name];
        next.push(Array.isArray(arr) ? arr.slice(baseCounts[name] ?? 0) : undefined);
      } else if (segment === '*' && Array.isArray(value)) next.push(...value);
      else if (segment === '@last' && Array.isArray(value)) next.push(value[value.length - 1]);
      else if (Array.isArray(value)) next.push(value[Number(segment)]);
      else next.push((value as Record<string, unknown> | undefined)?.[segment]);
    }
    current = next;
  }
  return current;
}

export function checkImage(
  docs: Record<string, unknown>,
  check: ImageCheck,
  baseCounts: Record<string, number>,
): string[] {
  const target = check.target ?? 'config';
  const doc = docs[target];
  if (doc === undefined) return [`unsupported check target ${target}`];
  const values = resolvePointer(doc, check.path, baseCounts);
  const problems: string[] = [];
  const at = `${target}${check.path}`;
  for (const found of values) {
    // Go's omitempty drops false booleans (`empty_layer`); upstream decodes them as false.
    const value = found === undefined && check.equals === false ? false : found;
    if ('equals' in check && !isDeepStrictEqual(value, check.equals))
      problems.push(`${at} = ${JSON.stringify(value)}, expected ${JSON.stringify(check.equals)}`);
    if (check.len !== undefined && (!Array.isArray(value) || value.length !== check.len))
      problems.push(`${at} has length ${Array.isArray(value) ? value.length : 'n/a'}, expected ${check.len}`);
    if (
      check.notEmpty &&
      (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0))
    )
      problems.push(`${at} is empty`);
    if (check.contains !== undefined && !(typeof value === 'string' && value.includes(check.contains)))
      problems.push(`${at} = ${JSON.stringify(value)} lacks ${JSON.stringify(check.contains)}`);
    if (check.notContains !== undefined && typeof value === 'string' && value.includes(check.notContains))
      problems.push(`${at} = ${JSON.stringify(value)} contains ${JSON.stringify(check.notContains)}`);
    if (
      check.someHasPrefix !== undefined &&
      !(Array.isArray(value) && value.some((v) => typeof v === 'string' && v.startsWith(check.someHasPrefix as string)))
    )
      problems.push(`${at} has no element starting with ${check.someHasPrefix}`);
    if (check.unixTime !== undefined && (typeof value !== 'string' || Date.parse(value) !== check.unixTime * 1000))
      problems.push(`${at} = ${JSON.stringify(value)}, expected unix time ${check.unixTime}`);
    if (
      check.emptyOrAbsent &&
      !(
        value === undefined ||
        value === null ||
        (Array.isArray(value) && value.length === 0) ||
        (typeof value === 'object' && Object.keys(value as object).length === 0)
      )
    )
      problems.push(`${at} = ${JSON.stringify(value)}, expected empty or absent`);
    if (check.sameAs !== undefined) {
      const other = resolvePointer(doc, check.sameAs, baseCounts)[0];
      if (!isDeepStrictEqual(value, other)) problems.push(`${at} differs from ${check.sameAs}`);
    }
    if (check.platformString !== undefined || check.layer !== undefined) problems.push(`unsupported check on ${at}`);
  }
  return problems;
}
