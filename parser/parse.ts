// The top-level loop: physical lines → directives, comments, logical lines (continuations), instructions and
// heredoc bodies, with BuildKit's exact rules (FORMAT.md §7–§11) and recovery instead of aborting.
import type { Comment, Diagnostic, Directive, Dockerfile, Heredoc, Instruction, ParseResult, Position } from './ast.js';
import { DirectiveBlock } from './directives.js';
import { type HeredocStart, heredocsFromLine } from './heredoc.js';
import { buildInstruction } from './instructions/build.js';
import type { LineContext } from './instructions/context.js';
import { commentStart, continuationEnd, isBlank, LineReader, type PhysicalLine } from './lines.js';
import { decodeSource } from './source.js';
import { lineRange, positionOn, SourceMap } from './source-map.js';
import { skipSpace } from './unicode.js';

const BACKSLASH = 0x5c;
const BACKTICK = 0x60;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const HEREDOC_KINDS = new Set(['run', 'copy', 'add']);

/** Parses a Dockerfile. Never throws: problems are reported as diagnostics. */
export function parse(input: string | Uint8Array): ParseResult {
  try {
    return parseText(decodeSource(input));
  } catch (e) {
    const origin: Position = { line: 1, column: 1, offset: 0 };
    const message = `internal parser error: ${e instanceof Error ? e.message : String(e)}`;
    return {
      ast: emptyAst([], []),
      diagnostics: [{ severity: 'error', code: 'internal-error', message, range: { start: origin, end: origin } }],
    };
  }
}

function emptyAst(directives: Directive[], comments: Comment[]): Dockerfile {
  const origin: Position = { line: 1, column: 1, offset: 0 };
  return {
    kind: 'dockerfile',
    directives,
    instructions: [],
    comments,
    escapeChar: '\\',
    range: { start: origin, end: origin },
  };
}

