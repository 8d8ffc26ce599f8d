"""Dashboard speed: server time of a rerun without solving, and click → drawn plan in Chromium.

Run: ``.venv/bin/python -m benchmarks.ui_bench [--repeats N]``. Prints a
Markdown section; ``--write`` replaces the ``## Dashboard`` section of
``benchmarks/RESULTS.md`` with it. A measurement, never a test assertion.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from benchmarks.results import machine, write_section
from tools.screenshots import create_plan, launch, streamlit_server

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Dashboard"


def plan_page_with_plan() -> AppTest:
    """The Plan page in AppTest after one press of Create plan."""
    os.environ["PLANNER_DATA_DIR"] = tempfile.mkdtemp()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.button(key="create_plan").click().run()
    assert not at.exception, at.exception
    return at


def rerun_ms(repeats: int, at: AppTest | None = None) -> tuple[list[float], list[float]]:
    """Wall and CPU time (this process, all threads) of AppTest reruns of the Plan page
    holding a plan (no solve), in ms; CPU time is what a busy machine inflates least."""
    at = at or plan_page_with_plan()
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        at.run()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def click_to_plan_s(repeats: int) -> list[float]:
    """Seconds from clicking Create plan to the drawn week grid, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    times = []
    with streamlit_server(Path(tempfile.mkdtemp())) as url, sync_playwright() as p:
        browser = launch(p)
        for _ in range(repeats):
            page = browser.new_page()
            page.goto(url)
            page.get_by_role("button", name="Create plan").wait_for(timeout=60_000)
            start = time.perf_counter()
            create_plan(page)
            times.append(time.perf_counter() - start)
            page.close()
        browser.close()
    return times


def load() -> str:
    """The 1, 5 and 15 minute load averages, as ``uptime`` prints them."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def report(repeats: int) -> str:
    before = load()
    reruns, rerun_cpu = rerun_ms(repeats * 10)
    clicks = click_to_plan_s(repeats)
    return "\n".join([
        HEADING, "",
        f"Command: `.venv/bin/python -m benchmarks.ui_bench --repeats {repeats} --write`  ",
        f"Machine: {machine()}  ",
        f"Load average (1, 5, 15 min): {before} before, {load()} after", "",
        "| measure | median | min | max | n | goal |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| Plan page rerun holding a plan, no solve (AppTest, server time) | "
        f"{statistics.median(reruns):.0f} ms | {min(reruns):.0f} ms | {max(reruns):.0f} ms | "
        f"{len(reruns)} | < 200 ms |",
        f"| the same reruns, CPU time of the process | {statistics.median(rerun_cpu):.0f} ms | "
        f"{min(rerun_cpu):.0f} ms | {max(rerun_cpu):.0f} ms | {len(rerun_cpu)} | |",
        f"| Click *Create plan* → week grid drawn (headless Chromium, bundled library, 7 days) "
        f"| {statistics.median(clicks):.2f} s | {min(clicks):.2f} s | {max(clicks):.2f} s | "
        f"{len(clicks)} | < 3 s |",
        "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    section = report(args.repeats)
    print(section)
    if args.write:
        write_section(section)


if __name__ == "__main__":
    main()
