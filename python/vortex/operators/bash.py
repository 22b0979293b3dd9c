"""BashOperator: runs a shell command."""
from __future__ import annotations

import os
import subprocess
from typing import Any, Dict, Optional, Sequence

from vortex.models.baseoperator import BaseOperator
from vortex.models.xcom_arg import XComArg


class BashOperator(BaseOperator):
    """Runs ``bash_command`` with ``sh -c``, as VORTEX's executor does."""

    template_fields: Sequence[str] = ("bash_command", "env", "cwd")

    def __init__(
        self,
        task_id: str,
        bash_command: "str | XComArg",
        *,
        env: Optional[Dict[str, Any]] = None,
        append_env: bool = False,
        cwd: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        # A templated field: an XComArg stands for the command another task pushes.
        if not isinstance(bash_command, (str, XComArg)):
            raise TypeError("bash_command must be a string, not %s" % type(bash_command).__name__)
        super().__init__(task_id, **kwargs)
        self.bash_command = bash_command
        self.env = env
        self.append_env = append_env
        self.cwd = cwd

    def execute(self, context: Optional[Dict[str, Any]] = None) -> int:
        """Runs the command here and now; raises when it fails (as an Airflow task would)."""
        env = None
        if self.env is not None:
            env = dict(os.environ, **self.env) if self.append_env else dict(self.env)
        command = self.bash_command
        if not isinstance(command, str):
            raise TypeError("the bash_command of task %r is another task's XCom, pulled only when Airflow runs it" % self.task_id)
        completed = subprocess.run(["sh", "-c", command], env=env, cwd=self.cwd)
        if completed.returncode != 0:
            raise RuntimeError("bash command of task %r exited with code %d" % (self.task_id, completed.returncode))
        return completed.returncode
