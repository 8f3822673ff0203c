// The value formats of hadolint's label schema (`labelSchema` option), each judged as hadolint's library for it
// does: Network.URI's parseURI, timerep's RFC 3339 parser, Data.SemVer, a git hash, Cabal's SPDX license ids and
// email-validate's RFC 5322 address.
import { isSpdxLicenseId } from './spdx-ids.js';

/** RFC 3986 character classes: unreserved, sub-delims, `:` and `@` (pchar), plus `/` and `?` in query and fragment. */
const PCHAR = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*$/;
const PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;
const QUERY = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$/;
const HOST = /^(?:\[[0-9A-Fa-f:.vV]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*)$/;

/** An absolute URI (`scheme:hier-part[?query][#fragment]`), as Network.URI's parseURI accepts. */
export function isUri(text: string): boolean {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(text);
  if (!scheme) return false;
  let rest = text.slice(scheme[0].length);
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    if (!QUERY.test(rest.slice(hash + 1))) return false;
    rest = rest.slice(0, hash);
  }
  const question = rest.indexOf('?');
  if (question >= 0) {
    if (!QUERY.test(rest.slice(question + 1))) return false;
    rest = rest.slice(0, question);
  }
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    const at = authority.lastIndexOf('@');
    if (at >= 0 && !PCHAR.test(authority.slice(0, at))) return false;
    const hostPort = /^(.*?)(?::[0-9]*)?$/.exec(authority.slice(at + 1))!;
    return HOST.test(hostPort[1]) && PATH.test(slash < 0 ? '' : rest.slice(slash));
  }
  return PATH.test(rest);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** A date-time such as `2021-03-10T10:26:33.564595127+01:00`: RFC 3339's `date-time`, fields in range. */
export function isRfc3339(text: string): boolean {
  const m = RFC3339.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = m[7] === undefined || (Number(m[7]) < 24 && Number(m[8]) < 60);
  return month >= 1 && month <= 12 && day >= 1 && day <= days && hour < 24 && minute < 60 && second <= 60 && offsetOk;
}

// semver.org's grammar: no leading zeros in numbers, dot-separated pre-release and build identifiers.
const NUMBER = '(?:0|[1-9]\\d*)';
const PRE = `(?:${NUMBER}|\\d*[A-Za-z-][0-9A-Za-z-]*)`;
const SEMVER = new RegExp(
  `^${NUMBER}\\.${NUMBER}\\.${NUMBER}(?:-${PRE}(?:\\.${PRE})*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`,
);

export function isSemver(text: string): boolean {
  return SEMVER.test(text);
}

/** A short (7) or full (40) lower-case hexadecimal git commit hash. */
export function isGitHash(text: string): boolean {
  return /^[0-9a-f]+$/.test(text) && (text.length === 7 || text.length === 40);
}

const ATOM = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+";
const LOCAL = new RegExp(`^(?:${ATOM}(?:\\.${ATOM})*|"(?:[^"\\\\]|\\\\.)*")$`);
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

/** An RFC 5322 `addr-spec`: a dot-atom or quoted local part, `@`, and a domain name or a `[literal]`. */
export function isEmail(text: string): boolean {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return false;
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  const domainOk = /^\[[^[\]\\]+\]$/.test(domain) || domain.split('.').every((label) => LABEL.test(label));
  return LOCAL.test(local) && domainOk;
}

export { isSpdxLicenseId };
