#!/usr/bin/env python3
"""Runs a command on a new pseudo-terminal, so tests can drive a prompt as a person would.

    python3 pty_run.py PROGRAM [ARGS...]

Our stdin is copied to the terminal (so b'\\x03' is a Ctrl-C press), the terminal's
output to our stdout; we exit with the program's status (128+N after signal N).
"""
import os
import pty
import select
import sys


def main():
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[1], sys.argv[1:])
    stdin_open = True
    while True:
        readable, _, _ = select.select([fd, 0] if stdin_open else [fd], [], [])
        if fd in readable:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the program exited and the terminal closed
                break
            if not data:
                break
            os.write(1, data)
        if 0 in readable:
            data = os.read(0, 65536)
            if data:
                os.write(fd, data)
            else:
                stdin_open = False
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    sys.exit(128 - code if code < 0 else code)


if __name__ == '__main__':
    main()
