/**
 * Small helpers over tree-sitter nodes: ranges, Python literals, strings.
 * Source text is sliced by index rather than read through `node.text`, which
 * crosses into wasm for every call.
 */
import type { Node } from 'web-tree-sitter';
import type { LiteralValue, Range } from './model';

export function rangeOf(node: Node): Range {
  const s = node.startPosition;
  const e = node.endPosition;
  return { start: { line: s.row, character: s.column }, end: { line: e.row, character: e.column } };
}

/** Literal evaluation gives up below this depth: deeply nested input must not exhaust the stack. */
const MAX_LITERAL_DEPTH = 64;

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0', '\n': '',
};

function unescapePython(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.|\n)/gs, (match, esc: string) => {
    const head = esc[0];
    if ((head === 'x' || head === 'u' || head === 'U') && esc.length > 1) {
      // `\U` can name a code point past Unicode's last; Python refuses it, and it stays as written here.
      const codePoint = parseInt(esc.slice(1), 16);
      return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : match;
    }
    if (/^[0-7]+$/.test(esc) && esc !== '0') return String.fromCodePoint(parseInt(esc, 8));
    return SIMPLE_ESCAPES[esc] ?? match;
  });
}

/**
 * The value of a `string` node, or undefined for f-strings with interpolations
 * and byte strings (not a literal `str`).
 */
