// What a build grants beyond the sandbox (buildx's `--allow`). `network.host` is always granted: RUN steps use the
// host's network by default, as `docker build` runs them. `security.insecure` is granted only when asked for: it
// lets `RUN --security=insecure` run privileged (runtime/privileged.ts).
export const ENTITLEMENTS = ['network.host', 'security.insecure'] as const;
export type Entitlement = (typeof ENTITLEMENTS)[number];

/** An `--allow` value; throws for one tsbuild does not know. */
export function parseEntitlement(value: string): Entitlement {
  const found = ENTITLEMENTS.find((known) => known === value);
  if (found === undefined) {
    throw new Error(
      `invalid entitlement ${JSON.stringify(value)} for --allow: tsbuild grants ${ENTITLEMENTS.join(' and ')}`,
    );
  }
  return found;
}

/** The error of a privileged step in a build that did not grant security.insecure (BuildKit's words, then how). */
export const insecureNotAllowed =
  'security.insecure is not allowed (tsbuild build --allow security.insecure grants it)';
