// Tables of the build benchmark: medians per scenario and phase, ratios only between builders measured in this
// run. Reference figures from /work/shared/bench/README.md are shown apart and never used for a ratio: they come
// from another machine and another day.

export const PHASES = ['cold', 'no-op', 'change'] as const;
export type Phase = (typeof PHASES)[number];

/** Seconds of each run, per builder, scenario and phase. */
export type Samples = Map<string, number[]>;

export const sampleKey = (builder: string, scenario: string, phase: string): string =>
  `${builder}/${scenario}/${phase}`;

export function addSample(samples: Samples, key: string, seconds: number): void {
  const list = samples.get(key) ?? [];
  list.push(seconds);
  samples.set(key, list);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** docker 20.10 + BuildKit medians from the README (2-core, 24 GiB Debian VM): cold, no-op, change. */
const DOCKER_REFERENCE: Record<string, readonly [number, number, number]> = {
  small: [1.1, 0.087, 0.103],
  bigctx: [12.3, 0.88, 6.2],
  multistage: [2.85, 0.11, 0.31],
  bigfile: [4.06, 0.08, 0.12],
};

function cell(xs: readonly number[] | undefined): string {
  if (!xs || xs.length === 0) return '-';
  const spread = xs.length > 1 ? ` [${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}]` : '';
  return `${median(xs).toFixed(3)}${spread}`;
}

function printRows(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const row of rows)
    console.log(
      row
        .map((v, c) => v.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    );
}

/** The scenario table: tsbuild medians [min-max], and docker plus ratios when docker ran in this run. */
export function printScenarioTable(
  samples: Samples,
  scenarios: readonly string[],
  dockerMeasured: boolean,
  /** Other tsbuild builders of this run (e.g. with crun): a column each, and a ratio against docker. */
  variants: readonly string[] = [],
): void {
  const header = ['scenario', 'phase', 'tsbuild s (median [min-max])'];
  if (dockerMeasured) header.push('docker s (median [min-max])', 'tsbuild/docker');
  else header.push('docker 20.10 s: REFERENCE (not measured in this run)');
  for (const variant of variants) header.push(`${variant} s`, ...(dockerMeasured ? [`${variant}/docker`] : []));
  const rows = [header];
  for (const scenario of scenarios) {
    PHASES.forEach((phase, i) => {
      const ours = samples.get(sampleKey('tsbuild', scenario, phase));
      const row = [scenario, phase, cell(ours)];
      const theirs = samples.get(sampleKey('docker', scenario, phase));
      const ratio = (xs: readonly number[] | undefined) =>
        xs && theirs ? (median(xs) / median(theirs)).toFixed(2) : '-';
      if (dockerMeasured) {
        row.push(cell(theirs), ratio(ours));
      } else {
        const reference = DOCKER_REFERENCE[scenario]?.[i];
        row.push(reference === undefined ? '-' : `${reference} (reference)`);
      }
      for (const variant of variants) {
        const xs = samples.get(sampleKey(variant, scenario, phase));
        row.push(cell(xs), ...(dockerMeasured ? [ratio(xs)] : []));
      }
      rows.push(row);
    });
  }
  printRows(rows);
  if (!dockerMeasured) {
    console.log('Reference figures are copied from /work/shared/bench/README.md (another machine, another day);');
    console.log('no ratio is computed from them.');
  }
}

/** Per-RUN-step overhead: (build with 10 `RUN true` - build with none) / 10, medians of each builder's runs. */
export function printRunOverhead(
  samples: Samples,
  builders: readonly string[],
  steps: number,
  phaseTimes: Map<string, number[]>,
): void {
  const rows = [['builder', `0 RUN s`, `${steps} RUN s`, 'per RUN step ms']];
  const perStep = new Map<string, number>();
  for (const builder of builders) {
    const none = samples.get(sampleKey(builder, 'run-steps', '0'));
    const many = samples.get(sampleKey(builder, 'run-steps', String(steps)));
    if (!none || !many) continue;
    const step = ((median(many) - median(none)) / steps) * 1000;
    perStep.set(builder, step);
    rows.push([builder, cell(none), cell(many), step.toFixed(1)]);
  }
  printRows(rows);
  const theirs = perStep.get('docker');
  const ours = [...perStep].filter(([builder]) => builder !== 'docker');
  if (theirs !== undefined && ours.length > 0)
    for (const [builder, step] of ours) console.log(`per-step ratio ${builder}/docker: ${(step / theirs).toFixed(2)}`);
  else console.log('docker reference (not measured in this run): 200-300 ms per trivial RUN; bare `runc run` 19 ms');
  if (phaseTimes.size === 0) return;
  const phases = [...phaseTimes].map(([phase, ms]) => `${phase} ${median(ms).toFixed(1)}`);
  console.log(`tsbuild per RUN step, TSBUILD_TRACE medians (ms): ${phases.join(', ')}`);
  console.log('  (diff, commit, held, publish and cleanup run beside the next RUN step, off the step path)');
}
