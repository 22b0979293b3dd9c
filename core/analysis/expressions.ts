/**
 * Expressions, evaluated as far as dependencies need: which tasks or DAG an
 * expression stands for, the dependencies it makes (`>>`, `<<`,
 * `set_upstream`, `chain`, `cross_downstream`), and calls, whose callee is
 * looked up in the callee registry (callees.ts) and handled by the handler
 * of its kind. Evaluation stops at a fixed depth, so no input can exhaust
 * the stack.
 */
import type { Node } from 'web-tree-sitter';
import { literalValue } from './literals';
import { classifyCallee, type Callee, type CalleeKind, type OperatorCallee } from './callees';
import type { CallSite } from './callSite';
import type { Scope } from './scope';
import type { Binding, Value } from './builder';
import { ConstructBuilder } from './constructs';

export const MAX_EXPRESSION_DEPTH = 200;

/** A call the tree walk found: its node, callee and argument list, where it is, how deep in an expression. */
interface TreeCall {
  node: Node;
  fn: Node;
  args: Node | null;
  callee: Callee;
  scope: Scope;
  depth: number;
}

export class ExpressionReader extends ConstructBuilder {
  /**
   * What a call of each kind of callee does. Kinds whose construct is not
   * modelled yet (TaskGroup, Label, chain_linear, the TaskFlow decorators)
   * are handled as any unknown call.
   */
  protected readonly callHandlers: Record<CalleeKind, (call: TreeCall) => Value> = {
    dag: (call) => ({ kind: 'dag', dag: this.createDag(this.treeCallSite(call)) }),
    operator: (call) => this.createTask(call.callee as OperatorCallee, this.treeCallSite(call)),
    chain: (call) => {
      if (call.args) this.chain(call.node, call.args, call.scope, call.depth);
      return { kind: 'none' };
    },
    crossDownstream: (call) => {
      if (call.args) this.crossDownstream(call.node, call.args, call.scope, call.depth);
      return { kind: 'none' };
    },
    chainLinear: (call) => this.unknownCall(call),
    taskGroup: (call) => this.unknownCall(call),
    label: (call) => this.unknownCall(call),
    taskDecorator: (call) => this.unknownCall(call),
    dagDecorator: (call) => this.unknownCall(call),
    other: (call) => this.unknownCall(call),
  };

