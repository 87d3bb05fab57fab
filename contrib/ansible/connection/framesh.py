# framesh connection plugin for Ansible: runs modules, copies and fetches files through the `framesh`
# CLI, the way Ansible's own `ssh` plugin drives the `ssh` binary. Install by pointing Ansible at this
# folder (ANSIBLE_CONNECTION_PLUGINS=contrib/ansible/connection, or connection_plugins in ansible.cfg),
# then use `-c framesh` or `ansible_connection=framesh`.
from __future__ import annotations

DOCUMENTATION = r"""
name: framesh
short_description: run commands and move files over framesh
description:
  - Runs commands with C(framesh exec), copies files with C(framesh put) and fetches them with
    C(framesh get), over one TLS connection per call with framesh's key authentication.
  - Remote paths are resolved under the server's file root (C(framesh serve --root)); Ansible's
    remote temporary directory must lie under it (C(--root /) for a whole-machine server).
author: framesh
options:
  host:
    description: Host to connect to.
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
      - name: ansible_framesh_host
  port:
    description: framesh server port.
    type: int
    vars:
      - name: ansible_port
      - name: ansible_framesh_port
  identity_file:
    description: Private key to authenticate with (framesh -i).
    vars:
      - name: ansible_framesh_identity_file
      - name: ansible_private_key_file
  fingerprint:
    description: Require exactly this server key (SHA256:...).
    vars:
      - name: ansible_framesh_fingerprint
  accept_new:
    description: Trust and remember a server not yet in known_hosts.
    type: bool
    default: false
    vars:
      - name: ansible_framesh_accept_new
  insecure:
    description: Plain TCP without TLS or keys (trusted loopback only).
    type: bool
    default: false
    vars:
      - name: ansible_framesh_insecure
  executable:
    description: The framesh program.
    default: framesh
    vars:
      - name: ansible_framesh_executable
  connect_timeout:
    description: Time allowed to connect, verify and authenticate (framesh duration, e.g. 10s).
    default: 10s
    vars:
      - name: ansible_framesh_connect_timeout
  become_timeout:
    description: >-
      Time allowed for become (sudo) to ask for its password or to report success, in seconds; past it
      the call fails instead of waiting on a prompt nobody answers.
    type: int
    default: 30
    vars:
      - name: ansible_framesh_become_timeout
  pipelining:
    description: >-
      Send modules on stdin instead of copying them first (fewer round trips). Not used for a call whose
      become needs a password: that call runs on a terminal (exec -t), where stdin is the terminal.
    type: bool
    default: true
    vars:
      - name: ansible_pipelining
      - name: ansible_framesh_pipelining
"""

import os
import selectors
import shlex
import subprocess
import time

from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.connection import ConnectionBase
from ansible.utils.display import Display

display = Display()

# framesh's own failures (connection, authentication, protocol) exit 255, as ssh's do.
FRAMESH_FAILURE = 255


