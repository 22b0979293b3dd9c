/**
 * Expressions, evaluated as far as the DAG's structure needs: which tasks,
 * DAG, TaskGroup, Label or XComArg an expression stands for, and calls,
 * whose callee is looked up in the callee registry (callees.ts) and handled
 * by the handler of its kind. The dependencies expressions make are
 * dependencies.ts's. Evaluation stops at a fixed depth, so no input can
 * exhaust the stack.
 */
import type { Node } from 'web-tree-sitter';
import { dictEntries, keywordValue, literalValue } from './literals';
import { classifyCallee, type Callee, type CalleeKind, type OperatorCallee } from './callees';
import type { CallSite } from './callSite';
import type { Scope } from './scope';
import type { Binding, DecoratedFunction, Value } from './values';
import { TaskFlowBuilder } from './taskflow';

export const MAX_EXPRESSION_DEPTH = 200;

/** List methods that change a list in place. */
const LIST_MUTATORS: ReadonlySet<string> = new Set(['append', 'extend', 'insert', 'remove', 'pop', 'clear', 'sort', 'reverse']);
const DICT_MUTATORS: ReadonlySet<string> = new Set(['update', 'setdefault', 'pop', 'popitem', 'clear']);

/** A call the tree walk found: its node, callee and argument list, where it is, how deep in an expression. */
export interface TreeCall {
  node: Node;
  fn: Node;
  args: Node | null;
  callee: Callee;
  scope: Scope;
  depth: number;
}

export abstract class ExpressionReader extends TaskFlowBuilder {
  /** What a call of each kind of callee does. */
  protected readonly callHandlers: Record<CalleeKind, (call: TreeCall) => Value> = {
    dag: (call) => ({ kind: 'dag', dag: this.createDag(this.treeCallSite(call)) }),
    operator: (call) => this.operatorCall(call),
    chain: (call) => {
      if (call.args) this.chain(call.node, call.args, call.scope, call.depth);
      return { kind: 'none' };
    },
    crossDownstream: (call) => {
      if (call.args) this.crossDownstream(call.node, call.args, call.scope, call.depth);
      return { kind: 'none' };
    },
    chainLinear: (call) => {
      if (call.args) this.chainLinear(call.node, call.args, call.scope, call.depth);
      return { kind: 'none' };
    },
    taskGroup: (call) => this.taskGroupCall(call),
    label: (call) => {
      const site = this.treeCallSite(call);
      const text = site.byName.label ?? site.byName['#0'];
      return { kind: 'label', label: this.newLabel(typeof text?.value === 'string' ? text.value : null) };
    },
    // The decorators called as functions (`task(python_callable=f)`) are rare: nothing known is made.
    taskDecorator: (call) => this.unknownCall(call),
    dagDecorator: (call) => this.unknownCall(call),
    taskGroupDecorator: (call) => this.unknownCall(call),
    constant: (call) => ({ kind: 'notTask', reason: `${this.text(call.fn)}(...) is a value` }),
    other: (call) => this.unknownCall(call),
  };

  protected abstract dependencyChain(node: Node, scope: Scope, depth: number): Value;
  protected abstract setStream(call: Node, fn: Node, args: Node | null, downstream: boolean, scope: Scope, depth: number): void;
  protected abstract chain(call: Node, args: Node, scope: Scope, depth: number): void;
  protected abstract chainLinear(call: Node, args: Node, scope: Scope, depth: number): void;
  protected abstract crossDownstream(call: Node, args: Node, scope: Scope, depth: number): void;
  protected abstract partialCall(node: Node, fn: Node, args: Node | null, scope: Scope, depth: number): Value;
  protected abstract mappedCall(node: Node, fn: Node, args: Node | null, scope: Scope, depth: number): Value;

  /** An operator call: the tasks whose XComArgs its templated arguments take come first, as Python evaluates arguments first. */
  protected operatorCall(call: TreeCall, mapped: CallSite | null = null, partialUpstream: number[] = []): Value {
    const site = mapped ?? this.treeCallSite(call);
    const callee = call.callee as OperatorCallee;
    const upstream = site.scope.dynamic ? [] : [...partialUpstream, ...this.templatedReferences(callee, site, call.depth)];
    const value = this.createTask(callee, site);
    if (value.kind === 'tasks') {
      const task = this.tasks[value.tasks[0]];
      if (mapped) task.mapped = true;
      this.connectAt(upstream, value.tasks, task.range);
    }
    return value;
  }

