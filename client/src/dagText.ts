/**
 * The client's test for "might this be a DAG file?", on text alone, so the
 * language server is only started where it has work. It mirrors the analyser's
 * `mightContainDag` (Airflow's own heuristic: the text mentions a DAG and a
 * framework) without bundling the analyser into the client; a unit test holds
 * the two to the same answers.
 */
const MENTIONS_DAG = /dag/i;
const MENTIONS_FRAMEWORK = /\b(?:vortex|airflow)\b/;

export function looksLikeDagText(text: string): boolean {
  return MENTIONS_DAG.test(text) && MENTIONS_FRAMEWORK.test(text);
}
