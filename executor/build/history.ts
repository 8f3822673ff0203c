// The `created_by` text of each history entry, as BuildKit's Dockerfile frontend writes it: config
// instructions are recorded without a layer, filesystem steps carry the ` # buildkit` suffix, RUN
// lists the effective build args as `|N k=v …`, and Go's `%q`/`%v` formatting of lists is kept.

import { goDuration, goQuotedRune } from '../../image/index.js';
import type { HealthcheckConfig, PlanStep } from '../../planner/index.js';

const goQuoted = (list: readonly string[]): string => `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
const goList = (list: readonly string[]): string => `[${list.join(' ')}]`;

/**
 * BuildKit (dispatchCopy) writes `--parents`, `--chown=…` and `--chmod=…` (expanded; not --from, --link or the
 * others), then the sources as expanded, a heredoc source as `<<NAME`, and the destination as expanded but not
 * resolved against WORKDIR (the planner's historyArgs).
 */
function copyText(step: PlanStep, keyword: string): string {
  const words = step.historyArgs ?? step.args;
  const op = step.operation;
  const flags =
    op.type !== 'copy'
      ? []
      : [
          ...(op.parents ? ['--parents'] : []),
          ...(op.chown ? [`--chown=${op.chown}`] : []),
          ...(op.chmod ? [`--chmod=${op.chmod}`] : []),
        ];
  return `${keyword} ${[...flags, ...words].join(' ')}`;
}

function runText(step: PlanStep): string {
  const op = step.operation;
  const argv = op.type === 'run' ? op.argv : step.args;
  const args = step.buildArgs;
  const prefix = args.length === 0 ? '' : `|${args.length} ${args.join(' ')} `;
  return `RUN ${prefix}${argv.join(' ')}`;
}

/**
 * BuildKit writes the expanded `port/proto` list in the order of the written words sorted (the planner's `args`),
 * duplicates kept: `EXPOSE 2375 5000 1234/udp` gives `[1234/udp 2375/tcp 5000/tcp]`, `EXPOSE ${P}/tcp 443` with
 * P=8080 gives `[8080/tcp 443/tcp]`.
 */
function exposeText(step: PlanStep): string {
  const ports = step.args.map((p) => (p.includes('/') ? p : `${p}/tcp`));
  return `EXPOSE ${goList(ports)}`;
}

/**
 * BuildKit writes `HEALTHCHECK %q` of the config struct: `&{["CMD-SHELL" "curl -f x"] "30s" "3s" "0s" "0s" '\x03'}`
 * (Test, Interval, Timeout, StartPeriod, StartInterval, then Retries as a quoted rune).
 */
function healthcheckText(step: PlanStep): string {
  const op = step.operation;
  const health: HealthcheckConfig | undefined = op.type === 'config' ? op.change.Healthcheck : undefined;
  if (health === undefined) return `HEALTHCHECK ${step.instruction.trim().split(/\s+/).slice(1).join(' ')}`;
  const durations = [health.Interval, health.Timeout, health.StartPeriod, health.StartInterval];
  const fields = [goQuoted(health.Test), ...durations.map((d) => JSON.stringify(goDuration(d ?? 0)))];
  return `HEALTHCHECK &{${[...fields, goQuotedRune(health.Retries ?? 0)].join(' ')}}`;
}

/** `created_by` for a step, or null when the step records no history (nothing to record). */
export function createdBy(step: PlanStep): string | null {
  const suffix = step.layer ? ' # buildkit' : '';
  switch (step.kind) {
    case 'run':
      return `${runText(step)}${suffix}`;
    case 'copy':
      return `${copyText(step, 'COPY')}${suffix}`;
    case 'add':
      return `${copyText(step, 'ADD')}${suffix}`;
    case 'workdir':
      // A layer (the directory made) but no ` # buildkit`: BuildKit commits WORKDIR's history without a state.
      return `WORKDIR ${step.args[0] ?? '/'}`;
    case 'env':
      return `ENV ${step.args.join(' ')}`;
    case 'label':
      return `LABEL ${step.args.join(' ')}`;
    case 'arg':
      return `ARG ${step.args.join(' ')}`;
    case 'expose':
      return exposeText(step);
    case 'cmd':
      return `CMD ${goQuoted(step.args)}`;
    case 'entrypoint':
      return `ENTRYPOINT ${goQuoted(step.args)}`;
    case 'shell':
      return `SHELL ${goList(step.args)}`;
    case 'volume':
      return `VOLUME ${goList(step.args)}`;
    case 'user':
    case 'stopsignal':
    case 'maintainer':
      return `${step.kind.toUpperCase()} ${step.args.join(' ')}`;
    case 'onbuild':
      // BuildKit's dispatchOnbuild only adds the trigger to the config: no history entry.
      return null;
    case 'healthcheck':
      return healthcheckText(step);
    default:
      return step.layer || step.operation.type === 'config' ? `${step.instruction.trim()}${suffix}` : null;
  }
}
