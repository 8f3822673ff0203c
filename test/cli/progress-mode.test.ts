// The progress display a build uses: --progress, else BUILDKIT_PROGRESS as docker build and buildx read it.
import { describe, expect, it } from 'vitest';
import { progressMode } from '../../cli/commands/build/progress-mode.js';

describe('progress mode', () => {
  it('takes --progress first, then BUILDKIT_PROGRESS, then auto', () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    expect(progressMode('tty', { BUILDKIT_PROGRESS: 'plain' }, warn)).toBe('tty');
    expect(progressMode(undefined, { BUILDKIT_PROGRESS: 'plain' }, warn)).toBe('plain');
    expect(progressMode(undefined, { BUILDKIT_PROGRESS: 'quiet' }, warn)).toBe('quiet');
    expect(progressMode(undefined, { BUILDKIT_PROGRESS: '' }, warn)).toBe('auto');
    expect(progressMode(undefined, {}, warn)).toBe('auto');
    expect(warnings).toEqual([]);
  });

  it('uses auto for a value it has no display for, and says so', () => {
    const warnings: string[] = [];
    expect(progressMode(undefined, { BUILDKIT_PROGRESS: 'rawjson' }, (m) => warnings.push(m))).toBe('auto');
    expect(warnings).toEqual([
      "WARN: BUILDKIT_PROGRESS=rawjson: tsbuild's displays are auto, tty, plain, quiet; using auto\n",
    ]);
  });
});
