// `tsbuild lint [--format text|json|sarif|github] [FILE… | -]`: exit 1 when a finding reaches the fail level,
// 0 otherwise, 2 on usage errors (unknown file, bad config, bad --severity).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type FileFindings,
  formatGithub,
  formatJson,
  formatSarif,
  formatText,
  type LintSeverity,
  lint,
  parseSeverityArguments,
  rules,
  toLintOptions,
} from '../../../lint/index.js';
import { version } from '../../version.js';
import { ConfigError, loadConfig } from './config-file.js';
import { resolveFiles } from './files.js';

export interface LintCliOptions {
  readonly files: string[];
  readonly format: 'text' | 'json' | 'sarif' | 'github';
  readonly ignore: string[];
  /** `RULE=error|warning|info|off|on`, repeatable. */
  readonly severity: string[];
  readonly failLevel: LintSeverity;
  readonly config?: string;
  /** Colour in text output; default: when stdout is a terminal and NO_COLOR is not set. */
  readonly color?: boolean;
  /** For tests and embedding: working directory and I/O. */
  readonly cwd?: string;
  readonly stdin?: () => Promise<string>;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
}

const RANK: Record<LintSeverity, number> = { info: 0, warning: 1, error: 2 };

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The ignore file in force for a Dockerfile: `<Dockerfile>.dockerignore`, else `.dockerignore` beside it. */
async function dockerignoreFor(file: string): Promise<string | null> {
  for (const candidate of [`${file}.dockerignore`, path.join(path.dirname(file), '.dockerignore')]) {
    try {
      return await readFile(candidate, 'utf8');
    } catch {
      // Not there: try the next one.
    }
  }
  return null;
}

export async function run(opts: LintCliOptions): Promise<number> {
  const cwd = opts.cwd ?? process.cwd();
  const stdout = opts.stdout ?? ((text: string) => process.stdout.write(text));
  const stderr = opts.stderr ?? ((text: string) => process.stderr.write(text));
  const usage = (message: string): number => {
    stderr(`tsbuild lint: ${message}\n`);
    return 2;
  };

  const severities = parseSeverityArguments(opts.severity);
  if (severities.errors.length > 0) return usage(severities.errors.join('\n'));
  let files: string[];
  let options: ReturnType<typeof toLintOptions>;
  try {
    const config = await loadConfig(opts.config, cwd);
    options = toLintOptions(config, { ignore: opts.ignore, rules: severities.rules });
    files = await resolveFiles(opts.files, cwd);
  } catch (error) {
    if (error instanceof ConfigError) return usage(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    const file = (error as NodeJS.ErrnoException).path;
    if (code === 'ENOENT') return usage(`no such file or directory: ${path.relative(cwd, file ?? '') || file}`);
    throw error;
  }

  const results: FileFindings[] = [];
  for (const file of files) {
    const raw = file === '-' ? await (opts.stdin ?? readStdin)() : await readFile(path.resolve(cwd, file), 'utf8');
    // Without the byte-order mark, code frames line up with the columns the parser reports.
    const text = raw.replace(/^\uFEFF/, '');
    const dockerignore =
      file === '-'
        ? await dockerignoreFor(path.join(cwd, 'Dockerfile'))
        : await dockerignoreFor(path.resolve(cwd, file));
    results.push({ file, text, findings: lint(text, { ...options, dockerignore }) });
  }

  switch (opts.format) {
    case 'json':
      stdout(formatJson(results));
      break;
    case 'sarif':
      stdout(formatSarif(results, { version, rules: new Map(rules.map((r) => [r.id, r])) }));
      break;
    case 'github':
      stdout(formatGithub(results));
      break;
    default: {
      const color = opts.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR);
      stdout(formatText(results, { color }));
    }
  }
  const threshold = RANK[opts.failLevel];
  return results.some((r) => r.findings.some((f) => RANK[f.severity] >= threshold)) ? 1 : 0;
}
