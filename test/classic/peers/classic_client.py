#!/usr/bin/env python3
"""A classic socket remote-exec client, written from docs/CLASSIC.md ("The formats").

Usage: classic_client.py --port P --format json|length|ack|raw [--greeting] [--encoding E]
                         [--recv-size N] ACTION...
Actions, run in order on one connection:
  cmd=TEXT               send TEXT as one command, read one reply
  rawn=N=TEXT            raw format only: send TEXT, read until N bytes arrived
  idle=MS=TEXT           raw format only: send TEXT, report what arrives until MS ms pass idle
  put=LOCAL=NAME         upload LOCAL as NAME: send(int32 L); send(header); send(content)
  cut=LOCAL=NAME=K       like put, but close after K content bytes (a truncated upload)
One JSON line per greeting and per reply on stdout. In raw format, cmd= does what the naive
original does: exactly one recv(recv-size), whatever it holds.
--parallel N runs the actions on N connections at once (threads), with {i} in an action replaced
by the connection's index; each line then carries "conn": i, and lines are printed by connection.
"""
import argparse
import hashlib
import json
import socket
import struct
import sys
import threading


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        part = sock.recv(min(n - len(buf), 1 << 20))
        if not part:
            raise EOFError(f'connection closed after {len(buf)} of {n} bytes')
        buf += part
    return bytes(buf)


def read_reply(sock, fmt, recv_size):
    """Returns (size announced by the header or None, reply bytes)."""
    if fmt == 'json':
        (header_len,) = struct.unpack('i', recv_exact(sock, 4))
        header = json.loads(recv_exact(sock, header_len).decode('utf-8'))
        size = header['total_size']
        return size, recv_exact(sock, size)
    if fmt == 'length':
        (size,) = struct.unpack('i', recv_exact(sock, 4))
        return size, recv_exact(sock, size)
    if fmt == 'ack':
        size = int(sock.recv(1024).decode('ascii'))
        sock.send(b'recv_ready')
        return size, recv_exact(sock, size)
    return None, sock.recv(recv_size)


def report(out, encoding, **fields):
    data = fields.pop('data')
    fields.update(len=len(data), sha256=hashlib.sha256(data).hexdigest())
    fields['text'] = data.decode(encoding, errors='replace') if len(data) <= 65536 else None
    out.append(fields)


def upload(sock, local, name, cut_after=None):
    with open(local, 'rb') as f:
        content = f.read()
    header = json.dumps({'cmd': 'put', 'filename': name, 'filesize': len(content)}).encode('utf-8')
    sock.send(struct.pack('i', len(header)))
    sock.send(header)
    sock.sendall(content if cut_after is None else content[:cut_after])


def session(args, actions, out):
    sock = socket.create_connection((args.host, args.port), timeout=30)
    if args.greeting:
        report(out, 'utf-8', greeting=True, data=sock.recv(1024))
    for action in actions:
        kind, _, rest = action.partition('=')
        if kind == 'cmd':
            sock.send(rest.encode(args.encoding))
            size, data = read_reply(sock, args.format, args.recv_size)
            report(out, args.encoding, cmd=rest, size=size, data=data)
        elif kind == 'rawn':
            n, _, text = rest.partition('=')
            sock.send(text.encode(args.encoding))
            report(out, args.encoding, cmd=text, size=None, data=recv_exact(sock, int(n)))
        elif kind == 'idle':
            ms, _, text = rest.partition('=')
            sock.send(text.encode(args.encoding))
            sock.settimeout(int(ms) / 1000)
            data = bytearray()
            try:
                while True:
                    part = sock.recv(65536)
                    if not part:
                        break
                    data += part
            except socket.timeout:
                pass
            sock.settimeout(30)
            report(out, args.encoding, cmd=text, size=None, data=bytes(data))
        elif kind == 'put':
            local, _, name = rest.partition('=')
            upload(sock, local, name)
        elif kind == 'cut':
            local, name, k = rest.split('=')
            upload(sock, local, name, int(k))
            break
        else:
            raise SystemExit(f'unknown action {action!r}')
    sock.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--format', choices=['json', 'length', 'ack', 'raw'], default='json')
    parser.add_argument('--greeting', action='store_true')
    parser.add_argument('--encoding', default='utf-8')
    parser.add_argument('--recv-size', type=int, default=1024)
    parser.add_argument('--parallel', type=int, default=0)
    parser.add_argument('actions', nargs='*')
    args = parser.parse_args()
    if not args.parallel:
        out = []
        session(args, args.actions, out)
        lines = out
    else:
        outs = [[] for _ in range(args.parallel)]
        errors = []

        def run(i):
            try:
                session(args, [a.replace('{i}', str(i)) for a in args.actions], outs[i])
            except Exception as e:  # reported after all threads end, so the exit status says it
                errors.append(f'connection {i}: {e!r}')

        threads = [threading.Thread(target=run, args=(i,)) for i in range(args.parallel)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise SystemExit('; '.join(errors))
        lines = [dict(line, conn=i) for i, out in enumerate(outs) for line in out]
    for line in lines:
        sys.stdout.write(json.dumps(line) + '\n')


if __name__ == '__main__':
    main()
