import assert from 'node:assert/strict';
import { decide, TRIGGER_RULES, type TriggerDecision, type TriggerRule, type UpstreamCounts } from '../../../../core/run/triggerRules';

/**
 * Two upstream tasks in every combination of states: finished ones as
 * S(uccess), F(ailed), U(pstream_failed), K (skipped); `-` not finished yet.
 */
const SCENARIOS = ['--', 'S-', 'F-', 'U-', 'K-', 'SS', 'SF', 'SU', 'SK', 'FF', 'FU', 'FK', 'UU', 'UK', 'KK'] as const;

/**
 * What Airflow's trigger-rule dependency makes of each scenario, written out
 * by hand from airflow-core's ti_deps/deps/trigger_rule_dep.py (with
 * flag_upstream_failed, as its scheduler evaluates it): R runs, W waits,
 * K ends skipped, U ends upstream_failed. One letter per scenario above.
 */
const EXPECTED: Record<TriggerRule, string> = {
  all_success: /*            --  S-  F-  U-  K-  SS  SF  SU  SK  FF  FU  FK  UU  UK  KK */ 'W W U U K R U U K U U U U U K',
  all_failed: /*                                                                      */ 'W K W W K K K K K R R K R K K',
  all_done: /*                                                                        */ 'W W W W W R R R R R R R R R R',
  all_done_min_one_success: /*                                                        */ 'W W W W K R R R K U U K U K K',
  all_done_setup_success: /*                                                          */ 'W W W W W R R R R R R R R R R',
  all_skipped: /*                                                                     */ 'W K K K W K K K K K K K K K R',
  one_success: /*                                                                     */ 'W R W W W R R R R U U U U U K',
  one_failed: /*                                                                      */ 'W W R R W K R R K R R R R R K',
  one_done: /*                                                                        */ 'W R R W W R R R R R R R K K K',
  none_failed: /*                                                                     */ 'W W U U W R U U R U U U U U R',
  none_failed_min_one_success: /*                                                     */ 'W W U U W R U U R U U U U U K',
  none_skipped: /*                                                                    */ 'W W W W K R R R K R R K R K K',
  always: /*                                                                          */ 'R R R R R R R R R R R R R R R',
};

const LETTER: Record<TriggerDecision, string> = { run: 'R', wait: 'W', skipped: 'K', upstream_failed: 'U' };

function counts(scenario: string): UpstreamCounts {
  const c: UpstreamCounts = { upstream: scenario.length, success: 0, failed: 0, upstreamFailed: 0, skipped: 0 };
  for (const s of scenario) {
    if (s === 'S') c.success++;
    else if (s === 'F') c.failed++;
    else if (s === 'U') c.upstreamFailed++;
    else if (s === 'K') c.skipped++;
  }
  return c;
}

describe('trigger rules', () => {
  it('has a row for each of Airflow’s rules', () => {
    assert.deepEqual(Object.keys(EXPECTED).sort(), [...TRIGGER_RULES].sort());
  });

  for (const rule of TRIGGER_RULES) {
    it(`decides ${rule} as Airflow does for every state of two upstream tasks`, () => {
      const got = SCENARIOS.map((s) => LETTER[decide(rule, counts(s))]).join(' ');
      assert.equal(got, EXPECTED[rule], `scenarios ${SCENARIOS.join(' ')}`);
    });
  }

  it('runs a task without upstream tasks whatever its rule', () => {
    for (const rule of TRIGGER_RULES) assert.equal(decide(rule, counts('')), 'run', rule);
  });

  it('decides early where Airflow does: one success is enough for one_success, one failure ends all_success', () => {
    assert.equal(decide('one_success', counts('S--')), 'run');
    assert.equal(decide('one_failed', counts('--F')), 'run');
    assert.equal(decide('all_success', counts('S-F')), 'upstream_failed');
    assert.equal(decide('all_success', counts('S-K')), 'skipped');
    assert.equal(decide('none_failed_min_one_success', counts('KK-')), 'wait');
    assert.equal(decide('none_failed_min_one_success', counts('KKS')), 'run');
  });
});
