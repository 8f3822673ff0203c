// The seccomp filter of every container tsbuild runs: Docker's default profile, as BuildKit applies it to RUN steps and
// docker to `docker run`, resolved for the capabilities the container holds (spec.ts: Docker's defaults, without
// CAP_SYS_ADMIN, CAP_SYS_PTRACE …, unless `tsbuild run --cap-add` adds them) and this host's architecture. What it
// refuses fails with EPERM: new namespaces (unshare, setns, clone with a CLONE_NEW* flag; so no user namespace in which
// a step would be root again), mount, keyctl and the kernel keyring, bpf, perf_event_open, kernel modules, reboot,
// swapon, the clock, userfaultfd … clone3 fails with ENOSYS instead, so that a C library falls back to clone, whose
// flags can be checked.
export interface OciSeccompArg {
  readonly index: number;
  readonly value: number;
  readonly valueTwo?: number;
  readonly op: 'SCMP_CMP_EQ' | 'SCMP_CMP_NE' | 'SCMP_CMP_MASKED_EQ';
}

export interface OciSyscallRule {
  readonly names: readonly string[];
  readonly action: 'SCMP_ACT_ALLOW' | 'SCMP_ACT_ERRNO';
  readonly errnoRet?: number;
  readonly args?: readonly OciSeccompArg[];
}

export interface OciSeccomp {
  readonly defaultAction: 'SCMP_ACT_ERRNO';
  readonly defaultErrnoRet: number;
  readonly architectures: readonly string[];
  readonly syscalls: readonly OciSyscallRule[];
}

const EPERM = 1;
const ENOSYS = 38;

/** The flags of clone(2) that make a namespace (CLONE_NEWNS … CLONE_NEWNET): refused without CAP_SYS_ADMIN. */
const CLONE_NAMESPACE_FLAGS = 0x7e020000;

/** AF_VSOCK: the one socket family Docker's profile refuses. */
const AF_VSOCK = 40;

/** personality(2) values a process may set: PER_LINUX, UNAME26 (0x20000), PER_LINUX32 (8), both, and a query. */
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

/** The system calls every container may make, on any architecture (names the kernel lacks are skipped by runc). */
const ALLOWED = `accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown chown32 clock_adjtime
clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep clock_nanosleep_time64
close close_range connect copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old
epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit exit_group faccessat
faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat fchown fchown32 fchownat fcntl fcntl64
fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64 fsync
ftruncate ftruncate64 futex futex_time64 futex_waitv futimesat getcpu getcwd getdents getdents64 getegid getegid32
geteuid geteuid32 getgid getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp getpid getppid
getpriority getrandom getresgid getresgid32 getresuid getresuid32 getrlimit get_robust_list getrusage getsid
getsockname getsockopt get_thread_area gettid gettimeofday getuid getuid32 getxattr inotify_add_watch inotify_init
inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy io_getevents io_pgetevents io_pgetevents_time64 ioprio_get
ioprio_set io_setup io_submit io_uring_enter io_uring_register io_uring_setup ipc kill landlock_add_rule
landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr link linkat listen listxattr llistxattr
_llseek lremovexattr lseek lsetxattr lstat lstat64 madvise membarrier memfd_create memfd_secret mincore mkdir mkdirat
mknod mknodat mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open mq_timedreceive
mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap msgctl msgget msgrcv msgsnd msync munlock
munlockall munmap name_to_handle_at nanosleep newfstatat _newselect open openat openat2 pause pidfd_open
pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2
prlimit64 process_mrelease pselect6 pselect6_time64 pwrite64 pwritev pwritev2 read readahead readlink readlinkat readv
recv recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages removexattr rename renameat renameat2 restart_syscall
rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait
rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr sched_getparam sched_get_priority_max
sched_get_priority_min sched_getscheduler sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity
sched_setattr sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop
semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid setfsgid32 setfsuid setfsuid32 setgid
setgid32 setgroups setgroups32 setitimer setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid
setresuid32 setreuid setreuid32 setrlimit set_robust_list setsid setsockopt set_thread_area set_tid_address setuid
setuid32 setxattr shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigprocmask sigreturn socketcall
socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync sync_file_range syncfs sysinfo tee tgkill
time timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime timer_settime64
timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill truncate truncate64
ugetrlimit umask uname unlink unlinkat utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid
write writev
process_vm_readv process_vm_writev ptrace
chroot`
  .split(/\s+/)
  .filter((name) => name !== '');

