/**
 * Schedules that are not strings, read as Airflow reads them and put in
 * words for the hover: a `timedelta` or `relativedelta` (a run every so
 * often), Datasets and Assets (a run when they are updated), timetables, and
 * values only known when the file runs. None of these is an error.
 */
import type { Node } from 'web-tree-sitter';
import { durationSeconds, literalValue, type LiteralScope } from './literals';

/** What a schedule expression means, and the cron string a timetable names (to check it as a cron string). */
export interface ScheduleExpression {
  description: string;
  cron?: { value: string; node: Node };
}

const UNITS: Array<[number, string]> = [
  [604800, 'week'],
  [86400, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** `every 2 days`, `every 1 hour 30 minutes`. */
export function describeDuration(seconds: number): string {
  if (seconds <= 0) return 'a zero interval';
  const parts: string[] = [];
  let rest = seconds;
  for (const [size, unit] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count} ${unit}${count === 1 ? '' : 's'}`);
      rest -= count * size;
    }
  }
  if (parts.length === 0) parts.push(`${seconds} seconds`);
  return `every ${parts.join(' ')}`;
}

function calleeName(call: Node, source: string): string {
  const fn = call.childForFieldName('function');
  const text = fn ? source.slice(fn.startIndex, fn.endIndex) : '';
  return text.slice(text.lastIndexOf('.') + 1);
}

/** The first positional argument's node, or the keyword argument `name`'s. */
function argumentNode(call: Node, name: string): Node | null {
  const args = call.childForFieldName('arguments');
  for (const arg of args?.namedChildren ?? []) {
    if (!arg || arg.type === 'comment') continue;
    if (arg.type !== 'keyword_argument') return arg;
    const key = arg.childForFieldName('name');
    if (key && key.text === name) return arg.childForFieldName('value');
  }
  return null;
}

/** The names of the Datasets/Assets in an expression (`[Dataset("s3://x")]`, `a | b`). */
function assetNames(node: Node, source: string, scope: LiteralScope, out: string[], depth = 0): boolean {
  if (depth > 32) return false;
  switch (node.type) {
    case 'list':
    case 'tuple':
    case 'set':
    case 'parenthesized_expression':
      return node.namedChildren.every((c) => !c || c.type === 'comment' || assetNames(c, source, scope, out, depth + 1));
    case 'binary_operator': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      return !!left && !!right && assetNames(left, source, scope, out, depth + 1) && assetNames(right, source, scope, out, depth + 1);
    }
    case 'call': {
      const name = calleeName(node, source);
      if (/^(Dataset|Asset|AssetAlias|DatasetAlias)$/.test(name)) {
        const uri = argumentNode(node, 'uri') ?? argumentNode(node, 'name');
        const value = uri ? literalValue(uri, source, scope) : undefined;
        out.push(typeof value === 'string' ? `"${value}"` : name);
        return true;
      }
      if (/^(DatasetAll|DatasetAny|AssetAll|AssetAny)$/.test(name)) {
        const args = node.childForFieldName('arguments');
        return !!args && args.namedChildren.every((c) => !c || c.type === 'comment' || assetNames(c, source, scope, out, depth + 1));
      }
      return false;
    }
    case 'identifier':
    case 'attribute':
      out.push(source.slice(node.startIndex, node.endIndex));
      return true;
    default:
      return false;
  }
}

/** What a schedule value that is not a literal means. */
export function scheduleExpression(node: Node, source: string, scope: LiteralScope): ScheduleExpression {
  const text = source.slice(node.startIndex, node.endIndex);
  if (node.type === 'call') {
    const name = calleeName(node, source);
    if (name === 'timedelta') {
      const seconds = durationSeconds(node, source);
      return { description: seconds === null ? `every ${text}` : describeDuration(seconds) };
    }
    if (name === 'relativedelta') return { description: `every ${text.slice(text.indexOf('(') + 1, -1).replace(/=/g, ' ') || 'relative delta'} (relativedelta)` };
    if (/^Cron(Trigger|DataInterval|Partition)?Timetable$|^MultipleCronTriggerTimetable$/.test(name)) {
      const cronNode = argumentNode(node, 'cron');
      const cron = cronNode ? literalValue(cronNode, source, scope) : undefined;
      return typeof cron === 'string' && cronNode ? { description: `the timetable ${name}`, cron: { value: cron, node: cronNode } } : { description: `the timetable ${name}(...)` };
    }
    if (/^Delta(Trigger|DataInterval)Timetable$/.test(name)) {
      const delta = argumentNode(node, 'delta');
      const seconds = delta ? durationSeconds(delta, source) : null;
      return { description: seconds === null ? `the timetable ${name}(...)` : `${describeDuration(seconds)} (${name})` };
    }
    if (/^(Dataset|Asset)OrTimeSchedule$/.test(name)) return { description: `on a timetable, and whenever its ${name.startsWith('Asset') ? 'assets' : 'datasets'} are updated (${name})` };
  }
  const assets: string[] = [];
  if (assetNames(node, source, scope, assets) && assets.length > 0 && !(node.type === 'identifier' || node.type === 'attribute')) {
    return { description: `whenever ${assets.length === 1 ? assets[0] : assets.join(', ')} ${assets.length === 1 ? 'is' : 'are'} updated (data-aware scheduling)` };
  }
  if (node.type === 'call') return { description: `the timetable ${calleeName(node, source)}(...)` };
  return { description: `computed (${text.length > 60 ? `${text.slice(0, 60)}…` : text}): known only when the file runs` };
}
