"""Shared by the SDK's tests: the SDK's folder, and running Python on it as a separate process."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional, Sequence

SDK = Path(__file__).resolve().parent.parent

# Every process a test starts is stopped after this long, so a hung one fails its test instead of the run.
PROCESS_TIMEOUT_SECONDS = 60


def sdk_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment VORTEX gives Python: the SDK first on PYTHONPATH, no bytecode written."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(SDK), env.get("PYTHONPATH", "")] if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra or {})
    return env


def run_python(args: Sequence[str], cwd: Path, env: Optional[Dict[str, str]] = None) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [sys.executable, *args],
        cwd=str(cwd),
        env=env if env is not None else sdk_env(),
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT_SECONDS,
        check=False,
    )
