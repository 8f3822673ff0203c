// The subset of the OCI runtime specification (config.json, spec 1.0.2) that tsbuild writes.
// Field names follow the specification exactly, since the object is serialised as is (specJson).
import type { OciSeccomp } from './seccomp.js';

export interface OciMount {
  readonly destination: string;
  readonly type: string;
  readonly source: string;
  readonly options?: readonly string[];
}

export interface OciRlimit {
  readonly type: string; // e.g. RLIMIT_NOFILE
  /** -1 is unlimited (RLIM_INFINITY, written as the uint64 the spec wants: see specJson). */
  readonly soft: number;
  readonly hard: number;
}

export interface OciCapabilities {
  readonly bounding: readonly string[];
  readonly effective: readonly string[];
  readonly permitted: readonly string[];
  readonly inheritable: readonly string[];
  readonly ambient: readonly string[];
}

/** The size of a container's console (`process.consoleSize`), in character cells. */
export interface OciConsoleSize {
  readonly height: number;
  readonly width: number;
}

export interface OciProcess {
  readonly terminal: boolean;
  /** Only with `terminal`: the runtime gives the new pseudo-terminal this size before the process starts. */
  readonly consoleSize?: OciConsoleSize;
  readonly user: { readonly uid: number; readonly gid: number; readonly additionalGids?: readonly number[] };
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly capabilities: OciCapabilities;
  readonly rlimits: readonly OciRlimit[];
  readonly noNewPrivileges: boolean;
}

export interface OciNamespace {
  readonly type: 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';
  readonly path?: string;
}

export interface OciDeviceRule {
  readonly allow: boolean;
  readonly type?: 'a' | 'c' | 'b';
  readonly major?: number;
  readonly minor?: number;
  readonly access?: string;
}

/** A device node the runtime creates in the container's /dev (`linux.devices`). */
export interface OciDevice {
  readonly path: string;
  readonly type: 'c' | 'b';
  readonly major: number;
  readonly minor: number;
  readonly fileMode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface OciLinux {
  readonly namespaces: readonly OciNamespace[];
  readonly cgroupsPath?: string;
  readonly resources?: { readonly devices?: readonly OciDeviceRule[] };
  readonly devices?: readonly OciDevice[];
  readonly maskedPaths: readonly string[];
  readonly readonlyPaths: readonly string[];
  readonly seccomp?: OciSeccomp;
}

export interface OciSpec {
  readonly ociVersion: string;
  readonly process: OciProcess;
  readonly root: { readonly path: string; readonly readonly: boolean };
  readonly hostname: string;
  readonly mounts: readonly OciMount[];
  readonly linux: OciLinux;
}

/** JSON.rawJSON (Node 21+), which TypeScript's es2023 library does not declare. */
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/** RLIM_INFINITY: 2^64 - 1, more than a JavaScript number holds exactly. */
const rlimInfinity = '18446744073709551615';

/** config.json's text: an rlimit of -1 (`--ulimit memlock=-1`, docker's unlimited) becomes RLIM_INFINITY. */
export function specJson(spec: OciSpec): string {
  return JSON.stringify(spec, function (this: unknown, key, value) {
    const holder = this as Partial<OciRlimit>;
    const inRlimit = typeof holder.type === 'string' && holder.type.startsWith('RLIMIT_');
    return inRlimit && (key === 'soft' || key === 'hard') && value === -1 ? rawJSON(rlimInfinity) : value;
  });
}
