"""``python -I -S _spawner.py``: starts processes for VORTEX's executor, which asks for them over stdin.

Why a separate process: a Node process forks to start a child, and fork costs
in proportion to the parent's resident memory; an editor's extension host is
hundreds of megabytes, the CLI near a hundred, and each task paid for it
(milliseconds per task, with the editor's event loop blocked meanwhile). This
process stays a few megabytes and starts children with posix_spawn (vfork and
exec: nothing of it is copied), so starting a task costs about what the
task's own start costs, whatever the size of the process that asked.

Each child runs as the leader of a new session and process group (the
executor stops a task by its group), with stdin from /dev/null and stdout and
stderr on pipes of this process, forwarded to the executor as they arrive.

Requests, one JSON object a line on stdin:
  {"op": "base", "env": {...}}: the environment each child's is told as changes to (sent first)
  {"op": "spawn", "id": N, "file": F, "args": [...], "cwd": D, "set": {...}, "unset": [...]}
    (the child's environment is the base one with the variables of "set" set and those of "unset" removed)
  {"op": "pause", "id": N} / {"op": "resume", "id": N}: stop / go on reading N's output
  {"op": "abandon", "id": N}: stop reading N's output for good and close it

Replies on stdout, frames of a one-byte kind, the request's id and the
payload's length (both unsigned 32-bit, big-endian), then the payload:
  R: ready (payload: the protocol version)
  P: started (JSON: pid, start time, and the identities of its stdout and stderr pipes)
  F: could not start (JSON: errno name, message)
  O / E: a chunk of stdout / stderr
  X: the main process ended (JSON: exit code or signal name, and whether anything of its group is left)
  C: the main process ended and its output is closed (both pipes at end of file, or abandoned)

When stdin closes (the executor's process is gone), every group still running
is killed and this process exits: nothing of a run outlives its owner.
"""
from __future__ import annotations

import contextlib
import errno
import json
import os
import selectors
import signal
import struct
import sys
from typing import Any, Dict, List, Optional

PROTOCOL_VERSION = b"1"
HEADER = struct.Struct(">cII")
READ_SIZE = 65536
DRAIN_READS = 16
# Ignored in this process (by Python, or on purpose); a child must get them as they are by default.
DEFAULT_SIGNALS = (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT)


def start_time(pid: int) -> Optional[int]:
    """A process's start in clock ticks after boot (field 22 of /proc/PID/stat): with the pid, it names the process for good."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read()
    except OSError:
        return None
    return int(text[text.rindex(b")") + 2 :].split()[19])


def group_left(pgid: int) -> bool:
    """Whether a process of the group is still there (a zombie counts): most often none, and the executor need not look."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def exit_status(status: int) -> Dict[str, Any]:
    """A wait status as the executor takes it: an exit code, or the name of the signal that ended the process."""
    if os.WIFSIGNALED(status):
        return {"code": None, "signal": signal.Signals(os.WTERMSIG(status)).name}
    return {"code": os.WEXITSTATUS(status), "signal": None}


class Child:
    """One started process: its output pipes still open (fd -> the kind of frame its chunks go out as), and whether it exited."""

    def __init__(self, request_id: int, pid: int) -> None:
        self.id = request_id
        self.pid = pid
        self.streams: Dict[int, bytes] = {}
        self.paused = False
        self.exited = False

    @property
    def done(self) -> bool:
        return self.exited and not self.streams


