/**
 * The Python file that runs one task inside the user's interpreter.
 *
 * The file's text is the same for every task: what varies (the DAG file, the
 * task, literal op_args / op_kwargs) reaches it as one JSON argument, so no
 * value from a DAG file is ever spliced into code, and secrets reach it only
 * through the environment, never through this file.
 */
import type { LiteralValue } from '../analysis/model';

export interface RunnerPayload {
  /** `call`: call the task's python_callable. `bash`: read the task's computed bash_command and exec `sh -c` on it. */
  mode: 'call' | 'bash';
  dag_file: string;
  dag_id: string;
  task_id: string;
  python_callable: string | null;
  op_args: LiteralValue[] | null;
  op_kwargs: { [key: string]: LiteralValue } | null;
}

export const RUNNER_SOURCE = `# Written by VORTEX to run one task; lives in a private temporary directory
# and is deleted when the task ends.
import importlib.util
import json
import os
import re
import sys


def _fail(message):
    sys.stderr.write("vortex: " + message + "\\n")
    sys.exit(1)


def _serve_airflow():
    # Airflow DAG files import Airflow's modules: the SDK stands in for them,
    # even where Airflow is installed, so a task runs as runtime resolution saw it.
    try:
        from vortex import _airflow
    except ImportError:
        return
    _airflow.install()


def _import_dag_file(path):
    # As Airflow does for its dags folder: the DAG file's own folder is
    # importable, so the file's imports of sibling modules resolve.
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or ".") == here:
        sys.path[0] = os.path.dirname(path)
    else:
        sys.path.insert(0, os.path.dirname(path))
    stem = re.sub(r"\\W", "_", os.path.splitext(os.path.basename(path))[0])
    name = "vortex_dag_" + stem
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        _fail("cannot import " + path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _find_task(module, dag_id, task_id):
    # DAGs built inside functions are not module globals; the SDK keeps them all.
    candidates = list(vars(module).values())
    try:
        from vortex.models.dag import created_dags
        candidates.extend(created_dags())
    except ImportError:
        pass
    for dag in candidates:
        task_dict = getattr(dag, "task_dict", None)
        if getattr(dag, "dag_id", None) == dag_id and isinstance(task_dict, dict) and task_id in task_dict:
            return task_dict[task_id]
    return None


def _resolve_name(module, dotted):
    value = module
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def main():
    payload = json.loads(sys.argv[1])
    sys.argv = [payload["dag_file"]]
    _serve_airflow()
    module = _import_dag_file(payload["dag_file"])
    task = _find_task(module, payload["dag_id"], payload["task_id"])

    if payload["mode"] == "bash":
        command = getattr(task, "bash_command", None)
        if not isinstance(command, str):
            _fail("cannot find the bash_command of task '%s' in DAG '%s'" % (payload["task_id"], payload["dag_id"]))
        sys.stdout.flush()
        sys.stderr.flush()
        # exec keeps the process (and so its process group) of this runner.
        os.execvp("sh", ["sh", "-c", command])

    func = getattr(task, "python_callable", None)
    if func is None and payload["python_callable"]:
        try:
            func = _resolve_name(module, payload["python_callable"])
        except AttributeError:
            _fail("cannot find python_callable '%s' in %s" % (payload["python_callable"], payload["dag_file"]))
    if not callable(func):
        _fail("task '%s' has no callable python_callable" % payload["task_id"])
    args = payload["op_args"] if payload["op_args"] is not None else list(getattr(task, "op_args", None) or [])
    kwargs = payload["op_kwargs"] if payload["op_kwargs"] is not None else dict(getattr(task, "op_kwargs", None) or {})
    func(*args, **kwargs)


main()
`;