function parseText(text: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const directives: Directive[] = [];
  const comments: Comment[] = [];
  const instructions: Instruction[] = [];
  const directiveBlock = new DirectiveBlock(directives, diagnostics);
  let escapeChar = BACKSLASH;
  let leading: Comment[] = [];
  const reader = new LineReader(text);

  const read = (): PhysicalLine | null => {
    const pl = reader.next();
    if (pl?.tooLong) {
      diagnostics.push({
        severity: 'error',
        code: 'line-too-long',
        message: 'dockerfile line greater than max allowed size of 65535',
        range: lineRange(pl, pl.start, pl.end),
      });
    }
    return pl;
  };
  const comment = (pl: PhysicalLine, hash: number): Comment => {
    const c: Comment = {
      kind: 'comment',
      text: text.slice(hash + 1, pl.contentEnd),
      range: lineRange(pl, hash, pl.contentEnd),
    };
    comments.push(c);
    return c;
  };

  for (let pl = read(); pl !== null; pl = read()) {
    const start = skipSpace(text, pl.start, pl.contentEnd);
    if (!directiveBlock.done) {
      if (directiveBlock.offer(text, pl, start)) continue;
      // The escape directive, if any, is known once the block ends.
      escapeChar = directiveBlock.escapeChar;
    }
    const hash = commentStart(text, pl);
    if (hash >= 0) {
      leading.push(comment(pl, hash));
      continue;
    }
    let end = continuationEnd(text, start, pl.contentEnd, escapeChar);
    let continuing = end >= 0;
    if (!continuing) end = pl.contentEnd;
    if (!continuing && end === start) {
      leading = [];
      continue;
    }

    const map = new SourceMap();
    map.add(start, end, pl.number, pl.start);
    let line = text.slice(start, end);
    let last = pl;
    let emptyContinuation = false;
    while (continuing) {
      const next = read();
      if (next === null) break;
      last = next;
      const h = commentStart(text, next);
      if (h >= 0) {
        comment(next, h);
        continue;
      }
      if (isBlank(text, next)) {
        emptyContinuation = true;
        continue;
      }
      let e = continuationEnd(text, next.start, next.contentEnd, escapeChar);
      continuing = e >= 0;
      if (!continuing) e = next.contentEnd;
      map.add(next.start, e, next.number, next.start);
      line += text.slice(next.start, e);
    }

    const ctx: LineContext = { line, map, escape: escapeChar, diagnostics };
    const node = buildInstruction(ctx, 0, line.length);
    if (emptyContinuation) {
      diagnostics.push({
        severity: 'warning',
        code: 'empty-continuation',
        message: `Empty continuation line found in: ${line}`,
        range: node.range,
      });
    }

    const heredocs: Heredoc[] = [];
    const target = node.kind === 'onbuild' && node.trigger !== null ? node.trigger : node;
    if (HEREDOC_KINDS.has(target.kind) && !('form' in target && target.form === 'exec')) {
      const scan = heredocsFromLine(line, 0, line.length);
      if (!scan.ok) {
        diagnostics.push({
          severity: 'error',
          code: 'invalid-heredoc',
          message: scan.message,
          range: map.range(scan.start, scan.end),
        });
      } else {
        for (const h of scan.heredocs) {
          const body = readHeredoc(h, map);
          heredocs.push(body.heredoc);
          if (body.last !== null) last = body.last;
          if (!body.terminated) {
            diagnostics.push({
              severity: 'error',
              code: 'unterminated-heredoc',
              message: 'unterminated heredoc',
              range: body.heredoc.wordRange,
            });
            break;
          }
        }
      }
    }

    // The node was built by this module and is not shared yet: complete it in place.
    const done = node as Mutable<Instruction>;
    done.range = { start: node.range.start, end: positionOn(last.number, last.start, last.contentEnd) };
    done.heredocs = heredocs;
    done.leadingComments = leading;
    if (node.kind === 'onbuild' && node.trigger !== null && heredocs.length > 0) {
      (node.trigger as Mutable<Instruction>).heredocs = heredocs;
    }
    instructions.push(node);
    leading = [];
  }

  function readHeredoc(h: HeredocStart, map: SourceMap) {
    const wordRange = map.range(h.start, h.end);
    let content = '';
    let first: PhysicalLine | null = null;
    let last: PhysicalLine | null = null;
    let terminated = false;
    for (let pl = read(); pl !== null; pl = read()) {
      first ??= pl;
      last = pl;
      let s = pl.start;
      if (h.chomp) while (s < pl.contentEnd && text.charCodeAt(s) === 0x09) s++;
      if (pl.contentEnd - s === h.name.length && text.startsWith(h.name, s)) {
        terminated = true;
        break;
      }
      content += text.slice(pl.start, pl.next);
    }
    const bodyStart = first === null ? wordRange.end : positionOn(first.number, first.start, first.start);
    const bodyEnd = last === null ? wordRange.end : positionOn(last.number, last.start, last.contentEnd);
    const heredoc: Heredoc = {
      name: h.name,
      expand: h.expand,
      chomp: h.chomp,
      fileDescriptor: h.fileDescriptor,
      content,
      wordRange,
      range: { start: bodyStart, end: bodyEnd },
    };
    return { heredoc, last, terminated };
  }

  if (instructions.length === 0) {
    const at = positionOn(1, 0, 0);
    diagnostics.push({
      severity: 'error',
      code: 'no-instructions',
      message: 'file with no instructions',
      range: { start: at, end: at },
    });
    return {
      ast: { ...emptyAst(directives, comments), escapeChar: directiveBlock.escapeChar === BACKTICK ? '`' : '\\' },
      diagnostics,
    };
  }
  const ast: Dockerfile = {
    kind: 'dockerfile',
    directives,
    instructions,
    comments,
    escapeChar: directiveBlock.escapeChar === BACKTICK ? '`' : '\\',
    range: { start: instructions[0].range.start, end: instructions[instructions.length - 1].range.end },
  };
  return { ast, diagnostics };
}
