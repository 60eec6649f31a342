"""Real processes for the fault tests: a Celery worker of this project, and a private Redis server.

Each test starts and kills its own processes (by pid), never the shared Redis on 6379.
"""

import os
import signal
import socket
import subprocess
import tempfile
import time

from django.conf import settings

from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER
from tests.followups.sweep_helpers import ROOT, project_env

PRIVATE_REDIS_PORT = 6390
PUBLIC_BASE_URL = "https://port.example.org"


def wait_until(condition, timeout=30.0, every=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def twilio_env(fake):
    """A worker that texts through the real SDK to the fake Twilio, at any hour (no quiet hours)."""

    return {
        "MESSAGING_BACKEND": "followups.messaging.backends.TwilioBackend",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_API_KEY_SID": "", "TWILIO_API_KEY_SECRET": "", "TWILIO_MESSAGING_SERVICE_SID": "",
        "TWILIO_API_BASE_URL": fake.url, "TWILIO_HTTP_TIMEOUT_SECONDS": "10", "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "QUIET_HOURS_START": "00:00", "QUIET_HOURS_END": "00:00", "PROGRAM_NAME": "Community Outreach Program",
        "PROGRAM_PHONE": "+12025550123",
    }


class Worker:
    """`celery -A port worker` on the test database and this run's queue (solo pool: one task at a time)."""

    def __init__(self, **env):
        self.env = project_env(CELERY_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE, LOG_LEVEL="INFO", **env)
        self.log = tempfile.NamedTemporaryFile("w+", prefix="port-perf-worker-", suffix=".log")  # noqa: SIM115
        self.proc = None

    def start(self, ready_timeout=60):
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/celery"), "-A", "port", "worker", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE,
             "--pool", "solo", "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        if not wait_until(lambda: "ready." in self.output() or self.proc.poll() is not None, ready_timeout, 0.2):
            raise AssertionError("the worker did not start:\n" + self.output()[-3000:])
        return self

    def output(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def kill9(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def pause(self):
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.proc.pid, signal.SIGCONT)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.resume()
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class RedisServer:
    """A throwaway redis-server on its own port, without persistence: a restart loses every queued task."""

    def __init__(self, port=PRIVATE_REDIS_PORT):
        self.port = port
        self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self):
        if self.answers():
            raise AssertionError(f"something already listens on port {self.port}")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        assert wait_until(self.answers, 10), "the private redis-server did not start"
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        assert wait_until(lambda: not self.answers(), 10)


def run_sweep(*, redis_url, minutes_ahead=0, queue=None):
    """One beat's sweep in its own process (as the worker runs it), optionally as if later."""

    code = (
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from followups import scheduler\n"
        f"print(scheduler.sweep(now=timezone.now() + timedelta(minutes={minutes_ahead})))\n"
    )
    env = project_env(REDIS_URL=redis_url, CELERY_QUEUE=queue or settings.CELERY_TASK_DEFAULT_QUEUE)
    return subprocess.run([str(ROOT / ".venv/bin/python"), "-c", "import django; django.setup()\n" + code],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
