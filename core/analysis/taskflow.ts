/**
 * TaskFlow, as Airflow's decorators make it:
 *
 * - a function under `@task` (`@task()`, `@task.branch`, `@task.bash`, …)
 *   makes a task each time it is called in a DAG: its id is the function's
 *   name (or the decorator's or `.override()`'s `task_id`), made unique with
 *   `__1`, `__2`, … as `get_unique_task_id` does; the call's value is the
 *   task's result (an XComArg), and an XComArg anywhere in a task's
 *   arguments makes a dependency;
 * - a function under `@dag` makes a DAG (named after it unless `dag_id=`
 *   says otherwise) when it is called, its body then building the DAG;
 * - a function under `@task_group` makes a TaskGroup each time it is called
 *   (a taken id gets `__1`, …), its body building the group; the call's value
 *   is what the function returns, else the group;
 * - `.partial(...).expand(...)` (and `.expand(...)`) make one mapped task.
 *
 * Bodies of `@dag` and `@task_group` functions are walked where the function
 * is called, with their own names: what they bind is gone afterwards.
 */
import type { Node } from 'web-tree-sitter';
import type { Argument, LiteralValue, OperatorKind } from './model';
import { makeRange, TaskRecord } from './records';
import type { CallSite } from './callSite';
import { NO_NODES } from './callSite';
import { callScope, type Scope } from './scope';
import type { Binding, DecoratedFunction, DecoratedRole, Value } from './values';
import { ConstructBuilder } from './constructs';
import { isFramework, type OperatorCallee } from './callees';
import { operatorKind } from './operators';

/** How the TaskFlow decorators that run Python or a shell command run. */
const DECORATOR_KINDS: Readonly<Record<string, OperatorKind>> = {
  task: 'python',
  'task.python': 'python',
  'task.branch': 'python',
  'task.short_circuit': 'python',
  'task.bash': 'bash',
};

const BRANCH_DECORATORS: ReadonlySet<string> = new Set(['task.branch', 'task.short_circuit', 'task.branch_virtualenv', 'task.branch_external_python']);

/** Arguments of a classic operator that Airflow renders (its `template_fields`): XComArgs in them make dependencies. */
const TEMPLATE_FIELDS: Readonly<Record<OperatorKind, readonly string[] | null>> = {
  bash: ['bash_command', 'env', 'cwd'],
  python: ['op_args', 'op_kwargs', 'templates_dict'],
  dummy: [],
  // Operators VORTEX does not know: every argument may be one of their template fields.
  other: null,
};

/** Arguments that are never a template field. */
const STRUCTURAL_ARGUMENTS: ReadonlySet<string> = new Set(['task_id', 'dag', 'task_group', 'trigger_rule', 'default_args']);

/** Which decorator a dotted name is: `airflow.decorators.task.branch` is `task.branch`. */
export function decoratorOf(qualified: string): { role: DecoratedRole; decorator: string } | undefined {
  const parts = qualified.split('.');
  for (let i = 1; i < parts.length; i++) {
    const role: DecoratedRole | undefined = parts[i] === 'task' ? 'task' : parts[i] === 'dag' ? 'dag' : parts[i] === 'task_group' ? 'taskGroup' : undefined;
    if (role && (role === 'task' || i === parts.length - 1)) return { role, decorator: parts.slice(i).join('.') };
  }
  return undefined;
}

export abstract class TaskFlowBuilder extends ConstructBuilder {
  /** Functions whose body is being walked at a call, so that a function calling itself is not walked forever. */
  private readonly walking = new Set<DecoratedFunction>();
  /** What the functions being walked return, innermost last (a `return` sets the last). */
  protected readonly returns: Array<Value | undefined> = [];
  /** The `@dag` functions of the file, to tell those never called. */
  protected readonly dagFunctions: DecoratedFunction[] = [];
  /** Names of decorated functions, to search function bodies for their calls. */
  protected readonly decoratedNames = new Set<string>();

