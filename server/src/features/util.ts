/** Small helpers shared by the feature classes. */
import type { Position, Range } from '../../../core/analysis/model';

export function contains(range: Range, position: Position): boolean {
  const { start, end } = range;
  if (position.line < start.line || position.line > end.line) return false;
  if (position.line === start.line && position.character < start.character) return false;
  if (position.line === end.line && position.character > end.character) return false;
  return true;
}

export function compare(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

export function within(inner: Range, outer: Range): boolean {
  return compare(inner.start, outer.start) >= 0 && compare(inner.end, outer.end) <= 0;
}

/** Where something logs: the connection's console on the server, nothing or a buffer in tests. */
export interface Logger {
  error(message: string): void;
  log(message: string): void;
}

/**
 * Runs a handler so that a throw is logged and answered with `fallback`: one
 * document that breaks one feature must not take the other features, or the
 * server, down with it.
 */
export async function guarded<T>(logger: Logger, name: string, fallback: T, handler: () => T | Promise<T>): Promise<T> {
  try {
    return await handler();
  } catch (error) {
    logger.error(`VORTEX ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return fallback;
  }
}
