#!/usr/bin/env python3
"""The classic threaded remote-exec server, as a benchmark baseline (bench/concurrency.mjs):
socketserver.ThreadingTCPServer (a thread per connection, listen backlog 128, TCP_NODELAY), each
request run with subprocess, framed with a 4-byte length and a JSON header. Loopback only.

    python3 threaded_exec_server.py        prints its port on one line, serves until stdin closes

Request:  u32 length (big-endian) + JSON {"cmd": "..."}
Reply:    u32 length + JSON {"code": N, "out": bytes of stdout, "err": bytes of stderr}, then both bodies.
"""
import json
import socket
import socketserver
import struct
import subprocess
import sys
import threading


def read_exact(sock, n):
    chunks = []
    while n:
        chunk = sock.recv(n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b''.join(chunks)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            size = read_exact(sock, 4)
            if size is None:
                return
            request = json.loads(read_exact(sock, struct.unpack('>I', size)[0]))
            result = subprocess.run(request['cmd'], shell=True, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            header = json.dumps({'code': result.returncode, 'out': len(result.stdout),
                                 'err': len(result.stderr)}).encode()
            sock.sendall(struct.pack('>I', len(header)) + header + result.stdout + result.stderr)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    server = Server(('127.0.0.1', 0), Handler)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # the benchmark closes stdin to stop us


if __name__ == '__main__':
    main()
