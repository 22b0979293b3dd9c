/**
 * Airflow's trigger rules: when a task whose upstream tasks have (partly)
 * finished may run, must wait, or ends without running. The decision follows
 * Airflow's trigger-rule dependency as its scheduler applies it (with
 * `flag_upstream_failed`): first the state a task is given early (a failure
 * upstream of an `all_success` task makes it `upstream_failed` at once), then
 * whether the rule is met. A local run has no mapped or removed task
 * instances and no setup/teardown tasks, so those counts are zero here.
 */

export const TRIGGER_RULES = [
  'all_success',
  'all_failed',
  'all_done',
  'all_done_min_one_success',
  'all_done_setup_success',
  'all_skipped',
  'one_success',
  'one_failed',
  'one_done',
  'none_failed',
  'none_failed_min_one_success',
  'none_skipped',
  'always',
] as const;

export type TriggerRule = (typeof TRIGGER_RULES)[number];

export const DEFAULT_TRIGGER_RULE: TriggerRule = 'all_success';

export function isTriggerRule(value: string): value is TriggerRule {
  return (TRIGGER_RULES as readonly string[]).includes(value);
}

/** How the direct upstream tasks that have finished ended, and how many upstream tasks there are. */
export interface UpstreamCounts {
  upstream: number;
  success: number;
  failed: number;
  upstreamFailed: number;
  skipped: number;
}

/** `run`: start it now; `wait`: not yet decidable; otherwise the state it ends in without running. */
export type TriggerDecision = 'run' | 'wait' | 'skipped' | 'upstream_failed';

/** The state Airflow gives a task before it runs, from what has finished upstream; null for none. */
function earlyState(rule: TriggerRule, c: UpstreamCounts, done: boolean): 'skipped' | 'upstream_failed' | null {
  const failures = c.failed + c.upstreamFailed;
  switch (rule) {
    case 'all_success':
      if (failures > 0) return 'upstream_failed';
      return c.skipped > 0 ? 'skipped' : null;
    case 'all_failed':
      return c.success > 0 || c.skipped > 0 ? 'skipped' : null;
    case 'one_success':
      if (done && c.skipped === c.upstream) return 'skipped';
      return done && c.success === 0 ? 'upstream_failed' : null;
    case 'one_failed':
      return done && failures === 0 ? 'skipped' : null;
    case 'one_done':
      return done && c.failed + c.success === 0 ? 'skipped' : null;
    case 'none_failed':
      return failures > 0 ? 'upstream_failed' : null;
    case 'none_failed_min_one_success':
      if (failures > 0) return 'upstream_failed';
      return c.skipped === c.upstream ? 'skipped' : null;
    case 'none_skipped':
      return c.skipped > 0 ? 'skipped' : null;
    case 'all_skipped':
      return c.success > 0 || failures > 0 ? 'skipped' : null;
    case 'all_done_min_one_success':
      if (c.skipped > 0) return 'skipped';
      return done && c.success === 0 ? 'upstream_failed' : null;
    case 'all_done_setup_success':
    case 'all_done':
    case 'always':
      return null;
  }
}

/** Whether the rule lets the task run now. */
function met(rule: TriggerRule, c: UpstreamCounts, done: boolean): boolean {
  switch (rule) {
    case 'always':
      return true;
    case 'all_success':
      return c.upstream - c.success <= 0;
    case 'all_failed':
      return c.upstream - c.failed - c.upstreamFailed <= 0;
    case 'all_done':
    case 'all_done_setup_success':
      return done;
    case 'all_done_min_one_success':
      return c.skipped === 0 && done && c.success > 0;
    case 'all_skipped':
      return c.upstream - c.skipped <= 0;
    case 'one_success':
      return c.success > 0;
    case 'one_failed':
      return c.failed + c.upstreamFailed > 0;
    case 'one_done':
      return c.success + c.failed > 0;
    case 'none_failed':
    case 'none_failed_min_one_success':
      return c.upstream - c.success - c.skipped <= 0;
    case 'none_skipped':
      return done && c.skipped === 0;
  }
}

/**
 * What happens to a task that has not started, given its upstream tasks'
 * states so far. A task without upstream tasks always runs, as in Airflow.
 */
export function decide(rule: TriggerRule, counts: UpstreamCounts): TriggerDecision {
  if (rule === 'always' || counts.upstream === 0) return 'run';
  const done = counts.success + counts.failed + counts.upstreamFailed + counts.skipped >= counts.upstream;
  const early = earlyState(rule, counts, done);
  if (early) return early;
  if (met(rule, counts, done)) return 'run';
  // Every rule settles once all upstream tasks are done; waiting on a finished upstream would never end.
  return done ? 'skipped' : 'wait';
}
