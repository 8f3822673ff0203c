// The expansion engine: BuildKit's shellWord (processStopOn, processSingleQuote, processDoubleQuote,
// processDollar, processName) as generators driven from an explicit stack. Each `${…}` nesting level is a
// heap object, not a JS call frame, so 10,000-deep nesting cannot overflow the stack, and every character of
// the word is read once.
import { EOF, isDigit, isNameChar, isSpecialParam, runeString } from './chars.js';
import { mandatoryVariableMessage, replacePattern, trimPrefix, trimSuffix } from './operations.js';
import { CodePointScanner } from './scanner.js';
import type { Outcome, ShellEnvLookup, ShellVariableReference } from './types.js';
import type { WordSplitter } from './words.js';

/** A step of the expansion: yields sub-steps to run, receives their outcome, returns its own. */
interface Step extends Generator<Step, Outcome, Outcome> {}

export interface LexerSettings {
  readonly escape: number;
  readonly rawQuotes: boolean;
  readonly rawEscapes: boolean;
  readonly skipUnsetEnv: boolean;
  readonly skipProcessQuotes: boolean;
  readonly emulateWordBufferReset: boolean;
  /** Reference scanning only: `${v?}` never fails and patterns are not evaluated. */
  readonly collectOnly: boolean;
}

const DOLLAR = 0x24;
const SQUOTE = 0x27;
const DQUOTE = 0x22;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const COLON = 0x3a;
const SLASH = 0x2f;
const PLUS = 0x2b;
const MINUS = 0x2d;
const QUESTION = 0x3f;
const HASH = 0x23;
const PERCENT = 0x25;
const SINGLE_QUOTE_STOP = [SQUOTE];
const MISSING_SLASH = "syntax error: missing '/' in $" + '{}';

import { fail, ok } from './outcome.js';

const unsupported = (modifier: string): Outcome => fail(`unsupported modifier (${modifier}) in substitution`);

/** Runs a step and all the sub-steps it yields, depth-first, on an explicit stack. */
function drive(root: Step): Outcome {
  const stack: Step[] = [root];
  let input: Outcome = ok('');
  for (;;) {
    const next = stack[stack.length - 1].next(input);
    if (next.done) {
      stack.pop();
      if (stack.length === 0) return next.value;
      input = next.value;
    } else {
      stack.push(next.value);
    }
  }
}

export class ShellWordEngine {
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();
  readonly references: ShellVariableReference[] = [];
  private readonly sc: CodePointScanner;
  private readonly escape: string;
  private topWords: WordSplitter | null = null;

  constructor(
    private readonly word: string,
    private readonly lookupEnv: ShellEnvLookup,
    private readonly settings: LexerSettings,
  ) {
    this.sc = new CodePointScanner(word);
    this.escape = String.fromCodePoint(settings.escape);
  }

  /** Expands the whole word; `words` (top level only) receives the text for word splitting. */
  run(words: WordSplitter | null): Outcome {
    this.topWords = words;
    return drive(this.stopOn(EOF, this.settings.rawEscapes, words));
  }

  private lookup(name: string, start: number, nameStart: number, nameEnd: number, modifier: string | null) {
    if (this.settings.collectOnly)
      this.references.push({ name, start, end: this.sc.offset, nameStart, nameEnd, modifier });
    const value = this.lookupEnv(name);
    (value === undefined ? this.unmatched : this.matched).add(name);
    return value;
  }

