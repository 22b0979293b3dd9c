/**
 * Airflow's `default_args`, as far as the source shows them, for the
 * BaseOperator arguments a local run reads: `retries`, `retry_delay`,
 * `execution_timeout`, `do_xcom_push` and `trigger_rule`. Airflow fills an
 * argument an operator leaves out from its DAG's `default_args`, then each
 * enclosing TaskGroup's (a group's merged over its parent's), then the
 * operator's own `default_args=`; the operator's own argument wins over all.
 *
 * Nothing is guessed: a value the source computes is `UNREAD`, and a
 * `default_args` static analysis cannot see whole (built by a call, a name
 * bound elsewhere, `**other`) is `open`: any argument may come from it.
 */
import type { Node } from 'web-tree-sitter';
import { durationSeconds, literalValue, type LiteralScope } from './literals';
import type { Argument, LiteralValue, TaskModel } from './model';

/** The run-relevant BaseOperator arguments, as Airflow names them. */
export const RUN_SETTINGS = ['retries', 'retry_delay', 'execution_timeout', 'do_xcom_push', 'trigger_rule'] as const;
export type RunSettingName = (typeof RUN_SETTINGS)[number];

/** Given in a way static analysis cannot read (`retries=int(os.environ["R"])`). */
export const UNREAD: unique symbol = Symbol('unread');
/** A number (retries; seconds of a delay or timeout), a flag, a rule, None, or UNREAD. */
export type SettingValue = number | boolean | string | null | typeof UNREAD;
export type Settings = Partial<Record<RunSettingName, SettingValue>>;

/** What is known of one `default_args`, or of several merged. */
export interface KnownDefaults {
  values: Settings;
  /** It may hold arguments not seen here. */
  open: boolean;
}

export const NO_DEFAULTS: KnownDefaults = Object.freeze({ values: Object.freeze({}), open: false }) as KnownDefaults;
/** A default_args static analysis cannot read at all. */
export const UNKNOWN_DEFAULTS: KnownDefaults = Object.freeze({ values: Object.freeze({}), open: true }) as KnownDefaults;

function isRunSetting(name: string): name is RunSettingName {
  return (RUN_SETTINGS as readonly string[]).includes(name);
}

/**
 * One setting's value from its literal (`value`) or, for a duration, its
 * node (`timedelta(minutes=5)`, `datetime.timedelta(seconds=1)`).
 */
function settingValue(name: RunSettingName, value: LiteralValue | undefined, node: Node | undefined, source: string): SettingValue {
  switch (name) {
    case 'retry_delay':
    case 'execution_timeout': {
      if (value === null) return null;
      const seconds = typeof value === 'number' ? value : node ? durationSeconds(node, source) : null;
      return seconds !== null && seconds >= 0 ? seconds : UNREAD;
    }
    case 'retries':
      if (value === null) return 0;
      return typeof value === 'number' && value >= 0 ? Math.floor(value) : UNREAD;
    case 'do_xcom_push':
      return typeof value === 'boolean' ? value : UNREAD;
    case 'trigger_rule':
      return typeof value === 'string' ? value : UNREAD;
  }
}

/** A setting given as a call's argument, read with its node when the tree reader kept one. */
export function argumentSetting(name: RunSettingName, arg: Argument, node: Node | undefined, source: string, scope: LiteralScope): SettingValue {
  const value = arg.value !== undefined || !node ? arg.value : literalValue(node, source, scope);
  return settingValue(name, value, node, source);
}

/** The run settings of a dict display: open when it unpacks another or a key is not a literal string. */
export function dictDefaults(node: Node, source: string, scope: LiteralScope): KnownDefaults {
  if (node.type !== 'dictionary') return UNKNOWN_DEFAULTS;
  const values: Settings = {};
  let open = false;
  for (const pair of node.namedChildren) {
    if (!pair || pair.type === 'comment') continue;
    const keyNode = pair.type === 'pair' ? pair.childForFieldName('key') : null;
    const valueNode = pair.childForFieldName('value');
    const key = keyNode ? literalValue(keyNode, source, scope) : undefined;
    if (typeof key !== 'string' || !valueNode) {
      open = true;
      continue;
    }
    if (isRunSetting(key)) values[key] = settingValue(key, literalValue(valueNode, source, scope), valueNode, source);
  }
  return { values, open };
}

