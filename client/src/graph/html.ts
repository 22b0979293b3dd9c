/**
 * The graph webview's HTML: a fixed skeleton with no data in it (data arrives
 * by message after the ready handshake), one script allowed by nonce, styles
 * only from the extension. Pure, so the browser tests load the very same page.
 */

export interface GraphHtmlOptions {
  /** `webview.cspSource`: the origin the webview serves the extension's files from. */
  cspSource: string;
  /** A fresh random nonce per page load. */
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** VS Code's icon font's style sheet (codicons), shipped beside the script. */
  codiconsUri: string;
}

/** The attribute-safe form of a value the host itself computed (URIs, nonce). */
function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function graphHtml(o: GraphHtmlOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.codiconsUri)}">
<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>DAG Graph</title>
</head>
<body>
<div id="toolbar" role="toolbar" aria-label="Graph tools">
  <select id="dag-picker" aria-label="DAG" hidden></select>
  <input id="search" type="search" placeholder="Find task…" aria-label="Find task" list="task-ids">
  <datalist id="task-ids"></datalist>
  <label class="depth">Depth <select id="depth" aria-label="Focus depth"><option>1</option><option selected>2</option><option>3</option><option>5</option><option>10</option></select></label>
  <button id="focus" type="button" title="Show only the selected task's upstream and downstream to the chosen depth" disabled><i class="codicon codicon-filter" aria-hidden="true"></i> Focus</button>
  <button id="unfocus" type="button" title="Show the whole DAG" hidden><i class="codicon codicon-clear-all" aria-hidden="true"></i> Whole DAG</button>
  <span class="spacer"></span>
  <button id="zoom-out" type="button" title="Zoom out" aria-label="Zoom out"><i class="codicon codicon-zoom-out" aria-hidden="true"></i></button>
  <button id="zoom-in" type="button" title="Zoom in" aria-label="Zoom in"><i class="codicon codicon-zoom-in" aria-hidden="true"></i></button>
  <button id="fit" type="button" title="Fit to view"><i class="codicon codicon-screen-full" aria-hidden="true"></i> Fit</button>
  <button id="export" type="button" title="Save the graph as SVG"><i class="codicon codicon-export" aria-hidden="true"></i> Export SVG</button>
  <button id="run-task" type="button" title="Run the selected task alone" disabled><i class="codicon codicon-play" aria-hidden="true"></i> Task</button>
  <button id="run-upstream" type="button" title="Run the selected task with everything upstream of it" disabled><i class="codicon codicon-run-above" aria-hidden="true"></i> Task + upstream</button>
  <button id="run-downstream" type="button" title="Run the selected task with everything downstream of it" disabled><i class="codicon codicon-run-below" aria-hidden="true"></i> Task + downstream</button>
  <button id="debug-task" type="button" title="Debug the selected task's Python callable in VS Code's debugger" disabled><i class="codicon codicon-debug-alt" aria-hidden="true"></i> Debug</button>
  <button id="run" type="button" class="primary" title="Run this DAG"><i class="codicon codicon-run-all" aria-hidden="true"></i> Run DAG</button>
</div>
<div id="status" role="status" aria-live="polite"></div>
<div id="canvas">
<svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="DAG graph">
  <defs>
    <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
      <path d="M0,0 L10,5 L0,10 z" class="arrowhead"></path>
    </marker>
  </defs>
  <g id="viewport"><g id="boxes"></g><g id="edges"></g><g id="edge-labels"></g><g id="nodes"></g></g>
</svg>
</div>
<svg id="minimap" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" hidden>
  <g id="minimap-nodes"></g>
  <rect id="minimap-view"></rect>
</svg>
<section id="output" aria-label="Task output" hidden>
  <header><span id="output-title"></span><button id="output-close" type="button" title="Close" aria-label="Close the output">×</button></header>
  <h2 id="rendered-heading" hidden>rendered</h2><pre id="rendered" hidden></pre>
  <h2>stdout</h2><pre id="stdout"></pre>
  <h2>stderr</h2><pre id="stderr"></pre>
  <h2 id="xcom-heading" hidden>XCom</h2><pre id="xcom" hidden></pre>
</section>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>`;
}
