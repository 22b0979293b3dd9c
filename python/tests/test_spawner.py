"""``_spawner.py``: the process that starts the executor's tasks, spoken to over its protocol as the executor does."""
from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from tests.support import PROCESS_TIMEOUT_SECONDS, SDK

SPAWNER = SDK / "vortex" / "_spawner.py"
Frame = Tuple[str, int, bytes]


class Client:
    def __init__(self, env: Dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", str(SPAWNER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0
        )
        self.buffer = b""
        self.send({"op": "base", "env": env})
        assert self.next_frame() == ("R", 0, b"1")

    def send(self, request: Dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request).encode() + b"\n")

    def next_frame(self) -> Frame:
        assert self.process.stdout is not None
        deadline = time.monotonic() + PROCESS_TIMEOUT_SECONDS
        while True:
            if len(self.buffer) >= 9:
                kind, request_id, length = struct.unpack(">cII", self.buffer[:9])
                if len(self.buffer) >= 9 + length:
                    payload = self.buffer[9 : 9 + length]
                    self.buffer = self.buffer[9 + length :]
                    return kind.decode(), request_id, payload
            assert time.monotonic() < deadline, "the spawner went silent"
            chunk = os.read(self.process.stdout.fileno(), 65536)
            assert chunk, "the spawner ended"
            self.buffer += chunk

    def frames_until_closed(self, request_id: int) -> Iterator[Frame]:
        while True:
            frame = self.next_frame()
            if frame[1] == request_id:
                yield frame
                if frame[0] in ("C", "F"):
                    return

    def start(self, request_id: int, args: List[str], **changes: Any) -> None:
        request = {"op": "spawn", "id": request_id, "file": "sh", "args": args, "cwd": "/", "set": {}, "unset": []}
        request.update(changes)
        self.send(request)

    def spawn(self, request_id: int, args: List[str], **changes: Any) -> List[Frame]:
        self.start(request_id, args, **changes)
        return list(self.frames_until_closed(request_id))

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=PROCESS_TIMEOUT_SECONDS)


@pytest.fixture
def client() -> Iterator[Client]:
    spawner = Client({"PATH": os.environ["PATH"], "KEPT": "base", "DROPPED": "base"})
    yield spawner
    spawner.process.kill()
    spawner.process.wait(timeout=PROCESS_TIMEOUT_SECONDS)


def output(frames: List[Frame], kind: str) -> bytes:
    return b"".join(payload for k, _, payload in frames if k == kind)


def test_a_task_starts_reports_its_output_then_its_exit_then_closes(client: Client) -> None:
    frames = client.spawn(1, ["-c", "echo out; echo err >&2; exit 4"])
    kinds = [k for k, _, _ in frames]
    assert kinds[0] == "P"
    assert kinds[-1] == "C"
    assert kinds.index("X") < kinds.index("C")
    started = json.loads(frames[0][2])
    assert started["pid"] > 0
    assert all(end.startswith("pipe:[") for end in started["ends"])
    assert output(frames, "O") == b"out\n"
    assert output(frames, "E") == b"err\n"
    assert json.loads(next(p for k, _, p in frames if k == "X")) == {"code": 4, "signal": None, "group_left": False}


def test_the_exit_says_whether_the_task_left_processes_in_its_group(client: Client) -> None:
    client.start(8, ["-c", "sleep 30 >/dev/null 2>&1 &"])
    pid = json.loads(client.next_frame()[2])["pid"]
    try:
        frames = list(client.frames_until_closed(8))
        assert json.loads(next(p for k, _, p in frames if k == "X"))["group_left"] is True
    finally:
        os.killpg(pid, signal.SIGKILL)


def test_the_environment_is_the_base_with_changes_set_and_removed(client: Client) -> None:
    frames = client.spawn(2, ["-c", 'echo "$KEPT|${DROPPED-unset}|$ADDED"'], set={"ADDED": "new"}, unset=["DROPPED"])
    assert output(frames, "O") == b"base|unset|new\n"


