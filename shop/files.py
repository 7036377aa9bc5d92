"""Files written so that a reader never sees half of one."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomically(path: Path, content: bytes | Iterable[bytes]) -> str:
    """Write ``content`` (bytes, or pieces of it) to ``path`` through a
    temporary file and a rename; returns the SHA-256 of what was written.
    The temporary file is locked (``flock``) until it has been renamed, so a
    sweeper (``billing_bridge.exchange.file.remove_stale_temporaries``) can
    tell a live writer from a dead one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            fcntl.flock(stream, fcntl.LOCK_EX)
            for chunk in [content] if isinstance(content, bytes) else content:
                digest.update(chunk)
                stream.write(chunk)
            stream.flush()
            os.fsync(stream.fileno())
            os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest.hexdigest()
