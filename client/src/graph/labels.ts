/**
 * How a task's name is broken into lines: shared by the layout (which sizes
 * nodes) and the webview (which draws them), and free of the layout libraries
 * so the webview's bundle stays small.
 */

/** Past this many characters a task's name wraps onto a second line, at an `_`, `.` or `-` where it can. */
export const WRAP_CHARS = 18;
/** The height a second line of name adds to a node. */
export const LINE_HEIGHT = 14;

/**
 * A task's name in at most two lines. Airflow ids are long (`create_tag_template_field_result`)
 * and a left-to-right layout is as wide as its layers' nodes: wrapping narrows them, so "Fit"
 * shows more of the DAG at a larger scale (scripts/bench/graphLayout.ts measures it).
 */
export function wrapLabel(label: string): string[] {
  if (label.length <= WRAP_CHARS) return [label];
  const head = label.slice(0, WRAP_CHARS + 1);
  const cut = Math.max(head.lastIndexOf('_'), head.lastIndexOf('.'), head.lastIndexOf('-'));
  const at = cut >= 4 ? cut + 1 : WRAP_CHARS;
  return [label.slice(0, at), label.slice(at)];
}
