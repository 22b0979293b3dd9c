"""Fixtures of the SDK's tests."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def dag_folder(tmp_path: Path) -> Path:
    """A folder for the test's DAG files, apart from the folder Python is started in."""
    folder = tmp_path / "dags"
    folder.mkdir()
    return folder
