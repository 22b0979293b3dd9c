/**
 * Schedules: cron expressions and presets, checked with cron-parser and read
 * aloud with cronstrue. Shared by the analyser (VX103/VX104) and the hover.
 *
 * Both libraries are loaded on first use (see scheduleLibs.ts): the usual
 * schedule is settled without them (see `plainlyValid`), and `vortex inspect`
 * need not load them at all.
 */
import { closest } from './suggest';

type ScheduleLibs = typeof import('./scheduleLibs');
let libs: ScheduleLibs | undefined;

function scheduleLibs(): ScheduleLibs {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see scheduleLibs.ts
  libs ??= require('./scheduleLibs') as ScheduleLibs;
  return libs;
}

/** Airflow's presets and the cron expression each stands for. */
export const SCHEDULE_PRESETS: Readonly<Record<string, string>> = {
  '@once': '',
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@quarterly': '0 0 1 */3 *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@continuous': '',
};

/** What the presets that stand for no cron expression mean. */
export const PRESETS_WITHOUT_CRON: Readonly<Record<string, string>> = {
  '@once': 'runs once, when triggered',
  '@continuous': 'runs continuously: a new run starts as soon as the previous one ends',
};

/** Common patterns offered in completion, with what they mean. */
export const COMMON_CRON_PATTERNS: ReadonlyArray<{ cron: string; label: string }> = [
  { cron: '0 * * * *', label: 'Every hour, on the hour' },
  { cron: '*/15 * * * *', label: 'Every 15 minutes' },
  { cron: '0 0 * * *', label: 'Every day at midnight' },
  { cron: '0 12 * * *', label: 'Every day at noon' },
  { cron: '0 6 * * 1-5', label: 'Weekdays at 06:00' },
  { cron: '0 0 * * 0', label: 'Every Sunday at midnight' },
  { cron: '0 0 1 * *', label: 'The first day of every month at midnight' },
];

const FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;

export type ScheduleCheck =
  | { ok: true; kind: 'preset' | 'cron'; cron: string | null }
  | { ok: false; message: string; suggestion?: string };

function parserReason(expression: string): string | null {
  try {
    scheduleLibs().CronExpressionParser.parse(expression, { strict: false });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Checks a schedule string the way Airflow reads it: a preset or a 5-field cron expression. */
export function checkSchedule(value: string): ScheduleCheck {
  const trimmed = value.trim();
  if (trimmed.startsWith('@')) {
    if (trimmed in SCHEDULE_PRESETS) return { ok: true, kind: 'preset', cron: SCHEDULE_PRESETS[trimmed] || null };
    const suggestion = closest(trimmed, Object.keys(SCHEDULE_PRESETS));
    return {
      ok: false,
      message: `"${trimmed}" is not a known schedule preset${suggestion ? `: did you mean "${suggestion}"?` : '.'} Presets are ${Object.keys(SCHEDULE_PRESETS).join(', ')}.`,
      ...(suggestion ? { suggestion } : {}),
    };
  }
  const fields = trimmed.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    return {
      ok: false,
      message: `"${trimmed}" has ${fields.length} field${fields.length === 1 ? '' : 's'}; a cron expression needs 5: minute hour day-of-month month day-of-week (for example "0 12 * * *").`,
    };
  }
  if (plainlyValid(fields)) return { ok: true, kind: 'cron', cron: trimmed };
  // Check each field alone first, so the message can name the field at fault.
  for (let i = 0; i < FIELDS.length; i++) {
    const probe = FIELDS.map((_, j) => (j === i ? fields[i] : '*')).join(' ');
    const reason = parserReason(probe);
    if (reason) {
      return { ok: false, message: `Invalid ${FIELDS[i]} field "${fields[i]}" in cron expression "${trimmed}": ${reason}.` };
    }
  }
  const reason = parserReason(trimmed);
  if (reason) return { ok: false, message: `Invalid cron expression "${trimmed}": ${reason}.` };
  return { ok: true, kind: 'cron', cron: trimmed };
}

/** The range of each field's values, as cron-parser takes them (7 is Sunday too). */
const FIELD_RANGES: ReadonlyArray<readonly [number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];

const PLAIN_FIELD = /^(?:\*|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,2}))?$/;

/**
 * Whether cron-parser surely accepts these five fields, each one plain item:
 * `*`, `N`, `N-M` (N ≤ M), each optionally `/S`, in the field's range, with a
 * step no larger than the range (a unit test checks every such field against
 * cron-parser). Lists, names and the like are left to cron-parser, and so is
 * an explicit day of the month in explicit months (30 in February is not).
 */
export function plainlyValid(fields: string[]): boolean {
  for (let i = 0; i < 5; i++) {
    const match = PLAIN_FIELD.exec(fields[i]);
    if (!match) return false;
    const [low, high] = FIELD_RANGES[i];
    const [, from, to, step] = match;
    if (from !== undefined && (Number(from) < low || Number(from) > high)) return false;
    if (to !== undefined && (Number(to) < Number(from) || Number(to) > high)) return false;
    if (step !== undefined && (Number(step) < 1 || Number(step) > high + 1)) return false;
  }
  const everyMonth = fields[3] === '*' || fields[3].startsWith('*/'); // January, with 31 days, included
  const everyDay = fields[2] === '*' || fields[2].startsWith('*/');
  return everyDay || everyMonth;
}

/** "At 12:00 PM" for `0 12 * * *`; null when cronstrue cannot read it. */
export function describeCron(cron: string): string | null {
  try {
    return scheduleLibs().cronstrue.toString(cron, { use24HourTimeFormat: false, verbose: false });
  } catch {
    return null;
  }
}

/** The next `count` run times of a cron expression after `from`. */
export function nextRuns(cron: string, count: number, from: Date = new Date()): Date[] {
  const expression = scheduleLibs().CronExpressionParser.parse(cron, { currentDate: from, strict: false });
  return expression.take(count).map((d) => d.toDate());
}
