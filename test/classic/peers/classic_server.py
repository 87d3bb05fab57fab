#!/usr/bin/env python3
"""A classic socket remote-exec server, written from the formats in docs/CLASSIC.md
the way the classic teaching code does it: socketserver + subprocess + struct + json.
It is the reference peer that framesh's tests drive `framesh classic` against.

    python3 classic_server.py --port 0 [--format json|length|ack|raw]
        [--greeting TEXT] [--encoding NAME] [--upload-dir DIR]

Prints the port it listens on as one line on stdout, then serves until killed.
"""
import argparse
import json
import os
import socketserver
import struct
import subprocess
import sys
import tempfile

ARGS = None


def run_command(cmd):
    """The command's stdout followed by its stderr, as one bytes object."""
    result = subprocess.run(cmd, shell=True, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    output = result.stdout + result.stderr
    if ARGS.encoding.lower() not in ('utf-8', 'utf8'):
        # Commands here print UTF-8; a client that decodes another charset gets it transcoded.
        output = output.decode('utf-8', 'replace').encode(ARGS.encoding, 'replace')
    return output


def send_reply(conn, output):
    """Sends one reply in the chosen format. Returns False if the client broke the ack exchange."""
    if ARGS.format == 'json':
        header = json.dumps({'total_size': len(output), 'data_size': len(output)}).encode('utf-8')
        # struct.pack('i') is a 4-byte little-endian int32 on x86 and ARM.
        conn.sendall(struct.pack('i', len(header)))
        conn.sendall(header)
        conn.sendall(output)
    elif ARGS.format == 'length':
        conn.sendall(struct.pack('i', len(output)))
        conn.sendall(output)
    elif ARGS.format == 'ack':
        conn.sendall(str(len(output)).encode('ascii'))
        if conn.recv(1024) != b'recv_ready':
            return False
        conn.sendall(output)
    else:  # raw: the naive original, no header at all
        conn.sendall(output)
    return True


def recv_exactly(conn, n):
    data = b''
    while len(data) < n:
        chunk = conn.recv(min(n - len(data), 65536))
        if not chunk:
            raise ConnectionError('client closed in the middle of an upload header')
        data += chunk
    return data


def upload_request(conn, data):
    """If this read starts an upload, returns (header, bytes read after the header); else None.

    docs/CLASSIC.md: an upload is int32 L with 2 <= L <= 65536, then `{`, and the
    L bytes parse as JSON with "cmd": "put". Anything else is a command.
    """
    if len(data) < 5:
        return None
    length = struct.unpack('i', data[:4])[0]
    if not 2 <= length <= 65536 or data[4:5] != b'{':
        return None
    if len(data) < 4 + length:
        data += recv_exactly(conn, 4 + length - len(data))
    try:
        header = json.loads(data[4:4 + length].decode('utf-8'))
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get('cmd') != 'put':
        return None
    return header, data[4 + length:]


def store_upload(conn, header, first_bytes):
    """Receives filesize bytes and stores them, atomically, as the base name under --upload-dir."""
    size = int(header['filesize'])
    name = os.path.basename(str(header['filename']))
    fd, temp_path = tempfile.mkstemp(dir=ARGS.upload_dir, prefix='.upload-')
    try:
        with os.fdopen(fd, 'wb') as f:
            received = first_bytes[:size]
            f.write(received)
            count = len(received)
            while count < size:
                chunk = conn.recv(min(65536, size - count))
                if not chunk:
                    raise ConnectionError('client closed in the middle of an upload')
                f.write(chunk)
                count += len(chunk)
        if name in ('', '.', '..'):
            raise ValueError('no usable file name in the upload header')
        os.replace(temp_path, os.path.join(ARGS.upload_dir, name))
    except BaseException:
        os.unlink(temp_path)
        raise


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        conn = self.request
        if ARGS.greeting is not None:
            conn.sendall(ARGS.greeting.encode('utf-8'))
        try:
            while True:
                data = conn.recv(8192)
                if not data:  # an empty read: the client closed
                    break
                upload = upload_request(conn, data)
                if upload is not None:
                    store_upload(conn, *upload)  # classic servers send no reply to an upload
                    continue
                if not send_reply(conn, run_command(data.decode(ARGS.encoding))):
                    break
        except (ConnectionError, ValueError, UnicodeDecodeError) as err:
            print(f'classic_server: connection ended: {err}', file=sys.stderr, flush=True)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0, help='0 picks a free port; the port is printed')
    parser.add_argument('--format', choices=['json', 'length', 'ack', 'raw'], default='json')
    parser.add_argument('--greeting', help='text sent (UTF-8) right after accept')
    parser.add_argument('--encoding', default='utf-8',
                        help='charset of commands, and of output sent to clients')
    parser.add_argument('--upload-dir', default='.', help='where uploads are stored')
    ARGS = parser.parse_args()
    with Server((ARGS.host, ARGS.port), Handler) as server:
        print(server.server_address[1], flush=True)
        server.serve_forever()


if __name__ == '__main__':
    main()