  /** processStopOn: text up to `stop` (consumed) or the end; an unterminated `stop` is an error. */
  private *stopOn(stop: number, rawEscapes: boolean, words: WordSplitter | null): Step {
    const sc = this.sc;
    const { escape: escapeCp, skipProcessQuotes } = this.settings;
    const specials = skipProcessQuotes ? [DOLLAR, escapeCp] : [DOLLAR, SQUOTE, DQUOTE, escapeCp];
    if (stop !== EOF) specials.push(stop);
    if (stop !== EOF && this.settings.emulateWordBufferReset) this.topWords?.discardCurrent();
    let result = '';
    for (;;) {
      const plain = sc.takeUntil(specials);
      if (plain !== '') {
        result += plain;
        words?.addSplittable(plain);
      }
      const ch = sc.peek();
      if (ch === EOF) break;
      if (ch === stop) {
        sc.next();
        return ok(result);
      }
      if (ch === DOLLAR || ch === SQUOTE || ch === DQUOTE) {
        let part: Outcome;
        if (ch === SQUOTE) part = this.singleQuote();
        else if (ch === DQUOTE) part = yield this.doubleQuote(rawEscapes);
        else part = sc.peekSecond() === LBRACE ? yield this.braced() : this.simpleDollar();
        if (!part.ok) return part;
        result += part.value;
        if (ch === DOLLAR) words?.addSplittable(part.value);
        else words?.addRaw(part.value);
        continue;
      }
      // The escape character: the next character is taken literally; a trailing escape is dropped.
      sc.next();
      if (rawEscapes) {
        result += this.escape;
        words?.addRaw(this.escape);
      }
      const escaped = sc.next();
      if (escaped === EOF) break;
      const text = String.fromCodePoint(escaped);
      result += text;
      words?.addRaw(text);
    }
    if (stop !== EOF) return fail(`unexpected end of statement while looking for matching ${runeString(stop)}`);
    return ok(result);
  }

  /** Everything up to the next `'` is literal; there is no escape. */
  private singleQuote(): Outcome {
    const sc = this.sc;
    const quote = this.settings.rawQuotes ? "'" : '';
    sc.next();
    const text = sc.takeUntil(SINGLE_QUOTE_STOP);
    if (sc.next() === EOF) return fail('unexpected end of statement while looking for matching single-quote');
    return ok(quote + text + quote);
  }

  /** `$` expands; the escape character escapes only `"`, `$` and itself, else it stays literal. */
  private *doubleQuote(rawEscapes: boolean): Step {
    const sc = this.sc;
    const { escape: escapeCp, rawQuotes } = this.settings;
    const specials = [DQUOTE, DOLLAR, escapeCp];
    sc.next();
    let result = rawQuotes ? '"' : '';
    for (;;) {
      result += sc.takeUntil(specials);
      const ch = sc.peek();
      if (ch === EOF) return fail('unexpected end of statement while looking for matching double-quote');
      if (ch === DQUOTE) {
        sc.next();
        return ok(rawQuotes ? result + '"' : result);
      }
      if (ch === DOLLAR) {
        const part: Outcome = sc.peekSecond() === LBRACE ? yield this.braced() : this.simpleDollar();
        if (!part.ok) return part;
        result += part.value;
        continue;
      }
      sc.next();
      if (rawEscapes) result += this.escape;
      const following = sc.peek();
      if (following === EOF) continue; // then fails as unterminated
      if (following === DQUOTE || following === DOLLAR || following === escapeCp) {
        sc.next();
        result += String.fromCodePoint(following);
      } else {
        result += this.escape;
      }
    }
  }

  /** processName: a run of digits (positional), one special parameter, or letters/digits/`_`. */
  private readName(): string {
    const sc = this.sc;
    const start = sc.offset;
    const first = sc.peek();
    if (first === EOF) return '';
    if (isDigit(first)) {
      while (isDigit(sc.peek())) sc.next();
    } else if (isSpecialParam(first)) {
      sc.next();
    } else {
      while (sc.peek() !== EOF && isNameChar(sc.peek())) sc.next();
    }
    return this.word.slice(start, sc.offset);
  }

  /** processDollar for `$name`: a `$` not followed by a name is a literal `$`. */
  private simpleDollar(): Outcome {
    const sc = this.sc;
    const start = sc.offset;
    sc.next();
    const nameStart = sc.offset;
    const name = this.readName();
    if (name === '') return ok('$');
    const value = this.lookup(name, start, nameStart, sc.offset, null);
    if (value === undefined && this.settings.skipUnsetEnv) return ok('$' + name);
    return ok(value ?? '');
  }

