// docker's formatter.Context (cli/command/formatter/formatter.go): a `--format` value is a Go template applied to
// each row, one line each; `table …` adds a header row (the template run on the column names with the
// HeaderFunctions) and aligns the cells at `\t` with a tabwriter (minwidth 10, padding 3); `json` is `{{json .}}`.
// Literal `\t` and `\n` in the value are a tab and a newline. A bad template fails the whole output.

import {
  GoMap,
  headerFunctions,
  parseTemplate,
  RawJson,
  type Template,
  TemplateExecError,
  TemplateParseError,
  toJson,
  type Value,
} from '../../template/index.js';
import { tabwrite } from '../build/go-tabwriter.js';
import type { CommandIo } from './command-io.js';

/** A bad `--format`: docker prints the message alone and exits 1. */
export class FormatError extends Error {}

export const isTableFormat = (format: string) => format.startsWith('table');

/** The template text of a format value (Context.preFormat). */
export function templateText(format: string): string {
  let text = format;
  if (isTableFormat(format)) text = format.slice('table'.length);
  else if (format === 'json') text = '{{json .}}';
  return text
    .replace(/^ +| +$/g, '')
    .replaceAll('\\t', '\t')
    .replaceAll('\\n', '\n');
}

function parseFormat(text: string): Template {
  try {
    return parseTemplate(text);
  } catch (error) {
    if (error instanceof TemplateParseError) throw new FormatError(`template parsing error: ${error.message}`);
    throw error;
  }
}

/**
 * Writes `renderRows` to stdout; a template that fails on a row is reported as docker reports it (its message on
 * stderr) and gives false, with nothing written.
 */
export function printRows(
  io: Pick<CommandIo, 'stdout' | 'stderr'>,
  format: string,
  rows: readonly Value[],
  header: Readonly<Record<string, string>>,
): boolean {
  let text: string;
  try {
    text = renderRows(format, rows, header);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    io.stderr(`${error.message}\n`);
    return false;
  }
  io.stdout(text);
  return true;
}

/** The output of `format` for `rows`; `header` names the columns of a table (field → column name). */
export function renderRows(format: string, rows: readonly Value[], header: Readonly<Record<string, string>>): string {
  const template = parseFormat(templateText(format));
  let body = '';
  for (const row of rows) {
    try {
      body += `${template.execute(row)}\n`;
    } catch (error) {
      if (error instanceof TemplateExecError) throw new FormatError(`template parsing error: ${error.message}`);
      throw error;
    }
  }
  if (!isTableFormat(format)) return body;
  let head: string;
  try {
    head = template.execute(new GoMap('formatter.SubHeaderContext', header, ''), { funcs: headerFunctions });
  } catch (error) {
    // docker ignores a header that fails and prints what it wrote before failing.
    if (!(error instanceof TemplateExecError)) throw error;
    head = error.partial;
  }
  return tabwrite(`${head}\n${body}`, 3, 10);
}

/**
 * A formatter context's JSON (formatter.MarshalJSON): its exported no-argument methods as a map, keys sorted,
 * `<`, `>` and `&` escaped as encoding/json.Marshal escapes them.
 */
export function contextJson(fields: Readonly<Record<string, Value>>): RawJson {
  return new RawJson(toJson(fields, true));
}
