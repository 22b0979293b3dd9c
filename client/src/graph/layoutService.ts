/**
 * Runs layout jobs on a worker thread, started on first use and kept for the
 * next edit (its start-up and the libraries' warm-up are paid once).
 */
import { Worker } from 'node:worker_threads';
import type { LayoutRequest, LayoutResponse } from './layoutJob';
import type { GraphModel } from './dagGraph';
import type { GraphView } from './graphView';

export class LayoutService {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (view: GraphView) => void; reject: (error: Error) => void }>();

  constructor(private readonly workerPath: string) {}

  layout(model: GraphModel, focus: LayoutRequest['focus'], toggled: string[] = []): Promise<GraphView> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, model, focus, toggled } satisfies LayoutRequest);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath);
    worker.on('message', (response: LayoutResponse) => {
      const waiting = this.pending.get(response.id);
      if (!waiting) return;
      this.pending.delete(response.id);
      if ('view' in response) waiting.resolve(response.view);
      else waiting.reject(new Error(`layout failed: ${response.error}`));
    });
    const fail = (error: Error): void => {
      // A crashed worker is replaced on the next request; its jobs fail now rather than hang.
      this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.worker === worker) fail(new Error(`the layout worker exited with code ${code}`));
    });
    // The worker must not keep the extension host alive on shutdown.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  dispose(): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }
}