  /** `TaskGroup("id", ...)`: a group of its DAG, inside the group it is made in unless `parent_group=` says otherwise. */
  protected taskGroupCall(call: TreeCall): Value {
    const site = this.treeCallSite(call);
    const { byName, scope } = site;
    const idArg = byName.group_id ?? byName['#0'];
    if (scope.dynamic || !idArg || typeof idArg.value !== 'string') {
      if (!scope.dynamic && idArg?.value !== null) {
        this.reportDynamic(idArg ? idArg.valueRange : this.range(call.fn), `This TaskGroup's group_id is ${idArg ? `computed (${idArg.text.slice(0, 60)})` : 'not given'}: static analysis cannot know the ids of its tasks.`, scope);
      }
      return { kind: 'dynamic', reason: 'a TaskGroup whose group_id is not known' };
    }
    let dag = scope.dag;
    const dagBinding = byName.dag?.kind === 'identifier' ? this.bindings.get(byName.dag.text) : undefined;
    if (dagBinding?.kind === 'dag') dag = dagBinding.dag;
    let parent = scope.group >= 0 && this.groups[scope.group].dag === dag ? scope.group : -1;
    const parentBinding = byName.parent_group?.kind === 'identifier' ? this.bindings.get(byName.parent_group.text) : undefined;
    if (parentBinding?.kind === 'group') {
      parent = parentBinding.group;
      if (dag < 0) dag = this.groups[parent].dag;
    }
    const range = this.range(call.node);
    const group = this.createGroup(idArg.value, idArg.valueRange, dag, parent, byName.prefix_group_id?.value !== false, false, range.start.line, range);
    this.setGroupDefaults(group, byName.default_args, site.nodes.default_args);
    return { kind: 'group', group };
  }

  /**
   * Reports every operator call (and call of a decorated function) under
   * `node` as dynamic (VX404); whether it found one. `scope` is where the
   * calls would run, when they run there (a comprehension's, not a function body's).
   */
  protected findDynamicTasks(node: Node, where: string, scope?: Scope): boolean {
    const slice = this.source.slice(node.startIndex, node.endIndex);
    if (!/Operator|Sensor|task_id/.test(slice) && !this.mentionsDecorated(slice)) return false;
    let found = false;
    const cursor = node.walk();
    try {
      let descend = true;
      for (;;) {
        if (descend && cursor.nodeType === 'call') {
          const call = cursor.currentNode;
          const fn = call.childForFieldName('function');
          const callee = fn ? this.resolveCallee(fn, call.childForFieldName('arguments')) : undefined;
          const decorated = fn ? this.decoratedCalleeName(fn) : undefined;
          if (fn && (callee?.kind === 'operator' || (decorated && decorated.role !== 'dag'))) {
            const name = decorated ? decorated.name : this.text(fn);
            this.reportDynamic(this.range(fn), `${name} is called ${where}: static analysis cannot see the tasks it makes. Runtime resolution (vortex inspect --runtime) can.`, scope);
            found = true;
          }
        }
        if (descend && cursor.gotoFirstChild()) continue;
        if (cursor.gotoNextSibling()) {
          descend = true;
          continue;
        }
        if (!cursor.gotoParent() || cursor.currentNode.equals(node)) break;
        descend = false;
      }
    } finally {
      cursor.delete();
    }
    return found;
  }

  /** The decorated function a callee calls, through `.override(...)`, `.partial(...)`, `.expand` (without evaluating anything). */
  protected decoratedCalleeName(fn: Node): DecoratedFunction | undefined {
    let current: Node | null = fn;
    for (let depth = 0; current && depth < 8; depth++) {
      if (current.type === 'identifier') {
        const binding = this.bindings.get(this.text(current));
        return binding?.kind === 'decorated' ? binding.fn : undefined;
      }
      if (current.type === 'call') current = current.childForFieldName('function');
      else if (current.type === 'attribute') current = current.childForFieldName('object');
      else return undefined;
    }
    return undefined;
  }

