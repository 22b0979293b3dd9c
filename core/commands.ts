/**
 * Every VORTEX command id, declared once.
 *
 * The client registers its handlers from this map, the server may name these
 * ids in code lenses, and a unit test checks that package.json's
 * `contributes.commands` lists exactly these ids, so the three cannot drift.
 */
export const Commands = {
  /** Stops the language server and starts a new one. */
  restartServer: 'vortex.restartServer',
  /** Reveals the "VORTEX" output channel with the server's log. */
  showOutput: 'vortex.showOutput',
  /** Runs a whole DAG (args from a lens: document URI, dag_id; else the active editor's DAG). */
  runDag: 'vortex.runDag',
  /** Runs a whole DAG for a logical date and conf the user gives, as `airflow dags test DAG_ID DATE -c CONF` (args: URI, dag_id, date, conf JSON). */
  runDagForDate: 'vortex.runDagForDate',
  /** Runs one task alone, as `airflow tasks test` does (args from a lens: URI, dag_id, task_id). */
  runTask: 'vortex.runTask',
  /** Runs one task and everything upstream of it. */
  runTaskWithUpstream: 'vortex.runTaskWithUpstream',
  /** Runs one task and everything downstream of it. */
  runTaskWithDownstream: 'vortex.runTaskWithDownstream',
  /** Runs a stored run's failed and unfinished tasks again, with their downstream (the runs view's run items; arg: the run's folder). */
  runFailedAgain: 'vortex.runFailedAgain',
  /** Clears a task of a stored run and runs it again with its downstream (the runs view's task items; args: the run's folder, task id). */
  clearTask: 'vortex.clearTask',
  /** Runs one Python-callable task under debugpy, in VS Code's debugger (args from a lens: URI, dag_id, task_id). */
  debugTask: 'vortex.debugTask',
  /** Runs one Bash task's command in an integrated terminal with the task's environment (args as debugTask). */
  runTaskInTerminal: 'vortex.runTaskInTerminal',
  /** Stops a running run: every running task's process group. */
  stopRun: 'vortex.stopRun',
  /** Stores a secret for this workspace in VS Code's SecretStorage. */
  setSecret: 'vortex.setSecret',
  deleteSecret: 'vortex.deleteSecret',
  /** Lists the names (never the values) of this workspace's secrets. */
  listSecrets: 'vortex.listSecrets',
  /** Picks a stored run and opens one of its task logs. */
  showRunHistory: 'vortex.showRunHistory',
  /** Opens one task's log of a stored run (the runs view's items). */
  openRunLog: 'vortex.openRunLog',
  /** Opens the DAG graph beside the editor; the code lens passes the file's URI and the DAG's index. */
  showGraph: 'vortex.showGraph',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

/**
 * Every view VORTEX contributes, declared once: the client creates each with
 * this id, and a unit test checks that package.json's `contributes.views`
 * declares exactly these ids (a view VS Code does not know stays empty).
 */
export const Views = {
  /** The "VORTEX Runs" tree: runs of this workspace and their tasks. */
  runs: 'vortex.runs',
} as const;
