"""Recipe import against hostile pages: how long the JSON-LD scan takes on the pages that
froze the server with the old regex.

Run: ``.venv/bin/python -m benchmarks.import_bench [--repeats N] [--write]``.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time

from benchmarks.results import machine, write_section
from planner.io.recipe_import import RecipeImportError, read_recipes

PAGES = {  # name → a page of 250 KiB
    "unclosed `<script ` tags": b"<script " * (250 * 1024 // 8),
    "unclosed JSON-LD openers": b'<script type="application/ld+json">' * (250 * 1024 // 35),
    "one JSON-LD block, 250 KiB of `{`": (b'<script type="application/ld+json">'
                                         + b"{" * (250 * 1024) + b"</script>"),
}


def parse_seconds(page: bytes, repeats: int) -> list[float]:
    """Wall seconds of ``read_recipes`` on ``page`` (read or refused), ``repeats`` times."""
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        with contextlib.suppress(RecipeImportError):
            read_recipes("page.html", page)
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    rows = []
    for name, page in PAGES.items():
        seconds = parse_seconds(page, args.repeats)
        rows.append(f"| {name} | {len(page) / 1024:,.0f} KiB | "
                    f"{statistics.median(seconds) * 1000:.1f} ms | {max(seconds) * 1000:.1f} ms |")
    section = "\n".join([
        "## Recipe import against hostile pages", "",
        f"Command: `.venv/bin/python -m benchmarks.import_bench --repeats {args.repeats} "
        "--write`  ", f"Machine: {machine()}", "",
        "Goal: the 250 KiB page that froze every session for 19.5 s (quadratic regex) is "
        "parsed in under 0.1 s.", "",
        "| page | size | median | max |", "| --- | ---: | ---: | ---: |", *rows, ""])
    print(section)
    if args.write:
        write_section(section)


if __name__ == "__main__":
    main()
