/**
 * Simple statements made ready for the analyser, and the per-document cache
 * of them the language server keeps between analyses.
 */
import type { Argument } from './model';
import type { ArgumentRecord, CallPositions } from './records';
import { StatementReader } from './simpleStatements';


/**
 * `name = Operator(...)` made ready for the analyser: positions rather than
 * offsets (its own fields place the call), its arguments built.
 */
export interface PreparedCall extends CallPositions {
  kind: 'assignCall';
  target: string;
  /** The callee as written (`BashOperator`, `vortex.operators.BashOperator`). */
  fnText: string;
  hasTaskId: boolean;
  byName: Record<string, Argument>;
  list: ArgumentRecord[];
}

/** `a >> [b, c] << d` made ready for the analyser. */
export interface PreparedChain {
  kind: 'chain';
  /** How many operands (the arrays may be longer). */
  count: number;
  /** Each operand's name, or the names of a list (`[a, b]`). */
  names: Array<string | string[]>;
  /** Each operand's start line and character, end line and character, one after the other. */
  positions: number[];
  /** operators[i] joins operands i and i + 1. */
  operators: Array<'>>' | '<<'>;
}

export type PreparedStatement = PreparedCall | PreparedChain;


/** What one line held the last time it was read: a simple statement, or nothing simple (undefined). */
interface CachedLine {
  /** The line's text. */
  text: string;
  statement: PreparedStatement | undefined;
  /** The last analysis that used it. */
  run: number;
}

/**
 * What each line holding one statement alone made in the last analysis of a
 * document: re-analysing after an edit reuses it for every line whose text
 * is unchanged, with no scanning and the same argument objects instead of
 * new copies. Why: on a large file each keystroke otherwise allocated the
 * whole model again, and the garbage, not the model, drove the server's
 * memory. By line number, since positions are what the model keeps: an edit
 * that does not add or remove lines spoils no other line. A line's text is
 * compared in place, with no copy of it made.
 */
export class StatementCache {
  /** Reads this document's statements; kept with it so the strings it repeats are shared from one analysis to the next. */
  readonly reader = new StatementReader();
  private lines: Array<CachedLine | undefined> = [];
  private run = 0;

  /** What `source[lineStart, lineEnd)` (line `line`) made in the last analysis, if it held the same text then. */
  lookup(source: string, line: number, lineStart: number, lineEnd: number): CachedLine | undefined {
    const entry = this.lines[line];
    if (!entry || entry.text.length !== lineEnd - lineStart || !source.startsWith(entry.text, lineStart)) return undefined;
    entry.run = this.run;
    return entry;
  }

  store(line: number, text: string, statement: PreparedStatement | undefined): CachedLine {
    const entry = { text, statement, run: this.run };
    this.lines[line] = entry;
    return entry;
  }

  /**
   * Ends a run over a text of `lineCount` lines: what this run did not use is
   * dropped (it would keep the text it was read from alive).
   */
  finish(lineCount: number): void {
    const { lines, run } = this;
    if (lines.length > lineCount) lines.length = lineCount;
    for (let i = 0; i < lines.length; i++) if (lines[i] !== undefined && lines[i]!.run !== run) lines[i] = undefined;
    this.run++;
  }
}

export const NO_ARGUMENTS: Record<string, Argument> = Object.freeze({});

/** A call to fill in (see `TextStatements.prepareReading`). */
export function preparedCall(list: ArgumentRecord[]): PreparedCall {
  return {
    kind: 'assignCall', target: '', fnText: '', hasTaskId: false, byName: NO_ARGUMENTS, list,
    line: 0, character: 0, endLine: 0, endCharacter: 0, operatorEndLine: 0, operatorEndCharacter: 0,
  };
}
