// Containers from stored images (`tsbuild run`).
export { type CommandOverrides, containerArgv } from './command-line.js';
export { containerEnv, defaultPathEnv, type EnvInputs, expandEnvOverrides, replaceOrAppend } from './environment.js';
export { ContainerError, startFailureExitCode } from './errors.js';
export { parseMountOption, parseTmpfs } from './mount-options.js';
export { type ContainerTty, type RunImageOptions, type RunImageResult, runImage } from './run-image.js';
export { removeStaleContainers, staleContainerIds } from './stale.js';
export { type BindVolume, parseVolume } from './volumes.js';