def test_a_task_leads_its_own_session_in_its_working_directory(client: Client, tmp_path: Path) -> None:
    frames = client.spawn(3, ["-c", 'cut -d" " -f5-6 /proc/$$/stat; pwd'], cwd=str(tmp_path))
    pid = json.loads(frames[0][2])["pid"]
    group_line, directory = output(frames, "O").decode().splitlines()
    assert group_line.split() == [str(pid), str(pid)]
    assert directory == str(tmp_path)


def test_a_program_that_cannot_start_is_reported_with_the_system_code(client: Client) -> None:
    frames = client.spawn(4, [], file="no-such-program-vortex")
    assert [k for k, _, _ in frames] == ["F"]
    failure = json.loads(frames[0][2])
    assert failure["code"] == "ENOENT"
    assert failure["message"] == "spawn no-such-program-vortex ENOENT"


def test_a_paused_task_is_not_read_until_resumed(client: Client) -> None:
    client.start(5, ["-c", "echo first; sleep 0.3; echo second"])
    assert client.next_frame()[0] == "P"
    assert client.next_frame() == ("O", 5, b"first\n")
    client.send({"op": "pause", "id": 5})
    time.sleep(0.6)
    client.send({"op": "resume", "id": 5})
    rest = list(client.frames_until_closed(5))
    assert output(rest, "O") == b"second\n"


def test_ctrl_c_does_not_end_it(client: Client) -> None:
    client.process.send_signal(signal.SIGINT)
    assert output(client.spawn(6, ["-c", "echo alive"]), "O") == b"alive\n"


def test_when_its_input_closes_the_groups_still_running_are_killed(client: Client) -> None:
    client.start(7, ["-c", "sleep 60 & sleep 60"])
    pid = json.loads(client.next_frame()[2])["pid"]
    client.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not live_members(pid):
            return
        time.sleep(0.05)
    pytest.fail("the task's group outlived the spawner's owner")


def live_members(group: int) -> List[int]:
    """The processes of a group that are not zombies (an init that does not reap keeps those)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == group and fields[0] not in ("Z", "X"):
            members.append(int(entry))
    return members


def test_a_child_gets_the_default_handling_of_the_signals_this_process_ignores(client: Client) -> None:
    frames = client.spawn(9, ["/proc/self/status"], file="cat")
    ignored = next(line for line in output(frames, "O").decode().splitlines() if line.startswith("SigIgn:"))
    mask = int(ignored.split()[1], 16)
    for number in (signal.SIGINT, signal.SIGPIPE, signal.SIGXFSZ):
        assert not mask & (1 << (number - 1)), f"{number.name} is ignored in the child"


def test_a_program_on_the_path_that_is_not_executable_is_eacces_as_execvp_says(client: Client, tmp_path: Path) -> None:
    (tmp_path / "tool").write_text("echo no\n")
    frames = client.spawn(10, [], file="tool", set={"PATH": str(tmp_path)})
    assert [k for k, _, _ in frames] == ["F"]
    assert json.loads(frames[0][2])["code"] == "EACCES"
    (tmp_path / "tool").chmod(0o755)
    (tmp_path / "tool").write_text("#!/bin/sh\necho found\n")
    assert output(client.spawn(11, [], file="tool", set={"PATH": str(tmp_path)}), "O") == b"found\n"


def test_a_missing_working_directory_is_enoent_and_the_next_task_starts_where_it_asks(client: Client, tmp_path: Path) -> None:
    frames = client.spawn(12, ["-c", "true"], cwd=str(tmp_path / "gone"))
    assert json.loads(frames[0][2])["code"] == "ENOENT"
    assert output(client.spawn(13, ["-c", "pwd"], cwd=str(tmp_path)), "O") == f"{tmp_path}\n".encode()
