/**
 * The settings schema: the one source of truth for VORTEX's settings. The
 * package.json `contributes.configuration` is checked against it by a unit test.
 * Settings are read per resource through `workspace/configuration`.
 */
import { DEFAULT_MAX_FILE_SIZE } from './analysis/analyse';
import { DEFAULT_TIMEOUT_SECONDS } from './execution/taskSpec';

interface NumberSetting {
  type: 'number';
  default: number;
  minimum?: number;
  scope: 'resource' | 'window';
  description: string;
}

interface EnumSetting<T extends string> {
  type: 'string';
  enum: readonly T[];
  default: T;
  scope: 'resource' | 'window';
  description: string;
}

interface StringSetting {
  type: 'string';
  default: string;
  scope: 'resource' | 'window';
  description: string;
}

export type TraceLevel = 'off' | 'messages' | 'verbose';

export const SETTINGS_SCHEMA = {
  'vortex.analysis.maxFileSize': {
    type: 'number',
    default: DEFAULT_MAX_FILE_SIZE,
    minimum: 1024,
    scope: 'resource',
    description: 'Largest DAG file (in characters) that VORTEX analyses; larger files get one informational diagnostic instead.',
  } satisfies NumberSetting,
  'vortex.trace.server': {
    type: 'string',
    enum: ['off', 'messages', 'verbose'] as const,
    default: 'off',
    scope: 'window',
    description: 'Traces the communication between VS Code and the VORTEX language server (in the "VORTEX" output channel).',
  } satisfies EnumSetting<TraceLevel>,
  // Read by the client, which runs tasks in the extension host; the server has no use for them.
  'vortex.execution.timeoutSeconds': {
    type: 'number',
    default: DEFAULT_TIMEOUT_SECONDS,
    minimum: 1,
    scope: 'resource',
    description: 'How long a task may run before its whole process group is stopped, for tasks without their own execution_timeout.',
  } satisfies NumberSetting,
  'vortex.execution.parallelism': {
    type: 'number',
    default: 0,
    minimum: 0,
    scope: 'resource',
    description: 'How many tasks of a DAG run at once; 0 means one per CPU.',
  } satisfies NumberSetting,
  'vortex.python.interpreter': {
    type: 'string',
    default: '',
    scope: 'resource',
    description: 'The Python interpreter that runs PythonOperator tasks. Empty: the interpreter selected in the Python extension when it is installed, else python3.',
  } satisfies StringSetting,
} as const;

export type SettingKey = keyof typeof SETTINGS_SCHEMA;

export interface VortexSettings {
  maxFileSize: number;
  trace: TraceLevel;
}

export const DEFAULT_SETTINGS: VortexSettings = {
  maxFileSize: SETTINGS_SCHEMA['vortex.analysis.maxFileSize'].default,
  trace: SETTINGS_SCHEMA['vortex.trace.server'].default,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the `vortex` section as the client returns it (nested objects, any
 * shape): values of the wrong type or out of range fall back to the defaults.
 */
export function settingsFrom(section: unknown): VortexSettings {
  const root = isRecord(section) ? section : {};
  const analysis = isRecord(root.analysis) ? root.analysis : {};
  const trace = isRecord(root.trace) ? root.trace : {};
  const maxSchema = SETTINGS_SCHEMA['vortex.analysis.maxFileSize'];
  const max = analysis.maxFileSize;
  const level = trace.server;
  return {
    maxFileSize: typeof max === 'number' && Number.isFinite(max) && max >= maxSchema.minimum ? max : DEFAULT_SETTINGS.maxFileSize,
    trace: typeof level === 'string' && (SETTINGS_SCHEMA['vortex.trace.server'].enum as readonly string[]).includes(level) ? (level as TraceLevel) : DEFAULT_SETTINGS.trace,
  };
}
