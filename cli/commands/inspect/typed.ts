// The image object of `tsbuild inspect` as docker's template sees it first: Go's image.InspectResponse, whose
// fields have Go's names (`.ID`, where the JSON says `Id`) and types (a missing struct field is an error, a
// missing label `<no value>`, `index` of a missing label ""). docker falls back to the decoded JSON when that
// fails (run.ts), which is why both `{{.ID}}` and `{{.Id}}` work.
import { GoDuration, GoMap, GoNil, GoStruct, GoTime, nilSlice, type Value } from '../../template/index.js';
import type { ImageInspect } from './inspect-json.js';

// What the config lacks is Go's nil: printed `[]` / `map[]`, encoded `null` (`{{json .Config.Labels}}`).
const strings = (value: unknown): readonly Value[] => (Array.isArray(value) ? value.map(String) : nilSlice);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function set(value: unknown): GoMap {
  const entries: Record<string, Value> = {};
  for (const key of Object.keys((value as Record<string, unknown> | undefined) ?? {})) {
    entries[key] = new GoStruct('struct {}', {}, {});
  }
  return new GoMap('map[string]struct {}', entries, new GoStruct('struct {}', {}, {}), value === undefined);
}

/** v1.HealthcheckConfig: every field, zero where the JSON omits it, durations as time.Duration. */
function healthStruct(health: Record<string, unknown>): GoStruct {
  const duration = (key: string) => new GoDuration(typeof health[key] === 'number' ? health[key] : 0);
  const fields: Record<string, Value> = {
    Test: strings(health['Test']),
    Interval: duration('Interval'),
    Timeout: duration('Timeout'),
    StartPeriod: duration('StartPeriod'),
    StartInterval: duration('StartInterval'),
    Retries: typeof health['Retries'] === 'number' ? health['Retries'] : 0,
  };
  return new GoStruct('*v1.HealthcheckConfig', fields, health, true);
}

/** dockerspec.DockerOCIImageConfig: ocispec.ImageConfig's fields and docker's extensions, promoted. */
function configStruct(config: Record<string, unknown>): GoStruct {
  const health = config['Healthcheck'] as Record<string, unknown> | undefined;
  const fields: Record<string, Value> = {
    User: text(config['User']),
    ExposedPorts: set(config['ExposedPorts']),
    Env: strings(config['Env']),
    Entrypoint: strings(config['Entrypoint']),
    Cmd: strings(config['Cmd']),
    Volumes: set(config['Volumes']),
    WorkingDir: text(config['WorkingDir']),
    Labels: new GoMap(
      'map[string]string',
      (config['Labels'] as Record<string, string> | undefined) ?? {},
      '',
      config['Labels'] === undefined,
    ),
    StopSignal: text(config['StopSignal']),
    ArgsEscaped: config['ArgsEscaped'] === true,
    Healthcheck: health === undefined ? new GoNil('*v1.HealthcheckConfig') : healthStruct(health),
    OnBuild: strings(config['OnBuild']),
    Shell: strings(config['Shell']),
  };
  return new GoStruct('*v1.DockerOCIImageConfig', fields, config, true);
}

export function typedInspect(image: ImageInspect): GoStruct {
  const fields: Record<string, Value> = {
    ID: image.Id,
    RepoTags: image.RepoTags,
    RepoDigests: image.RepoDigests,
    Parent: image.Parent,
    Comment: image.Comment,
    Created: image.Created,
    DockerVersion: '',
    Author: image.Author,
    Config: configStruct(image.Config),
    Architecture: image.Architecture,
    Variant: image.Variant ?? '',
    Os: image.Os,
    OsVersion: '',
    Size: image.Size,
    GraphDriver: new GoNil('*storage.DriverData'),
    RootFS: new GoStruct('image.RootFS', { Type: image.RootFS.Type, Layers: image.RootFS.Layers }, image.RootFS),
    Metadata: new GoStruct(
      'image.Metadata',
      { LastTagTime: new GoTime('0001-01-01 00:00:00 +0000 UTC', image.Metadata.LastTagTime) },
      image.Metadata,
    ),
    Descriptor: new GoNil('*v1.Descriptor'),
    Manifests: [],
  };
  return new GoStruct('image.InspectResponse', fields, image);
}