  protected abstract expression(node: Node, scope: Scope, depth: number): Value;
  /** Walks a function body's statements in `scope`. */
  protected abstract walkBody(body: Node, scope: Scope): void;

  /** Binds the function of a `decorated_definition` whose decorator is a framework's `@task…`, `@dag` or `@task_group`; false when none is. */
  protected decoratedDefinition(definition: Node, decorators: Node[], scope: Scope): boolean {
    for (const decorator of decorators) {
      const expression = decorator.namedChildren.find((c) => c && c.type !== 'comment');
      if (!expression) continue;
      const callee = expression.type === 'call' ? expression.childForFieldName('function') : expression;
      if (!callee) continue;
      const { qualified } = this.qualifyNode(callee);
      // Only the frameworks' decorators: `from celery import task` is no TaskFlow.
      const found = qualified === null || !isFramework(qualified) ? undefined : decoratorOf(qualified);
      if (!found) continue;
      const name = definition.childForFieldName('name');
      if (!name) return false;
      const args = expression.type === 'call' ? expression.childForFieldName('arguments') : null;
      const site = expression.type === 'call' ? this.treeSite(expression, callee, args, scope) : this.bareSite(callee, scope);
      const fn: DecoratedFunction = {
        role: found.role,
        decorator: found.decorator,
        qualified: qualified!,
        name: this.text(name),
        node: definition,
        args: site.byName,
        range: this.range(expression),
        nameRange: this.range(name),
        calls: 0,
        site,
      };
      if (fn.role === 'dag') this.dagFunctions.push(fn);
      this.decoratedNames.add(fn.name);
      this.bind(fn.name, { kind: 'decorated', fn }, scope);
      return true;
    }
    return false;
  }

  /** The dotted name of a callee, resolved through the imports: `vortex.operators.bash.BashOperator`. */
  protected qualifyNode(node: Node): { qualified: string | null; last: string } {
    const parts: string[] = [];
    let current: Node | null = node;
    let depth = 0;
    while (current && current.type === 'attribute' && depth++ < 200) {
      const attr = current.childForFieldName('attribute');
      if (!attr) return { qualified: null, last: '' };
      parts.unshift(this.text(attr));
      current = current.childForFieldName('object');
    }
    if (!current || current.type !== 'identifier') return { qualified: null, last: parts[parts.length - 1] ?? '' };
    parts.unshift(this.text(current));
    return this.qualifyParts(parts);
  }

  /** `qualifyNode` for a callee already split into names: [head, ...attributes]. */
  protected qualifyParts(parts: string[]): { qualified: string | null; last: string } {
    const [head, ...rest] = parts;
    const last = parts[parts.length - 1];
    const binding = this.bindings.get(head);
    if (binding?.kind === 'import') {
      // An alias (`import BashOperator as Bash`) names the class it stands for.
      const qualified = [binding.qualified, ...rest].join('.');
      return { qualified, last: qualified.slice(qualified.lastIndexOf('.') + 1) };
    }
    if (!binding && this.starImports.length > 0 && rest.length === 0) {
      return { qualified: `${this.starImports[0]}.${head}`, last };
    }
    return { qualified: null, last };
  }

  /** An operator class defined in the file that a callee names (`HelloOperator`), as an operator callee. */
  protected fileOperator(head: string): OperatorCallee | undefined {
    const binding = this.bindings.get(head);
    return binding?.kind === 'operatorClass' ? { kind: 'operator', name: head, qualified: head, known: false } : undefined;
  }

  /** The CallSite of a call found in the tree (a new one each: calls nest). */
  protected treeSite(node: Node, fn: Node, args: Node | null, scope: Scope): CallSite {
    const { byName, list, hasSplat, nodes } = this.readArguments(args);
    const argsEnd = args ? this.position(args.endIndex) : null;
    const at = this.callPositions(node.startIndex, node.endIndex, fn.endIndex);
    return {
      line: at.line, character: at.character, endLine: at.endLine, endCharacter: at.endCharacter,
      operatorEndLine: at.operatorEndLine, operatorEndCharacter: at.operatorEndCharacter,
      calleeText: this.text(fn),
      argsEndLine: argsEnd?.line ?? -1,
      argsEndCharacter: argsEnd?.character ?? -1,
      byName, list, hasSplat, nodes,
      scope,
    };
  }

