"""Shared by the benchmarks: the machine line and replacing one section of RESULTS.md."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def machine() -> str:
    """Host, CPU, cores, Python and the UTC time of the measurement."""
    return (f"{platform.node()}: {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


def write_section(section: str) -> None:
    """Replace (or append) the ``## `` section that ``section`` starts with, leaving the others."""
    heading = section.splitlines()[0]
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    start = text.find(heading + "\n")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + section + ("" if end < 0 else text[end:])
    RESULTS.write_text(text, encoding="utf-8")
