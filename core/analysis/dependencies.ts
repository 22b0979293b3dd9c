/**
 * The dependencies expressions make: `a >> b << c`, `set_upstream` /
 * `set_downstream` (with `edge_modifier=Label(...)`), `chain`,
 * `chain_linear` and `cross_downstream`, between tasks, lists, TaskGroups
 * and Labels (see structure.ts for what a group or a Label means on either side).
 */
import type { Node } from 'web-tree-sitter';
import type { Scope } from './scope';
import type { Value } from './values';
import { keywordValue } from './literals';
import { MappingReader } from './mapping';

export abstract class DependencyReader extends MappingReader {
  /** Evaluates an operand of a dependency; reports VX302 when it cannot be one. */
  protected operand(node: Node, scope: Scope, depth: number): Value | undefined {
    return this.dependencySide(this.expression(node, scope, depth + 1), this.text(node), this.range(node));
  }

  /** `a >> b >> [c, d] << e`: flattened without recursion, each operand evaluated once, in order. */
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
      if (operators[i] === '>>') this.link(left, right, range);
      else this.link(right, left, range);
    }
    return values[values.length - 1] ?? { kind: 'dynamic' };
  }

  protected setStream(call: Node, fn: Node, args: Node | null, downstream: boolean, scope: Scope, depth: number): void {
    const object = fn.childForFieldName('object');
    const positional = args?.namedChildren.filter((c) => c && c.type !== 'comment' && c.type !== 'keyword_argument') ?? [];
    const target = positional[0];
    if (!object || !target) return;
    const self = this.operand(object, scope, depth);
    const others = this.operand(target, scope, depth);
    if (!self || !others) return;
    const range = this.range(call);
    const modifierNode = args ? keywordValue(args, 'edge_modifier', this.source) ?? positional[1] ?? null : null;
    const modifier = modifierNode ? this.expression(modifierNode, scope, depth + 1) : undefined;
    const [up, down] = downstream ? [self, others] : [others, self];
    if (modifier?.kind === 'label') {
      this.link(up, modifier, range);
      this.link(modifier, down, range);
    } else {
      this.link(up, down, range);
    }
  }

  /** The positional items of a call (its keyword arguments are not tasks); `*[a, b]` of a list written there is its items. */
  private items(args: Node): Node[] {
    const out: Node[] = [];
    for (const c of args.namedChildren) {
      if (!c || c.type === 'comment' || c.type === 'keyword_argument') continue;
      const inner = c.type === 'list_splat' ? c.namedChild(0) : null;
      if (inner && (inner.type === 'list' || inner.type === 'tuple')) out.push(...inner.namedChildren.filter((i): i is Node => !!i && i.type !== 'comment'));
      else out.push(c);
    }
    return out;
  }

  /**
   * The elements of `chain(...)` or `chain_linear(...)`, evaluated: `*[a, b]`
   * and `*name` of a list of single tasks are their items; any other `*...`
   * is not known (VX404), and the whole call is then left alone.
   */
  private elements(call: Node, args: Node, scope: Scope, depth: number, what: string): Array<{ node: Node; value: Value | undefined; isList: boolean }> | undefined {
    const out: Array<{ node: Node; value: Value | undefined; isList: boolean }> = [];
    for (const item of this.items(args)) {
      if (item.type !== 'list_splat') {
        out.push({ node: item, value: this.operand(item, scope, depth), isList: item.type === 'list' || item.type === 'tuple' || this.isTaskList(item) });
        continue;
      }
      const inner = item.namedChild(0);
      const value = inner?.type === 'identifier' ? this.expression(inner, scope, depth + 1) : undefined;
      if (value?.kind !== 'tasks' || !value.flat) {
        this.reportDynamic(this.range(call), `${what}(*...) takes its tasks from a computed list: static analysis cannot see its dependencies.`);
        return undefined;
      }
      for (const task of value.tasks) out.push({ node: item, value: { kind: 'tasks', tasks: [task] }, isList: false });
    }
    return out;
  }

  /** `chain(a, [b, c], [d, e], f)`: each element upstream of the next; two adjacent lists pairwise. */
  protected chain(call: Node, args: Node, scope: Scope, depth: number): void {
    const values = this.elements(call, args, scope, depth, 'chain');
    if (!values) return;
    for (let i = 0; i + 1 < values.length; i++) {
      const a = values[i];
      const b = values[i + 1];
      if (!a.value || !b.value) continue;
      const range = this.span(a.node.startIndex, b.node.endIndex);
      if (a.isList && b.isList) {
        const ups = this.upstreamSide(a.value) ?? [];
        const downs = this.downstreamSide(b.value) ?? [];
        if (ups.length !== downs.length) {
          this.report('VX305', range, `chain() pairs adjacent lists one to one, but these have ${ups.length} and ${downs.length} tasks: make them the same length, or use cross_downstream() for all pairs.`);
          continue;
        }
        for (let k = 0; k < ups.length; k++) this.connectAt([ups[k]], [downs[k]], range);
      } else {
        this.link(a.value, b.value, range);
      }
    }
  }

  /** `chain_linear(a, [b, c], [d, e])`: every task of one element upstream of every task of the next. */
  protected chainLinear(call: Node, args: Node, scope: Scope, depth: number): void {
    const values = this.elements(call, args, scope, depth, 'chain_linear');
    if (!values) return;
    for (let i = 0; i + 1 < values.length; i++) {
      const a = values[i];
      const b = values[i + 1];
      if (a.value && b.value) this.link(a.value, b.value, this.span(a.node.startIndex, b.node.endIndex));
    }
  }

  protected isTaskList(node: Node): boolean {
    if (node.type !== 'identifier') return false;
    const binding = this.bindings.get(this.text(node));
    return binding?.kind === 'tasks' && binding.tasks.length !== 1;
  }

  protected crossDownstream(call: Node, args: Node, scope: Scope, depth: number): void {
    const items = args.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    const valueOf = (item: Node | undefined) => (item ? this.operand(item.type === 'keyword_argument' ? item.childForFieldName('value')! : item, scope, depth) : undefined);
    const from = valueOf(items[0]);
    const to = valueOf(items[1]);
    if (from && to) this.link(from, to, this.range(call));
  }
}
