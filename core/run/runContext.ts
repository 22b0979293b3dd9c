/**
 * What a run is in Airflow's terms, the same for all its tasks: its logical
 * date, the data interval its schedule gives that date, its run id and its
 * conf (`airflow dags test DAG_ID LOGICAL_DATE -c CONF`).
 */
import { SCHEDULE_PRESETS } from '../analysis/schedule';

export interface RunContext {
  /** Airflow's run id: `manual__2024-03-05T00:00:00+00:00`. */
  airflowRunId: string;
  /** ISO 8601 with its offset, as Airflow's `ts`. */
  logicalDate: string;
  /** The data interval; null when the schedule is neither a cron nor a literal timedelta (the runner then works it out from the DAG's schedule, or uses the logical date). */
  dataIntervalStart: string | null;
  dataIntervalEnd: string | null;
  /** Overrides of the DAG's params, as `dags test -c` gives them. */
  conf: Record<string, unknown>;
}

export class RunContextError extends Error {
  override name = 'RunContextError';
}

/** Airflow's way of writing a UTC instant: `2024-03-05T00:00:00+00:00` (microseconds when there are any). */
export function airflowIso(date: Date): string {
  const iso = date.toISOString();
  const ms = date.getUTCMilliseconds();
  return `${iso.slice(0, 19)}${ms ? `.${String(ms * 1000).padStart(6, '0')}` : ''}+00:00`;
}

/**
 * A logical date as the user writes it (`2024-03-05`, `2024-03-05T10:00`,
 * `2024-03-05T10:00:00+02:00`); a date or a time without an offset is UTC.
 */
export function parseLogicalDate(text: string): Date {
  const trimmed = text.trim();
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(trimmed);
  const withTime = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(trimmed);
  if (!dateOnly && !withTime) {
    throw new RunContextError(`the logical date "${text}" is not a date such as 2024-03-05 or 2024-03-05T10:00:00+00:00`);
  }
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/.test(trimmed) && !dateOnly;
  const date = new Date(dateOnly ? `${trimmed}T00:00:00Z` : `${trimmed.replace(' ', 'T')}${hasOffset ? '' : 'Z'}`);
  if (Number.isNaN(date.getTime())) throw new RunContextError(`the logical date "${text}" is not a valid date`);
  return date;
}

/** The conf of `--conf '{...}'`: a JSON object. */
export function parseConf(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunContextError(`the conf is not JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RunContextError('the conf must be a JSON object, such as {"day": "monday"}');
  return value as Record<string, unknown>;
}

type ScheduleLibs = typeof import('../analysis/scheduleLibs');

/**
 * The data interval Airflow gives a manual run of a cron schedule on
 * `logicalDate` (its cron data-interval timetable): it ends at the last cron
 * time at or before the date and starts one cron period earlier. Null for a
 * schedule that is not a cron expression or a preset standing for one.
 */
export function cronDataInterval(schedule: string | null, logicalDate: Date): { start: Date; end: Date } | null {
  if (schedule === null) return null;
  const cron = schedule.startsWith('@') ? SCHEDULE_PRESETS[schedule] : schedule;
  if (!cron) return null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for a run of a cron-scheduled DAG, see scheduleLibs.ts
  const { CronExpressionParser } = require('../analysis/scheduleLibs') as ScheduleLibs;
  try {
    // The last cron time at or before the date: the one before a moment just after it.
    const atOrBefore = CronExpressionParser.parse(cron, { currentDate: new Date(logicalDate.getTime() + 1), tz: 'UTC', strict: false });
    const end = atOrBefore.prev().toDate();
    const before = CronExpressionParser.parse(cron, { currentDate: end, tz: 'UTC', strict: false });
    return { start: before.prev().toDate(), end };
  } catch {
    return null;
  }
}

export interface RunContextOptions {
  logicalDate?: Date;
  conf?: Record<string, unknown>;
  /** The DAG's schedule string from the model. */
  schedule: string | null;
  /** A `timedelta` schedule's length in seconds, when the schedule is one. */
  scheduleSeconds?: number | null;
}

export function makeRunContext(options: RunContextOptions): RunContext {
  const logicalDate = options.logicalDate ?? new Date();
  const seconds = options.scheduleSeconds;
  // A timedelta schedule gives a manual run the interval of that length ending at its logical date (Airflow's delta timetable).
  const interval =
    seconds !== undefined && seconds !== null && seconds > 0
      ? { start: new Date(logicalDate.getTime() - seconds * 1000), end: logicalDate }
      : cronDataInterval(options.schedule, logicalDate);
  const iso = airflowIso(logicalDate);
  return {
    airflowRunId: `manual__${iso}`,
    logicalDate: iso,
    dataIntervalStart: interval ? airflowIso(interval.start) : null,
    dataIntervalEnd: interval ? airflowIso(interval.end) : null,
    conf: options.conf ?? {},
  };
}