  private mentionsDecorated(text: string): boolean {
    for (const name of this.decoratedNames) if (text.includes(`${name}(`) || text.includes(`${name}.`)) return true;
    return false;
  }

  // -- expressions ------------------------------------------------------------

  protected bindTargets(target: Node, binding: Binding, scope: Scope): void {
    if (target.type === 'identifier') {
      this.bindName(this.text(target), binding, scope);
      return;
    }
    if (target.type === 'pattern_list' || target.type === 'tuple_pattern' || target.type === 'list_pattern') {
      for (const t of target.namedChildren) if (t) this.bindTargets(t, { kind: 'dynamic' }, scope);
    }
    // `default_args["retries"] = 5`: the dict no longer holds what its display said.
    if (target.type === 'subscript') this.forgetDict(target.childForFieldName('value'), scope);
  }

  /** A module-level dict (`default_args`) changed in place is no longer known: its name stops standing for its display. */
  private forgetDict(object: Node | null, scope: Scope): void {
    if (object?.type !== 'identifier') return;
    const name = this.text(object);
    const binding = this.bindings.get(name);
    if (binding?.kind === 'dict' || (binding?.kind === 'literal' && binding.value !== null && typeof binding.value === 'object' && !Array.isArray(binding.value))) {
      this.bind(name, { kind: 'dynamic' }, scope);
    }
  }

  protected expression(node: Node, scope: Scope, depth: number): Value {
    if (depth > MAX_EXPRESSION_DEPTH) return { kind: 'dynamic' };
    switch (node.type) {
      case 'assignment':
        return this.assignment(node, scope, depth);
      case 'call':
        return this.call(node, scope, depth);
      case 'binary_operator': {
        const op = node.childForFieldName('operator');
        if (op && (op.type === '>>' || op.type === '<<')) return this.dependencyChain(node, scope, depth);
        return { kind: 'notTask', reason: 'an arithmetic expression' };
      }
      case 'identifier':
        return this.nameValue(this.text(node));
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? this.expression(inner, scope, depth + 1) : { kind: 'none' };
      }
      case 'list':
      case 'tuple':
      case 'set':
        return this.listValue(node, scope, depth);
      case 'list_comprehension':
      case 'set_comprehension':
      case 'dictionary_comprehension':
      case 'generator_expression':
        this.findDynamicTasks(node, 'in a comprehension', scope);
        return { kind: 'dynamic' };
      case 'string':
      case 'concatenated_string':
        return { kind: 'notTask', reason: `${this.text(node).slice(0, 40)} is a string` };
      case 'dictionary': {
        // Tasks made as a dict's values exist, though no name holds them.
        const text = this.text(node);
        if (!/(Operator|Sensor|DAG|TaskGroup)\s*\(/.test(text) && !this.mentionsDecorated(text)) return { kind: 'notTask', reason: 'a dict' };
        for (const pair of node.namedChildren) {
          const value = pair?.type === 'pair' ? pair.childForFieldName('value') : null;
          if (value) this.expression(value, scope, depth + 1);
        }
        return { kind: 'dynamic' };
      }
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
        return { kind: 'notTask', reason: `${this.text(node)} is not a task` };
      case 'attribute':
        return this.attributeValue(node, scope, depth);
      case 'subscript': {
        // `extract()["total"]`: one key of a task's result, still that task's XComArg.
        const object = node.childForFieldName('value');
        const value = object ? this.expression(object, scope, depth + 1) : undefined;
        return value?.kind === 'tasks' && value.xcom ? value : { kind: 'dynamic' };
      }
      default:
        return { kind: 'dynamic' };
    }
  }

