// STOPSIGNAL's value as BuildKit's dispatchStopSignal judges it once expanded: moby/sys/signal's ParseSignal on
// Linux, a non-zero number (Go's Atoi: an optional sign) or a name of its SignalMap with or without `SIG`, in any
// case. The planner (what a build fails with) and the linter (what --check reports) both ask here.

const NAMES: ReadonlySet<string> = new Set([
  'ABRT',
  'ALRM',
  'BUS',
  'CHLD',
  'CLD',
  'CONT',
  'FPE',
  'HUP',
  'ILL',
  'INT',
  'IO',
  'IOT',
  'KILL',
  'PIPE',
  'POLL',
  'PROF',
  'PWR',
  'QUIT',
  'SEGV',
  'STKFLT',
  'STOP',
  'SYS',
  'TERM',
  'TRAP',
  'TSTP',
  'TTIN',
  'TTOU',
  'URG',
  'USR1',
  'USR2',
  'VTALRM',
  'WINCH',
  'XCPU',
  'XFSZ',
  'RTMIN',
  ...Array.from({ length: 15 }, (_, i) => `RTMIN+${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `RTMAX-${i + 1}`),
  'RTMAX',
]);

/** BuildKit's error for a STOPSIGNAL value, or null when it is a signal. */
export function stopSignalProblem(signal: string): string | null {
  const invalid = `invalid signal: ${signal}`;
  if (/^[+-]?[0-9]+$/.test(signal)) return Number(signal) === 0 ? invalid : null;
  return NAMES.has(signal.toUpperCase().replace(/^SIG/, '')) ? null : invalid;
}
