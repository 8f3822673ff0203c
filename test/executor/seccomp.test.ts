// The seccomp profile of every container: Docker's default profile for tsbuild's capabilities (no CAP_SYS_ADMIN …).
import { describe, expect, it } from 'vitest';
import { defaultSeccompProfile, type OciSyscallRule } from '../../executor/runtime/seccomp.js';

/** The rules that name `syscall`. */
const rulesFor = (rules: readonly OciSyscallRule[], syscall: string) => rules.filter((r) => r.names.includes(syscall));

describe('defaultSeccompProfile', () => {
  const profile = defaultSeccompProfile('x64');

  it('refuses what it does not name with EPERM, for the x86-64 and i386 ABIs of an x86-64 host', () => {
    expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(profile.defaultErrnoRet).toBe(1);
    expect(profile.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86']);
    expect(defaultSeccompProfile('arm64').architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    // An architecture without a list: the runtime's native ABI only.
    expect(defaultSeccompProfile('riscv64').architectures).toEqual([]);
  });

  it('allows what builds do (files, processes, sockets, chroot with CAP_SYS_CHROOT) and the arch-only calls', () => {
    const allowed = profile.syscalls[0];
    expect(allowed.action).toBe('SCMP_ACT_ALLOW');
    expect(allowed.args).toBeUndefined();
    for (const name of [
      'read',
      'openat',
      'execve',
      'fork',
      'vfork',
      'wait4',
      'mknod',
      'chroot',
      'ptrace',
      'arch_prctl',
    ])
      expect(allowed.names).toContain(name);
    expect(defaultSeccompProfile('arm64').syscalls[0].names).toContain('set_tls');
    expect(defaultSeccompProfile('arm64').syscalls[0].names).not.toContain('arch_prctl');
    expect(new Set(allowed.names).size).toBe(allowed.names.length);
  });

  it('never allows namespaces, mounts, the keyring, bpf, modules, reboot or the clock', () => {
    const refused = ['unshare', 'setns', 'mount', 'umount2', 'pivot_root', 'keyctl', 'add_key', 'request_key', 'bpf'];
    refused.push('init_module', 'finit_module', 'reboot', 'swapon', 'settimeofday', 'clock_settime', 'userfaultfd');
    for (const name of refused) expect(rulesFor(profile.syscalls, name), name).toEqual([]);
  });

  it('allows clone without namespace flags only, makes clone3 fail with ENOSYS, and narrows socket and personality', () => {
    expect(rulesFor(profile.syscalls, 'clone')).toEqual([
      {
        names: ['clone'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      },
    ]);
    expect(rulesFor(defaultSeccompProfile('s390x').syscalls, 'clone')[0].args?.[0].index).toBe(1);
    expect(rulesFor(profile.syscalls, 'clone3')).toEqual([
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    ]);
    expect(rulesFor(profile.syscalls, 'socket')).toEqual([
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }] },
    ]);
    expect(rulesFor(profile.syscalls, 'personality').map((r) => r.args?.[0].value)).toEqual([
      0, 8, 0x20000, 0x20008, 0xffffffff,
    ]);
  });

  it('allows what an added capability needs, as Docker resolves its profile (tsbuild run --cap-add)', () => {
    const withAdmin = defaultSeccompProfile('x64', ['CAP_CHOWN', 'CAP_SYS_ADMIN', 'CAP_SYS_TIME']);
    const allowed = withAdmin.syscalls[0]!.names;
    for (const name of ['mount', 'umount2', 'unshare', 'setns', 'sethostname', 'bpf', 'clock_settime', 'clone3']) {
      expect(allowed).toContain(name);
    }
    // With CAP_SYS_ADMIN clone takes any flags, and clone3 no longer fails with ENOSYS.
    expect(rulesFor(withAdmin.syscalls, 'clone')).toEqual([withAdmin.syscalls[0]]);
    expect(rulesFor(withAdmin.syscalls, 'clone3')).toEqual([withAdmin.syscalls[0]]);
    expect(allowed).not.toContain('reboot');
    expect(new Set(allowed).size).toBe(allowed.length);
    // Docker's defaults add nothing: the profile every RUN step gets is the same with or without them named.
    const defaults = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE'];
    expect(defaultSeccompProfile('x64', defaults)).toEqual(profile);
  });
});
