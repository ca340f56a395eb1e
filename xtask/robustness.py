#!/usr/bin/env python3
"""Floods that once knocked cognito-server over, measured against a server binary.

Each scenario starts its own server (the binary given, `--port 0`), waits until it
rests, runs the flood and prints what the server did: whether other clients were still
answered, how many connections it kept, and its peak resident memory over the resting
level (VmHWM and VmRSS from /proc/<pid>/status, Linux only).

    python3 xtask/robustness.py --server target/release/cognito-server [SCENARIO...]

Scenarios: slow (half-sent connections past the descriptor limit), json (6 MiB bodies
of nested arrays, one then 32 at once), upload (16 concurrent 100 MiB uploads with a
wrong token), shutdown (SIGTERM with pipelined requests on many connections).
Standard library only; docs/performance.md ("Robustness") records the numbers.
"""

import argparse
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time

API_HEAD = (
    "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Content-Type: application/x-amz-json-1.1\r\n"
    "X-Amz-Target: AWSCognitoIdentityProviderService.{op}\r\n"
    "Content-Length: {length}\r\n\r\n"
)


class Server:
    """A cognito-server process on a free port, with its descriptor limit set."""

    def __init__(self, binary, nofile=None, grace=None):
        def limits():
            if nofile:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        self.stderr_lines = []
        self.proc = subprocess.Popen(
            [binary, "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=limits,
            text=True,
        )
        line = self.proc.stdout.readline()
        prefix = "cognito-server listening on http://"
        if not line.startswith(prefix):
            raise SystemExit(f"unexpected announcement: {line!r}")
        host, port = line[len(prefix):].strip().rsplit(":", 1)
        self.addr = (host, int(port))
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line)

    def status(self, field):
        """A field of /proc/<pid>/status, in KiB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def open_descriptors(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def call(addr, op, body, timeout=10.0):
    """One request on a new connection; (status, body) or None when unanswered."""
    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    try:
        with socket.create_connection(addr, timeout=timeout) as s:
            s.sendall(API_HEAD.format(op=op, length=len(data)).encode() + data)
            return read_answer(s)
    except OSError:
        return None


class Answers:
    """The HTTP answers (each with a Content-Length) arriving on a socket, in order."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        self.buf += chunk
        return bool(chunk)

    def next(self):
        """(status, body) of the next answer, or None when the connection ends first."""
        while b"\r\n\r\n" not in self.buf:
            if not self._fill():
                return None
        head, rest = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        self.buf = rest
        while len(self.buf) < length:
            if not self._fill():
                return None
        body, self.buf = self.buf[:length], self.buf[length:]
        return int(lines[0].split()[1]), body


def read_answer(s):
    """Reads one HTTP answer from `s`, which carries no other."""
    return Answers(s).next()


def rest(server, seconds=1.0):
    """Lets the server settle and answers its resident memory, in KiB."""
    assert call(server.addr, "ListUserPools", {"MaxResults": 1}) is not None
    time.sleep(seconds)
    return server.status("VmRSS")


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def scenario_slow(binary, count=2000, nofile=1024, wait=None):
    """Half-sent requests beyond the descriptor limit, then a normal client."""
    server = Server(binary, nofile=nofile)
    try:
        rest(server)
        slow = []
        for _ in range(count):
            try:
                s = socket.create_connection(server.addr, timeout=5)
                s.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
                slow.append(s)
            except OSError:
                break
        time.sleep(1.0)
        started = time.monotonic()
        answer = call(server.addr, "ListUserPools", {"MaxResults": 1}, timeout=10)
        latency = time.monotonic() - started
        accept_errors = sum("accept failed" in line for line in server.stderr_lines)
        print(
            f"slow: {len(slow)} half-sent connections (descriptor limit {nofile}); "
            f"server holds {server.open_descriptors()} descriptors; "
            f"a new client {'answered ' + str(answer[0]) if answer else 'NOT answered'} "
            f"in {latency:.2f} s; 'accept failed' logged {accept_errors} times"
        )
        if wait:
            time.sleep(wait)
            still = 0
            for s in slow:
                s.setblocking(False)
                try:
                    s.recv(1)
                except BlockingIOError:
                    still += 1
                except OSError:
                    pass
            print(f"slow: after {wait:.0f} s, {still} of them are still open")
        for s in slow:
            s.close()
    finally:
        server.stop()


def nested_arrays_body(size=6 * 1024 * 1024):
    """A ListUsers body that takes the validator's full path (a wrong type) with about
    `size` bytes of small nested arrays in a member the input shape has and one it has
    not."""
    unit = "[[[],[]],[[],[]]],"
    count = (size - 256) // 2 // len(unit)
    arrays = "[" + unit * count + "[]]"
    return (
        '{"UserPoolId":"us-east-1_aaaaaaaaa","Limit":"one",'
        f'"AttributesToGet":{arrays},"Unmodelled":{arrays}}}'
    ).encode()


