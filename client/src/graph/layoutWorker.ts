/**
 * The layout worker's entry (bundled as dist/graphLayout.js): a thousand-task
 * layout takes about a second, which must not block the extension host, where
 * every extension's events wait on the same thread.
 */
import { parentPort } from 'node:worker_threads';
import { runLayoutJob } from './layoutJob';
import type { LayoutRequest, LayoutResponse } from './layoutJob';

const port = parentPort;
if (!port) throw new Error('graphLayout.js runs only as a worker thread');

port.on('message', (request: LayoutRequest) => {
  runLayoutJob(request).then(
    (view) => port.postMessage({ id: request.id, view } satisfies LayoutResponse),
    (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies LayoutResponse),
  );
});
