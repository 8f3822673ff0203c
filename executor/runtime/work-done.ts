// Tells the CLI's loader (cli/loader.ts) that this run does its command's work (a build's step, a container): its code
// cache, when a run that did none wrote it, is then taken again once, with what that work compiled. Under a global
// symbol, because the loader imports none of the bundle's code.
const key = Symbol.for('tsbuild.code-cache.work-done');

export function noteWorkDone(): void {
  (globalThis as unknown as Record<symbol, boolean>)[key] = true;
}
