// buildx's `--provenance` and `--sbom`: tsbuild makes no attestations, so it takes the values that ask for none (CI
// scripts pass `--provenance=false` to get a plain image manifest, which is what tsbuild always writes) and refuses
// any other rather than build without what the command line asked for.

/** Go's strconv.ParseBool false spellings, as buildx reads these flags. */
const falseWords = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/** Throws for a `--provenance` or `--sbom` value that asks for an attestation. */
export function refuseAttestations(flag: '--provenance' | '--sbom', values: readonly string[]): void {
  const wanted = values.find((value) => !falseWords.has(value));
  if (wanted !== undefined) {
    throw new Error(`${flag}=${wanted}: tsbuild makes no attestations (only ${flag}=false is accepted)`);
  }
}
