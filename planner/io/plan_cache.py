"""Each browser session's plan on disk, under a random session token (never the goals).

A browser refresh starts a new Streamlit session; the token comes back from the
URL, and with it the plan that was on screen and the goals it was made for. A
token is 128 random bits, so one visitor cannot guess another's. Files live under
``$PLANNER_DATA_DIR/cache`` (default ``./var/cache``) and are written atomically,
so a crash mid-write leaves the previous plan readable.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")


def cache_dir() -> Path:
    """The folder holding cached plans (created on first save)."""
    return Path(os.environ.get("PLANNER_DATA_DIR", "var")) / "cache"


def new_token() -> str:
    """A fresh random session token (22 URL-safe characters)."""
    return secrets.token_urlsafe(16)


def is_token(text: str) -> bool:
    """True when ``text`` has the shape of a session token (so it is safe in a file name)."""
    return bool(TOKEN.match(text))


def _path(token: str) -> Path:
    if not is_token(token):
        raise ValueError("not a session token")
    return cache_dir() / f"session_{token}.json"


def save(token: str, text: str) -> Path:
    """Write a session's document under ``token``; returns the file written."""
    path = _path(token)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def load(token: str) -> str | None:
    """The document saved under ``token``, or None when there is none or the token is bad."""
    if not is_token(token):
        return None
    try:
        return _path(token).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