export function stringValue(node: Node, source: string, scope?: LiteralScope): string | undefined {
  let prefix = '';
  // Literal text and interpolated values alternate; only the literal text is unescaped.
  const pieces: Array<{ text: string; literal: boolean }> = [];
  const count = node.childCount;
  for (let i = 0; i < count; i++) {
    const child = node.child(i)!;
    switch (child.type) {
      case 'string_start':
        prefix = source.slice(child.startIndex, child.endIndex).replace(/['"]+$/, '').toLowerCase();
        break;
      case 'string_end':
        break;
      case 'interpolation': {
        // `f"{PREFIX}_load"`: a name bound to a module-level constant, with no conversion or format spec.
        const value = interpolatedConstant(child, source, scope);
        if (value === undefined) return undefined;
        pieces.push({ text: value, literal: false });
        break;
      }
      default: {
        const text = source.slice(child.startIndex, child.endIndex);
        // In an f-string, `{{` and `}}` stand for one brace.
        pieces.push({ text: prefix.includes('f') ? text.replace(/\{\{/g, '{').replace(/\}\}/g, '}') : text, literal: true });
      }
    }
  }
  if (prefix.includes('b')) return undefined;
  const raw = prefix.includes('r');
  return pieces.map((p) => (p.literal && !raw ? unescapePython(p.text) : p.text)).join('');
}

/** The text an f-string's `{name}` interpolates, when the name is a string or number constant. */
function interpolatedConstant(interpolation: Node, source: string, scope: LiteralScope | undefined): string | undefined {
  if (!scope) return undefined;
  const named = interpolation.namedChildren.filter((c) => c !== null);
  if (named.length !== 1 || named[0]!.type !== 'identifier') return undefined;
  const value = scope(source.slice(named[0]!.startIndex, named[0]!.endIndex));
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return undefined;
}

/**
 * A name → literal lookup, for `default_args = {...}` used later as
 * `default_args=default_args`, and for a framework's constants by their dotted
 * name (`TriggerRule.ALL_DONE`).
 */
export type LiteralScope = (name: string) => LiteralValue | undefined;

/** The literal value of an expression, or undefined when it is not a literal. */
export function literalValue(node: Node, source: string, scope?: LiteralScope, depth = 0): LiteralValue | undefined {
  if (depth > MAX_LITERAL_DEPTH) return undefined;
  switch (node.type) {
    case 'string':
      return stringValue(node, source, scope);
    case 'binary_operator': {
      // `PREFIX + "_load"`, `BASE + [...]`: `+` of two strings, numbers or lists.
      const op = node.childForFieldName('operator');
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (op?.type !== '+' || !left || !right) return undefined;
      const a = literalValue(left, source, scope, depth + 1);
      const b = literalValue(right, source, scope, depth + 1);
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      if (typeof a === 'number' && typeof b === 'number') return a + b;
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      return undefined;
    }
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
    case 'none':
      return simpleLiteral(node.type, source.slice(node.startIndex, node.endIndex));
    case 'concatenated_string': {
      let out = '';
      for (const part of node.namedChildren) {
        if (!part) return undefined;
        const v = stringValue(part, source, scope);
        if (v === undefined) return undefined;
        out += v;
      }
      return out;
    }
    case 'unary_operator': {
      const operand = node.childForFieldName('argument');
      const op = node.child(0);
      if (!operand || !op) return undefined;
      const v = literalValue(operand, source, scope, depth + 1);
      if (typeof v !== 'number') return undefined;
      return op.type === '-' ? -v : op.type === '+' ? v : undefined;
    }
    case 'parenthesized_expression': {
      const inner = node.namedChild(0);
      return inner ? literalValue(inner, source, scope, depth + 1) : undefined;
    }
    case 'list':
    case 'tuple':
    case 'set': {
      const out: LiteralValue[] = [];
      for (const item of node.namedChildren) {
        if (!item || item.type === 'comment') continue;
        const v = literalValue(item, source, scope, depth + 1);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    }
    case 'dictionary': {
      const out: Record<string, LiteralValue> = {};
      for (const pair of node.namedChildren) {
        if (!pair || pair.type === 'comment') continue;
        if (pair.type !== 'pair') return undefined;
        const keyNode = pair.childForFieldName('key');
        const valueNode = pair.childForFieldName('value');
        if (!keyNode || !valueNode) return undefined;
        const key = literalValue(keyNode, source, scope, depth + 1);
        const value = literalValue(valueNode, source, scope, depth + 1);
        if (typeof key !== 'string' || value === undefined) return undefined;
        out[key] = value;
      }
      return out;
    }
    case 'identifier':
      return scope?.(source.slice(node.startIndex, node.endIndex));
    case 'attribute':
      // A framework constant (`TriggerRule.ALL_DONE`), which the scope knows by its dotted name.
      return scope?.(source.slice(node.startIndex, node.endIndex).replace(/\s+/g, ''));
    default:
      return undefined;
  }
}

const TIMEDELTA_UNIT_SECONDS: Readonly<Record<string, number>> = { weeks: 604800, days: 86400, hours: 3600, minutes: 60, seconds: 1, milliseconds: 0.001, microseconds: 0.000001 };
/** `timedelta`'s positional parameters, in order. */
const TIMEDELTA_POSITIONAL = ['days', 'seconds', 'microseconds', 'milliseconds', 'minutes', 'hours', 'weeks'];

/**
 * Seconds of `timedelta(...)`'s arguments, each named or positional (null
 * name), as numbers; null when one is not a number or not a unit.
 */
export function timedeltaTotal(args: ReadonlyArray<{ name: string | null; amount: LiteralValue | undefined }>): number | null {
  let total = 0;
  let index = 0;
  for (const { name, amount } of args) {
    const unit = name ?? TIMEDELTA_POSITIONAL[index++] ?? '';
    if (typeof amount !== 'number' || !Number.isFinite(amount) || !(unit in TIMEDELTA_UNIT_SECONDS)) return null;
    total += amount * TIMEDELTA_UNIT_SECONDS[unit];
  }
  return total;
}

/** Seconds of a literal `timedelta(...)`/`datetime.timedelta(...)` call, or a plain number. */
export function durationSeconds(node: Node, source: string): number | null {
  const literal = literalValue(node, source);
  if (typeof literal === 'number') return literal;
  if (node.type !== 'call') return null;
  const fn = node.childForFieldName('function');
  const args = node.childForFieldName('arguments');
  if (!fn || !args || !/(^|\.)timedelta$/.test(source.slice(fn.startIndex, fn.endIndex))) return null;
  const parts: Array<{ name: string | null; amount: LiteralValue | undefined }> = [];
  for (const arg of args.namedChildren) {
    if (!arg || arg.type === 'comment') continue;
    if (arg.type === 'keyword_argument') {
      const n = arg.childForFieldName('name');
      const value = arg.childForFieldName('value');
      parts.push({ name: n ? source.slice(n.startIndex, n.endIndex) : '', amount: value ? literalValue(value, source) : undefined });
    } else {
      parts.push({ name: null, amount: literalValue(arg, source) });
    }
  }
  return timedeltaTotal(parts);
}

/** Node types whose value can be read from their text alone. */
export const SIMPLE_LITERALS: ReadonlySet<string> = new Set(['string', 'integer', 'float', 'true', 'false', 'none']);

/** The value of a simple literal from its source text (see SIMPLE_LITERALS). */
export function simpleLiteral(kind: string, text: string): LiteralValue | undefined {
  switch (kind) {
    case 'integer': {
      const v = Number(text.replace(/_/g, ''));
      return Number.isFinite(v) ? v : undefined;
    }
    case 'float': {
      const v = parseFloat(text.replace(/_/g, ''));
      return Number.isFinite(v) ? v : undefined;
    }
    case 'true':
      return true;
    case 'false':
      return false;
    case 'none':
      return null;
    case 'string':
      return stringFromText(text);
    default:
      return undefined;
  }
}

/** A Python string literal's value from its text; undefined for byte strings and f-strings that interpolate. */
export function stringFromText(text: string): string | undefined {
  const prefix = /^[a-zA-Z]*/.exec(text)![0].toLowerCase();
  const rest = text.slice(prefix.length);
  const quote = rest.startsWith('"""') || rest.startsWith("'''") ? rest.slice(0, 3) : rest.slice(0, 1);
  if (!quote || (quote[0] !== '"' && quote[0] !== "'")) return undefined;
  let body = rest.endsWith(quote) && rest.length >= 2 * quote.length ? rest.slice(quote.length, rest.length - quote.length) : rest.slice(quote.length);
  if (prefix.includes('b')) return undefined;
  if (prefix.includes('f') || prefix.includes('t')) {
    if (/\{(?!\{)/.test(body.replace(/\{\{/g, ''))) return undefined;
    body = body.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
  }
  return prefix.includes('r') ? body : unescapePython(body);
}

/**
 * The entries of a dict display whose keys are literal strings, each value's
 * literal or undefined when it is not one; undefined when a key is not a
 * literal string or the dict unpacks another (`**base`).
 */
export function dictEntries(node: Node, source: string, scope?: LiteralScope): Record<string, LiteralValue | undefined> | undefined {
  if (node.type !== 'dictionary') return undefined;
  const out: Record<string, LiteralValue | undefined> = {};
  for (const pair of node.namedChildren) {
    if (!pair || pair.type === 'comment') continue;
    if (pair.type !== 'pair') return undefined;
    const keyNode = pair.childForFieldName('key');
    const valueNode = pair.childForFieldName('value');
    const key = keyNode ? literalValue(keyNode, source, scope) : undefined;
    if (typeof key !== 'string' || !valueNode) return undefined;
    out[key] = literalValue(valueNode, source, scope);
  }
  return out;
}

/** The value of the keyword argument `name` in an argument list, or null. */
export function keywordValue(args: Node, name: string, source: string): Node | null {
  for (const arg of args.namedChildren) {
    if (arg?.type !== 'keyword_argument') continue;
    const n = arg.childForFieldName('name');
    if (n && source.slice(n.startIndex, n.endIndex) === name) return arg.childForFieldName('value');
  }
  return null;
}
