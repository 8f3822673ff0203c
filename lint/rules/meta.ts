// Shared pieces of rule definitions: documentation URLs.

/** BuildKit's documentation URL for a check: `StageNameCasing` → `…/rule/stage-name-casing/`. */
export function buildkitUrl(name: string): string {
  const kebab = name
    .replace(/JSON/g, 'Json')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
  return `https://docs.docker.com/go/dockerfile/rule/${kebab}/`;
}

export function hadolintUrl(id: string): string {
  return `https://github.com/hadolint/hadolint/wiki/${id}`;
}

/** Build errors point at the instruction's section of the Dockerfile reference. */
export function referenceUrl(instruction: string): string {
  return `https://docs.docker.com/reference/dockerfile/#${instruction.toLowerCase()}`;
}