/**
 * The calls Docker's profile allows only to a container that holds a capability beyond Docker's defaults
 * (`tsbuild run --cap-add`); those of a default capability (chroot, ptrace on kernels since 4.8) are in ALLOWED.
 * With CAP_SYS_ADMIN, clone takes any flags and clone3 is allowed (no ENOSYS rule).
 */
const CAPABILITY_CALLS: Readonly<Record<string, readonly string[]>> = {
  CAP_DAC_READ_SEARCH: ['open_by_handle_at'],
  CAP_SYS_ADMIN: [
    'bpf',
    'clone',
    'clone3',
    'fanotify_init',
    'fsconfig',
    'fsmount',
    'fsopen',
    'fspick',
    'lookup_dcookie',
    'mount',
    'mount_setattr',
    'move_mount',
    'open_tree',
    'perf_event_open',
    'quotactl',
    'quotactl_fd',
    'setdomainname',
    'sethostname',
    'setns',
    'syslog',
    'umount',
    'umount2',
    'unshare',
  ],
  CAP_SYS_BOOT: ['reboot'],
  CAP_SYS_MODULE: ['delete_module', 'init_module', 'finit_module'],
  CAP_SYS_PACCT: ['acct'],
  CAP_SYS_PTRACE: ['kcmp', 'pidfd_getfd', 'process_madvise'],
  CAP_SYS_RAWIO: ['iopl', 'ioperm'],
  CAP_SYS_TIME: ['settimeofday', 'stime', 'clock_settime', 'clock_settime64'],
  CAP_SYS_TTY_CONFIG: ['vhangup'],
  CAP_SYS_NICE: ['get_mempolicy', 'mbind', 'set_mempolicy', 'set_mempolicy_home_node'],
  CAP_SYSLOG: ['syslog'],
  CAP_BPF: ['bpf'],
  CAP_PERFMON: ['perf_event_open'],
};

/**
 * Per architecture (Node's process.arch): the ABIs its processes may use, and the calls only it has. Docker also lists
 * x86-64's x32 ABI, which Debian's and Ubuntu's kernels leave off; each ABI costs runc ~5 ms of filter building per
 * container here, so x32 is left out: its calls then end the process (libseccomp's filter refuses a foreign ABI).
 */
const ARCHITECTURES: Readonly<Record<string, { readonly abis: readonly string[]; readonly calls: readonly string[] }>> =
  {
    x64: { abis: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'], calls: ['arch_prctl', 'modify_ldt'] },
    arm64: {
      abis: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
      calls: ['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls'],
    },
  };

/**
 * The profile for a container on `arch` (an architecture not listed gets its native ABI) holding `capabilities`
 * (default: Docker's default set, which RUN steps get): Docker's profile resolved for them.
 */
export function defaultSeccompProfile(arch: string = process.arch, capabilities: readonly string[] = []): OciSeccomp {
  const native = ARCHITECTURES[arch];
  const sysAdmin = capabilities.includes('CAP_SYS_ADMIN');
  const granted = capabilities.flatMap((capability) => CAPABILITY_CALLS[capability] ?? []);
  const names = [...new Set([...ALLOWED, ...(native?.calls ?? []), ...granted])];
  const cloneRules: OciSyscallRule[] = sysAdmin
    ? []
    : [
        {
          names: ['clone'],
          action: 'SCMP_ACT_ALLOW',
          // s390 passes the flags second; no other architecture does.
          args: [
            { index: arch === 's390x' ? 1 : 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' },
          ],
        },
        { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
      ];
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    architectures: native?.abis ?? [],
    syscalls: [
      { names, action: 'SCMP_ACT_ALLOW' },
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: AF_VSOCK, op: 'SCMP_CMP_NE' }] },
      ...PERSONALITIES.map(
        (value): OciSyscallRule => ({
          names: ['personality'],
          action: 'SCMP_ACT_ALLOW',
          args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }],
        }),
      ),
      ...cloneRules,
    ],
  };
}