  /** The CallSite of a decorator used bare (`@task`): no arguments, at the decorator's name. */
  private bareSite(callee: Node, scope: Scope): CallSite {
    const at = this.callPositions(callee.startIndex, callee.endIndex, callee.endIndex);
    return { ...at, calleeText: this.text(callee), argsEndLine: -1, argsEndCharacter: -1, byName: {}, list: [], hasSplat: false, nodes: NO_NODES, scope };
  }

  /**
   * A call of a decorated function: a task, a DAG or a group. `overrides`
   * are `.override(...)`'s arguments; `mapped` the arguments of
   * `.partial(...)` and `.expand(...)` when the call maps the task.
   */
  protected decoratedCall(fn: DecoratedFunction, site: CallSite, callNode: Node, scope: Scope, depth: number, overrides: CallSite | null, mapped: boolean): Value {
    if (scope.dynamic) {
      if (fn.role !== 'dag') {
        this.reportDynamic(makeRange(site.line, site.character, site.operatorEndLine, site.operatorEndCharacter), `${fn.name}() is called in ${scope.dynamic}: static analysis cannot see the ${fn.role === 'task' ? 'tasks' : 'groups'} it makes. Runtime resolution (vortex inspect --runtime) can.`, scope);
      }
      return { kind: 'dynamic' };
    }
    if (fn.role === 'task') return this.taskFlowCall(fn, site, callNode, scope, depth, overrides, mapped);
    if (this.walking.has(fn) || mapped) {
      this.reportDynamic(this.range(callNode), `${fn.name}() ${mapped ? 'is mapped' : 'calls itself'}: static analysis cannot see what it makes.`, scope);
      return { kind: 'dynamic' };
    }
    fn.calls++;
    return fn.role === 'dag' ? this.dagFunctionCall(fn, scope) : this.groupFunctionCall(fn, site, scope, overrides);
  }

  /** The XComArgs an argument holds, anywhere in it: the tasks whose results it takes. */
  protected xcomReferences(node: Node, scope: Scope, depth: number, into: number[]): void {
    if (depth > 64) return;
    switch (node.type) {
      case 'list':
      case 'tuple':
      case 'set':
      case 'parenthesized_expression':
      case 'dictionary':
      case 'pair':
      case 'argument_list':
      case 'keyword_argument':
        for (const child of node.namedChildren) if (child && child.type !== 'comment') this.xcomReferences(child, scope, depth + 1, into);
        return;
      case 'identifier':
      case 'call':
      case 'attribute':
      case 'subscript': {
        const value = this.expression(node, scope, depth + 1);
        if (value.kind === 'tasks' && value.xcom) into.push(...value.tasks);
        return;
      }
      default:
        return;
    }
  }

  /** The tasks whose XComArgs a classic operator's templated arguments hold (evaluated before the operator is made, as Python does). */
  protected templatedReferences(callee: OperatorCallee, site: CallSite, depth: number): number[] {
    const into: number[] = [];
    const ownClass = callee.known ? undefined : this.bindings.get(callee.name);
    const fields = ownClass?.kind === 'operatorClass' ? ownClass.templateFields : TEMPLATE_FIELDS[callee.known ? operatorKind(callee.name) : 'other'];
    for (const name in site.nodes) {
      if (STRUCTURAL_ARGUMENTS.has(name) || (fields !== null && !fields.includes(name))) continue;
      this.xcomReferences(site.nodes[name], site.scope, depth, into);
    }
    // Names read from text are not nodes: a name bound to an XComArg counts too.
    for (const arg of site.list) {
      if (arg.kind !== 'identifier' || site.nodes[arg.name] || STRUCTURAL_ARGUMENTS.has(arg.name) || (fields !== null && !fields.includes(arg.name))) continue;
      const binding = this.bindings.get(arg.text);
      if (binding?.kind === 'tasks' && binding.xcom) into.push(...binding.tasks);
    }
    return into;
  }

