/**
 * Everything the graph adds to the extension, registered in one call so that
 * extension.ts only gains a line: the command and the panel serializer.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { Commands } from '../../../core/commands';
import { LayoutService } from './layoutService';
import { GRAPH_VIEW_TYPE, GraphPanels } from './panel';

/**
 * Reads the command's arguments: none from the palette and the editor title (whose
 * argument is the file's URI), or the code lens's `[uri string, dag index]` as JSON.
 */
function targetOf(args: unknown[]): { uri?: vscode.Uri; dagIndex?: number } {
  const [first, second] = args;
  const uri = first instanceof vscode.Uri ? first : typeof first === 'string' ? vscode.Uri.parse(first, true) : undefined;
  const dagIndex = typeof second === 'number' && Number.isInteger(second) && second >= 0 ? second : undefined;
  return { uri, dagIndex };
}

/** The graph's panel, and the serializer VS Code calls to restore it after a window reload. */
export interface GraphFeature {
  panels: GraphPanels;
  serializer: vscode.WebviewPanelSerializer<unknown>;
}

export function registerGraph(
  context: vscode.ExtensionContext,
  client: () => Promise<LanguageClient | undefined>,
  log: vscode.LogOutputChannel,
): GraphFeature {
  const layout = new LayoutService(context.asAbsolutePath('dist/graphLayout.js'));
  const panels = new GraphPanels(context.extensionUri, client, layout, log);
  // `state` is what the page last saved with setState; VS Code keeps it across the reload.
  const serializer: vscode.WebviewPanelSerializer<unknown> = {
    deserializeWebviewPanel: async (panel, state) => panels.restore(panel, state),
  };

  // The `vortex.isDagFile` context key that shows the graph's editor-title icon is kept
  // by the runs module (client/src/runs/index.ts) for both features.
  context.subscriptions.push(
    panels,
    vscode.commands.registerCommand(Commands.showGraph, (...args: unknown[]) => {
      const { uri, dagIndex } = targetOf(args);
      return panels.show(uri, dagIndex);
    }),
    vscode.window.registerWebviewPanelSerializer(GRAPH_VIEW_TYPE, serializer),
  );
  return { panels, serializer };
}
