// `tsbuild run --cap-add/--cap-drop` combined with Docker's default set as moby combines them.
import { describe, expect, it } from 'vitest';
import { tweakCapabilities } from '../../executor/container/capabilities.js';
import { defaultCapabilities } from '../../executor/runtime/spec.js';

const available = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_SYS_ADMIN', 'CAP_KILL'];

describe('tweakCapabilities', () => {
  it("keeps Docker's defaults when nothing is asked", () => {
    expect(tweakCapabilities([], [], available)).toBeUndefined();
  });

  it('drops, then adds; names in any case, with or without CAP_', () => {
    expect(tweakCapabilities(['net_admin', 'CAP_SYS_ADMIN'], ['chown', 'Cap_Kill'], available)).toEqual([
      ...defaultCapabilities.filter((c) => c !== 'CAP_CHOWN' && c !== 'CAP_KILL'),
      'CAP_NET_ADMIN',
      'CAP_SYS_ADMIN',
    ]);
    // Adding a default changes nothing.
    expect(tweakCapabilities(['CHOWN'], [], available)).toEqual([...defaultCapabilities]);
  });

  it('ALL added gives every available one but the dropped; ALL dropped gives only the added', () => {
    expect(tweakCapabilities(['ALL'], ['NET_RAW'], available)).toEqual(available.filter((c) => c !== 'CAP_NET_RAW'));
    expect(tweakCapabilities(['NET_RAW', 'net_raw'], ['all'], available)).toEqual(['CAP_NET_RAW']);
    expect(tweakCapabilities([], ['ALL'], available)).toEqual([]);
  });

  it('refuses a name no kernel knows, and one tsbuild cannot give (exit 125)', () => {
    expect(() => tweakCapabilities(['CAP_FLY'], [], available)).toThrow('unknown capability: "CAP_FLY"');
    expect(() => tweakCapabilities([], ['fly'], available)).toThrow('unknown capability: "fly"');
    expect(() => tweakCapabilities(['SYS_MODULE'], [], available)).toThrow(
      "capability CAP_SYS_MODULE is not in tsbuild's own bounding set: it cannot be given",
    );
    expect(() => tweakCapabilities(['SYS_MODULE'], [], available)).toThrow(expect.objectContaining({ exitCode: 125 }));
  });
});
