// The Dockerfile AST: plain readonly data, a discriminated union on `kind`.
// Passes over it (dump, lint rules, planning) are functions elsewhere; nothing here has behaviour.
//
// Positions: `line` and `column` are 1-based, `offset` is 0-based; columns and offsets count UTF-16 code
// units of the decoded text (what editors and LSP use). An `end` position is exclusive: it points just past
// the last character of the range.

export interface Position {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

export interface Range {
  readonly start: Position;
  readonly end: Position;
}

export type Severity = 'error' | 'warning';

/** One finding of the parser. Lint findings and build errors reuse this shape. */
export interface Diagnostic {
  readonly severity: Severity;
  /** Stable machine id, e.g. `unterminated-heredoc`, `env-no-value`, `empty-continuation`. */
  readonly code: string;
  /** BuildKit's message text where BuildKit has one. */
  readonly message: string;
  readonly range: Range;
}

/** A piece of source text with its location. `value` is the text after the transformation the node describes. */
export interface Word {
  readonly value: string;
  readonly range: Range;
}

/** `# name=value` at the top of the file. */
export interface Directive {
  readonly kind: 'directive';
  /** Lower-cased name: `syntax`, `escape` or `check`. */
  readonly name: string;
  readonly value: string;
  readonly range: Range;
  readonly nameRange: Range;
  readonly valueRange: Range;
}

export interface Comment {
  readonly kind: 'comment';
  /** Text after `#`, untrimmed. */
  readonly text: string;
  readonly range: Range;
}

/** One key/value option inside a flag value such as `--mount=type=cache,target=/root/.cache`. */
export interface FlagOption {
  readonly key: string;
  /** `null` for a bare key (`ro`, `rw`, `required`). */
  readonly value: string | null;
  readonly range: Range;
}

/** `--name`, `--name=value`. Values are after quote and escape removal, as BuildKit stores them. */
export interface Flag {
  readonly name: string;
  /** `null` when written without `=` (`--link`). */
  readonly value: string | null;
  /** The flag as BuildKit's dump prints it, e.g. `--from=build`. */
  readonly text: string;
  readonly range: Range;
  readonly nameRange: Range;
  readonly valueRange: Range | null;
  /** Comma-separated `key=value` options of the value (CSV rules, as BuildKit reads `--mount`). */
  readonly options: readonly FlagOption[];
}

export interface Heredoc {
  /** Terminator name after quote removal. */
  readonly name: string;
  /** False when any part of the name was quoted (`<<'EOF'`, `<<"EOF"`): no variable expansion in the body. */
  readonly expand: boolean;
  /** `<<-`: leading tabs are stripped from body lines (done by the consumer, not the parser). */
  readonly chomp: boolean;
  /** `0<<EOF` → 0; null when no descriptor was written. */
  readonly fileDescriptor: number | null;
  /** Body exactly as written (line ends kept), without the terminator line. */
  readonly content: string;
  /** The `<<EOF` word on the instruction line. */
  readonly wordRange: Range;
  /** The body and the terminator line. */
  readonly range: Range;
}

/** ENV / LABEL pair. */
export interface KeyValue {
  readonly key: Word;
  readonly value: Word;
  /** `=` for the `key=value` form, empty for the legacy `key value` form. */
  readonly separator: '=' | '';
  readonly range: Range;
}

/** ARG name[=default]. */
export interface ArgDeclaration {
  readonly name: Word;
  /** Null when there is no `=`. The raw text after `=` (quotes kept; the planner expands it). */
  readonly defaultValue: Word | null;
  readonly range: Range;
}

/** What every instruction has. */
interface InstructionCommon {
  /** The keyword exactly as written (`FrOm`). */
  readonly keyword: Word;
  /** From the first character of the keyword to the end of the last line consumed (heredocs included). */
  readonly range: Range;
  readonly flags: readonly Flag[];
  /** The argument nodes of BuildKit's AST, in order (what the dump prints after the flags). */
  readonly args: readonly Word[];
  /** The argument text after the flags, trimmed, continuations joined (BuildKit's `rest`). */
  readonly argsText: Word;
  /** The joined logical line (continuations removed), as BuildKit's `Original`. */
  readonly original: string;
  /** Heredocs started on this instruction's line (RUN, COPY, ADD only). */
  readonly heredocs: readonly Heredoc[];
  /** Comments directly above this instruction (contiguous, after the previous instruction). */
  readonly leadingComments: readonly Comment[];
}

/** Exec (JSON array) form or shell form, decided as BuildKit decides. */
export type CommandForm = 'exec' | 'shell';

export interface FromInstruction extends InstructionCommon {
  readonly kind: 'from';
  readonly image: Word | null;
  /** The word after `AS` (any case), or null. */
  readonly stageName: Word | null;
}

export interface CommandInstruction<K extends 'run' | 'cmd' | 'entrypoint'> extends InstructionCommon {
  readonly kind: K;
  readonly form: CommandForm;
  /** Exec form: the array elements. Shell form: one element, the whole command text. Empty for `CMD []`. */
  readonly command: readonly Word[];
}

export type RunInstruction = CommandInstruction<'run'>;
export type CmdInstruction = CommandInstruction<'cmd'>;
export type EntrypointInstruction = CommandInstruction<'entrypoint'>;

export interface ShellInstruction extends InstructionCommon {
  readonly kind: 'shell';
  readonly form: CommandForm;
  readonly command: readonly Word[];
}

export interface CopyInstruction<K extends 'copy' | 'add'> extends InstructionCommon {
  readonly kind: K;
  readonly form: CommandForm;
  /** All but the last argument (heredoc words such as `<<EOF` included as written). */
  readonly sources: readonly Word[];
  readonly destination: Word | null;
}

export type AddInstruction = CopyInstruction<'add'>;
export type CopyFilesInstruction = CopyInstruction<'copy'>;

export interface KeyValueInstruction<K extends 'env' | 'label'> extends InstructionCommon {
  readonly kind: K;
  readonly pairs: readonly KeyValue[];
}

export type EnvInstruction = KeyValueInstruction<'env'>;
export type LabelInstruction = KeyValueInstruction<'label'>;

export interface ArgInstruction extends InstructionCommon {
  readonly kind: 'arg';
  readonly declarations: readonly ArgDeclaration[];
}

export interface ExposeInstruction extends InstructionCommon {
  readonly kind: 'expose';
  readonly ports: readonly Word[];
}

export interface VolumeInstruction extends InstructionCommon {
  readonly kind: 'volume';
  readonly form: CommandForm;
  readonly paths: readonly Word[];
}

/** MAINTAINER, USER, WORKDIR, STOPSIGNAL: one value, the whole argument text. */
export interface SingleValueInstruction<K extends 'maintainer' | 'user' | 'workdir' | 'stopsignal'>
  extends InstructionCommon {
  readonly kind: K;
  readonly value: Word | null;
}

export type MaintainerInstruction = SingleValueInstruction<'maintainer'>;
export type UserInstruction = SingleValueInstruction<'user'>;
export type WorkdirInstruction = SingleValueInstruction<'workdir'>;
export type StopsignalInstruction = SingleValueInstruction<'stopsignal'>;

export interface HealthcheckInstruction extends InstructionCommon {
  readonly kind: 'healthcheck';
  /** The first word as typed: `CMD`, `NONE`, or anything else (an error later). */
  readonly type: Word | null;
  readonly form: CommandForm;
  readonly command: readonly Word[];
}

export interface OnbuildInstruction extends InstructionCommon {
  readonly kind: 'onbuild';
  /** The nested instruction, or null when ONBUILD has no argument. */
  readonly trigger: Instruction | null;
}

/** Any keyword BuildKit does not know. Kept so that editors and lint can point at it. */
export interface UnknownInstruction extends InstructionCommon {
  readonly kind: 'unknown';
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | ShellInstruction
  | AddInstruction
  | CopyFilesInstruction
  | EnvInstruction
  | LabelInstruction
  | ArgInstruction
  | ExposeInstruction
  | VolumeInstruction
  | MaintainerInstruction
  | UserInstruction
  | WorkdirInstruction
  | StopsignalInstruction
  | HealthcheckInstruction
  | OnbuildInstruction
  | UnknownInstruction;

export type InstructionKind = Instruction['kind'];

export interface Dockerfile {
  readonly kind: 'dockerfile';
  readonly directives: readonly Directive[];
  readonly instructions: readonly Instruction[];
  /** Every comment line, in order (directives excluded). */
  readonly comments: readonly Comment[];
  /** The escape character in force (`\` or a backtick from the `escape` directive). */
  readonly escapeChar: '\\' | '`';
  /** From the first instruction's start to the last one's end; empty at 1:1 when there is none. */
  readonly range: Range;
}

export interface ParseResult {
  readonly ast: Dockerfile;
  readonly diagnostics: readonly Diagnostic[];
}
