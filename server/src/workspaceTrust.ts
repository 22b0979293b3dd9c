/**
 * The workspace's trust as the client reports it: in its initializationOptions
 * at start, then by `vortex/workspaceTrust` when it is granted. Whatever
 * executes the user's code (run lenses, runtime resolution) asks here first. A
 * client that says nothing about trust (another editor) is untrusted.
 */
import type { Connection } from 'vscode-languageserver/node';
import { WorkspaceTrustNotification } from '../../core/protocol';

/** Reads the client's initial trust from `initializationOptions: { workspaceTrusted: boolean }`; only a literal true counts. */
export function initialTrust(initializationOptions: unknown): boolean {
  if (typeof initializationOptions !== 'object' || initializationOptions === null) return false;
  return (initializationOptions as { workspaceTrusted?: unknown }).workspaceTrusted === true;
}

export class WorkspaceTrust {
  private trusted: boolean;
  private readonly listeners: Array<(trusted: boolean) => void> = [];

  constructor(initializationOptions: unknown) {
    this.trusted = initialTrust(initializationOptions);
  }

  register(connection: Connection): void {
    connection.onNotification(WorkspaceTrustNotification.type, ({ trusted }) => {
      if (trusted === this.trusted) return;
      this.trusted = trusted;
      for (const listener of this.listeners) listener(trusted);
    });
  }

  isTrusted(): boolean {
    return this.trusted;
  }

  /** Calls `listener` whenever the trust changes. */
  onDidChange(listener: (trusted: boolean) => void): void {
    this.listeners.push(listener);
  }
}
