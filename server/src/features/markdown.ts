/**
 * Text from a DAG file shown in markdown (hovers): ids, schedules, owners and
 * messages quoting them are the file's to choose, so none of it may be read
 * as markdown. A backtick, a `[x](command:...)` or a blank line in a task_id
 * would otherwise turn the rest of a hover into links or new blocks.
 */

/** `text` as one inline code span, whatever it holds (CommonMark: a fence longer than any run of backticks inside). */
export function code(text: string): string {
  const line = oneLine(text);
  // Two backticks alone would be no code span: an empty one holds a space.
  if (line === '') return '` `';
  let longest = 0;
  for (const run of line.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  // A span that starts or ends with a backtick (or a space) is padded with one space, which CommonMark strips.
  const padded = /^[` ]|[` ]$/.test(line) ? ` ${line} ` : line;
  return `${fence}${padded}${fence}`;
}

/** `text` as plain markdown text: every ASCII punctuation character escaped (CommonMark allows it for each). */
export function plain(text: string): string {
  return oneLine(text).replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/** Line breaks would start new blocks (a blank line ends a paragraph, `- ` makes a list item): one line, with spaces. */
function oneLine(text: string): string {
  return text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
}
