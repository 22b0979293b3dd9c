/**
 * The grouped_sections fixture as the analyser will read it once it knows
 * TaskGroups: its real analysis with the groups its task ids name, a labelled
 * branch and marked tasks laid over it (see `withStructure`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyse } from '../../core/analysis/analyse';
import type { FileAnalysis } from '../../core/analysis/model';
import { FIXTURES_DIR } from './fixtures';
import { withStructure } from './structure';

export const GROUPED_SECTIONS = path.join(FIXTURES_DIR, 'graph', 'grouped_sections.py');

/** `labels` may be replaced, e.g. by a hostile one. */
export function groupedSections(labels: Array<[string, string, string]> = [['check_source', 'section_1.task_1', 'data ready'], ['check_source', 'nothing_to_do', 'no data']]): FileAnalysis {
  return withStructure(analyse(readFileSync(GROUPED_SECTIONS, 'utf8')), {
    groups: [
      { id: 'section_1', parentId: null },
      { id: 'section_2', parentId: null },
      { id: 'section_2.inner_section_2', parentId: 'section_2' },
    ],
    tasks: {
      check_source: { branch: true },
      'section_1.task_1': { groupId: 'section_1', decorated: true },
      'section_1.task_2': { groupId: 'section_1', mapped: true },
      'section_1.task_3': { groupId: 'section_1' },
      'section_2.task_1': { groupId: 'section_2', triggerRule: 'none_failed' },
      'section_2.inner_section_2.task_2': { groupId: 'section_2.inner_section_2' },
      'section_2.inner_section_2.task_3': { groupId: 'section_2.inner_section_2' },
      'section_2.inner_section_2.task_4': { groupId: 'section_2.inner_section_2' },
      end: { triggerRule: 'none_failed_min_one_success' },
    },
    labels,
  });
}
