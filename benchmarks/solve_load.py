"""Solves as jobs under load: simulated users on the embedded pool and on a Dask
LocalCluster, the web server's rerun time meanwhile, and a batch re-plan.

Run: ``.venv/bin python -m benchmarks.solve_load [--users 20] [--minutes 5]
[--clients 200] [--time-limit 2]``. Each user creates a plan, re-plans it with
minimal change, and starts over, until the time is up; a user told the queue is
full waits a second and tries again. Prints a Markdown section; ``--write``
replaces the ``## Solve load`` section of ``benchmarks/RESULTS.md``. A
measurement, never a test assertion.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from distributed import Client, LocalCluster

from benchmarks.results import machine, write_section
from benchmarks.ui_bench import plan_page_with_plan, rerun_ms
from planner.domain.catalog import load_catalog
from planner.domain.goals import Profile, default_request
from planner.domain.workspace import ClientProfile
from planner.services.batch import replan_clients
from planner.services.dask_pool import DaskPool
from planner.services.jobs import JobState, Pool, QueueFull
from planner.services.local_pool import LocalPool
from planner.store import accounts
from planner.store.db import open_store
from planner.store.repository import Workspace

HEADING = "## Solve load"
QUEUE_LIMIT = 1000  # users queue rather than being refused: the queue is what is measured


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def user(pool: Pool, catalog, seed: int, until: float, time_limit: float,
         stats: dict) -> None:
    """Create a plan, re-plan it, repeat until ``until``; record each time to plan."""
    rng = random.Random(seed)
    while time.monotonic() < until:
        profile = Profile(sex=rng.choice(["female", "male"]), age=rng.randint(20, 80))
        previous = None
        for _ in range(2):  # create, then re-plan with minimal change
            request = default_request(catalog, profile, days=7, time_limit_s=time_limit,
                                      previous=previous)
            start = time.monotonic()
            try:
                job = pool.submit(request, catalog)
            except QueueFull:
                stats["refused"] += 1
                time.sleep(1)
                break
            stats["submitted"] += 1
            outcome = job.outcome()
            if outcome.state is not JobState.DONE:
                stats["lost"] += 1
                break
            stats["times"].append(time.monotonic() - start)
            previous = outcome.plan


def load(pool: Pool, catalog, users: int, seconds: float, time_limit: float) -> str:
    stats = {"times": [], "submitted": 0, "lost": 0, "refused": 0}
    page = plan_page_with_plan()
    idle = rerun_ms(20, page)[0]  # the same reruns before any solve, for comparison
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=user, args=(pool, catalog, i, until, time_limit, stats))
               for i in range(users)]
    start = time.monotonic()
    for t in threads:
        t.start()
    reruns = []
    while time.monotonic() < until:  # the web server's reruns while the solves run
        reruns += rerun_ms(5, page)[0]
    for t in threads:
        t.join()
    wall = time.monotonic() - start
    times = stats["times"]
    return (f"| {len(times)} | {p(times, 50):.1f} | {p(times, 95):.1f} | "
            f"{len(times) / wall * 60:.1f} | {stats['lost']} | {p(idle, 95):.0f} | "
            f"{p(reruns, 50):.0f} | {p(reruns, 95):.0f} |")


def batch(pool: Pool, catalog, clients: int, folder: Path) -> str:
    sessions = open_store(f"sqlite:///{folder / 'batch.sqlite3'}")
    ws = Workspace(sessions, accounts.add_user(sessions, "bench", "bench password"))
    rng = random.Random(0)
    for i in range(clients):
        ws.create_client(ClientProfile(f"client {i}", rng.choice(["female", "male"]),
                                       rng.randint(20, 80), "general", None, ""))
    start = time.monotonic()
    results = replan_clients(ws, catalog, pool, "benchmark")
    wall = time.monotonic() - start
    saved = sum(r.saved for r in results)
    return f"| {clients} | {saved} | {wall:.0f} | {wall / clients:.2f} |"


@contextmanager
def cluster_pool(workers: int):
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    pool = DaskPool(Client(cluster), queue_limit=QUEUE_LIMIT)
    try:
        yield pool
    finally:
        pool.shutdown()
        cluster.close()


@contextmanager
def local_pool():
    pool = LocalPool(queue_limit=QUEUE_LIMIT)
    try:
        yield pool
    finally:
        pool.shutdown()


def report(users: int, minutes: float, clients: int, time_limit: float) -> str:
    catalog = load_catalog()
    runs = {"embedded pool": local_pool, "Dask LocalCluster, 2 workers":
            lambda: cluster_pool(2)}
    load_rows, batch_rows = [], []
    for name, make in runs.items():
        with make() as pool, tempfile.TemporaryDirectory() as folder:
            workers = pool.workers
            load_rows.append(f"| {name} ({workers} solving) "
                             + load(pool, catalog, users, minutes * 60, time_limit))
            batch_rows.append(f"| {name} " + batch(pool, catalog, clients, Path(folder)))
    return "\n".join([
        HEADING, "",
        f"Machine: {machine()}. Bundled library, 7-day plans, {time_limit:g} s solver limit "
        "per plan. Command: `.venv/bin/python -m benchmarks.solve_load --users "
        f"{users} --minutes {minutes:g} --clients {clients} --time-limit {time_limit:g}`.",
        "",
        f"{users} simulated users, each creating a plan and re-planning it with minimal "
        f"change, for {minutes:g} min; time to plan is submit → plan (queueing included); "
        "rerun is an AppTest rerun of the Plan page holding a plan, in the process that "
        "submits the jobs: idle (before the users start) and while the solves run.",
        "",
        "| pool | plans | p50 time to plan (s) | p95 (s) | plans/min | lost jobs | "
        "rerun p95 idle (ms) | rerun p50 under load (ms) | rerun p95 under load (ms) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *load_rows, "",
        "Batch re-plan of synthetic clients (first plan each, saved as a version):", "",
        "| pool | clients | saved | wall (s) | s per plan |",
        "| --- | --- | --- | --- | --- |",
        *batch_rows, ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    section = report(args.users, args.minutes, args.clients, args.time_limit)
    print(section)
    if args.write:
        write_section(section)


if __name__ == "__main__":
    main()
