// Finding and reading the lint configuration file.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type LintConfig, validateConfig } from '../../../lint/index.js';

export const CONFIG_NAMES = ['.tsbuild.yaml', '.tsbuild.yml', 'tsbuild.config.json'];

export class ConfigError extends Error {}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Loads `explicit`, or the first default name found in `cwd`; no file gives the empty configuration. */
export async function loadConfig(explicit: string | undefined, cwd: string): Promise<LintConfig> {
  const candidates = explicit ? [explicit] : CONFIG_NAMES;
  for (const name of candidates) {
    const file = path.resolve(cwd, name);
    const text = await readIfExists(file);
    if (text === null) {
      if (explicit) throw new ConfigError(`cannot read config file ${explicit}`);
      continue;
    }
    let value: unknown;
    try {
      value = file.endsWith('.json') ? JSON.parse(text) : (await import('./yaml.js')).parseYaml(text);
    } catch (error) {
      throw new ConfigError(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const { config, errors } = validateConfig(value);
    if (errors.length > 0) throw new ConfigError(`${name}: ${errors.join('; ')}`);
    return config;
  }
  return validateConfig(null).config;
}
