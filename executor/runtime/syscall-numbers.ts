// Linux syscall numbers of the calls tsbuild makes through perl's `syscall` (syscalls.ts, runtime-command.ts), by
// Node's `process.arch`; undefined elsewhere (those callers then fall back or do without).
export interface SyscallNumbers {
  readonly mount: number;
  readonly umount2: number;
  readonly lgetxattr: number;
  readonly llistxattr: number;
  readonly lsetxattr: number;
  readonly mknodat: number;
  readonly unshare: number;
}

const byArch: Partial<Record<string, SyscallNumbers>> = {
  x64: { mount: 165, umount2: 166, lgetxattr: 192, llistxattr: 195, lsetxattr: 189, mknodat: 259, unshare: 272 },
  arm64: { mount: 40, umount2: 39, lgetxattr: 9, llistxattr: 12, lsetxattr: 6, mknodat: 33, unshare: 97 },
};

export const syscallNumbers = (arch: string = process.arch): SyscallNumbers | undefined => byArch[arch];
