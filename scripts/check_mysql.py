"""Fail clearly when the MySQL server the tests use is not reachable (``.ci/run``).

Reads ``REPOKIT_TEST_MYSQL_URL`` (default ``mysql://root@127.0.0.1:3306/test``),
opens a TCP connection and reads the server's greeting: the protocol-10
handshake every MySQL and MariaDB server sends first. Standard library only, so
it runs before the virtualenv exists; the password is never read or printed.
Exit status 0 when the server answered, 1 otherwise.
"""

from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlsplit

DEFAULT_URL = "mysql://root@127.0.0.1:3306/test"
TIMEOUT_S = 5.0


def greeting(host: str, port: int) -> str:
    """The server version from the handshake of the server at ``host:port``.

    Raises:
        OSError: nothing listens there, or it did not answer like MySQL.
    """
    with socket.create_connection((host, port), timeout=TIMEOUT_S) as sock:
        header = sock.recv(4)
        if len(header) < 4:
            raise OSError("the server closed the connection without a greeting")
        length = int.from_bytes(header[:3], "little")
        payload = b""
        while len(payload) < length:
            chunk = sock.recv(length - len(payload))
            if not chunk:
                break
            payload += chunk
    if not payload or payload[0] != 10:
        # 0xff: an error packet (e.g. "Host is not allowed to connect").
        raise OSError("the server answered, but not with a MySQL handshake")
    return payload[1:].split(b"\0", 1)[0].decode(errors="replace")


def main() -> int:
    """Check the server; print one line saying what was found."""
    url = urlsplit(os.environ.get("REPOKIT_TEST_MYSQL_URL") or DEFAULT_URL)
    host, port = url.hostname or "127.0.0.1", url.port or 3306
    try:
        version = greeting(host, port)
    except OSError as exc:
        print(f"MySQL at {host}:{port} is not reachable: {exc}", file=sys.stderr)
        return 1
    print(f"MySQL at {host}:{port}: {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
