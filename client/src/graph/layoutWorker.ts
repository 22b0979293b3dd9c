/**
 * The layout worker's entry (bundled as dist/graphLayout.js): a thousand-task
 * layout takes about a second, which must not block the extension host, where
 * every extension's events wait on the same thread.
 */
import { parentPort } from 'node:worker_threads';
import { runLayoutJob, WARM_UP_LAYOUTS, warmUpOnce } from './layoutJob';
import type { LayoutRequest, LayoutResponse } from './layoutJob';

const port = parentPort;
if (!port) throw new Error('graphLayout.js runs only as a worker thread');

let jobs = 0;
let warmUps = 0;

/**
 * Warms the layout library one layout at a time while no job waits: a job
 * that arrives meanwhile waits for one small layout at most.
 */
function warmUpWhenIdle(): void {
  if (warmUps >= WARM_UP_LAYOUTS) return;
  setImmediate(() => {
    if (jobs > 0) return;
    warmUps++;
    warmUpOnce().then(warmUpWhenIdle, () => (warmUps = WARM_UP_LAYOUTS));
  });
}

port.on('message', (request: LayoutRequest) => {
  jobs++;
  runLayoutJob(request)
    .then(
      (view) => port.postMessage({ id: request.id, view } satisfies LayoutResponse),
      (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies LayoutResponse),
    )
    .finally(() => {
      jobs--;
      warmUpWhenIdle();
    });
});