/** The run settings of a literal dict (a name bound to one, or one read from text). */
export function literalDefaults(value: LiteralValue): KnownDefaults {
  if (value === null) return NO_DEFAULTS;
  if (typeof value !== 'object' || Array.isArray(value)) return UNKNOWN_DEFAULTS;
  const values: Settings = {};
  for (const name of RUN_SETTINGS) {
    if (name in value) values[name] = settingValue(name, value[name], undefined, '');
  }
  return { values, open: false };
}

/**
 * `inner` merged over `outer`, as Airflow's dict updates merge them. An open
 * `inner` may override anything `outer` says: those values become UNREAD.
 */
export function mergeDefaults(outer: KnownDefaults, inner: KnownDefaults): KnownDefaults {
  if (inner === NO_DEFAULTS) return outer;
  if (outer === NO_DEFAULTS) return inner;
  const values: Settings = {};
  for (const name of Object.keys(outer.values) as RunSettingName[]) values[name] = inner.open ? UNREAD : outer.values[name];
  Object.assign(values, inner.values);
  return { values, open: outer.open || inner.open };
}

/** A task's run settings: what is known, and which came from default_args or cannot be read. */
export interface ResolvedSettings {
  values: Partial<Record<RunSettingName, number | boolean | string | null>>;
  inherited: RunSettingName[];
  unread: RunSettingName[];
}

/**
 * A task's settings: its own arguments (`own(name)`, undefined when not
 * given) over the defaults it inherits. An argument neither gives, nor an
 * open default_args could give, is left out: Airflow's default.
 */
export function resolveSettings(defaults: KnownDefaults, own: (name: RunSettingName) => SettingValue | undefined): ResolvedSettings {
  const resolved: ResolvedSettings = { values: {}, inherited: [], unread: [] };
  for (const name of RUN_SETTINGS) {
    let value = own(name);
    if (value === undefined) {
      value = defaults.values[name] ?? (defaults.open ? UNREAD : undefined);
      if (value !== undefined) resolved.inherited.push(name);
    }
    if (value === UNREAD) resolved.unread.push(name);
    else if (value !== undefined) resolved.values[name] = value;
  }
  return resolved;
}

/** One array for each list of names: the tasks of a DAG mostly inherit the same settings, and the model is read-only. */
export class SharedLists {
  private readonly lists = new Map<string, string[]>();

  get(names: string[]): string[] {
    const key = names.join(',');
    let list = this.lists.get(key);
    if (!list) this.lists.set(key, (list = names));
    return list;
  }
}

type RunSettingFields = 'triggerRule' | 'executionTimeoutSeconds' | 'retries' | 'retryDelaySeconds' | 'doXcomPush' | 'inheritedSettings' | 'unreadSettings';

/** Writes a task's resolved settings into its model: only those that differ from Airflow's defaults, so a task without any has no more fields. */
export function setRunSettings(task: Pick<TaskModel, RunSettingFields>, settings: ResolvedSettings, lists: SharedLists): void {
  const v = settings.values;
  if (typeof v.trigger_rule === 'string') task.triggerRule = v.trigger_rule;
  if (typeof v.execution_timeout === 'number') task.executionTimeoutSeconds = v.execution_timeout;
  if (typeof v.retries === 'number' && v.retries > 0) task.retries = v.retries;
  if (typeof v.retry_delay === 'number') task.retryDelaySeconds = v.retry_delay;
  if (v.do_xcom_push === false) task.doXcomPush = false;
  if (settings.inherited.length > 0) task.inheritedSettings = lists.get(settings.inherited);
  if (settings.unread.length > 0) task.unreadSettings = lists.get(settings.unread);
}
