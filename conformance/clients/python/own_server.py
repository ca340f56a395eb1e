"""A cognito-server of a test's own, for tests that need the server started
with flags (trigger functions, a mail server, a KMS): the suite's shared server
(COGNITO_ENDPOINT) runs with none.

The binary is COGNITO_SERVER_BIN (set by `cargo xtask test`), or the debug
build of this checkout. It is started on a free port with no COGNITO_* or AWS_*
variable of the environment, so that only the flags configure it.
"""

import atexit
import os
import queue
import socket
import subprocess
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

# How long the server may take to print its `listening on` line.
STARTUP_SECONDS = 60


def server_binary():
    """COGNITO_SERVER_BIN, or the debug build of this checkout."""
    named = os.environ.get("COGNITO_SERVER_BIN")
    if named:
        return Path(named)
    suffix = ".exe" if sys.platform == "win32" else ""
    return REPO / "target" / "debug" / f"cognito-server{suffix}"


def free_port():
    """A port nothing listens on (free when this returns)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_environment():
    """The environment without the server's settings or AWS credentials."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("COGNITO_") and not k.startswith("AWS_")
    }


class OwnServer:
    """A cognito-server started with the flags `args`, until `stop` (at the
    latest when Python exits). `url` is its address."""

    def __init__(self, *args):
        binary = server_binary()
        if not binary.is_file():
            raise RuntimeError(
                f"{binary} does not exist: build it (cargo build -p cognito-server) "
                "or set COGNITO_SERVER_BIN"
            )
        self.process = subprocess.Popen(
            [str(binary), "--port", "0", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=clean_environment(),
        )
        self.output = []
        found = queue.Queue()
        threading.Thread(target=self._read, args=(found,), daemon=True).start()
        try:
            self.url = found.get(timeout=STARTUP_SECONDS)
        except queue.Empty:
            self.url = None
        if not self.url:
            self.stop()
            raise RuntimeError(
                "cognito-server printed no `listening on http://...` line:\n"
                + "".join(self.output[-40:])
            )
        atexit.register(self.stop)

    def _read(self, found):
        announced = False
        for line in self.process.stdout:
            self.output.append(line)
            if not announced and "listening on http://" in line:
                rest = line.split("listening on ", 1)[1].split()
                found.put(rest[0] if rest else None)
                announced = True
        if not announced:
            found.put(None)

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
