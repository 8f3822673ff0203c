// SARIF 2.1.0: one run of the tool, the rules that have results (with help URIs), results with regions.
import type { LintSeverity } from '../types.js';
import type { FileFindings } from './types.js';

const LEVELS: Record<LintSeverity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export interface SarifRuleInfo {
  readonly id: string;
  readonly description: string;
  readonly url: string;
  readonly severity: LintSeverity;
}

export interface SarifOptions {
  readonly version: string;
  /** Descriptions of known rules; rules without one (parser diagnostics) get their id as description. */
  readonly rules: ReadonlyMap<string, SarifRuleInfo>;
}

/** A file path as a relative URI reference (forward slashes, percent-encoded). */
function toUri(file: string): string {
  return file
    .replace(/\\/g, '/')
    .split('/')
    .map((part) => encodeURIComponent(part))
    .join('/');
}

export function toSarif(files: readonly FileFindings[], options: SarifOptions): Record<string, unknown> {
  const ruleIndex = new Map<string, number>();
  const rules: Record<string, unknown>[] = [];
  const results: Record<string, unknown>[] = [];
  for (const { file, findings } of files) {
    for (const f of findings) {
      let index = ruleIndex.get(f.rule);
      if (index === undefined) {
        index = rules.length;
        ruleIndex.set(f.rule, index);
        const info = options.rules.get(f.rule);
        const url = info?.url || f.url;
        rules.push({
          id: f.rule,
          shortDescription: { text: info?.description ?? f.rule },
          ...(url ? { helpUri: url } : {}),
          defaultConfiguration: { level: LEVELS[info?.severity ?? f.severity] },
        });
      }
      const { start, end } = f.range;
      results.push({
        ruleId: f.rule,
        ruleIndex: index,
        level: LEVELS[f.severity],
        message: { text: f.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: toUri(file) },
              region: { startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column },
            },
          },
        ],
      });
    }
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'tsbuild',
            informationUri: 'https://github.com/tsbuild/tsbuild',
            version: options.version,
            rules,
          },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export function formatSarif(files: readonly FileFindings[], options: SarifOptions): string {
  return `${JSON.stringify(toSarif(files, options), null, 2)}\n`;
}