def scenario_json(binary):
    """A 6 MiB body of nested arrays, alone then 32 at once."""
    body = nested_arrays_body()
    for concurrency in (1, 32):
        server = Server(binary)
        try:
            resting = rest(server)
            answers = []

            def one():
                answers.append(call(server.addr, "ListUsers", body, timeout=120))

            threads = [threading.Thread(target=one) for _ in range(concurrency)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            peak = server.status("VmHWM")
            statuses = sorted({a[0] for a in answers if a})
            sample = next((a[1][:160] for a in answers if a), b"")
            print(
                f"json: {concurrency} x {mib(len(body) / 1024)} bodies: resting "
                f"{mib(resting)}, peak {mib(peak)} (+{mib(peak - resting)}); "
                f"statuses {statuses}; {sample.decode(errors='replace')}"
            )
        finally:
            server.stop()


def scenario_upload(binary, concurrency=16, size=100 * 1024 * 1024):
    """Concurrent uploads of `size` bytes to a job's URL with a wrong token."""
    server = Server(binary)
    try:
        status, pool = call(
            server.addr, "CreateUserPool", {"PoolName": "flood"}
        )
        pool_id = json.loads(pool)["UserPool"]["Id"]
        status, job = call(
            server.addr,
            "CreateUserImportJob",
            {
                "UserPoolId": pool_id,
                "JobName": "flood",
                "CloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/import",
            },
        )
        job_id = json.loads(job)["UserImportJob"]["JobId"]
        resting = rest(server)
        chunk = b"x" * (1024 * 1024)
        outcomes = []

        def one():
            path = f"/_cognito/user-import/{pool_id}/{job_id}?token=wrong"
            try:
                with socket.create_connection(server.addr, timeout=60) as s:
                    s.sendall(
                        f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        f"Content-Length: {size}\r\n\r\n".encode()
                    )
                    sent = 0
                    try:
                        while sent < size:
                            s.sendall(chunk)
                            sent += len(chunk)
                    except OSError:
                        pass
                    answer = read_answer(s)
                    outcomes.append((answer[0] if answer else None, sent))
            except OSError as e:
                outcomes.append((str(e), 0))

        threads = [threading.Thread(target=one) for _ in range(concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        peak = server.status("VmHWM")
        statuses = sorted({str(o[0]) for o in outcomes})
        sent = sum(o[1] for o in outcomes) / concurrency / 1024 / 1024
        print(
            f"upload: {concurrency} x {size // 1024 // 1024} MiB, wrong token: resting "
            f"{mib(resting)}, peak {mib(peak)} (+{mib(peak - resting)}); statuses "
            f"{statuses}; {sent:.1f} MiB sent per client before the answer"
        )
    finally:
        server.stop()


def scenario_shutdown(binary, warm, connections=40, per_connection=10):
    """Pipelined requests on many connections, then SIGTERM: how many are answered.
    Warm connections have answered a request before; fresh ones are opened just before
    their requests are sent."""
    server = Server(binary)
    try:
        rest(server, 0.2)
        body = json.dumps({"MaxResults": 1}).encode()
        request = API_HEAD.format(op="ListUserPools", length=len(body)).encode() + body
        sockets = [
            socket.create_connection(server.addr, timeout=30)
            for _ in range(connections)
        ]
        answers = [Answers(s) for s in sockets]
        if warm:
            for s, a in zip(sockets, answers):
                s.sendall(request)
                a.next()
        for s in sockets:
            s.sendall(request * per_connection)
        server.proc.send_signal(signal.SIGTERM)
        answered = 0
        for s, a in zip(sockets, answers):
            try:
                for _ in range(per_connection):
                    if a.next() is None:
                        break
                    answered += 1
            except OSError:
                pass
            s.close()
        code = server.proc.wait(timeout=60)
        print(
            f"shutdown ({'warm' if warm else 'fresh'} connections): {answered} of "
            f"{connections * per_connection} pipelined requests answered after "
            f"SIGTERM; exit status {code}"
        )
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", required=True, help="the cognito-server binary")
    parser.add_argument(
        "--slow-wait",
        type=float,
        default=None,
        help="seconds to wait before counting the half-sent connections still open",
    )
    parser.add_argument(
        "scenarios",
        nargs="*",
        default=["slow", "json", "upload", "shutdown"],
    )
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))
    for name in args.scenarios:
        if name == "slow":
            scenario_slow(args.server, wait=args.slow_wait)
        elif name == "json":
            scenario_json(args.server)
        elif name == "upload":
            scenario_upload(args.server)
        elif name == "shutdown":
            scenario_shutdown(args.server, warm=True)
            scenario_shutdown(args.server, warm=False, connections=100, per_connection=40)
            scenario_shutdown(args.server, warm=False, connections=2000, per_connection=1)
        else:
            sys.exit(f"unknown scenario {name}")


if __name__ == "__main__":
    main()
