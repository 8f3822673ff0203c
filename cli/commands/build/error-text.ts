// A build error as docker prints it: the failing step (its progress name) with its last output lines, the
// Dockerfile excerpt around the instruction with `>>>` on its lines, then `ERROR: failed to solve: <message>`.
import type { BuildError } from '../../../executor/index.js';

export function renderBuildError(error: BuildError, fileName: string, dockerfile: string | null): string {
  const { line, endLine, instruction, outputTail } = error.details;
  let out = '';
  if (instruction !== undefined) {
    out += `------\n > ${instruction}:\n`;
    for (const l of outputTail ?? []) out += `${l}\n`;
    out += '------\n';
  }
  if (line !== undefined && dockerfile !== null) out += codeFrame(fileName, dockerfile, line, endLine ?? line);
  return `${out}ERROR: failed to solve: ${error.message}\n`;
}

/**
 * The excerpt as BuildKit's errdefs Source.Print writes it: every line of the instruction marked `>>>`, with
 * context lines added one before and one after in turn until 4 (one line) or 2 (several) are added or the file
 * ends; the header names the first line of the instruction.
 */
function codeFrame(fileName: string, dockerfile: string, first: number, last: number): string {
  const lines = dockerfile.split('\n');
  if (first < 1 || first > lines.length) return '';
  let start = first;
  let end = Math.min(Math.max(last, first), lines.length);
  const markedEnd = end;
  const pad = end === start ? 4 : 2;
  for (let added = 0; added < pad; added++) {
    if (start > 1) {
      start--;
      added++;
    }
    if (end !== lines.length) {
      end++;
      added++;
    }
  }
  const width = Math.max(3, String(end).length);
  let out = `${fileName}:${first}\n--------------------\n`;
  for (let n = start; n <= end; n++) {
    const marker = n >= first && n <= markedEnd ? '>>> ' : '    ';
    out += ` ${String(n).padStart(width)} | ${marker}${lines[n - 1]}\n`;
  }
  return `${out}--------------------\n`;
}
