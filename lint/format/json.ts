// Machine-readable output: one flat array of findings over all files.
import type { FileFindings } from './types.js';

export interface JsonFinding {
  readonly file: string;
  readonly rule: string;
  readonly severity: string;
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly url: string;
}

export function toJson(files: readonly FileFindings[]): JsonFinding[] {
  return files.flatMap(({ file, findings }) =>
    findings.map((f) => ({
      file,
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      line: f.range.start.line,
      column: f.range.start.column,
      endLine: f.range.end.line,
      endColumn: f.range.end.column,
      url: f.url,
    })),
  );
}

export function formatJson(files: readonly FileFindings[]): string {
  return `${JSON.stringify(toJson(files), null, 2)}\n`;
}
