"""No network at run time: every notebook runs with outbound connections refused, loopback allowed.

The kernel starts with a ``sitecustomize.py`` on its ``PYTHONPATH`` that wraps ``socket.socket.connect`` (and
``connect_ex``) and ``socket.getaddrinfo``: an address or host name that is not loopback is refused with an
``OSError`` and written to a log. The kernel's own channels (ZeroMQ over 127.0.0.1) and Unix sockets pass. The
guard proves it is loaded (each process writes its PID to a second file) and proves it refuses (a child process
tries a documentation address, TEST-NET-1). A notebook passes when it runs with no error and the log stays empty:
a classroom behind a firewall, or a Binder with its network cut, still gets every figure.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

GUARD = r'''
import ipaddress
import os
import socket

_LOG = os.environ["HELPERS_OFFLINE_LOG"]
with open(os.environ["HELPERS_OFFLINE_LOADED"], "a") as _f:
    _f.write(f"{os.getpid()}\n")
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _record(what):
    with open(_LOG, "a") as f:
        f.write(what + "\n")
    return OSError(f"network blocked by test_offline: {what}")


def _loopback(host):
    if host is None or host == "" or str(host).lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _check(sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
        raise _record(f"connect {address!r}")


_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def connect(self, address):
    _check(self, address)
    return _connect(self, address)


def connect_ex(self, address):
    _check(self, address)
    return _connect_ex(self, address)


def _literal(host):
    try:
        ipaddress.ip_address(str(host).split("%")[0])
        return True
    except ValueError:
        return False


def getaddrinfo(host, *args, **kwargs):
    # An address literal needs no lookup; connect() judges it. A name that is not loopback would ask a resolver.
    host = host.decode() if isinstance(host, bytes) else host
    if not (_loopback(host) or _literal(host)):
        raise _record(f"getaddrinfo {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
'''


@pytest.fixture
def offline_env(tmp_path):
    """An environment whose Python processes may reach loopback only; returns (env, attempts log, loaded log)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(GUARD)
    log, loaded = tmp_path / "attempts.log", tmp_path / "loaded.log"
    log.touch()
    loaded.touch()
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": path, "HELPERS_OFFLINE_LOG": str(log), "HELPERS_OFFLINE_LOADED": str(loaded)}
    return env, log, loaded


def test_the_guard_refuses_outbound_and_allows_loopback(offline_env):
    """The guard must bite, or the notebook test below could not fail: an outbound connect and a DNS lookup are
    refused and logged; a loopback connect reaches the real socket (refused by the OS: nothing listens)."""
    env, log, loaded = offline_env
    code = ("import socket\n"
            "for target in (('192.0.2.1', 80), ('example.org', 443)):\n"
            "    try:\n        socket.create_connection(target, timeout=2)\n"
            "    except OSError as e:\n        print('refused', e)\n"
            "s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()\n"
            "try:\n    socket.create_connection(('127.0.0.1', port), timeout=2)\n"
            "except ConnectionRefusedError:\n    print('loopback reached')\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("network blocked by test_offline") == 2, out.stdout
    assert "loopback reached" in out.stdout
    attempts = log.read_text().splitlines()
    assert attempts == ["connect ('192.0.2.1', 80)", "getaddrinfo 'example.org'"]
    assert loaded.read_text().strip()


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_without_network(offline_env, path):
    """The notebook executes on a fresh kernel with the guard loaded and never tries to leave the machine."""
    from nbclient import NotebookClient

    env, log, loaded = offline_env
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", store_widget_state=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=env)
    assert loaded.read_text().strip(), "the kernel did not load the network guard"
    errors = [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, errors
    assert log.read_text() == "", f"{path.name} tried to reach the network:\n{log.read_text()}"
