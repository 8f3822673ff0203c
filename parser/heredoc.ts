// Heredoc detection on an instruction line (BuildKit's heredocsFromLine / ParseHeredoc).
import { goQuote } from './go-quote.js';
import { shellWords } from './shell-words.js';

export interface HeredocStart {
  readonly name: string;
  readonly expand: boolean;
  readonly chomp: boolean;
  readonly fileDescriptor: number | null;
  /** Offsets of the `<<EOF` word in the line. */
  readonly start: number;
  readonly end: number;
}

export type HeredocWord =
  | {
      readonly kind: 'heredoc';
      readonly name: string;
      readonly expand: boolean;
      readonly chomp: boolean;
      readonly fd: number | null;
    }
  | { readonly kind: 'none' }
  | { readonly kind: 'error'; readonly message: string };

const NONE: HeredocWord = { kind: 'none' };

function countQuotes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x27 || c === 0x22) n++;
  }
  return n;
}

/** Classifies one word with the pattern `^(\d*)<<(-?)([^<]*)$` and BuildKit's name rules. */
export function parseHeredocWord(word: string): HeredocWord {
  let i = 0;
  while (i < word.length && word.charCodeAt(i) >= 0x30 && word.charCodeAt(i) <= 0x39) i++;
  const digits = word.slice(0, i);
  if (word.charCodeAt(i) !== 0x3c || word.charCodeAt(i + 1) !== 0x3c) return NONE;
  i += 2;
  const chomp = word.charCodeAt(i) === 0x2d;
  if (chomp) i++;
  const rest = word.slice(i);
  if (rest.length === 0 || rest.includes('<')) return NONE;
  const plain = shellWords(rest, 0, rest.length, { rawQuotes: false, rawEscapes: false });
  if (!plain.ok) return { kind: 'error', message: `failed to process ${goQuote(rest)}: ${plain.error}` };
  if (plain.words.length !== 1) return NONE;
  const raw = shellWords(rest, 0, rest.length, { rawQuotes: true, rawEscapes: false });
  if (!raw.ok) return { kind: 'error', message: `failed to process ${goQuote(rest)}: ${raw.error}` };
  if (raw.words.length !== 1) {
    return { kind: 'error', message: `internal lexing of heredoc produced inconsistent results: ${rest}` };
  }
  const name = plain.words[0].value;
  return {
    kind: 'heredoc',
    name,
    expand: countQuotes(name) === countQuotes(raw.words[0].value),
    chomp,
    fd: digits === '' ? null : Number(digits),
  };
}

export type HeredocScan =
  | { readonly ok: true; readonly heredocs: readonly HeredocStart[] }
  | { readonly ok: false; readonly message: string; readonly start: number; readonly end: number };

/** The heredocs a RUN/COPY/ADD line (keyword and flags included) starts, in order. */
export function heredocsFromLine(line: string, start: number, end: number): HeredocScan {
  if (line.indexOf('<<', start) < 0 || line.indexOf('<<', start) >= end) return { ok: true, heredocs: [] };
  const lexed = shellWords(line, start, end, { rawQuotes: true, rawEscapes: true });
  // BuildKit ignores a lexing error here: the line then simply has no heredocs.
  if (!lexed.ok) return { ok: true, heredocs: [] };
  const heredocs: HeredocStart[] = [];
  for (const w of lexed.words) {
    const h = parseHeredocWord(w.value);
    if (h.kind === 'error') return { ok: false, message: h.message, start: w.start, end: w.end };
    if (h.kind === 'heredoc') {
      heredocs.push({
        name: h.name,
        expand: h.expand,
        chomp: h.chomp,
        fileDescriptor: h.fd,
        start: w.start,
        end: w.end,
      });
    }
  }
  return { ok: true, heredocs };
}

/** Removes leading tabs from every line of a `<<-` heredoc body (BuildKit's ChompHeredocContent). */
export function chompHeredocContent(content: string): string {
  let out = '';
  let lineStart = true;
  for (let i = 0; i < content.length; i++) {
    const c = content.charCodeAt(i);
    if (lineStart && c === 0x09) continue;
    lineStart = c === 0x0a;
    out += content[i];
  }
  return out;
}
