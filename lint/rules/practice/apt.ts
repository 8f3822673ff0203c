// `apt-get` invocations in a list of simple commands.
import { commandWords, type ShellToken, type SimpleCommand } from '../../shell-commands.js';

export interface AptCall {
  readonly program: ShellToken;
  readonly subcommand: string | null;
  readonly args: ShellToken[];
}

export function aptCalls(commands: SimpleCommand[]): AptCall[] {
  const calls: AptCall[] = [];
  for (const command of commands) {
    const words = commandWords(command);
    if (words[0]?.text !== 'apt-get' && words[0]?.text !== 'apt') continue;
    const args = words.slice(1);
    const subcommand = args.find((w) => !w.text.startsWith('-'))?.text ?? null;
    calls.push({ program: words[0], subcommand, args });
  }
  return calls;
}
