"""A fake Twilio REST API on a local port: the real SDK builds and sends real HTTP requests to it.

It records each request (path, Basic auth, form parameters) and answers like Twilio:
201 with a SID, or whatever a test scripts (a 429, a 500, an error code, a slow answer).
"""

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "fake-auth-token-0123456789abcdef"
FROM_NUMBER = "+12025550100"


@dataclass
class Recorded:
    method: str
    path: str
    auth: tuple
    form: dict  # name -> list of values, as sent
    sid: str = ""

    def one(self, name):
        values = self.form.get(name, [])
        assert len(values) == 1, f"{name}: {values}"
        return values[0]


@dataclass
class Scripted:
    status: int = 201
    body: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (longer than the client's timeout = a timeout)


class FakeTwilio:
    def __init__(self):
        self.requests = []
        self.script = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def then(self, status=201, *, code=None, delay=0.0):
        """Script the next answer: an HTTP status, optionally with a Twilio error code, after a delay."""

        body = {} if status < 400 else {"code": code, "message": "scripted error", "status": status}
        self.script.append(Scripted(status=status, body=body, delay=delay))
        return self

    def texts(self):
        return [r for r in self.requests if r.path.endswith("/Messages.json")]

    def calls(self):
        return [r for r in self.requests if r.path.endswith("/Calls.json")]

    def wait_for(self, count, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.requests) >= count:
                return True
            time.sleep(0.05)
        return False

    def _answer(self, path, form, auth):
        with self.lock:
            scripted = self.script.pop(0) if self.script else Scripted()
            kind = "SM" if path.endswith("/Messages.json") else "CA"
            sid = kind + uuid.uuid4().hex
            self.requests.append(Recorded("POST", path, auth, form, sid=sid if scripted.status < 400 else ""))
        body = scripted.body or {
            "sid": sid,
            "account_sid": ACCOUNT_SID,
            "status": "queued",
            "to": form.get("To", [""])[0],
            "from": form.get("From", [""])[0],
        }
        return scripted, body

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
                auth = ()
                header = self.headers.get("Authorization", "")
                if header.startswith("Basic "):
                    auth = tuple(base64.b64decode(header[6:]).decode().split(":", 1))
                scripted, body = fake._answer(self.path, form, auth)
                if scripted.delay:
                    time.sleep(scripted.delay)
                payload = json.dumps(body).encode()
                try:
                    self.send_response(scripted.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout): Twilio would still have the message

            def log_message(self, *args):
                pass

        return Handler
