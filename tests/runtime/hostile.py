#!/usr/bin/env python3
"""hostile.py - an HTTP server on 127.0.0.1 that misbehaves, one way per path,
for the fetcher's tests.  Prints "listen HOST:PORT", serves until killed.

  /vars            a valid expvar body
  /hang            reads the request, never answers
  /slow            answers one byte every 0.2 s
  /huge            1 GB, no Content-Length (the body ends at the close)
  /huge-length     says Content-Length: 1 GB, then sends it
  /garbage         200 OK, random bytes
  /cut             Content-Length 100000, 1000 bytes, then closes
  /error           HTTP 500
  /away            302 to a host that is not loopback
  /home            302 to /vars on the same server
  /loop            302 to itself
"""
import os
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VARS = (b'{"cmdline": ["x"], "memstats": {"HeapAlloc": 1234567, '
        b'"HeapSys": 8000000, "HeapIdle": 5000000, "HeapInuse": 3000000, '
        b'"HeapReleased": 4000000, "StackInuse": 65536, "Sys": 12000000, '
        b'"NumGC": 1, "PauseNs": [4242, 0], "BySize": [{"Size": 0}]}}\n')


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def head(self, code, length=None, extra=()):
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        if length is not None:
            self.send_header("Content-Length", str(length))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()

    def do_GET(self):
        try:
            getattr(self, "path_" + self.path.strip("/").replace("-", "_"),
                    self.path_missing)()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def path_missing(self):
        self.head(404, 9)
        self.wfile.write(b"not found")

    def path_vars(self):
        self.head(200, len(VARS))
        self.wfile.write(VARS)

    def path_hang(self):
        time.sleep(3600)

    def path_slow(self):
        self.head(200, len(VARS))
        for b in VARS:
            self.wfile.write(bytes([b]))
            self.wfile.flush()
            time.sleep(0.2)

    def huge(self, length):
        self.head(200, length, [("Connection", "close")])
        block = b"x" * 65536
        for _ in range((1 << 30) // len(block)):
            self.wfile.write(block)
        self.close_connection = True

    def path_huge(self):
        self.huge(None)

    def path_huge_length(self):
        self.huge(1 << 30)

    def path_garbage(self):
        # Random bytes after one that no format starts with: a first byte
        # of "{", "<", a space or gzip's 0x1f would make them a body of
        # that kind gone wrong, one time in a hundred.
        body = b"\x01" + os.urandom(9999)
        self.head(200, len(body))
        self.wfile.write(body)

    def path_cut(self):
        self.head(200, 100000)
        self.wfile.write(VARS[:60] + b" " * 940)
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True

    def path_error(self):
        self.head(500, 4)
        self.wfile.write(b"boom")

    def path_away(self):
        self.head(302, 0, [("Location", "http://192.0.2.1/debug/vars")])

    def path_home(self):
        self.head(302, 0, [("Location", "/vars")])

    def path_loop(self):
        self.head(302, 0, [("Location", "/loop")])


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print("listen %s:%d" % srv.server_address, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
