// An ordered `KEY=value` list with BuildKit's `AddOrReplace` semantics: a key keeps its first position,
// a new key is appended. Order matters because the environment list is part of RUN cache keys.

export class EnvList {
  private readonly entries: ReadonlyArray<readonly [string, string]>;

  constructor(entries: ReadonlyArray<readonly [string, string]> = []) {
    this.entries = entries;
  }

  static fromStrings(list: readonly string[]): EnvList {
    let env = new EnvList();
    for (const item of list) {
      const eq = item.indexOf('=');
      env = eq < 0 ? env.set(item, '') : env.set(item.slice(0, eq), item.slice(eq + 1));
    }
    return env;
  }

  get(key: string): string | undefined {
    return this.entries.find(([k]) => k === key)?.[1];
  }

  has(key: string): boolean {
    return this.entries.some(([k]) => k === key);
  }

  set(key: string, value: string): EnvList {
    const index = this.entries.findIndex(([k]) => k === key);
    if (index < 0) return new EnvList([...this.entries, [key, value]]);
    const copy = this.entries.slice();
    copy[index] = [key, value];
    return new EnvList(copy);
  }

  delete(key: string): EnvList {
    return new EnvList(this.entries.filter(([k]) => k !== key));
  }

  keys(): string[] {
    return this.entries.map(([k]) => k);
  }

  toStrings(): string[] {
    return this.entries.map(([k, v]) => `${k}=${v}`);
  }
}
