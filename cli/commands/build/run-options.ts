// `--add-host`, `--shm-size` and `--ulimit` of `tsbuild build` and `tsbuild plan`: what every RUN step gets, checked
// before anything is built (a usage error, exit 2) with docker's words (its CLI's ValidateExtraHost, go-units'
// RAMInBytes and ParseUlimit, wrapped as pflag wraps a flag's error).
import type { BuildNetwork, BuildRunOptions, ExtraHost, Ulimit } from '../../../planner/index.js';
import { canonicalIp } from './ip-address.js';

export interface RunOptionValues {
  /** `--add-host` values (repeatable; each may hold a comma-separated list, as buildx's string slice does). */
  readonly addHosts?: readonly string[];
  readonly shmSize?: string;
  readonly ulimits?: readonly string[];
}

/** The checked options; undefined when none is given. */
export function buildRunOptions(values: RunOptionValues, network?: BuildNetwork): BuildRunOptions | undefined {
  const extraHosts = (values.addHosts ?? []).flatMap((v) => v.split(',')).map((v) => extraHost(v, network));
  const shmSize = values.shmSize === undefined ? 0 : shmBytes(values.shmSize);
  const ulimits = ulimitList(values.ulimits ?? []);
  if (extraHosts.length === 0 && shmSize === 0 && ulimits.length === 0) return undefined;
  return {
    ...(extraHosts.length > 0 ? { extraHosts } : {}),
    ...(shmSize > 0 ? { shmSize } : {}),
    ...(ulimits.length > 0 ? { ulimits } : {}),
  };
}

/**
 * docker's `host-gateway`: the address of the host as containers reach it (docker's bridge). RUN steps share the
 * host's network unless they ask for none, so the host is their own loopback.
 */
const hostGateway = 'host-gateway';
const hostGatewayIp = '127.0.0.1';

function flagError(flag: string, value: string, reason: string): Error {
  return new Error(`invalid argument "${value}" for "${flag}" flag: ${reason}`);
}

/** `NAME:IP` or `NAME=IP`; IPv6 plain (`db:::1`) or in brackets. Names are lowercased, as BuildKit's frontend does. */
export function extraHost(value: string, network?: BuildNetwork): ExtraHost {
  const eq = value.indexOf('=');
  const at = eq >= 0 ? eq : value.indexOf(':');
  const name = at < 0 ? '' : value.slice(0, at);
  if (name === '' || name.includes(':')) throw flagError('--add-host', value, `bad format for add-host: "${value}"`);
  let address = value.slice(at + 1);
  if (address === hostGateway) {
    if (network === 'none') {
      throw new Error(`--add-host ${value}: host-gateway is the host's address, which --network none cannot reach`);
    }
    return { name: name.toLowerCase(), ip: hostGatewayIp };
  }
  if (address.length > 2 && address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const ip = canonicalIp(address);
  if (ip === null) throw flagError('--add-host', value, `invalid IP address in add-host: "${address}"`);
  return { name: name.toLowerCase(), ip };
}

const sizeUnits: Readonly<Record<string, number>> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/** `--shm-size`: go-units' RAMInBytes (`1g`, `512m`, `64MiB`, `1.5 GB`, plain bytes), powers of 1024. */
export function shmBytes(value: string): number {
  const fail = (reason: string) => flagError('--shm-size', value, reason);
  const sep = Math.max(...[...'0123456789. '].map((c) => value.lastIndexOf(c)));
  if (sep < 0) throw fail(`invalid size: '${value}'`);
  const number = value.slice(0, value[sep] === ' ' ? sep : sep + 1);
  const suffix = value.slice(sep + 1).toLowerCase();
  if (!/^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(number)) {
    throw fail(`strconv.ParseFloat: parsing ${JSON.stringify(number)}: invalid syntax`);
  }
  let size = Number(number);
  if (size < 0) throw fail(`invalid size: '${value}'`);
  if (suffix !== '') {
    const unit = sizeUnits[suffix[0]!];
    const valid = suffix === 'b' || (unit !== undefined && ['', 'b', 'ib'].includes(suffix.slice(1)));
    if (suffix.length > 3 || !valid) throw fail(`invalid suffix: '${suffix}'`);
    size *= unit ?? 1;
  }
  return Math.trunc(size);
}

/** The limits `--ulimit` takes (go-units' list; `as` is left out there too). */
const ulimitNames = new Set([
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
]);

/** `--ulimit NAME=SOFT[:HARD]` values: a later one replaces an earlier one of the same name; sorted by name. */
export function ulimitList(values: readonly string[]): Ulimit[] {
  const byName = new Map<string, Ulimit>();
  for (const value of values) {
    const limit = ulimit(value);
    byName.set(limit.name, limit);
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** go-units' ParseUlimit: -1 or `infinity` is unlimited; the soft limit may not exceed the hard one. */
export function ulimit(value: string): Ulimit {
  const fail = (reason: string) => flagError('--ulimit', value, reason);
  const eq = value.indexOf('=');
  if (eq < 0) throw fail(`invalid ulimit argument: ${value}`);
  const name = value.slice(0, eq);
  if (!ulimitNames.has(name)) throw fail(`invalid ulimit type: ${name}`);
  const limits = value.slice(eq + 1).split(':');
  if (limits.length > 2) {
    throw fail(`too many limit value arguments - ${value.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  }
  const [soft, hard] = limits.map((text) => limitValue(text, fail)) as [number, number | undefined];
  const max = hard ?? soft;
  if (max !== -1) {
    if (soft === -1) {
      throw fail(`ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${max}`);
    }
    if (soft > max) throw fail(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${max}`);
  }
  return { name, soft, hard: max };
}

function limitValue(text: string, fail: (reason: string) => Error): number {
  if (text === 'infinity') return -1;
  if (!/^[+-]?[0-9]+$/.test(text)) throw fail(`strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
  const value = Number(text);
  // Go takes any int64; beyond 2^53 a JavaScript number is no longer exact, and no limit needs that much.
  if (!Number.isSafeInteger(value)) throw fail(`strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range`);
  // Any other negative number would reach the kernel as a huge unsigned limit.
  if (value < -1) throw fail(`a limit is a number of 0 or more, or -1 (infinity) for none: ${text}`);
  return value;
}
