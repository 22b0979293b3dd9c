"""TaskGroup: tasks grouped under one id, as Airflow's ``airflow.utils.task_group.TaskGroup``.

A task made in a group gets the group's full id as a prefix (``section_1.task_1``),
unless the group says ``prefix_group_id=False``; nested groups prefix with the
whole chain. ``x >> group`` links x to the group's roots (its tasks with no
upstream task inside it) and ``group >> x`` its leaves, as the group is at the
moment the dependency is written.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Set, Union

from vortex.exceptions import DuplicateTaskIdFound, TaskNotFound
from vortex.models import recording
from vortex.models.dag import DagContext, validate_key
from vortex.models.dependency import DependencyMixin, as_list

if TYPE_CHECKING:
    from vortex.models.baseoperator import BaseOperator
    from vortex.models.dag import DAG
    from vortex.models.edges import EdgeModifier

_SUFFIX = re.compile(r"__\d+$")


class TaskGroupContext:
    """The groups of the enclosing ``with TaskGroup(...)`` blocks."""

    _stack: List["TaskGroup"] = []

    @classmethod
    def push(cls, group: "TaskGroup") -> None:
        cls._stack.append(group)

    @classmethod
    def pop(cls) -> "Optional[TaskGroup]":
        return cls._stack.pop() if cls._stack else None

    @classmethod
    def get_current(cls, dag: "Optional[DAG]" = None) -> "Optional[TaskGroup]":
        """The innermost group being built, else the root group of ``dag`` (or of the current DAG)."""
        if cls._stack:
            return cls._stack[-1]
        dag = dag if dag is not None else DagContext.get_current_dag()
        return dag.task_group if dag is not None else None

    get_current_task_group = get_current


class TaskGroup(DependencyMixin):
    """A group of tasks; ``group_id=None`` is a DAG's root group, which prefixes nothing."""

    def __init__(
        self,
        group_id: Optional[str],
        prefix_group_id: bool = True,
        parent_group: "Optional[TaskGroup]" = None,
        dag: "Optional[DAG]" = None,
        default_args: Optional[Dict[str, Any]] = None,
        tooltip: str = "",
        ui_color: str = "CornflowerBlue",
        ui_fgcolor: str = "#000",
        add_suffix_on_collision: bool = False,
        group_display_name: str = "",
        **kwargs: Any,
    ) -> None:
        if group_id is not None:
            validate_key("group_id", group_id)
        self._group_id = group_id
        self.prefix_group_id = prefix_group_id
        self.tooltip = tooltip
        self.ui_color = ui_color
        self.ui_fgcolor = ui_fgcolor
        self.group_display_name = group_display_name
        self.children: Dict[str, Any] = {}
        self.upstream_task_ids: Set[str] = set()
        self.downstream_task_ids: Set[str] = set()
        if group_id is None:
            # The root group of a DAG.
            self.parent_group: Optional[TaskGroup] = None
            self.dag = dag
            self.used_group_ids: Set[Optional[str]] = set()
            self.default_args: Dict[str, Any] = dict(default_args or {})
            return
        parent = parent_group if parent_group is not None else TaskGroupContext.get_current(dag)
        if dag is None:
            dag = parent.dag if parent is not None else DagContext.get_current_dag()
        if dag is None:
            raise RuntimeError("TaskGroup can only be used inside a dag")
        if parent is None:
            parent = dag.task_group
        self.parent_group = parent
        self.dag = dag
        self.used_group_ids = parent.used_group_ids
        self._check_for_group_id_collisions(add_suffix_on_collision)
        parent.add(self)
        self.default_args = {**parent.default_args, **(default_args or {})}
        self.used_group_ids.add(self.group_id)
        if recording.active is not None:
            recording.active.group_created(self)

    def _check_for_group_id_collisions(self, add_suffix_on_collision: bool) -> None:
        if self.group_id not in self.used_group_ids:
            return
        if not add_suffix_on_collision:
            raise DuplicateTaskIdFound("group_id '%s' has already been added to the DAG" % self._group_id)
        base = _SUFFIX.split(str(self._group_id))[0]
        pattern = re.compile(r"^%s__(\d+)$" % re.escape(base))
        suffixes = sorted(int(m.group(1)) for m in (pattern.match(u) for u in self.used_group_ids if u) if m)
        self._group_id = "%s__%d" % (base, suffixes[-1] + 1) if suffixes else "%s__1" % self._group_id

    def __repr__(self) -> str:
        return "<TaskGroup: %s>" % self.group_id

    # --- ids -----------------------------------------------------------------

    @property
    def group_id(self) -> Optional[str]:
        """The full id: prefixed with the parent's when the parent prefixes its children."""
        parent = self.parent_group
        if self._group_id and parent is not None and parent.prefix_group_id and parent._group_id:
            return parent.child_id(self._group_id)
        return self._group_id

    node_id = group_id

    @property
    def label(self) -> Optional[str]:
        return self.group_display_name or self._group_id

    @property
    def is_root(self) -> bool:
        return not self._group_id

    @property
    def task_group(self) -> "Optional[TaskGroup]":
        return self.parent_group

    def child_id(self, label: str) -> str:
        if self.prefix_group_id:
            group_id = self.group_id
            if group_id:
                return "%s.%s" % (group_id, label)
        return label

    # --- members -------------------------------------------------------------

    def add(self, node: "Union[BaseOperator, TaskGroup]") -> None:
        key = node.node_id
        if key in self.children:
            kind = "Task" if hasattr(node, "task_id") else "Task Group"
            raise DuplicateTaskIdFound("%s id '%s' has already been added to the DAG" % (kind, key))
        self.children[str(key)] = node
        if not isinstance(node, TaskGroup):
            node.task_group = self

    def __iter__(self) -> "Iterator[BaseOperator]":
        for child in list(self.children.values()):
            if isinstance(child, TaskGroup):
                yield from child
            else:
                yield child

    def has_task(self, task: "BaseOperator") -> bool:
        return any(t is task for t in self)

    def __getitem__(self, label: str) -> Any:
        try:
            return self.children[self.child_id(label)]
        except KeyError:
            raise TaskNotFound("Task %r not found" % label) from None

    def get_child_by_label(self, label: str) -> Any:
        return self.children[self.child_id(label)]

    def get_task_group_dict(self) -> "Dict[Optional[str], TaskGroup]":
        groups: Dict[Optional[str], TaskGroup] = {self.group_id: self}
        for child in self.children.values():
            if isinstance(child, TaskGroup):
                groups.update(child.get_task_group_dict())
        return groups

    def get_roots(self) -> "Iterator[BaseOperator]":
        tasks = list(self)
        ids = {t.task_id for t in tasks}
        return iter([t for t in tasks if t.upstream_task_ids.isdisjoint(ids)])

    def get_leaves(self) -> "Iterator[BaseOperator]":
        tasks = list(self)
        ids = {t.task_id for t in tasks}
        return iter([t for t in tasks if t.downstream_task_ids.isdisjoint(ids)])

    @property
    def roots(self) -> "List[BaseOperator]":
        return list(self.get_roots())

    @property
    def leaves(self) -> "List[BaseOperator]":
        return list(self.get_leaves())

    # --- dependencies --------------------------------------------------------

    def _leaves_or_fallback(self) -> "List[BaseOperator]":
        """The leaves; for an empty group, what is upstream of it (or of its nearest non-empty parent), as Airflow does."""
        group: Optional[TaskGroup] = self
        while group is not None:
            leaves = group.leaves
            if leaves:
                return leaves
            if group.upstream_task_ids and self.dag is not None:
                return [self.dag.get_task(i) for i in group.upstream_task_ids]
            group = group.parent_group
        return []

    def update_relative(self, other: Any, upstream: bool = True, edge_modifier: "Optional[EdgeModifier]" = None) -> None:
        if isinstance(other, TaskGroup):
            return
        for task in other.roots:
            if task is self:
                continue
            (self.upstream_task_ids if upstream else self.downstream_task_ids).add(task.task_id)

    def _set_relatives(self, other: Any, upstream: bool, edge_modifier: "Optional[EdgeModifier]") -> None:
        others = as_list(other)
        leaves = self._leaves_or_fallback()
        for item in others:
            self.update_relative(item, upstream, edge_modifier)
        if upstream:
            for task in self.roots:
                task.set_upstream(others, edge_modifier)
        else:
            for task in leaves:
                task.set_downstream(others, edge_modifier)

    def set_upstream(self, other: Any, edge_modifier: "Optional[EdgeModifier]" = None) -> None:
        self._set_relatives(other, True, edge_modifier)

    def set_downstream(self, other: Any, edge_modifier: "Optional[EdgeModifier]" = None) -> None:
        self._set_relatives(other, False, edge_modifier)

    def __enter__(self) -> "TaskGroup":
        TaskGroupContext.push(self)
        return self

    def __exit__(self, *exc: object) -> None:
        TaskGroupContext.pop()
