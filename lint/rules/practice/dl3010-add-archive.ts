import type { CopyFilesInstruction, Word } from '../../../parser/index.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { operands, programCalls } from './program-calls.js';
import { eachRun, type RunCommands } from './run-commands.js';

// hadolint's archive extensions (what ADD extracts; not `.zip`).
const ARCHIVE = /\.(?:tar|Z|bz2|gz|lz|lzma|tZ|tb2|tbz|tbz2|tgz|tlz|tpz|txz|xz)$/;
const DECOMPRESSORS = new Set(['unzip', 'gunzip', 'bunzip2', 'unlzma', 'unxz', 'zgz', 'uncompress', 'zcat', 'gzcat']);

function basename(raw: string): string {
  const path = raw.replace(/^["']+|["']+$/g, '');
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** The archive words of a COPY, as hadolint reads them: the destination when it names an archive, else the sources. */
function archivesOf(copy: CopyFilesInstruction): Word[] {
  if (copy.flags.some((f) => f.name.toLowerCase() === 'from')) return [];
  if (copy.destination && ARCHIVE.test(basename(copy.destination.value))) return [copy.destination];
  return copy.sources.filter((s) => !s.value.startsWith('<<') && ARCHIVE.test(basename(s.value)));
}

/** Basenames of the files a RUN extracts: `tar -x…`/`--extract`/`--get` and the decompressors' operands. */
function extracted(run: RunCommands): Set<string> {
  const names = new Set<string>();
  for (const call of programCalls(run.commands, (name) => name === 'tar' || DECOMPRESSORS.has(name))) {
    if (call.program.text === 'tar') {
      const extracts = call.args.some((a) => a.text === '--extract' || a.text === '--get' || /^-[^-]*x/.test(a.text));
      if (!extracts) continue;
    }
    for (const word of operands(call)) names.add(basename(word.text));
  }
  return names;
}

export const dl3010: Rule = {
  id: 'DL3010',
  group: 'practice',
  description: 'Use `ADD` for extracting archives into an image.',
  url: hadolintUrl('DL3010'),
  severity: 'info',
  check({ model, report }) {
    let runs: Map<unknown, RunCommands[]> | null = null;
    for (const stage of model.stages) {
      const copied: { word: Word; name: string; copy: CopyFilesInstruction }[] = [];
      for (const instruction of stage.instructions) {
        if (instruction.kind === 'copy') {
          for (const word of archivesOf(instruction))
            copied.push({ word, name: basename(word.value), copy: instruction });
        } else if (instruction.kind === 'run' && copied.length > 0) {
          if (runs === null) {
            runs = new Map();
            for (const each of eachRun(model, '')) runs.set(each.run, [...(runs.get(each.run) ?? []), each]);
          }
          const names = new Set<string>();
          for (const each of runs.get(instruction) ?? []) for (const name of extracted(each)) names.add(name);
          // Reported at the COPY, once per archive, as hadolint does.
          for (let i = copied.length - 1; i >= 0; i--) {
            if (!names.has(copied[i].name)) continue;
            report(copied[i].word.range, dl3010.description, copied[i].copy);
            copied.splice(i, 1);
          }
        }
      }
    }
  },
};