class Spawner:
    def __init__(self, out_fd: int) -> None:
        self.out_fd = out_fd
        self.selector = selectors.DefaultSelector()
        self.children: Dict[int, Child] = {}
        self.by_fd: Dict[int, Child] = {}
        self.pending = b""
        self.outgoing: List[bytes] = []
        # Not os.environ: Python may have changed its own (a coerced locale), and children must get the executor's.
        self.base_env: Dict[str, str] = {}

    def send(self, kind: bytes, request_id: int, payload: bytes) -> None:
        self.outgoing.append(HEADER.pack(kind, request_id, len(payload)))
        self.outgoing.append(payload)

    def flush(self) -> None:
        """Writes the frames of one wake-up at once: the executor wakes once for a start, or an exit with its last output."""
        view = memoryview(b"".join(self.outgoing))
        self.outgoing.clear()
        while view:
            view = view[os.write(self.out_fd, view) :]

    def send_json(self, kind: bytes, request_id: int, value: Dict[str, Any]) -> None:
        self.send(kind, request_id, json.dumps(value).encode())

    def environment(self, changes: Dict[str, str], removed: List[str]) -> Dict[str, str]:
        env = dict(self.base_env)
        env.update(changes)
        for name in removed:
            env.pop(name, None)
        return env

    def executable(self, file: str, env: Dict[str, str]) -> str:
        """The program to run, looked up on the PATH the child gets as execvp does: EACCES if only found not executable."""
        if "/" in file:
            return file
        denied = False
        for folder in env.get("PATH", os.defpath).split(os.pathsep):
            candidate = os.path.join(folder or ".", file)
            if os.path.isfile(candidate):
                if os.access(candidate, os.X_OK):
                    return candidate
                denied = True
        code = errno.EACCES if denied else errno.ENOENT
        raise OSError(code, os.strerror(code), file)

    def spawn(self, request: Dict[str, Any]) -> None:
        """Starts a child with posix_spawn (vfork and exec: no copy of this process, and much less Python than subprocess)."""
        request_id = int(request["id"])
        file = request["file"]
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        try:
            env = self.environment(request["set"], request["unset"])
            actions = [
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, out_write, 1),
                (os.POSIX_SPAWN_DUP2, err_write, 2),
            ]
            # posix_spawn has no working directory of its own: this process is in the child's while it starts.
            os.chdir(request["cwd"])
            try:
                pid = os.posix_spawn(
                    self.executable(file, env), [file, *request["args"]], env,
                    file_actions=actions, setsid=True, setsigdef=DEFAULT_SIGNALS,
                )
            finally:
                os.chdir("/")
        except OSError as error:
            os.close(out_read)
            os.close(err_read)
            code = errno.errorcode.get(error.errno or 0)
            self.send_json(b"F", request_id, {"code": code, "errno": error.errno, "message": f"spawn {file} {code or error}"})
            return
        except (ValueError, TypeError) as error:
            # An argument or a variable the OS cannot take (a NUL byte).
            os.close(out_read)
            os.close(err_read)
            self.send_json(b"F", request_id, {"code": None, "errno": None, "message": f"spawn {file}: {error}"})
            return
        finally:
            os.close(out_write)
            os.close(err_write)
        child = Child(request_id, pid)
        ends: List[str] = []
        for fd, kind in ((out_read, b"O"), (err_read, b"E")):
            os.set_blocking(fd, False)
            child.streams[fd] = kind
            self.by_fd[fd] = child
            self.selector.register(fd, selectors.EVENT_READ, child)
            ends.append(f"pipe:[{os.fstat(fd).st_ino}]")
        self.children[request_id] = child
        self.send_json(b"P", request_id, {"pid": pid, "ends": ends, "start_time": start_time(pid)})

    def set_paused(self, request_id: int, paused: bool) -> None:
        child = self.children.get(request_id)
        if child is None or child.paused == paused:
            return
        child.paused = paused
        for fd in child.streams:
            if paused:
                self.selector.unregister(fd)
            else:
                self.selector.register(fd, selectors.EVENT_READ, child)

    def close_stream(self, child: Child, fd: int) -> None:
        if not child.paused:
            self.selector.unregister(fd)
        del child.streams[fd]
        del self.by_fd[fd]
        os.close(fd)
        self.close_if_done(child)

    def abandon(self, request_id: int) -> None:
        child = self.children.get(request_id)
        if child is not None:
            for fd in list(child.streams):
                self.close_stream(child, fd)

    def read_output(self, fd: int) -> bool:
        """Forwards what the pipe holds; False when it held nothing yet."""
        child = self.by_fd[fd]
        try:
            data = os.read(fd, READ_SIZE)
        except BlockingIOError:
            return False
        if data:
            self.send(child.streams[fd], child.id, data)
        else:
            self.close_stream(child, fd)
        return True

    def reap(self) -> None:
        for child in list(self.children.values()):
            if child.exited:
                continue
            pid, status = os.waitpid(child.pid, os.WNOHANG)
            if pid == 0:
                continue
            child.exited = True
            self.send_json(b"X", child.id, {**exit_status(status), "group_left": group_left(child.pid)})
            # Most often the output is complete by now: read it to its end at once rather than on later wake-ups.
            # (A bounded number of reads: a process left running may keep writing.)
            if not child.paused:
                for fd in list(child.streams):
                    for _ in range(DRAIN_READS):
                        if fd not in child.streams or not self.read_output(fd):
                            break
            self.close_if_done(child)

    def close_if_done(self, child: Child) -> None:
        """Reports C once the child has exited and its output is closed, in that order, as Node's ``close`` comes."""
        if child.done and self.children.pop(child.id, None) is not None:
            self.send(b"C", child.id, b"")

    def handle(self, line: bytes) -> None:
        request = json.loads(line)
        op = request["op"]
        if op == "spawn":
            self.spawn(request)
        elif op == "base":
            self.base_env = dict(request["env"])
        elif op in ("pause", "resume"):
            self.set_paused(int(request["id"]), op == "pause")
        elif op == "abandon":
            self.abandon(int(request["id"]))

    def read_requests(self, fd: int) -> bool:
        """Handles the whole lines that arrived; False once stdin closed."""
        data = os.read(fd, READ_SIZE)
        if not data:
            return False
        self.pending += data
        *lines, self.pending = self.pending.split(b"\n")
        for line in lines:
            if line:
                self.handle(line)
        return True

    def kill_all(self) -> None:
        for child in self.children.values():
            if not child.exited:
                with contextlib.suppress(OSError):
                    os.killpg(child.pid, signal.SIGKILL)

    def terminate(self, _signum: int, _frame: object) -> None:
        """Told to end: what it started must not outlive it, unwatched."""
        self.kill_all()
        sys.exit(0)

    def serve(self, in_fd: int) -> None:
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        os.set_blocking(wake_read, False)
        # A child's exit interrupts select through this pipe (the handler itself does nothing).
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda _signum, _frame: None)
        # Ctrl-C in a terminal reaches the whole foreground group, this process too: the executor
        # decides what a cancel stops, and this process must live to report it.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, self.terminate)
        self.selector.register(in_fd, selectors.EVENT_READ, "requests")
        self.selector.register(wake_read, selectors.EVENT_READ, "exits")
        self.send(b"R", 0, PROTOCOL_VERSION)
        self.flush()
        while True:
            for key, _events in self.selector.select():
                if key.data == "requests":
                    if not self.read_requests(in_fd):
                        self.kill_all()
                        return
                elif key.data == "exits":
                    with contextlib.suppress(BlockingIOError):
                        while os.read(wake_read, 512):
                            pass
                elif int(key.fd) in self.by_fd:
                    self.read_output(int(key.fd))
            # Exits are looked for after every wake-up: a signal that came between two selects is not lost.
            self.reap()
            self.flush()


def main() -> None:
    # Replies go to the real stdout only; anything else printing there would break the frames.
    out_fd = os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    spawner = Spawner(out_fd)
    try:
        spawner.serve(sys.stdin.fileno())
    except BrokenPipeError:
        # The executor is gone (it may have ended before this process came up): so must be what it started.
        spawner.kill_all()


if __name__ == "__main__":
    main()
