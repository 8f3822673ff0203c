// The real executable, as users run it: the package bin (bundled) and the package exports.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { version } from '../../cli/version.js';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'dist/bin/tsbuild.js');
const built = existsSync(bin);

function tsbuild(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!built)('tsbuild executable (run `npm run build` first)', () => {
  it('--version prints the package version', () => {
    expect(tsbuild(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('--help lists the commands', () => {
    const r = tsbuild(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['parse', 'lint', 'plan', 'build', 'images', 'run']) {
      expect(r.stdout).toContain(`tsbuild ${command}`);
    }
  });

  it('reads a Dockerfile from stdin for `-` (parse and lint)', () => {
    expect(tsbuild(['parse', '-'], 'FROM a:1\nRUN x\n')).toEqual({
      code: 0,
      stdout: '(from "a:1")\n(run "x")\n',
      stderr: '',
    });
    const lint = tsbuild(['lint', '--format', 'json', '-'], 'FROM a:1\nMAINTAINER me\n');
    expect(lint.code).toBe(1);
    expect((JSON.parse(lint.stdout) as { rule: string }[]).map((f) => f.rule)).toContain('MaintainerDeprecated');
  });

  it('exits 2 on usage errors', () => {
    const r = tsbuild(['lint', '--format', 'nope', 'Dockerfile']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Invalid values');
  });

  it('`tsbuild/parser` resolves through the package exports', async () => {
    const parser = (await import('tsbuild/parser')) as typeof import('../../parser/index.js');
    expect(parser.toBuildKitDump(parser.parse('FROM scratch\n').ast)).toBe('(from "scratch")\n');
  });
});