  /** A list of tasks, TaskGroups (or both): its tasks when it holds only tasks. */
  protected listValue(node: Node, scope: Scope, depth: number): Value {
    const tasks: number[] = [];
    let items: Value[] | undefined;
    let dynamic = false;
    let flat = true;
    for (const item of node.namedChildren) {
      if (!item || item.type === 'comment') continue;
      const value = this.expression(item, scope, depth + 1);
      if (value.kind === 'tasks') {
        tasks.push(...value.tasks);
        if (value.tasks.length !== 1) flat = false;
      }
      else if (value.kind === 'group') (items ??= []).push(value);
      else if (value.kind === 'dynamic') dynamic = true;
      else if (value.kind === 'notTask' || value.kind === 'dag' || value.kind === 'decorated') {
        return { kind: 'notTask', reason: value.kind === 'dag' ? 'a list holding a DAG' : value.kind === 'decorated' ? `a list holding the function "${value.fn.name}"` : value.reason };
      }
    }
    if (dynamic) return { kind: 'dynamic' };
    if (!items) return flat ? { kind: 'tasks', tasks, flat } : { kind: 'tasks', tasks };
    if (tasks.length > 0) items.unshift({ kind: 'tasks', tasks });
    return { kind: 'list', items };
  }

  /** `op.output` (an XComArg), `t.task_group`, `g.parent_group`; any other attribute is not known. */
  protected attributeValue(node: Node, scope: Scope, depth: number): Value {
    const object = node.childForFieldName('object');
    const attribute = node.childForFieldName('attribute');
    if (!object || !attribute) return { kind: 'dynamic' };
    const name = this.text(attribute);
    if (name !== 'output' && name !== 'task_group' && name !== 'parent_group') return { kind: 'dynamic' };
    const value = this.expression(object, scope, depth + 1);
    if (name === 'output' && value.kind === 'tasks' && value.tasks.length === 1) return { kind: 'tasks', tasks: value.tasks, xcom: true };
    if (name === 'task_group' && value.kind === 'tasks' && value.tasks.length === 1) {
      const group = this.groupOfTask(value.tasks[0]);
      return group >= 0 ? { kind: 'group', group } : { kind: 'dynamic' };
    }
    if ((name === 'parent_group' || name === 'task_group') && value.kind === 'group') {
      const parent = this.groups[value.group].parent;
      return parent >= 0 ? { kind: 'group', group: parent } : { kind: 'dynamic' };
    }
    return { kind: 'dynamic' };
  }

