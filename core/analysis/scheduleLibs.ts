/**
 * cron-parser (with luxon) and cronstrue: more than half of the CLI's and the
 * server's code, needed only for schedules the analyser cannot settle alone and
 * for reading them aloud. The build bundles them apart, as dist/scheduleLibs.js,
 * so that starting a process does not even compile them; schedule.ts loads
 * them on first use.
 */
export { CronExpressionParser } from 'cron-parser';
export { default as cronstrue } from 'cronstrue';
