"""`make serve` / `python -m generator.serve` / `convcards serve` on a busy or malformed address:
one line naming the address and the way out (--dev-addr, make serve ADDR=...), exit status 2,
no traceback, nothing started."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture
def busy_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    yield s.getsockname()[1]
    s.close()


def test_busy_port_is_one_clear_line(busy_port):
    proc = _serve("generator.serve", "--dev-addr", f"127.0.0.1:{busy_port}")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert f"127.0.0.1:{busy_port} is in use" in proc.stderr and "--dev-addr" in proc.stderr and "make serve ADDR=" in proc.stderr


def test_convcards_serve_says_the_same(busy_port, tmp_path):
    site = tmp_path / "s"
    for rel in ("decks", "docs"):
        (site / rel).mkdir(parents=True)
    (site / "mkdocs.yml").write_text("site_name: s\n")
    proc = _serve("generator.app", "serve", str(site), "--dev-addr", f"127.0.0.1:{busy_port}")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "is in use" in proc.stderr


@pytest.mark.parametrize("addr", ["8000", "localhost:http", "127.0.0.1:70000"])
def test_malformed_address(addr):
    proc = _serve("generator.serve", "--dev-addr", addr)
    assert proc.returncode == 2 and "expected HOST:PORT" in proc.stderr and "Traceback" not in proc.stderr
