/**
 * Secrets: where a task's secrets come from (a vault), how they reach it (its
 * environment, at the moment it starts) and how their values are kept out of
 * everything VORTEX shows or stores (masking, as Airflow's secret masker does).
 *
 * Nothing here writes a secret anywhere; values live only in memory and in the
 * environment of the task that asked for them.
 */
import { parse as parseDotenv } from 'dotenv';

const MASK = '***';

/**
 * Values shorter than this are not masked. Masking replaces every occurrence
 * of a value, so a two-letter secret would turn every such pair of letters in
 * the output into `***` (`***uick ***ueen`), garbling the log and showing a
 * reader which letters the secret is. Airflow's masker has the same floor
 * (`[logging] min_length_masked_secret`, 5).
 */
export const MIN_MASKED_LENGTH = 5;

/** Whether masking hides this value. */
export function isMasked(value: string): boolean {
  return value.length >= MIN_MASKED_LENGTH;
}

/** What is wrong with a value too short to be masked, after "its value" or "secret NAME". */
export const UNMASKED_REASON = `is shorter than ${MIN_MASKED_LENGTH} characters, so task output does not mask it: masking it would hide every occurrence of those letters. Use a longer value if it must stay out of logs.`;

/** The warning for a secret whose value is too short to be masked. */
export function unmaskedSecretWarning(name: string): string {
  return `secret ${name} ${UNMASKED_REASON}`;
}

/** Where secret values come from: a dotenv file in the CLI, SecretStorage in VS Code (hence async). */
export interface SecretVault {
  get(name: string): Promise<string | undefined>;
  /** The names it holds (never values); a vault that cannot list them holds no Airflow Variables or Connections for a run. */
  names?(): Promise<string[]>;
}

/** Airflow's environment-variable conventions for Variables and Connections. */
const AIRFLOW_SECRET_NAME = /^AIRFLOW_(VAR|CONN)_[A-Za-z0-9_]+$/;

/**
 * The vault's Airflow Variables and Connections (`AIRFLOW_VAR_<NAME>`,
 * `AIRFLOW_CONN_<ID>`): every task of a run gets them in its environment, as
 * Airflow's environment-variable secrets backend reads them, and their values
 * are masked like every secret.
 */
export async function airflowSecrets(vault: SecretVault | undefined): Promise<Record<string, string>> {
  if (!vault?.names) return {};
  const env: Record<string, string> = {};
  for (const name of await vault.names()) {
    if (!AIRFLOW_SECRET_NAME.test(name)) continue;
    const value = await vault.get(name);
    if (value !== undefined && !value.includes('\0')) env[name] = value;
  }
  return env;
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

  names(): Promise<string[]> {
    return Promise.resolve([...this.values.keys()].sort());
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

/**
 * Replaces every occurrence of any of the given values with `***`, values
 * shorter than MIN_MASKED_LENGTH excepted. It matches the exact text only: an
 * encoded form of a secret (reversed, URL- or JSON-escaped, base64, split
 * between stdout and stderr) passes through as it is.
 */
export class SecretMasker {
  /** Longest first, so that a secret containing another is masked whole. */
  private readonly values: string[];
  private readonly pattern: RegExp | null;

  constructor(values: Iterable<string>) {
    this.values = [...new Set([...values].filter(isMasked))].sort((a, b) => b.length - a.length);
    this.pattern = this.values.length > 0 ? new RegExp(this.values.map(escapeRegExp).join('|'), 'g') : null;
  }

  get isEmpty(): boolean {
    return this.pattern === null;
  }

  mask(text: string): string {
    return this.pattern ? text.replace(this.pattern, MASK) : text;
  }

  /** A masker for one stream of chunks; see {@link MaskingStream}. */
  stream(): MaskingStream {
    return new MaskingStream(this.pattern, this.values);
  }
}

/**
 * Masks a stream chunk by chunk with the same result as masking the whole
 * text at once. Only a tail that could still grow into a secret is held back
 * for the next chunk: from the first position where the rest of the text is
 * a proper prefix of some secret. Everything before it is decided now, so
 * output is not delayed (nor are lines split) more than a secret requires.
 */
export class MaskingStream {
  private carry = '';
  private readonly longest: number;

  constructor(private readonly pattern: RegExp | null, private readonly values: readonly string[]) {
    this.longest = values.length > 0 ? values[0].length : 0;
  }

  /** Masked text that can be emitted now (possibly empty). */
  write(chunk: string): string {
    if (!this.pattern) return chunk;
    const text = this.carry + chunk;
    const hold = this.pendingFrom(text);
    let out = '';
    let last = 0;
    this.pattern.lastIndex = 0;
    for (let m = this.pattern.exec(text); m !== null && m.index < hold; m = this.pattern.exec(text)) {
      out += text.slice(last, m.index) + MASK;
      last = m.index + m[0].length;
    }
    const keepFrom = Math.max(hold, last);
    out += text.slice(last, keepFrom);
    this.carry = text.slice(keepFrom);
    return out;
  }

  /** The held-back tail, masked: call once when the stream ends. */
  end(): string {
    const rest = this.carry;
    this.carry = '';
    return this.pattern ? rest.replace(this.pattern, MASK) : rest;
  }

  /** The first position whose rest of the text a secret could still extend; the text's length if none. */
  private pendingFrom(text: string): number {
    for (let p = Math.max(0, text.length - this.longest + 1); p < text.length; p++) {
      const rest = text.slice(p);
      if (this.values.some((v) => v.length > rest.length && v.startsWith(rest))) return p;
    }
    return text.length;
  }
}
