#!/usr/bin/env python3
"""Drives threaded_exec_server.py as its users would: CLIENTS threads, each on its own connection
(TCP_NODELAY), sending EACH `echo hi` requests in sequence and checking every reply.

    python3 threaded_exec_client.py PORT CLIENTS EACH

Prints one JSON line: {"ok": N, "failures": N, "seconds": S, "cpu_seconds": S (this process)}.
"""
import json
import socket
import struct
import sys
import threading
import time


def read_exact(sock, n):
    chunks = []
    while n:
        chunk = sock.recv(n)
        if not chunk:
            raise EOFError('server closed the connection')
        chunks.append(chunk)
        n -= len(chunk)
    return b''.join(chunks)


def main():
    port, clients, each = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    ready = threading.Barrier(clients + 1)
    ok = [0] * clients
    request = json.dumps({'cmd': 'echo hi'}).encode()
    request = struct.pack('>I', len(request)) + request

    def client(index):
        try:
            sock = socket.create_connection(('127.0.0.1', port), timeout=60)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            ready.wait()
            return
        ready.wait()
        try:
            for _ in range(each):
                sock.sendall(request)
                header = json.loads(read_exact(sock, struct.unpack('>I', read_exact(sock, 4))[0]))
                out = read_exact(sock, header['out'])
                read_exact(sock, header['err'])
                if header['code'] == 0 and out == b'hi\n':
                    ok[index] += 1
        except (OSError, EOFError, ValueError):
            pass
        finally:
            sock.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    cpu = time.process_time()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    total = sum(ok)
    print(json.dumps({'ok': total, 'failures': clients * each - total, 'seconds': seconds,
                      'cpu_seconds': time.process_time() - cpu}))


if __name__ == '__main__':
    main()