  private taskFlowCall(fn: DecoratedFunction, site: CallSite, callNode: Node, scope: Scope, depth: number, overrides: CallSite | null, mapped: boolean): Value {
    // Arguments first, as Python evaluates them: the tasks they make come before this one.
    const upstream: number[] = [];
    const args = callNode.childForFieldName('arguments');
    if (args) this.xcomReferences(args, scope, depth, upstream);
    const options: Record<string, Argument> = { ...fn.args, ...(overrides?.byName ?? {}) };
    const idArg = options.task_id;
    if (idArg && typeof idArg.value !== 'string') {
      this.reportDynamic(idArg.valueRange, `This task_id is computed (${idArg.text.slice(0, 60)}): static analysis cannot see the task. Runtime resolution (vortex inspect --runtime) can.`, scope);
      return { kind: 'dynamic' };
    }
    const dagIndex = scope.dag;
    const group = scope.group >= 0 && this.groups[scope.group].dag === dagIndex ? scope.group : -1;
    const ownId = this.uniqueTaskId(dagIndex, group, typeof idArg?.value === 'string' ? idArg.value : fn.name);
    const kind = DECORATOR_KINDS[fn.decorator] ?? 'other';
    const task = new TaskRecord(this.childId(group, ownId), fn.decorator, fn.qualified, kind, dagIndex, site, options, null);
    task.decorated = true;
    if (BRANCH_DECORATORS.has(fn.decorator)) task.branch = true;
    if (mapped) task.mapped = true;
    task.taskflow = {
      callable: fn.name,
      // Within the call, where the Outline and the editor look for the task: an `.override(task_id=...)`, else the function's name.
      idRange: overrides?.byName.task_id ? overrides.byName.task_id.valueRange : makeRange(site.line, site.character, site.operatorEndLine, site.operatorEndCharacter),
      ...literalArguments(site.list),
    };
    const optionsSite: CallSite = { ...site, byName: options, nodes: optionNodes(fn, options, overrides) };
    const index = this.addTask(task, ownId, group, optionsSite);
    this.recordTaskCall(index, ownId, fn.decorator, site);
    this.connectAt(upstream, [index], task.range);
    return { kind: 'tasks', tasks: [index], xcom: true };
  }

  private dagFunctionCall(fn: DecoratedFunction, scope: Scope): Value {
    const dag = this.createDag(fn.site, { id: fn.name, range: fn.nameRange }, fn.calls === 1);
    this.walkFunction(fn, callScope(scope, dag, -1), null);
    return { kind: 'dag', dag };
  }

  private groupFunctionCall(fn: DecoratedFunction, site: CallSite, scope: Scope, overrides: CallSite | null): Value {
    const options: Record<string, Argument> = { ...fn.args, ...(overrides?.byName ?? {}) };
    const idArg = options.group_id;
    const ownId = idArg ? idArg.value : fn.name;
    if (typeof ownId !== 'string') {
      this.reportDynamic(idArg!.valueRange, `This group_id is computed (${idArg!.text.slice(0, 60)}): static analysis cannot see the group's tasks. Runtime resolution (vortex inspect --runtime) can.`, scope);
      return { kind: 'dynamic' };
    }
    const dag = scope.dag;
    const parent = scope.group >= 0 && this.groups[scope.group].dag === dag ? scope.group : -1;
    const range = makeRange(site.line, site.character, site.endLine, site.endCharacter);
    const group = this.createGroup(ownId, idArg ? idArg.valueRange : fn.nameRange, dag, parent, options.prefix_group_id?.value !== false, true, site.line, range);
    this.setGroupDefaults(group, options.default_args, optionNodes(fn, options, overrides).default_args);
    const returned = this.walkFunction(fn, callScope(scope, dag, group), site);
    return returned && returned.kind !== 'none' && returned.kind !== 'dynamic' ? returned : { kind: 'group', group };
  }

