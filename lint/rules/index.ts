// Every rule, in reporting order: BuildKit's checks, build errors, best practice.
import type { Rule } from '../types.js';
import { buildRules } from './build/index.js';
import { buildkitRules } from './buildkit/index.js';
import { practiceRules } from './practice/index.js';

export const RULES: readonly Rule[] = [...buildkitRules, ...buildRules, ...practiceRules];
