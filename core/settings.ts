/**
 * The settings schema: the one source of truth for VORTEX's settings. The
 * package.json `contributes.configuration` is checked against it by a unit test.
 * Settings are read per resource through `workspace/configuration`.
 */
import { DEFAULT_MAX_FILE_SIZE } from './analysis/analyse';
import { DEFAULT_TIMEOUT_SECONDS } from './run/taskSpec';
import { DEFAULT_RUNTIME_TIMEOUT_MS } from './runtime/report';
import type { AnalysisMode } from './runtime/mode';

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
  /** One line per value, in `enum`'s order (VS Code shows them in the settings editor's dropdown). */
  enumDescriptions?: readonly string[];
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

export type { AnalysisMode };

export const SETTINGS_SCHEMA = {
  'vortex.analysis.maxFileSize': {
    type: 'number',
    default: DEFAULT_MAX_FILE_SIZE,
    minimum: 1024,
    scope: 'resource',
    description: 'Largest DAG file (in characters) that VORTEX analyses; larger files get one informational diagnostic instead.',
  } satisfies NumberSetting,
  'vortex.analysis.mode': {
    type: 'string',
    enum: ['static', 'runtime', 'auto'] as const,
    enumDescriptions: [
      'Never execute DAG files: everything comes from reading the source.',
      'Execute every DAG file (with the bundled SDK) when it is opened and saved, and show the DAGs and tasks it builds.',
      'Execute a DAG file when it is opened and saved only if it builds tasks in loops, comprehensions or helpers (VX404).',
    ],
    default: 'auto',
    scope: 'resource',
    description: 'How VORTEX finds the tasks of a DAG file. Executing a file (only ever in a trusted workspace) shows tasks built dynamically, which reading the source cannot see.',
  } satisfies EnumSetting<AnalysisMode>,
  'vortex.analysis.runtimeTimeoutSeconds': {
    type: 'number',
    default: DEFAULT_RUNTIME_TIMEOUT_MS / 1000,
    minimum: 1,
    scope: 'resource',
    description: 'How long executing a DAG file to resolve its tasks may take before it is stopped (then the static analysis stands).',
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
  'vortex.execution.retryDelaySeconds': {
    type: 'number',
    default: -1,
    minimum: -1,
    scope: 'resource',
    description: 'Seconds a failed task with retries waits before its next try; -1: its own retry_delay (Airflow\'s default, 5 minutes, when it sets none). The run\'s output says when this shortens the wait.',
  } satisfies NumberSetting,
  'vortex.execution.revealOutput': {
    type: 'string',
    enum: ['never', 'onFailure', 'always'] as const,
    default: 'never',
    scope: 'resource',
    description: 'When the "VORTEX Runs" output shows itself: never (the notification at the end of a run offers it), when a run fails, or as each run starts.',
  } satisfies EnumSetting<'never' | 'onFailure' | 'always'>,
} as const;

export type SettingKey = keyof typeof SETTINGS_SCHEMA;

export interface VortexSettings {
  maxFileSize: number;
  trace: TraceLevel;
  analysisMode: AnalysisMode;
  runtimeTimeoutSeconds: number;
}

export const DEFAULT_SETTINGS: VortexSettings = {
  maxFileSize: SETTINGS_SCHEMA['vortex.analysis.maxFileSize'].default,
  trace: SETTINGS_SCHEMA['vortex.trace.server'].default,
  analysisMode: SETTINGS_SCHEMA['vortex.analysis.mode'].default,
  runtimeTimeoutSeconds: SETTINGS_SCHEMA['vortex.analysis.runtimeTimeoutSeconds'].default,
};

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

function numberAtLeast(value: unknown, minimum: number, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= minimum ? value : fallback;
}

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
  return {
    maxFileSize: numberAtLeast(analysis.maxFileSize, SETTINGS_SCHEMA['vortex.analysis.maxFileSize'].minimum, DEFAULT_SETTINGS.maxFileSize),
    trace: oneOf(trace.server, SETTINGS_SCHEMA['vortex.trace.server'].enum, DEFAULT_SETTINGS.trace),
    analysisMode: oneOf(analysis.mode, SETTINGS_SCHEMA['vortex.analysis.mode'].enum, DEFAULT_SETTINGS.analysisMode),
    runtimeTimeoutSeconds: numberAtLeast(analysis.runtimeTimeoutSeconds, SETTINGS_SCHEMA['vortex.analysis.runtimeTimeoutSeconds'].minimum, DEFAULT_SETTINGS.runtimeTimeoutSeconds),
  };
}
