/**
 * The DAGs the layout benchmark lays out: real Airflow shapes from
 * test/fixtures/graph/ (about forty tasks and fewer, the graphs people read
 * at "Fit"), and the generated 100-, 1,000- and 5,000-task DAGs the graph's
 * time budget is set on.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyse } from '../../core/analysis/analyse';
import { dagsJson } from '../../server/src/features/dagRequests';
import { graphModelOf } from '../../client/src/graph/dagGraph';
import type { GraphModel } from '../../client/src/graph/dagGraph';
import { groupedSections } from '../../test/support/groupedSections';
import { generateDag } from '../../test/support/generate';

const GRAPH_FIXTURES = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'graph');

export interface Shape {
  name: string;
  model: GraphModel;
  /** A generated DAG, timed rather than read. */
  generated: boolean;
}

function fixture(file: string): GraphModel {
  return graphModelOf(dagsJson(analyse(readFileSync(path.join(GRAPH_FIXTURES, file), 'utf8')))[0], 0);
}

/** Airflow-shaped DAGs, each named for what it is like. */
export function airflowShapes(): Shape[] {
  const shapes: Array<[string, () => GraphModel]> = [
    ['catalog_complex (example_complex)', () => fixture('catalog_complex.py')],
    ['grouped_sections (TaskGroups)', () => graphModelOf(dagsJson(groupedSections())[0], 0)],
    ['warehouse_etl (ELT, cross_downstream)', () => fixture('warehouse_etl.py')],
    ['ml_training (fan-in, candidates)', () => fixture('ml_training.py')],
    ['branch_report (example_branch_operator)', () => fixture('branch_report.py')],
    ['fan_out_exports (wide fan-out)', () => fixture('fan_out_exports.py')],
    ['long_chain_maintenance (chain)', () => fixture('long_chain_maintenance.py')],
  ];
  return shapes.map(([name, load]) => {
    const model = load();
    return { name: `${name}, ${model.nodes.length} tasks`, model, generated: false };
  });
}

export function generatedShape(tasks: number): Shape {
  return { name: `generated, ${tasks} tasks`, model: graphModelOf(dagsJson(analyse(generateDag(tasks)))[0], 0), generated: true };
}
