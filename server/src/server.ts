/**
 * Entry point of `dist/server.js`. The transport comes from the command line:
 * `--node-ipc` when VS Code starts it, `--stdio` for any other editor.
 */
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { VortexServer } from './vortexServer';

declare const VERSION: string;

const connection = createConnection(ProposedFeatures.all);

connection.onInitialize(async (params) => {
  const server = await VortexServer.initialize(connection, params);
  return { capabilities: server.capabilities(), serverInfo: { name: 'vortex', version: VERSION } };
});

connection.listen();