  /**
   * Walks a decorated function's body in `scope`, its parameters bound to
   * the call's arguments (those not known are dynamic); returns what it returns.
   * The names it binds are its own: the module's are as they were after.
   */
  private walkFunction(fn: DecoratedFunction, scope: Scope, call: CallSite | null): Value | undefined {
    const body = fn.node.childForFieldName('body');
    if (!body) return undefined;
    const saved = new Map(this.bindings);
    this.walking.add(fn);
    this.returns.push(undefined);
    try {
      this.bindParameters(fn.node, call, scope);
      this.walkBody(body, scope);
      return this.returns[this.returns.length - 1];
    } finally {
      this.returns.pop();
      this.walking.delete(fn);
      this.bindings.clear();
      for (const [name, binding] of saved) this.bindings.set(name, binding);
    }
  }

  /** Binds a function's parameters: to the call's argument values where they are tasks or XComArgs, else dynamic. */
  private bindParameters(definition: Node, call: CallSite | null, scope: Scope): void {
    let position = 0;
    for (const param of definition.childForFieldName('parameters')?.namedChildren ?? []) {
      if (!param) continue;
      const nameNode = param.type === 'identifier' ? param : param.childForFieldName('name') ?? param.namedChild(0);
      if (!nameNode || nameNode.type !== 'identifier') continue;
      const name = this.text(nameNode);
      const positional = param.type === 'identifier' || param.type === 'default_parameter' || param.type === 'typed_parameter' || param.type === 'typed_default_parameter';
      const argument = call ? (call.byName[name] ?? (positional ? call.byName[`#${position}`] : undefined)) : undefined;
      if (positional) position++;
      const node = argument && call ? call.nodes[argument.name] : undefined;
      let binding: Binding = { kind: 'dynamic' };
      if (node) {
        const value = this.expression(node, scope, 1);
        if (value.kind === 'tasks' || value.kind === 'group') binding = value;
      } else if (argument?.kind === 'identifier') {
        binding = this.bindings.get(argument.text) ?? binding;
      }
      this.bindings.set(name, binding);
    }
  }

  /** `@dag` functions that are never called: Airflow makes no DAG of them (VX107). */
  protected reportUncalledDagFunctions(): void {
    for (const fn of this.dagFunctions) {
      if (fn.calls > 0) continue;
      this.report('VX107', fn.range, `@${fn.decorator} makes a DAG only when "${fn.name}" is called: Airflow loads no DAG from this function. Call it at module level (${fn.name}()).`);
    }
  }
}

/** A TaskFlow call's literal positional and keyword arguments, each null when one of them is not a literal. */
function literalArguments(list: Argument[]): { opArgs: LiteralValue[] | null; opKwargs: { [key: string]: LiteralValue } | null } {
  const positional: LiteralValue[] = [];
  const keywords: { [key: string]: LiteralValue } = {};
  let positionalKnown = true;
  let keywordsKnown = true;
  for (const arg of list) {
    const isKeyword = arg.name.charCodeAt(0) !== 35;
    if (arg.value === undefined) {
      if (isKeyword) keywordsKnown = false;
      else positionalKnown = false;
      continue;
    }
    if (isKeyword) keywords[arg.name] = arg.value;
    else positional.push(arg.value);
  }
  return { opArgs: positionalKnown ? positional : null, opKwargs: keywordsKnown ? keywords : null };
}

/** The value nodes of a decorated function's options: the decorator's, each overridden by `.override(...)`'s. */
function optionNodes(fn: DecoratedFunction, options: Record<string, Argument>, overrides: CallSite | null): Record<string, Node> {
  const nodes: Record<string, Node> = {};
  for (const name in options) {
    const node = overrides?.byName[name] ? overrides.nodes[name] : fn.site.nodes[name];
    if (node) nodes[name] = node;
  }
  return nodes;
}