  /** processDollar for `${name}`, `${name<modifier>word}` and `${name/pattern/replacement}`. */
  private *braced(): Step {
    const sc = this.sc;
    const { skipUnsetEnv, collectOnly } = this.settings;
    const start = sc.offset;
    sc.next();
    sc.next();
    const first = sc.peek();
    if (first === EOF) return fail("syntax error: missing '}'");
    if (first === LBRACE || first === RBRACE || first === COLON) return fail('syntax error: bad substitution');
    const nameStart = sc.offset;
    const name = this.readName();
    const nameEnd = sc.offset;
    let ch = sc.next();
    let modifier = runeString(ch);
    if (ch === RBRACE) {
      const value = this.lookup(name, start, nameStart, nameEnd, null);
      if (value === undefined && skipUnsetEnv) return ok('${' + name + '}');
      return ok(value ?? '');
    }
    if (ch === SLASH) return yield this.substitute(name, start, nameStart, nameEnd);
    const nullIsUnset = ch === COLON;
    if (nullIsUnset) {
      ch = sc.next();
      modifier += runeString(ch);
    } else if (ch !== PLUS && ch !== MINUS && ch !== QUESTION && ch !== HASH && ch !== PERCENT) {
      return unsupported(modifier);
    }
    const isTrim = ch === HASH || ch === PERCENT;
    if (nullIsUnset && isTrim) return unsupported(modifier);
    // Trim patterns keep their escapes so that `\*` reaches the pattern compiler as a literal star.
    const read: Outcome = yield this.stopOn(RBRACE, isTrim, null);
    if (!read.ok) return sc.peek() === EOF ? fail("syntax error: missing '}'") : read;
    let word = read.value;
    // `##` / `%%` are recognised after the fact: the doubled character is the first one of the word.
    const greedy = isTrim && word.startsWith(runeString(ch));
    const value = this.lookup(name, start, nameStart, nameEnd, greedy ? modifier + modifier : modifier);
    if (value === undefined && skipUnsetEnv) return ok('${' + name + modifier + word + '}');
    const unset = value === undefined || (nullIsUnset && value === '');
    switch (ch) {
      case MINUS:
        return ok(unset ? word : (value as string));
      case PLUS:
        return ok(unset ? '' : word);
      case QUESTION:
        if (collectOnly || !unset) return ok(value ?? '');
        return fail(mandatoryVariableMessage(name, word, value === undefined ? 'unset' : 'empty'));
      case HASH:
      case PERCENT:
        if (collectOnly) return ok('');
        if (greedy) word = word.slice(1);
        return ch === PERCENT ? trimSuffix(word, value ?? '', greedy) : trimPrefix(word, value ?? '', greedy);
      default:
        return unsupported(modifier);
    }
  }

  /** `${name/pattern/replacement}` (first match) and `${name//pattern/replacement}` (all matches). */
  private *substitute(name: string, start: number, nameStart: number, nameEnd: number): Step {
    const sc = this.sc;
    const replaceAll = sc.peek() === SLASH;
    if (replaceAll) sc.next();
    const pattern: Outcome = yield this.stopOn(SLASH, true, null);
    if (!pattern.ok) return sc.peek() === EOF ? fail(MISSING_SLASH) : pattern;
    const replacement: Outcome = yield this.stopOn(RBRACE, true, null);
    if (!replacement.ok) return sc.peek() === EOF ? fail("syntax error: missing '}'") : replacement;
    const value = this.lookup(name, start, nameStart, nameEnd, replaceAll ? '//' : '/');
    if (value === undefined && this.settings.skipUnsetEnv) {
      return ok('${' + name + '/' + pattern.value + '/' + replacement.value + '}');
    }
    if (this.settings.collectOnly) return ok('');
    return replacePattern(pattern.value, value ?? '', replacement.value, replaceAll);
  }
}
