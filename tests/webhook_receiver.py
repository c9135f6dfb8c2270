"""A webhook receiver for Porch's tests that checks signatures with the `standardwebhooks`
package (PyPI), not with Porch's code.

Usage: python3 webhook_receiver.py PORT SECRET_FILE LOG_FILE

Each POST is verified with the secret in SECRET_FILE (read at each request, so the test can
write it once the endpoint exists); one JSON line per request goes to LOG_FILE:
{"id", "type", "seq", "verified", "error"}. Verified requests are answered 204, others 400.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook

PORT, SECRET_FILE, LOG_FILE = int(sys.argv[1]), sys.argv[2], sys.argv[3]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        entry = {"id": self.headers.get("webhook-id"), "verified": False, "error": None}
        try:
            with open(SECRET_FILE) as f:
                secret = f.read().strip()
            payload = Webhook(secret).verify(body, dict(self.headers.items()))
            entry.update(verified=True, type=payload["type"], seq=payload["data"].get("seq"))
        except Exception as e:  # any failure to verify is recorded and refused
            entry["error"] = repr(e)
        with open(LOG_FILE, "a") as f:
            f.write(json.dumps(entry) + "\n")
        self.send_response(204 if entry["verified"] else 400)
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
