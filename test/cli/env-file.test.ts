// `tsbuild run --env-file`, read as docker reads it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEnvFile } from '../../cli/commands/run/env-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tsb-envfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const at = path.join(dir, name);
  writeFileSync(at, text);
  return at;
};

describe('--env-file', () => {
  it('takes K=V as is, K alone from this process when set, and skips comments and blank lines', async () => {
    const text =
      '\uFEFF# a comment\nA=1\n  B=two words \n\nC="quoted"\r\nFROM_HOST\nUNSET\n   # indented comment\nD=\nE=x=y\n';
    expect(await readEnvFile(file('ok.env', text), { FROM_HOST: 'h' })).toEqual([
      'A=1',
      'B=two words ',
      'C="quoted"',
      'FROM_HOST=h',
      'D=',
      'E=x=y',
    ]);
  });

  it('refuses a name with whitespace or no name, naming the file and line, and a missing file', async () => {
    await expect(readEnvFile(file('bad.env', 'A=1\nB C=2\n'), {})).rejects.toThrow(
      `${path.join(dir, 'bad.env')}:2: variable 'B C' contains whitespaces`,
    );
    await expect(readEnvFile(file('noname.env', '=x\n'), {})).rejects.toThrow(
      `${path.join(dir, 'noname.env')}:1: no variable name on line '=x'`,
    );
    await expect(readEnvFile(path.join(dir, 'missing.env'), {})).rejects.toThrow(
      `open ${path.join(dir, 'missing.env')}: no such file or directory`,
    );
  });
});
