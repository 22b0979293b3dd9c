/**
 * The secrets vault of one workspace, over VS Code's SecretStorage (the OS
 * keychain). SecretStorage is one flat store per extension, so every key is
 * prefixed with a key for the workspace, and since it cannot list its keys
 * the names are kept too, as one more entry of the same store.
 *
 * No `vscode` import: the store is the three methods used, so unit tests hand
 * it a Map.
 */
import { createHash } from 'node:crypto';
import type { SecretVault } from '../../../core/run/secrets';

/** The part of `vscode.SecretStorage` the vault uses. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

/** Secrets reach tasks as environment variables, so their names must be valid variable names. */
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why a name cannot be a secret's name, or null when it can. */
export function secretNameProblem(name: string): string | null {
  if (name.length === 0) return 'a secret needs a name';
  if (!SECRET_NAME.test(name)) return `"${name}" is not an environment variable name: use letters, digits and _, not starting with a digit`;
  return null;
}

/**
 * A stable key for a workspace: its folders (or its .code-workspace file),
 * hashed so the store's keys do not spell out the user's paths.
 */
export function workspaceKey(workspaceUris: readonly string[]): string {
  const identity = workspaceUris.length === 0 ? '<no folder>' : [...workspaceUris].sort().join('\n');
  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

export class WorkspaceSecrets implements SecretVault {
  /** Every change of the name list goes through this chain, so two quick sets cannot lose a name. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: SecretStore, private readonly workspace: string) {}

  private valueKey(name: string): string {
    return `vortex.secret/${this.workspace}/${name}`;
  }

  private get namesKey(): string {
    return `vortex.secretNames/${this.workspace}`;
  }

  async get(name: string): Promise<string | undefined> {
    return this.store.get(this.valueKey(name));
  }

  /** The names of this workspace's secrets, sorted; values are never listed. */
  async names(): Promise<string[]> {
    const raw = await this.store.get(this.namesKey);
    if (raw === undefined) return [];
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === 'string').sort() : [];
    } catch {
      // A damaged list only loses the listing; the values are still under their own keys.
      return [];
    }
  }

  set(name: string, value: string): Promise<void> {
    const problem = secretNameProblem(name);
    if (problem) return Promise.reject(new Error(problem));
    return this.serially(async () => {
      await this.store.store(this.valueKey(name), value);
      const names = new Set(await this.names());
      names.add(name);
      await this.store.store(this.namesKey, JSON.stringify([...names].sort()));
    });
  }

  /** Resolves to whether there was such a secret. */
  delete(name: string): Promise<boolean> {
    return this.serially(async () => {
      const existed = (await this.store.get(this.valueKey(name))) !== undefined;
      await this.store.delete(this.valueKey(name));
      const names = (await this.names()).filter((n) => n !== name);
      await this.store.store(this.namesKey, JSON.stringify(names));
      return existed;
    });
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
