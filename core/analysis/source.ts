/**
 * Turning file bytes into analysable text. Python refuses source that is not
 * UTF-8 (unless it declares another encoding), so invalid bytes are reported
 * (VX003) and replaced, and the rest of the file is still analysed.
 */
import type { Diagnostic } from './model';
import { diagnostic } from '../diagnostics';

export interface DecodedSource {
  text: string;
  diagnostics: Diagnostic[];
}

export function decodeSource(bytes: Uint8Array): DecodedSource {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(start);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), diagnostics: [] };
  } catch {
    const text = new TextDecoder('utf-8').decode(body);
    const at = text.indexOf('\uFFFD');
    const before = pythonLineBreaks(text.slice(0, Math.max(0, at)));
    const line = before.split('\n').length - 1;
    const character = at - (before.lastIndexOf('\n') + 1);
    return {
      text,
      diagnostics: [
        diagnostic(
          'VX003',
          { start: { line, character }, end: { line, character: character + 1 } },
          'This file is not valid UTF-8: Python will refuse to import it. Save it with UTF-8 encoding.',
        ),
      ],
    };
  }
}

/**
 * `text` with each carriage return that is not followed by a line feed made a
 * line feed. Python, LSP and VS Code all take a lone `\r` for a line break;
 * tree-sitter and the analyser count lines by `\n` alone. The text keeps its
 * length and every offset, so positions computed from the result are the ones
 * the editor and Python use. `\r\n` stays: it is one line break for everyone.
 */
export function pythonLineBreaks(text: string): string {
  let at = text.indexOf('\r');
  if (at < 0) return text;
  let result = '';
  let copied = 0;
  for (; at >= 0; at = text.indexOf('\r', at + 1)) {
    if (text.charCodeAt(at + 1) === 10) continue;
    result += text.slice(copied, at) + '\n';
    copied = at + 1;
  }
  return copied === 0 ? text : result + text.slice(copied);
}

/** The end of a line's indentation (its leading spaces and tabs), from the line's start. */
export function indentationEnd(source: string, lineStart: number): number {
  let i = lineStart;
  for (let c = source.charCodeAt(i); c === 32 || c === 9; c = source.charCodeAt(++i));
  return i;
}
