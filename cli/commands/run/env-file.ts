// `tsbuild run --env-file FILE`, read as docker reads it (its opts.ParseEnvFile): one variable a line, `K=V` taken
// as is (no quotes or escapes), `K` alone takes this process's value and is left out when it has none; lines that
// are empty or start with `#` (after leading whitespace) are skipped; a name with whitespace in it is an error.
import { readFile } from 'node:fs/promises';

const leadingSpace = /^[ \t\n\v\f\r]+/;

/** The `K=V` entries of one env file, in order. */
export async function readEnvFile(file: string, env: Readonly<Record<string, string | undefined>>): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message;
    throw new Error(`open ${file}: ${code}`);
  }
  const out: string[] = [];
  for (const [index, raw] of text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .entries()) {
    const line = raw.replace(leadingSpace, '').replace(/\r$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const name = eq < 0 ? line : line.slice(0, eq);
    if (name === '') throw new Error(`${file}:${index + 1}: no variable name on line '${line}'`);
    if (/\s/.test(name)) throw new Error(`${file}:${index + 1}: variable '${name}' contains whitespaces`);
    if (eq >= 0) out.push(`${name}=${line.slice(eq + 1)}`);
    else if (env[name] !== undefined) out.push(`${name}=${env[name]}`);
  }
  return out;
}
