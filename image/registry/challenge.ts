/** One `WWW-Authenticate` challenge, e.g. `Bearer realm="https://auth/token",service="registry",scope="…"`. */
export interface AuthChallenge {
  /** Lower-case scheme: `basic` or `bearer` (others are kept but not supported). */
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/**
 * Parses a `WWW-Authenticate` header (RFC 7235): several challenges, comma separated, each with
 * `key=value` or `key="quoted \"value\""` parameters. Malformed tails are ignored rather than fatal, as
 * Docker's parser does.
 */
export function parseChallenges(header: string | readonly string[] | undefined): AuthChallenge[] {
  if (header === undefined) return [];
  const headers = typeof header === 'string' ? [header] : header;
  const out: AuthChallenge[] = [];
  for (const text of headers) {
    let rest = text.trim();
    let current: { scheme: string; params: Record<string, string> } | undefined;
    while (rest.length > 0) {
      const word = token.exec(rest)?.[0];
      if (word === undefined) break;
      const afterWord = rest.slice(word.length).trimStart();
      if (afterWord.startsWith('=') && current !== undefined) {
        // a parameter of the current challenge
        let value: string;
        let after = afterWord.slice(1).trimStart();
        if (after.startsWith('"')) {
          let i = 1;
          value = '';
          while (i < after.length && after[i] !== '"') {
            if (after[i] === '\\' && i + 1 < after.length) i++;
            value += after[i];
            i++;
          }
          after = after.slice(i + 1);
        } else {
          value = token.exec(after)?.[0] ?? '';
          after = after.slice(value.length);
        }
        current.params[word.toLowerCase()] = value;
        rest = after.trimStart().replace(/^,/, '').trimStart();
      } else {
        // a new challenge scheme
        current = { scheme: word.toLowerCase(), params: {} };
        out.push(current);
        rest = afterWord.replace(/^,/, '').trimStart();
      }
    }
  }
  return out;
}