class Connection(ConnectionBase):
    """Each call is one framesh process: exec, put or get."""

    transport = "framesh"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._connected = False

    @property
    def has_pipelining(self):
        # Become with a password runs on a terminal (see exec_command), and a module piped into python on
        # a terminal meets python's interactive mode; Ansible's ssh plugin makes the same choice for -tt.
        return not self._become_wants_password()

    def _become_wants_password(self):
        # Asked before the become command is built (Ansible decides on pipelining first), so the password
        # itself, not expect_prompt(), which also needs the prompt that building sets.
        if not self.become:
            return False
        return bool(self.become.get_option("become_pass", playcontext=self._play_context))

    def _connect(self):
        self._connected = True
        return self

    def _target(self):
        host = self.get_option("host") or self._play_context.remote_addr
        port = self.get_option("port")
        # A bare IPv6 address needs brackets before a port.
        if port:
            return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        return host

    def _framesh_args(self):
        opts = ["--connect-timeout", str(self.get_option("connect_timeout"))]
        if self.get_option("identity_file"):
            opts += ["-i", os.path.expanduser(self.get_option("identity_file"))]
        if self.get_option("fingerprint"):
            opts += ["--fingerprint", self.get_option("fingerprint")]
        if self.get_option("accept_new"):
            opts.append("--accept-new")
        if self.get_option("insecure"):
            opts.append("--insecure")
        return opts

    def _run(self, args, in_data=None):
        cmd = [self.get_option("executable")] + args
        display.vvv(f"FRAMESH: {shlex.join(cmd)}", host=self._play_context.remote_addr)
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE if in_data is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except FileNotFoundError as err:
            raise AnsibleError(f"framesh executable not found: {cmd[0]}") from err
        out, err = proc.communicate(in_data)
        return proc.returncode, out, err

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        escalating = sudoable and self.become is not None and bool(self.become.success)
        # A password prompt wants a terminal (sudo reads /dev/tty unless told -S; requiretty): exec -t, as
        # Ansible's ssh plugin asks for -tt. Piped modules cannot share a terminal, so they go without one.
        tty = escalating and self._become_wants_password() and in_data is None
        args = ["exec", *self._framesh_args()]
        if tty:
            args += ["-t", "--escape", "none"]
        elif in_data is None and not escalating:
            args.append("-n")
        # One argument after -- is run by the server's /bin/sh -c, exactly as Ansible composed it.
        args += [self._target(), "--", to_text(cmd)]
        data = to_bytes(in_data) if in_data is not None else None
        if escalating:
            code, out, err = self._run_escalated(args, data, tty)
        else:
            code, out, err = self._run(args, in_data=data)
        if code == FRAMESH_FAILURE and err.startswith(b"framesh:"):
            raise AnsibleConnectionFailure(to_text(err.strip()))
        return code, out, err

    def _run_escalated(self, args, in_data, tty):
        """
        Runs a become command as Ansible's ssh plugin does: watch the output for the become prompt (answer
        it with the password) or the success marker, drop both, then hand over the module's stdin (if
        piped) and collect the rest. On a terminal stdout and stderr arrive merged, on stdout.
        """
        cmd = [self.get_option("executable")] + args
        display.vvv(f"FRAMESH: {shlex.join(cmd)}", host=self._play_context.remote_addr)
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except FileNotFoundError as err:
            raise AnsibleError(f"framesh executable not found: {cmd[0]}") from err
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ, "stdout")
        selector.register(proc.stderr, selectors.EVENT_READ, "stderr")
        got = {"stdout": b"", "stderr": b""}
        pending = {"stdout": b"", "stderr": b""}
        escalated = False
        prompted = False
        deadline = time.monotonic() + int(self.get_option("become_timeout"))

        def feed():
            if in_data is not None:
                proc.stdin.write(in_data)
            if not tty:
                proc.stdin.close()
            else:
                proc.stdin.flush()

        try:
            while selector.get_map():
                wait = None if escalated else deadline - time.monotonic()
                if wait is not None and wait <= 0:
                    raise AnsibleError(f"become ({self.become.name}) neither asked for a password nor succeeded within {self.get_option('become_timeout')} s")
                for key, _ in selector.select(wait):
                    chunk = os.read(key.fileobj.fileno(), 65536)
                    if not chunk:
                        selector.unregister(key.fileobj)
                        continue
                    if escalated:
                        got[key.data] += chunk
                        continue
                    pending[key.data] += chunk
                    text = pending[key.data]
                    if self.become.check_success(text):
                        # Everything up to and including the marker's line is sudo's, not the module's.
                        marker = to_bytes(self.become.success)
                        end = text.find(b"\n", text.find(marker))
                        got[key.data] += b"" if end < 0 else text[end + 1:]
                        other = "stderr" if key.data == "stdout" else "stdout"
                        got[other] += pending[other]
                        escalated = True
                        feed()
                    elif self.become.check_incorrect_password(text):
                        raise AnsibleError(f"Incorrect {self.become.name} password")
                    elif self.become.check_missing_password(text):
                        raise AnsibleError(f"Missing {self.become.name} password")
                    elif not prompted and self.become.expect_prompt() and self.become.check_password_prompt(text):
                        password = self.become.get_option("become_pass", playcontext=self._play_context)
                        proc.stdin.write(to_bytes(password, errors="surrogate_or_strict") + b"\n")
                        proc.stdin.flush()
                        prompted = True
                        pending[key.data] = b""
            proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            selector.close()
            if not proc.stdin.closed:
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass
        if not escalated:
            # The command ended before become said it worked: what it printed is the error.
            got = {k: got[k] + pending[k] for k in got}
        return proc.returncode, got["stdout"], got["stderr"]

    def put_file(self, in_path, out_path):
        super().put_file(in_path, out_path)
        if not os.path.exists(to_bytes(in_path)):
            raise AnsibleFileNotFound(f"file or module does not exist: {in_path}")
        code, out, err = self._run(["put", "-q", *self._framesh_args(), in_path, f"{self._target()}:{out_path}"])
        if code != 0:
            raise AnsibleError(f"framesh put to {out_path} failed ({code}): {to_text(err.strip())}")

    def fetch_file(self, in_path, out_path):
        super().fetch_file(in_path, out_path)
        code, out, err = self._run(["get", "-q", *self._framesh_args(), f"{self._target()}:{in_path}", out_path])
        if code != 0:
            raise AnsibleError(f"framesh get of {in_path} failed ({code}): {to_text(err.strip())}")

    def close(self):
        self._connected = False
