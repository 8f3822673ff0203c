// A build error as docker prints it: the failing step with its last output lines, the Dockerfile
// excerpt around the instruction's line with `>>>`, then `ERROR: failed to solve: <message>`.
import type { BuildError } from '../../../executor/index.js';

const context = 2;

export function renderBuildError(error: BuildError, fileName: string, dockerfile: string | null): string {
  const { line, instruction, outputTail } = error.details;
  let out = '';
  if (instruction !== undefined) {
    out += `------\n > ${instruction}:\n`;
    for (const l of outputTail ?? []) out += `${l}\n`;
    out += '------\n';
  }
  if (line !== undefined && dockerfile !== null) {
    const lines = dockerfile.split('\n');
    out += `${fileName}:${line}\n--------------------\n`;
    const from = Math.max(1, line - context);
    const to = Math.min(lines.length, line + context);
    const width = Math.max(3, String(to).length);
    for (let n = from; n <= to; n++) {
      const marker = n === line ? '>>> ' : '    ';
      out += ` ${String(n).padStart(width)} | ${marker}${lines[n - 1]}\n`;
    }
    out += '--------------------\n';
  }
  return `${out}ERROR: failed to solve: ${error.message}\n`;
}
