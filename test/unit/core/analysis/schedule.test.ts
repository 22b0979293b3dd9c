import assert from 'node:assert/strict';
import { CronExpressionParser } from 'cron-parser';
import { checkSchedule, plainlyValid } from '../../../../core/analysis/schedule';

function acceptedByCronParser(expression: string): boolean {
  try {
    CronExpressionParser.parse(expression, { strict: false });
    return true;
  } catch {
    return false;
  }
}

/** Every plain item of a field (`*`, `N`, `N-M`, each with `/S` or not) in its range, and a few out of it. */
function plainItems(low: number, high: number, steps: number[]): string[] {
  const items = ['*', `${low - 1}`, `${high + 1}`, `*/0`, `*/${high + 2}`];
  for (let s = 1; s <= high + 1; s++) items.push(`*/${s}`);
  for (let a = low; a <= high; a++) {
    items.push(`${a}`, `${a}/1`, `${a}/${high + 1}`);
    for (let b = a; b <= high; b++) {
      items.push(`${a}-${b}`);
      for (const s of steps) if (s <= high + 1) items.push(`${a}-${b}/${s}`);
    }
  }
  return items;
}

describe('schedules: the plain cron fast path agrees with cron-parser', function () {
  this.timeout(0);

  it('accepts only what cron-parser accepts, field by field', () => {
    const ranges: Array<[number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
    let fast = 0;
    ranges.forEach(([low, high], field) => {
      for (const item of plainItems(low, high, field === 0 ? [1, 2, 7, 30, 60] : [1, 2, 3, 5, 7, 12, 24, 31])) {
        const fields = ['*', '*', '*', '*', '*'];
        fields[field] = item;
        if (!plainlyValid(fields)) continue;
        fast++;
        assert.ok(acceptedByCronParser(fields.join(' ')), fields.join(' '));
      }
    });
    assert.ok(fast > 10000);
  });

  it('accepts only what cron-parser accepts for a day of the month in given months', () => {
    const days = [...plainItems(1, 31, [1, 7]).filter((d) => !d.includes('/')), '*', '*/2', '*/31', '*/32'];
    const months = [...plainItems(1, 12, [1, 2, 12]), '*/2', '*/12', '*/13'];
    for (const day of days) {
      for (const month of months) {
        const fields = ['0', '0', day, month, '*'];
        if (plainlyValid(fields)) assert.ok(acceptedByCronParser(fields.join(' ')), fields.join(' '));
      }
    }
    assert.equal(plainlyValid(['0', '0', '30', '2', '*']), false, 'left to cron-parser, which refuses it');
  });

  it('gives the same answers either way', () => {
    assert.deepEqual(checkSchedule('0 12 * * *'), { ok: true, kind: 'cron', cron: '0 12 * * *' });
    assert.deepEqual(checkSchedule(' */15 0-6 1 * 1-5 '), { ok: true, kind: 'cron', cron: '*/15 0-6 1 * 1-5' });
    assert.equal(checkSchedule('0 0 30 2 *').ok, false);
    assert.equal(checkSchedule('61 * * * *').ok, false);
    assert.deepEqual(checkSchedule('0 9 * * MON,WED'), { ok: true, kind: 'cron', cron: '0 9 * * MON,WED' });
  });
});
