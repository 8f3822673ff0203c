// `--chmod` values: octal (`755`, `0`) or symbolic as chmod(1) applies them (`u+x`, `go-w`, `a+X`,
// `u=rwx,g=rx`), applied to the mode of each copied entry.

export type ModeChange = (mode: number, isDir: boolean) => number;

export class ChmodError extends Error {
  readonly code = 'E_CHMOD';
}

export function parseChmod(text: string): ModeChange {
  if (/^[0-7]+$/.test(text)) {
    const value = Number.parseInt(text, 8);
    if (value > 0o7777) throw invalid(text);
    return () => value;
  }
  const clauses = text.split(',').map((clause) => parseClause(clause, text));
  return (mode, isDir) => clauses.reduce((m, apply) => apply(m, isDir), mode & 0o7777);
}

function invalid(text: string): ChmodError {
  return new ChmodError(`invalid chmod parameter: '${text}'. it should be octal string and between 0 and 07777`);
}

const whoBits: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o1007, a: 0o7777 };

function parseClause(clause: string, whole: string): ModeChange {
  const match = /^([ugoa]*)([-+=])([rwxXst]*|[ugo])$/.exec(clause);
  if (match === null) throw invalid(whole);
  const [, whoText, op, permsText] = match;
  const who = whoText === '' ? 0o7777 : [...whoText].reduce((m, c) => m | whoBits[c], 0);
  return (mode, isDir) => {
    let perms = 0;
    if (/^[ugo]$/.test(permsText)) {
      const shift = permsText === 'u' ? 6 : permsText === 'g' ? 3 : 0;
      const bits = (mode >> shift) & 0o7;
      perms = bits * 0o111;
    } else {
      for (const c of permsText) {
        if (c === 'r') perms |= 0o444;
        if (c === 'w') perms |= 0o222;
        if (c === 'x') perms |= 0o111;
        if (c === 'X' && (isDir || (mode & 0o111) !== 0)) perms |= 0o111;
        if (c === 's') perms |= 0o6000;
        if (c === 't') perms |= 0o1000;
      }
    }
    const mask = who & perms;
    if (op === '+') return mode | mask;
    if (op === '-') return mode & ~mask;
    return (mode & ~who) | mask;
  };
}
