// `inspect -f` of an image's health check, as docker prints it: text/template prints the struct a pointer points
// to (`{…}`, not `&{…}`), every field of v1.HealthcheckConfig with durations as time.Duration's String.
import { describe, expect, it } from 'vitest';
import type { ImageInspect } from '../../cli/commands/inspect/inspect-json.js';
import { typedInspect } from '../../cli/commands/inspect/typed.js';
import { parseTemplate } from '../../cli/template/index.js';

const s = 1_000_000_000;
const image = (Healthcheck?: object): ImageInspect =>
  ({
    Id: 'sha256:0',
    RepoTags: [],
    RepoDigests: [],
    Parent: '',
    Comment: '',
    Created: '2020-01-02T03:04:05Z',
    Author: '',
    Config: Healthcheck === undefined ? {} : { Healthcheck },
    Architecture: 'amd64',
    Os: 'linux',
    Size: 0,
    RootFS: { Type: 'layers', Layers: [] },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  }) as unknown as ImageInspect;

const print = (format: string, img: ImageInspect) => parseTemplate(format).execute(typedInspect(img));

describe('inspect -f .Config.Healthcheck', () => {
  const health = {
    Test: ['CMD-SHELL', 'test -f /app/config.json || exit 1'],
    Interval: 30 * s,
    Timeout: 3 * s,
    Retries: 2,
  };

  it('prints the struct with Go durations and zero fields, as docker inspect -f does', () => {
    expect(print('{{.Config.Healthcheck}}', image(health))).toBe(
      '{[CMD-SHELL test -f /app/config.json || exit 1] 30s 3s 0s 0s 2}',
    );
    expect(print('{{.Config.Healthcheck.Interval}} {{.Config.Healthcheck.StartPeriod}}', image(health))).toBe('30s 0s');
    expect(print('{{printf "%v|%s" .Config.Healthcheck.Timeout .Config.Healthcheck.Interval}}', image(health))).toBe(
      '3s|30s',
    );
    expect(print('{{if .Config.Healthcheck.StartPeriod}}set{{else}}unset{{end}}', image(health))).toBe('unset');
  });

  it('keeps the JSON as the config has it, and <nil> without a health check', () => {
    expect(print('{{json .Config.Healthcheck}}', image(health))).toBe(JSON.stringify(health));
    expect(print('{{json .Config.Healthcheck.Interval}}', image(health))).toBe('30000000000');
    expect(print('{{.Config.Healthcheck}}', image())).toBe('<nil>');
  });
});