  protected assignment(node: Node, scope: Scope, depth: number): Value {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!right) return { kind: 'none' };
    if (left?.type === 'pattern_list' && right.type === 'expression_list') {
      // `a, b = X(...), Y(...)`: pair targets with values.
      const targets = left.namedChildren;
      const values = right.namedChildren;
      for (let i = 0; i < values.length; i++) {
        const value = values[i] ? this.expression(values[i]!, scope, depth + 1) : ({ kind: 'none' } as Value);
        const target = targets[i];
        if (target && targets.length === values.length) this.bindTargets(target, this.bindingOf(value), scope);
        else if (target) this.bindTargets(target, { kind: 'dynamic' }, scope);
      }
      return { kind: 'none' };
    }
    const value = this.expression(right, scope, depth + 1);
    if (left) {
      let binding = this.bindingOf(value);
      if (binding.kind === 'other') {
        const literal = scope.conditional ? undefined : literalValue(right, this.source, this.constants);
        const entries = literal === undefined && !scope.conditional ? dictEntries(right, this.source, this.constants) : undefined;
        if (literal !== undefined) binding = { kind: 'literal', value: literal };
        else if (entries) binding = { kind: 'dict', entries, node: right };
      }
      this.bindTargets(left, binding, scope);
    }
    return value;
  }

  protected resolveCallee(fn: Node, args: Node | null): Callee {
    const own = fn.type === 'identifier' ? this.fileOperator(this.text(fn)) : undefined;
    if (own) return own;
    const { qualified, last } = this.qualifyNode(fn);
    return classifyCallee(qualified, last, this.text(fn), () => !!args && keywordValue(args, 'task_id', this.source) !== null);
  }

  /** The decorated function a callee names (`extract`), with `.override(...)`'s arguments (`extract.override(task_id="x")`). */
  protected decoratedCallee(fn: Node, scope: Scope): { fn: DecoratedFunction; overrides: CallSite | null; name: Node } | undefined {
    if (fn.type === 'identifier') {
      const binding = this.bindings.get(this.text(fn));
      return binding?.kind === 'decorated' ? { fn: binding.fn, overrides: null, name: fn } : undefined;
    }
    if (fn.type !== 'call') return undefined;
    const inner = fn.childForFieldName('function');
    if (inner?.type !== 'attribute' || this.text(inner.childForFieldName('attribute')!) !== 'override') return undefined;
    const object = inner.childForFieldName('object');
    const binding = object?.type === 'identifier' ? this.bindings.get(this.text(object)) : undefined;
    if (binding?.kind !== 'decorated') return undefined;
    return { fn: binding.fn, overrides: this.treeSite(fn, inner, fn.childForFieldName('arguments'), scope), name: object! };
  }

  /** A TaskFlow call's site, its callee the function's name alone (not `.override(...)` or `.partial(...)` after it). */
  protected namedSite(site: CallSite, name: Node): CallSite {
    const end = this.position(name.endIndex);
    return { ...site, operatorEndLine: end.line, operatorEndCharacter: end.character };
  }

  protected call(node: Node, scope: Scope, depth: number): Value {
    const fn = node.childForFieldName('function');
    const args = node.childForFieldName('arguments');
    if (!fn) return { kind: 'dynamic' };
    const decorated = this.decoratedCallee(fn, scope);
    if (decorated) return this.decoratedCall(decorated.fn, this.namedSite(this.treeSite(node, fn, args, scope), decorated.name), node, scope, depth, decorated.overrides, false);
    if (fn.type === 'attribute') {
      const method = fn.childForFieldName('attribute');
      const methodName = method ? this.text(method) : '';
      if (methodName === 'set_upstream' || methodName === 'set_downstream') {
        this.setStream(node, fn, args, methodName === 'set_downstream', scope, depth);
        return { kind: 'none' };
      }
      if (methodName === 'expand' || methodName === 'expand_kwargs') return this.mappedCall(node, fn, args, scope, depth);
      // A list of tasks changed in place (`tasks.append(t)`) holds what only running the code can tell.
      const object = fn.childForFieldName('object');
      if (object?.type === 'identifier' && LIST_MUTATORS.has(methodName) && this.bindings.get(this.text(object))?.kind === 'tasks') {
        this.bind(this.text(object), { kind: 'dynamic' }, scope);
        if (args) this.unknownCall({ node, fn, args, callee: { kind: 'other' }, scope, depth });
        return { kind: 'dynamic' };
      }
      if (DICT_MUTATORS.has(methodName)) this.forgetDict(object, scope);
      if (methodName === 'partial') return this.partialCall(node, fn, args, scope, depth);
    }
    const callee = this.resolveCallee(fn, args);
    return this.callHandlers[callee.kind]({ node, fn, args, callee, scope, depth });
  }

  /** The CallSite of a call the tree walk found (a new one each: calls nest). */
  protected treeCallSite(call: TreeCall): CallSite {
    return this.treeSite(call.node, call.fn, call.args, call.scope);
  }

  /** Functions of the file whose bodies make tasks (VX404 there): a call of one in a TaskGroup puts unknown tasks in it. */
  protected readonly taskMakingFunctions = new Set<string>();

  /** A call of no construct the analyser models: it may still hold operator calls in its arguments (`print(BashOperator(...))`). */
  protected unknownCall({ fn, args, scope, depth }: TreeCall): Value {
    if (scope.group >= 0 && fn.type === 'identifier' && this.taskMakingFunctions.has(this.text(fn))) this.markIncomplete(scope.group);
    if (args && (/Operator|Sensor|DAG/.test(this.text(args)) || this.mentionsDecorated(this.text(args)))) {
      for (const arg of args.namedChildren) {
        if (!arg) continue;
        const value = arg.type === 'keyword_argument' ? arg.childForFieldName('value') : arg;
        if (value && (value.type === 'call' || value.type === 'list')) this.expression(value, scope, depth + 1);
      }
    }
    return { kind: 'dynamic' };
  }
}

