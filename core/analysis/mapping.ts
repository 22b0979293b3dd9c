/**
 * Dynamic task mapping, as a DAG file writes it: `Operator.partial(...)`
 * and `f.partial(...)` (a partial task, bound to a name or not), then
 * `.expand(...)` / `.expand_kwargs(...)` on it or on a TaskFlow function:
 * one mapped task, made from the arguments of both calls, its inputs'
 * XComArgs its upstream tasks.
 */
import type { Node } from 'web-tree-sitter';
import type { CallSite } from './callSite';
import type { Scope } from './scope';
import type { Value } from './values';
import { ExpressionReader } from './expressions';

export abstract class MappingReader extends ExpressionReader {
  /** `Operator.partial(...)`, `f.partial(...)`: what `.expand(...)` maps; its XComArgs are taken now, as Python evaluates them now. */
  protected partialCall(node: Node, fn: Node, args: Node | null, scope: Scope, depth: number): Value {
    const base = fn.childForFieldName('object');
    if (!base) return { kind: 'dynamic' };
    const site = this.treeSite(node, fn, args, scope);
    const decorated = this.decoratedCallee(base, scope);
    const upstream: number[] = [];
    if (decorated) {
      if (args) this.xcomReferences(args, scope, depth, upstream);
      return { kind: 'partial', partial: { site: this.namedSite(site, decorated.name), callee: null, fn: decorated.fn, overrides: decorated.overrides, upstream } };
    }
    const callee = this.resolveCallee(base, args);
    if (callee.kind !== 'operator') {
      this.expression(base, scope, depth + 1);
      return { kind: 'dynamic' };
    }
    if (!scope.dynamic) upstream.push(...this.templatedReferences(callee, site, depth));
    return { kind: 'partial', partial: { site, callee, fn: null, overrides: null, upstream } };
  }

  /**
   * `.expand(...)` / `.expand_kwargs(...)` on a partial task (written inline
   * or bound to a name) or on a TaskFlow function: one mapped task, made from
   * the arguments of both calls.
   */
  protected mappedCall(node: Node, fn: Node, args: Node | null, scope: Scope, depth: number): Value {
    const base = fn.childForFieldName('object');
    if (!base) return { kind: 'dynamic' };
    const expandSite = this.treeSite(node, fn, args, scope);
    const decorated = this.decoratedCallee(base, scope);
    if (decorated) return this.decoratedCall(decorated.fn, this.namedSite(expandSite, decorated.name), node, scope, depth, decorated.overrides, true);
    const value = base.type === 'call' || base.type === 'identifier' ? this.expression(base, scope, depth + 1) : undefined;
    if (value?.kind !== 'partial') return { kind: 'dynamic' };
    const { partial } = value;
    // Written inline, the task's callee is `Operator.partial`; else the name `.expand` is called on.
    const calleeEnd = base.type === 'call' ? partial.site : expandSite;
    const site: CallSite = {
      ...expandSite,
      operatorEndLine: calleeEnd.operatorEndLine,
      operatorEndCharacter: calleeEnd.operatorEndCharacter,
      byName: { ...expandSite.byName, ...partial.site.byName },
      list: [...partial.site.list, ...expandSite.list],
      hasSplat: partial.site.hasSplat,
    };
    if (partial.fn) {
      const made = this.decoratedCall(partial.fn, site, node, scope, depth, partial.overrides, true);
      if (made.kind === 'tasks') this.connectAt(partial.upstream, made.tasks, this.range(node));
      return made;
    }
    return this.operatorCall({ node, fn: base, args, callee: partial.callee!, scope, depth }, site, partial.upstream);
  }
}
