// The report of bench/run-step.ts: medians of the interleaved rounds, ratios against bare runc, the RUN step's
// traced phases and the split of its time into the runtime's floor and tsbuild's own part.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { median } from './build-report.js';

/** Traced phases of a RUN step that run beside the next RUN step (TSBUILD_TRACE: executor/build/fs-step.ts). */
const besideNextStep = new Set(['diff', 'commit', 'held', 'publish', 'cleanup']);

export function report(
  samples: Map<string, number[]>,
  { rounds, steps, crun }: { readonly rounds: number; readonly steps: number; readonly crun: boolean },
): void {
  const m = (name: string) => median(samples.get(name) ?? [Number.NaN]);
  // CPU time comes in 10 ms ticks for children: a mean says more than a median of 0s and 10s.
  const cpu = (name: string) => {
    const xs = samples.get(`${name} cpu`);
    return xs === undefined ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const version = (command: string) =>
    spawnSync(command, ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? `${command} ?`;
  const runtime = crun ? `${version('runc')}, ${version('crun')}` : version('runc');
  console.log(
    `\nRUN step overhead: ${rounds} interleaved rounds, ${os.cpus().length} CPUs, node ${process.version}, ` +
      `${runtime}, load average ${os.loadavg()[0].toFixed(2)}`,
  );
  console.log('wall: median ms; cpu: mean ms of CPU time (tsbuild + the processes it ran); ratios against bare runc');
  const bare = m('bare');
  const bareCpu = cpu('bare');
  const row = (name: string, wall: number, cpuMs = Number.NaN, note = '') => {
    const cpuText = Number.isNaN(cpuMs)
      ? ''.padStart(22)
      : `${cpuMs.toFixed(1).padStart(8)} cpu ${(cpuMs / bareCpu).toFixed(2).padStart(5)}×`;
    console.log(
      `${name.padEnd(38)} ${wall.toFixed(1).padStart(8)} wall ${(wall / bare).toFixed(2).padStart(5)}× ${cpuText}${note}`,
    );
  };
  row('runc floor: bare `runc run` true', bare, bareCpu);
  for (const phase of ['create', 'start', 'wait', 'delete'])
    row(`  runc ${phase}`, m(`runc ${phase}`), cpu(`runc ${phase}`));
  row("bare `runc run` of tsbuild's spec", m('spec'), cpu('spec'));
  row('tsbuild runtime (bundle + runc)', m('runtime'), cpu('runtime'));
  row('whole build, 0 RUN', m('build 0'), cpu('build 0'));
  row(`whole build, ${steps} × RUN true`, m('build n'), cpu('build n'));
  const step = m('step');
  row(
    'RUN true step (build delta per step)',
    step,
    cpu('step'),
    step < 60 ? '  goal < 60 ms: met' : '  goal < 60 ms: not met',
  );
  if (crun) {
    const crunStep = m('crun step');
    row('crun floor: bare `crun run` true', m('crun bare'), cpu('crun bare'), `  started as tsbuild starts it here`);
    row(
      'RUN true step with --runtime crun',
      crunStep,
      cpu('crun step'),
      `  goal < 60 ms: ${crunStep < 60 ? 'met' : 'not met'}`,
    );
  }
  // In the order they ran, a nested phase (`work.runc`) right after its parent (`work`).
  const keys = [...samples.keys()].filter((k) => k.startsWith('phase '));
  const top = keys.filter((k) => !k.includes('.'));
  const phases = [...top.flatMap((t) => [t, ...keys.filter((k) => k.startsWith(`${t}.`))])];
  phases.push(...keys.filter((k) => !phases.includes(k)));
  // The diff and the commit of a RUN's layer run beside the next RUN (executor/build/pending-snapshot.ts): they
  // cost the step only what they slow the next one down by, which the step's time shows, and are not subtracted.
  const onPath = top.filter((k) => !besideNextStep.has(k.slice(6)));
  const traced = onPath.reduce((sum, k) => sum + m(k), 0);
  for (const k of phases) row(`  ${k.slice(6).replace(/^\w+\./, '  ')}`, m(k));
  row(`  rest (step - ${onPath.map((k) => k.slice(6)).join(' - ')}: lower dirs, cache index)`, step - traced);
  console.log(`  (${[...besideNextStep].join(', ')} run beside the next RUN step, off the step path)`);
  const beyond = step - bare;
  const specExtra = m('spec') - bare;
  const invocation = m('phase work.runc') - m('spec');
  console.log(`\nper RUN step (medians, ms; noisy under load: compare within one run)`);
  const line = (name: string, ms: number, note = '') =>
    console.log(`${name.padEnd(50)} ${ms.toFixed(1).padStart(8)}${note}`);
  line('RUN true step', step);
  line('runc floor (bare `runc run`, minimal spec)', bare);
  line('tsbuild overhead beyond runc (step - floor)', beyond, `  cpu ${(cpu('step') - bareCpu).toFixed(1)} ms`);
  line("  runc's extra work for tsbuild's spec", specExtra);
  line('  calling runc (bundle, FIFOs, launcher, log)', invocation);
  line('  the rest: mount, prepare, diff, commit, publish …', beyond - specExtra - invocation);
  console.log(
    beyond < 60
      ? `goal: tsbuild's own part is under 60 ms; the whole step is under 60 ms once runc takes < ${(60 - beyond).toFixed(1)} ms`
      : 'goal < 60 ms: not met even without runc',
  );
}
