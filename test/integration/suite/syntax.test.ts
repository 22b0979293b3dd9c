/**
 * The injection grammar, tokenized together with the Python and shell grammars
 * of the VS Code it runs in, by the TextMate engine VS Code itself uses. The
 * web workbench offers no command that returns an editor's tokens, so this is
 * the closest check of what the editor colours.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, Registry, parseRawGrammar, type IGrammar, type StateStack } from 'vscode-textmate';
import { EXTENSION_ID } from '../support/helpers';

interface GrammarContribution {
  language?: string;
  scopeName: string;
  path: string;
  injectTo?: string[];
}

/** scopeName → grammar file, from the extensions that contribute them. */
function grammarFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const id of ['vscode.python', 'vscode.shellscript', EXTENSION_ID]) {
    const extension = vscode.extensions.getExtension(id);
    if (!extension) throw new Error(`${id} is not installed`);
    const grammars = (extension.packageJSON as { contributes?: { grammars?: GrammarContribution[] } }).contributes?.grammars ?? [];
    for (const g of grammars) files.set(g.scopeName, path.join(extension.extensionPath, g.path));
  }
  return files;
}

async function pythonGrammar(): Promise<IGrammar> {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const files = grammarFiles();
  const registry = new Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => {
      const file = files.get(scopeName);
      return file ? parseRawGrammar(fs.readFileSync(file, 'utf8'), file) : null;
    },
    // What package.json's `injectTo` makes VS Code do.
    getInjections: (scopeName) => (scopeName === 'source.python' ? ['vortex.dag.injection'] : undefined),
  });
  const grammar = await registry.loadGrammar('source.python');
  if (!grammar) throw new Error('source.python did not load');
  return grammar;
}

interface Token {
  text: string;
  scopes: string[];
}

function tokenize(grammar: IGrammar, source: string): Token[] {
  const tokens: Token[] = [];
  let state: StateStack = INITIAL;
  for (const line of source.split('\n')) {
    const result = grammar.tokenizeLine(line, state);
    for (const t of result.tokens) tokens.push({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    state = result.ruleStack;
  }
  return tokens;
}

/** The scopes of the first token whose text is `text` (after `after`, when given). */
function scopesOf(tokens: Token[], text: string, after?: string): string[] {
  const start = after === undefined ? 0 : tokens.findIndex((t) => t.text.includes(after));
  const token = tokens.slice(Math.max(start, 0)).find((t) => t.text.trim() === text);
  if (!token) throw new Error(`no token "${text}" in ${JSON.stringify(tokens.map((t) => t.text))}`);
  return token.scopes;
}

function hasScope(scopes: string[], prefix: string): boolean {
  return scopes.some((s) => s.startsWith(prefix));
}

describe('syntax highlighting', () => {
  let grammar: IGrammar;
  before(async () => {
    grammar = await pythonGrammar();
  });

  it('is registered as an injection into Python', () => {
    const grammars = (vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes: { grammars: GrammarContribution[] } })
      .contributes.grammars;
    const ours = grammars.find((g) => g.scopeName === 'vortex.dag.injection');
    assert.ok(ours, 'no vortex.dag.injection grammar in package.json');
    assert.deepEqual(ours.injectTo, ['source.python']);
  });

  it('highlights the fields of a cron string given to schedule_interval', () => {
    const tokens = tokenize(grammar, 'with DAG(dag_id="d", schedule_interval="0 12 * * 1-5") as dag:\n    pass');
    assert.ok(hasScope(scopesOf(tokens, '12'), 'constant.numeric.cron'), JSON.stringify(scopesOf(tokens, '12')));
    assert.ok(hasScope(scopesOf(tokens, '*'), 'keyword.operator.cron.wildcard'));
    assert.ok(hasScope(scopesOf(tokens, '-'), 'keyword.operator.cron'));
    assert.ok(hasScope(scopesOf(tokens, 'as'), 'keyword'), 'the rest of the line is Python again');
  });

  it('highlights presets given to schedule, and marks an unknown one', () => {
    const good = tokenize(grammar, 'DAG("d", schedule="@daily")');
    assert.ok(hasScope(scopesOf(good, '@daily'), 'constant.language.cron.preset'));
    const bad = tokenize(grammar, 'DAG("d", schedule="@daly")');
    assert.ok(hasScope(scopesOf(bad, '@daly'), 'invalid.illegal.cron.preset'));
  });

  it('leaves a schedule-like string outside a call alone', () => {
    const tokens = tokenize(grammar, 'schedule_interval = "0 12 * * *"');
    assert.ok(!tokens.some((t) => hasScope(t.scopes, 'constant.numeric.cron')));
  });

  it('embeds shell in bash_command strings and returns to Python after them', () => {
    const tokens = tokenize(grammar, `BashOperator(task_id="t", bash_command="echo 'hi' | grep h > out.txt", retries=2)`);
    assert.ok(hasScope(scopesOf(tokens, 'echo'), 'entity.name.command.shell'), JSON.stringify(scopesOf(tokens, 'echo')));
    assert.ok(hasScope(scopesOf(tokens, '|'), 'keyword.operator.pipe.shell'));
    assert.ok(hasScope(scopesOf(tokens, 'grep'), 'entity.name.command.shell'));
    assert.ok(hasScope(scopesOf(tokens, 'hi'), 'string.quoted.single.shell'));
    assert.ok(scopesOf(tokens, 'echo').includes('meta.embedded.inline.shellscript.vortex'));
    // The shell's own quoting must not swallow the Python string's end.
    assert.ok(hasScope(scopesOf(tokens, 'retries'), 'variable.parameter.function-call.python'));
  });

  it('embeds shell in triple-quoted, multi-line bash_command strings', () => {
    const tokens = tokenize(grammar, 'BashOperator(\n    task_id="t",\n    bash_command="""\n    set -e\n    echo "finished"\n    """,\n    retries=1,\n)');
    assert.ok(hasScope(scopesOf(tokens, 'set'), 'entity.name.command.shell'));
    assert.ok(hasScope(scopesOf(tokens, 'echo'), 'entity.name.command.shell'));
    assert.ok(hasScope(scopesOf(tokens, 'finished'), 'string.quoted.double.shell'));
    assert.ok(hasScope(scopesOf(tokens, 'retries'), 'variable.parameter.function-call.python'));
  });
});
