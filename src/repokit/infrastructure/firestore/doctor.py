"""``repokit doctor`` on a ``firestore://`` URL: where the client would go, before it goes.

The client library waits up to a minute, retrying, for an endpoint that does not
answer, and needs credentials unless ``FIRESTORE_EMULATOR_HOST`` is set; these
checks say which is wrong at once. The generic checks (reachable, one read of
every collection) follow; a project or database that does not exist on
Firestore shows there (Firestore's ``NotFound``, as a ``ConfigurationError``).
"""

from __future__ import annotations

import os
import socket

from repokit.infrastructure.diagnosis_check import Check
from repokit.infrastructure.firestore.url import EMULATOR_VARIABLE, parse_firestore_url

_CONNECT_TIMEOUT_S = 2.0


def firestore_preflight(url: str) -> Check | None:
    """A failed check when the URL, the emulator or the credentials are wrong; None when
    the client may go ahead."""
    from repokit.domain.errors import ConfigurationError

    try:
        target = parse_firestore_url(url)
    except ConfigurationError as exc:
        return Check("reachable", False, str(exc))
    emulator = os.environ.get(EMULATOR_VARIABLE)
    if emulator:
        host, _, port = emulator.rpartition(":")
        try:
            with socket.create_connection((host or "127.0.0.1", int(port)), _CONNECT_TIMEOUT_S):
                return None
        except (OSError, ValueError):
            return Check(
                "reachable",
                False,
                f"{EMULATOR_VARIABLE}={emulator} does not answer: start the emulator "
                "(cloud_firestore_emulator start --host=127.0.0.1 --port=PORT) or unset "
                f"{EMULATOR_VARIABLE} to use Firestore itself ({target.redacted})",
            )
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        google.auth.default()
    except DefaultCredentialsError:
        return Check(
            "reachable",
            False,
            f"no Google credentials for {target.redacted} and {EMULATOR_VARIABLE} is not set: "
            f"set {EMULATOR_VARIABLE}=host:port for the emulator, or "
            "GOOGLE_APPLICATION_CREDENTIALS (or run on Google Cloud) for Firestore",
        )
    return None


__all__ = ["firestore_preflight"]
