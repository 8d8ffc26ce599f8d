"""A local file cache of the current plan's JSON, keyed by a hash of the goals.

A browser refresh starts a new Streamlit session; the goals come back from the
URL, and with them this cache gives back the plan that was on screen. Files
live under ``$PLANNER_DATA_DIR/cache`` (default ``./var/cache``) and are
written atomically, so a crash mid-write leaves the previous plan readable.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def cache_dir() -> Path:
    """The folder holding cached plans (created on first save)."""
    return Path(os.environ.get("PLANNER_DATA_DIR", "var")) / "cache"


def goals_key(goals: Mapping[str, Any]) -> str:
    """A short stable hash of ``goals`` (JSON-serialisable values, any key order)."""
    text = json.dumps(goals, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _path(key: str) -> Path:
    return cache_dir() / f"plan_{key}.json"


def save(key: str, plan_json: str) -> Path:
    """Write a plan's JSON document under ``key``; returns the file written."""
    path = _path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(plan_json, encoding="utf-8")
    tmp.replace(path)
    return path


def load(key: str) -> str | None:
    """The plan JSON cached under ``key``, or None when there is none."""
    try:
        return _path(key).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