  /** Reports every operator call under `node` as dynamic (VX404). */
  protected findDynamicTasks(node: Node, where: string): void {
    const slice = this.source.slice(node.startIndex, node.endIndex);
    if (!/Operator|Sensor|task_id/.test(slice)) return;
    const cursor = node.walk();
    try {
      let descend = true;
      for (;;) {
        if (descend && cursor.nodeType === 'call') {
          const call = cursor.currentNode;
          const fn = call.childForFieldName('function');
          const callee = fn ? this.resolveCallee(fn, call.childForFieldName('arguments')) : undefined;
          if (fn && callee?.kind === 'operator') {
            this.reportDynamic(this.range(fn), `${this.text(fn)} is called ${where}: static analysis cannot see the tasks it makes. Runtime resolution (vortex inspect --runtime) can.`);
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
      case 'set': {
        const tasks: number[] = [];
        let dynamic = false;
        for (const item of node.namedChildren) {
          if (!item || item.type === 'comment') continue;
          const value = this.expression(item, scope, depth + 1);
          if (value.kind === 'tasks') tasks.push(...value.tasks);
          else if (value.kind === 'dynamic') dynamic = true;
          else if (value.kind === 'notTask' || value.kind === 'dag') {
            return { kind: 'notTask', reason: value.kind === 'dag' ? 'a list holding a DAG' : value.reason };
          }
        }
        if (dynamic) return { kind: 'dynamic' };
        return { kind: 'tasks', tasks };
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'dictionary_comprehension':
      case 'generator_expression':
        this.findDynamicTasks(node, 'in a comprehension');
        return { kind: 'dynamic' };
      case 'string':
      case 'concatenated_string':
        return { kind: 'notTask', reason: `${this.text(node).slice(0, 40)} is a string` };
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
        return { kind: 'notTask', reason: `${this.text(node)} is not a task` };
      case 'attribute':
      case 'subscript':
      case 'conditional_expression':
      case 'await':
        return { kind: 'dynamic' };
      default:
        return { kind: 'dynamic' };
    }
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
        const literal = literalValue(right, this.source, (n) => this.literalOf(n));
        if (literal !== undefined) binding = { kind: 'literal', value: literal };
      }
      this.bindTargets(left, binding, scope);
    }
    return value;
  }

  /** The dotted name of a callee, resolved through the imports: `vortex.operators.bash.BashOperator`. */
  protected qualify(node: Node): { qualified: string | null; last: string } {
    const parts: string[] = [];
    let current: Node | null = node;
    let depth = 0;
    while (current && current.type === 'attribute' && depth++ < MAX_EXPRESSION_DEPTH) {
      const attr = current.childForFieldName('attribute');
      if (!attr) return { qualified: null, last: '' };
      parts.unshift(this.text(attr));
      current = current.childForFieldName('object');
    }
    if (!current || current.type !== 'identifier') return { qualified: null, last: parts[parts.length - 1] ?? '' };
    parts.unshift(this.text(current));
    return this.qualifyParts(parts);
  }

  /** `qualify` for a callee already split into names: [head, ...attributes]. */
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

  protected resolveCallee(fn: Node, args: Node | null): Callee {
    const { qualified, last } = this.qualify(fn);
    return classifyCallee(qualified, last, this.text(fn), () => !!args && hasKeyword(args, 'task_id', this.source));
  }

  protected call(node: Node, scope: Scope, depth: number): Value {
    const fn = node.childForFieldName('function');
    const args = node.childForFieldName('arguments');
    if (!fn) return { kind: 'dynamic' };
    if (fn.type === 'attribute') {
      const method = fn.childForFieldName('attribute');
      const methodName = method ? this.text(method) : '';
      if (methodName === 'set_upstream' || methodName === 'set_downstream') {
        this.setStream(node, fn, args, methodName === 'set_downstream', scope, depth);
        return { kind: 'none' };
      }
      if (methodName === 'partial' || methodName === 'expand' || methodName === 'expand_kwargs') {
        this.report('VX402', this.range(method!), `Dynamic task mapping (.${methodName}(...)) is not supported by VORTEX: create the tasks explicitly, or run this DAG in Airflow.`);
        const object = fn.childForFieldName('object');
        if (object?.type === 'call') {
          const inner = object.childForFieldName('function');
          const callee = inner ? this.resolveCallee(inner, object.childForFieldName('arguments')) : undefined;
          if (inner && callee?.kind === 'operator') {
            this.reportDynamic(this.range(inner), `Mapped tasks are created at run time: static analysis cannot see them.`);
          }
          if (callee?.kind !== 'operator') this.expression(object, scope, depth + 1);
        }
        return { kind: 'dynamic' };
      }
    }
    const callee = this.resolveCallee(fn, args);
    return this.callHandlers[callee.kind]({ node, fn, args, callee, scope, depth });
  }

  /** The CallSite of a call the tree walk found (a new one each: calls nest). */
  protected treeCallSite(call: TreeCall): CallSite {
    const { node, fn, args } = call;
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
      scope: call.scope,
    };
  }

  /** A call of no construct the analyser models: it may still hold operator calls in its arguments (`print(BashOperator(...))`). */
  protected unknownCall({ args, scope, depth }: TreeCall): Value {
    if (args && /Operator|Sensor|DAG/.test(this.text(args))) {
      for (const arg of args.namedChildren) {
        if (!arg) continue;
        const value = arg.type === 'keyword_argument' ? arg.childForFieldName('value') : arg;
        if (value && (value.type === 'call' || value.type === 'list')) this.expression(value, scope, depth + 1);
      }
    }
    return { kind: 'dynamic' };
  }

  /** Evaluates an operand of a dependency; reports VX302 when it is not a task. */
  protected operand(node: Node, scope: Scope, depth: number): number[] | undefined {
    return this.operandTasks(this.expression(node, scope, depth + 1), this.text(node), this.range(node));
  }

  /** `a >> b >> [c, d] << e`: flattened without recursion, each operand evaluated once. */
  protected dependencyChain(node: Node, scope: Scope, depth: number): Value {
    const operands: Node[] = [];
    const operators: string[] = [];
    let current: Node = node;
    for (;;) {
      const op = current.type === 'binary_operator' ? current.childForFieldName('operator') : null;
      if (!op || (op.type !== '>>' && op.type !== '<<')) break;
      const right = current.childForFieldName('right');
      const left = current.childForFieldName('left');
      if (!right || !left) return { kind: 'dynamic' };
      operands.push(right);
      operators.push(op.type);
      current = left;
    }
    operands.push(current);
    operands.reverse();
    operators.reverse();
    const values = operands.map((o) => this.operand(o, scope, depth));
    for (let i = 0; i < operators.length; i++) {
      const left = values[i];
      const right = values[i + 1];
      if (!left || !right) continue;
      const range = this.span(operands[i].startIndex, operands[i + 1].endIndex);
      if (operators[i] === '>>') this.connectAt(left, right, range);
      else this.connectAt(right, left, range);
    }
    const last = values[values.length - 1];
    return last ? { kind: 'tasks', tasks: last } : { kind: 'dynamic' };
  }

  protected setStream(call: Node, fn: Node, args: Node | null, downstream: boolean, scope: Scope, depth: number): void {
    const object = fn.childForFieldName('object');
    const target = args?.namedChildren.find((c) => c && c.type !== 'comment' && c.type !== 'keyword_argument');
    if (!object || !target) return;
    const self = this.operand(object, scope, depth);
    const others = this.operand(target, scope, depth);
    if (!self || !others) return;
    const range = this.range(call);
    if (downstream) this.connectAt(self, others, range);
    else this.connectAt(others, self, range);
  }

  protected chain(call: Node, args: Node, scope: Scope, depth: number): void {
    const items = args.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment' && c.type !== 'keyword_argument');
    if (items.some((i) => i.type === 'list_splat')) {
      this.reportDynamic(this.range(call), 'chain(*...) takes its tasks from a computed list: static analysis cannot see its dependencies.');
      return;
    }
    const values = items.map((i) => ({ node: i, tasks: this.operand(i, scope, depth), isList: i.type === 'list' || i.type === 'tuple' || this.isTaskList(i) }));
    for (let i = 0; i + 1 < values.length; i++) {
      const a = values[i];
      const b = values[i + 1];
      if (!a.tasks || !b.tasks) continue;
      const range = this.span(a.node.startIndex, b.node.endIndex);
      if (a.isList && b.isList) {
        if (a.tasks.length !== b.tasks.length) {
          this.report('VX305', range, `chain() pairs adjacent lists one to one, but these have ${a.tasks.length} and ${b.tasks.length} tasks: make them the same length, or use cross_downstream() for all pairs.`);
          continue;
        }
        for (let k = 0; k < a.tasks.length; k++) this.connectAt([a.tasks[k]], [b.tasks[k]], range);
      } else {
        this.connectAt(a.tasks, b.tasks, range);
      }
    }
  }

  protected isTaskList(node: Node): boolean {
    if (node.type !== 'identifier') return false;
    const binding = this.bindings.get(this.text(node));
    return binding?.kind === 'tasks' && binding.tasks.length !== 1;
  }

  protected crossDownstream(call: Node, args: Node, scope: Scope, depth: number): void {
    const items = args.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    const from = items[0] ? this.operand(items[0].type === 'keyword_argument' ? items[0].childForFieldName('value')! : items[0], scope, depth) : undefined;
    const to = items[1] ? this.operand(items[1].type === 'keyword_argument' ? items[1].childForFieldName('value')! : items[1], scope, depth) : undefined;
    if (from && to) this.connectAt(from, to, this.range(call));
  }
}

function hasKeyword(args: Node, name: string, source: string): boolean {
  return findKeywordValue(args, name, source) !== null;
}

function findKeywordValue(args: Node, name: string, source: string): Node | null {
  for (const arg of args.namedChildren) {
    if (arg?.type !== 'keyword_argument') continue;
    const n = arg.childForFieldName('name');
    if (n && source.slice(n.startIndex, n.endIndex) === name) return arg.childForFieldName('value');
  }
  return null;
}
