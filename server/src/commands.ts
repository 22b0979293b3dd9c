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
  /** Opens the DAG graph beside the editor; the code lens passes the file's URI and the DAG's index. */
  showGraph: 'vortex.showGraph',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];
