// `--secret` as buildx parses it and BuildKit's secrets store checks it before the build: keys in any case,
// type=file|env, env= over src=, `id=NAME` alone the variable NAME when set, else the file NAME, which must exist and
// hold at most 500 KB.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSecrets } from '../../cli/commands/build/secret-spec.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tsb-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const token = path.join(dir, 'token');
writeFileSync(token, 's3cr3t');

describe('--secret', () => {
  it('reads files, variables and the type= forms as buildx does', () => {
    const env = { TOKEN: 'x', GIT_AUTH_TOKEN: 'y' };
    expect(
      Object.fromEntries(
        parseSecrets(
          [
            `id=a,src=${token}`,
            `ID=b,Source=${token}`,
            'id=c,env=TOKEN',
            'id=d,type=env,src=TOKEN',
            `id=e,type=file,src=${token}`,
            `id=f,env=TOKEN,src=${token}`,
            'id=GIT_AUTH_TOKEN',
          ],
          env,
        ),
      ),
    ).toEqual({
      a: { src: token },
      b: { src: token },
      c: { env: 'TOKEN' },
      d: { env: 'TOKEN' },
      e: { src: token },
      f: { env: 'TOKEN' },
      GIT_AUTH_TOKEN: { env: 'GIT_AUTH_TOKEN' },
    });
  });

  it('takes `id=NAME` alone as the file NAME when no variable NAME is set', () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(parseSecrets(['id=token'], {})).toEqual(new Map([['token', { src: 'token' }]]));
      expect(() => parseSecrets(['id=absent'], {})).toThrow('failed to stat absent: no such file or directory');
    } finally {
      process.chdir(cwd);
    }
  });

  it("refuses what buildx refuses, in its words, and a file over BuildKit's 500 KB", () => {
    const big = path.join(dir, 'big');
    writeFileSync(big, Buffer.alloc(500 * 1024 + 1));
    const refused: [string, string][] = [
      ['id=a,src', "invalid field 'src' must be a key=value pair"],
      ['id=a,type=ssh', 'unsupported secret type "ssh"'],
      ['id=a,path=/x', "unexpected key 'path' in 'path=/x'"],
      [`src=${token}`, 'secret missing ID'],
      [`id=a,src=${path.join(dir, 'nope')}`, `failed to stat ${path.join(dir, 'nope')}: no such file or directory`],
      [`id=huge,src=${big}`, 'secret huge too big. max size 500KB'],
    ];
    for (const [spec, message] of refused) expect(() => parseSecrets([spec], {})).toThrow(message);
    writeFileSync(big, Buffer.alloc(500 * 1024));
    expect(parseSecrets([`id=edge,src=${big}`], {}).get('edge')).toEqual({ src: big });
  });
});
