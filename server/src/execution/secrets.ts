/**
 * Secrets: where a task's secrets come from (a vault), how they reach it (its
 * environment, at the moment it starts) and how their values are kept out of
 * everything VORTEX shows or stores (masking, as Airflow's secret masker does).
 *
 * Nothing here writes a secret anywhere; values live only in memory and in the
 * environment of the task that asked for them.
 */
import { parse as parseDotenv } from 'dotenv';

export const MASK = '***';

/** Where secret values come from: a dotenv file in the CLI, SecretStorage in VS Code (hence async). */
export interface SecretVault {
  get(name: string): Promise<string | undefined>;
}

/** A vault over values already in memory (a parsed `--secrets-file`, tests). */
export class MapVault implements SecretVault {
  private readonly values: ReadonlyMap<string, string>;

  constructor(values: Readonly<Record<string, string>> | ReadonlyMap<string, string>) {
    this.values = values instanceof Map ? new Map(values) : new Map(Object.entries(values));
  }

  get(name: string): Promise<string | undefined> {
    return Promise.resolve(this.values.get(name));
  }
}

/** Parses a dotenv file's text (`NAME=value` lines, `#` comments, quoted values, `export` prefixes). */
export function parseSecretsFile(text: string): Record<string, string> {
  return parseDotenv(text);
}

export type SecretResolution =
  | { ok: true; env: Record<string, string> }
  | { ok: false; missing: string[]; message: string };

/**
 * Looks up every named secret. A missing one must fail the task before it
 * starts, with a message naming it, so the message lists all missing names
 * at once rather than making the user fix them one run at a time.
 */
export async function resolveSecrets(names: readonly string[], vault: SecretVault | undefined): Promise<SecretResolution> {
  const env: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of new Set(names)) {
    const value = vault ? await vault.get(name) : undefined;
    if (value === undefined) missing.push(name);
    else env[name] = value;
  }
  if (missing.length === 0) return { ok: true, env };
  const list = missing.map((n) => `'${n}'`).join(', ');
  const noun = missing.length === 1 ? 'secret' : 'secrets';
  return { ok: false, missing, message: `missing ${noun} ${list}: not found in the secrets vault` };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces every occurrence of any of the given values with `***`. */
export class SecretMasker {
  /** Longest value first, so that a secret containing another is masked whole. */
  private readonly pattern: RegExp | null;
  /** A streamed chunk may end inside a secret: this many trailing characters wait for the next chunk. */
  readonly holdBack: number;

  constructor(values: Iterable<string>) {
    const unique = [...new Set([...values].filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
    this.pattern = unique.length > 0 ? new RegExp(unique.map(escapeRegExp).join('|'), 'g') : null;
    this.holdBack = unique.length > 0 ? unique[0].length - 1 : 0;
  }

  get isEmpty(): boolean {
    return this.pattern === null;
  }

  mask(text: string): string {
    return this.pattern ? text.replace(this.pattern, MASK) : text;
  }

  /** A masker for one stream of chunks; see {@link MaskingStream}. */
  stream(): MaskingStream {
    return new MaskingStream(this.pattern, this.holdBack);
  }
}

/**
 * Masks a stream chunk by chunk with the same result as masking the whole
 * text at once. It holds back the last `holdBack` characters of what it has
 * seen, because they could be the start of a secret that the next chunk
 * completes; everything before that can be decided now. A match that starts
 * before the held-back tail and runs into it is complete already (no secret is
 * longer than `holdBack + 1`), so it is emitted masked and the tail starts
 * after it.
 */
export class MaskingStream {
  private carry = '';

  constructor(private readonly pattern: RegExp | null, private readonly holdBack: number) {}

  /** Masked text that can be emitted now (possibly empty). */
  write(chunk: string): string {
    if (!this.pattern) return chunk;
    const text = this.carry + chunk;
    let cut = text.length - this.holdBack;
    if (cut <= 0) {
      this.carry = text;
      return '';
    }
    let out = '';
    let last = 0;
    this.pattern.lastIndex = 0;
    for (let m = this.pattern.exec(text); m !== null; m = this.pattern.exec(text)) {
      if (m.index >= cut) break;
      out += text.slice(last, m.index) + MASK;
      last = m.index + m[0].length;
    }
    if (last > cut) cut = last;
    out += text.slice(last, cut);
    this.carry = text.slice(cut);
    return out;
  }

  /** The held-back tail, masked: call once when the stream ends. */
  end(): string {
    const rest = this.carry;
    this.carry = '';
    return this.pattern ? rest.replace(this.pattern, MASK) : rest;
  }
}
