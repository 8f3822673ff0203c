// The results of `--call=outline` and `--call=targets` as buildx prints them: the JSON BuildKit's frontend
// returns (subrequests/outline and subrequests/targets, json.MarshalIndent; printed as is with `format=json`),
// and the tables of their PrintOutline / PrintTargets (Go's tabwriter).
import type { BuildTarget, Outline, OutlineLocation } from '../../../planner/index.js';
import { type GoJson, goMarshalIndent } from './go-json.js';
import { tabwrite } from './go-tabwriter.js';

/** A pb.Location: source 0 and character 0 are left out (`omitempty`), as Go writes them. */
function location(l: OutlineLocation): GoJson {
  return { ranges: [{ start: { line: l.startLine }, end: { line: l.endLine } }] };
}

const omitEmpty = <T>(value: T): T | undefined => (value === '' || value === false ? undefined : value);

/** BuildKit's outline.Outline as result.json, `source` the Dockerfile's bytes. */
export function outlineJson(o: Outline, source: Uint8Array): string {
  const mounts = (list: Outline['secrets']) =>
    list.length === 0
      ? undefined
      : list.map((m) => ({ name: m.name, required: omitEmpty(m.required), location: location(m.location) }));
  return goMarshalIndent({
    name: omitEmpty(o.name),
    description: omitEmpty(o.description),
    args:
      o.args.length === 0
        ? undefined
        : o.args.map((a) => ({
            name: a.name,
            description: omitEmpty(a.description),
            value: omitEmpty(a.value),
            location: location(a.location),
          })),
    secrets: mounts(o.secrets),
    ssh: mounts(o.ssh),
    sources: [Buffer.from(source).toString('base64')],
  });
}

/** BuildKit's targets.List as result.json. */
export function targetsJson(targets: readonly BuildTarget[], source: Uint8Array): string {
  return goMarshalIndent({
    targets: targets.map((t) => ({
      name: omitEmpty(t.name),
      default: omitEmpty(t.default),
      description: omitEmpty(t.description),
      base: omitEmpty(t.base),
      platform: omitEmpty(t.platform),
      location: location(t.location),
    })),
    sources: [Buffer.from(source).toString('base64')],
  });
}

/** PrintOutline: the target, then tables of build args, secrets and SSH agents, each followed by a blank line. */
export function outlineText(o: Outline): string {
  let out = '';
  if (o.name !== '' || o.description !== '') {
    const description = o.description === '' ? '' : `DESCRIPTION:\t${o.description}\n`;
    out += `${tabwrite(`TARGET:\t${o.name === '' ? '(default)' : o.name}\n${description}`, 1)}\n`;
  }
  if (o.args.length > 0) {
    const rows = o.args.map((a) => `${a.name}\t${a.value}\t${a.description}\n`).join('');
    out += `${tabwrite(`BUILD ARG\tVALUE\tDESCRIPTION\n${rows}`, 3)}\n`;
  }
  for (const [title, list] of [
    ['SECRET', o.secrets],
    ['SSH', o.ssh],
  ] as const) {
    if (list.length === 0) continue;
    const rows = list.map((m) => `${m.name}\t${m.required ? 'true' : ''}\n`).join('');
    out += `${tabwrite(`${title}\tREQUIRED\n${rows}`, 3)}\n`;
  }
  return out;
}

/** PrintTargets: one line a stage, the default one marked. */
export function targetsText(targets: readonly BuildTarget[]): string {
  const rows = targets.map((t) => {
    const name = t.default ? (t.name === '' ? '(default)' : `${t.name} (default)`) : t.name;
    return `${name}\t${t.description}\n`;
  });
  return tabwrite(`TARGET\tDESCRIPTION\n${rows.join('')}`, 1);
}
