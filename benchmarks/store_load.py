"""Store load: concurrent sessions saving plan versions, then a check that none was lost.

``python -m benchmarks.store_load [--seconds 60] [--sessions 20] [--flood 3] [--postgres URL]
[--write]``

Each session is a thread with its own store session, logged in as one of a few
dietitians, saving a real plan document to one of that dietitian's clients
(several sessions share each client, so optimistic-locking conflicts happen and
are retried after a reload, as the UI does). Meanwhile ``--flood`` threads try
logins with random user names (argon2 on every try) and one thread lists a
dietitian's clients, timing each listing. Runs on a fresh SQLite file and, with
``--postgres`` or ``TEST_DATABASE_URL``, on a fresh schema of loopback PostgreSQL.
Afterwards every acknowledged version is read back: it must exist once, with the
text sent and a valid checksum, and each client's numbers must run 1..N with no
version nobody acknowledged. ``--write`` replaces the ``## Store load`` section of
``benchmarks/RESULTS.md``. A measurement, never a test assertion.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field

from sqlalchemy import create_engine, text

from benchmarks.results import machine, write_section
from planner.domain.workspace import AuthError, ClientProfile, Conflict
from planner.store import accounts
from planner.store.db import normalize_url, open_store
from planner.store.repository import Workspace

HEADING = "## Store load"
DIETITIANS, CLIENTS_EACH = 5, 2
PASSWORD = "load test password"


@dataclass
class Tally:
    saved: list[tuple[int, int, str, str]] = field(default_factory=list)  # client, no, goals, plan
    latencies: list[float] = field(default_factory=list)
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    logins: int = 0
    listings: list[float] = field(default_factory=list)


def plan_documents() -> list[str]:
    """A few real 7-day plan documents from the optimizer (different K2 floors)."""
    from planner.domain.catalog import load_catalog
    from planner.domain.goals import Profile, default_request
    from planner.services.make_plan import solve

    catalog = load_catalog()
    docs = []
    for k2 in (60.0, 90.0, 120.0):
        request = default_request(catalog, Profile(sex="female", age=50),
                                  targets={"k2_ug": {"min": k2, "window": "week"}},
                                  time_limit_s=5.0)
        docs.append(solve(request, catalog).to_json())
    return docs


def session(workspace: Workspace, clients: list[int], docs: list[str], stop: float,
            tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    while time.monotonic() < stop:
        client = rng.choice(clients)
        plan = rng.choice(docs)
        goals = json.dumps({"session": seed, "nonce": uuid.uuid4().hex})
        started = time.perf_counter()
        try:
            while True:
                based_on = workspace.latest_number(client)
                try:
                    version = workspace.save_plan(client, goals, plan, "load test", based_on)
                    break
                except Conflict:
                    with tally.lock:
                        tally.conflicts += 1
        except Exception as exc:  # a measurement: count every failure, keep going
            with tally.lock:
                tally.errors.append(f"{type(exc).__name__}: {exc}"[:200])
            continue
        with tally.lock:
            tally.latencies.append(time.perf_counter() - started)
            tally.saved.append((client, version.number, goals, plan))


def flood(store, stop: float, tally: Tally, n: int) -> None:
    """Logins with random names from one address, as fast as argon2 allows."""
    while time.monotonic() < stop:
        try:
            accounts.authenticate(store, f"stranger_{uuid.uuid4().hex[:12]}", "guess",
                                  f"203.0.113.{n}")
        except AuthError:
            pass
        except Exception as exc:  # a measurement: count every failure, keep going
            with tally.lock:
                tally.errors.append(f"login {type(exc).__name__}: {exc}"[:200])
        with tally.lock:
            tally.logins += 1


def lister(workspace: Workspace, stop: float, tally: Tally) -> None:
    """A dietitian's client list, timed, ten times a second."""
    while time.monotonic() < stop:
        started = time.perf_counter()
        workspace.list_clients()
        with tally.lock:
            tally.listings.append(time.perf_counter() - started)
        time.sleep(0.1)


def verify(workspaces: dict[int, Workspace], owner: dict[int, int], tally: Tally) -> list[str]:
    """Problems found when reading every client back (empty: nothing lost or corrupted)."""
    problems = []
    sent = {(c, n): (g, p) for c, n, g, p in tally.saved}
    if len(sent) != len(tally.saved):
        problems.append("two acknowledged saves got the same version number")
    for client, dietitian in owner.items():
        versions = workspaces[dietitian].versions(client)  # checks every checksum
        numbers = [v.number for v in versions]
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(f"client {client}: version numbers {numbers[:5]}… have gaps")
        for v in versions:
            if (client, v.number) not in sent:
                problems.append(f"client {client} v{v.number}: stored but never acknowledged")
            elif sent[(client, v.number)] != (v.goals_json, v.plan_json):
                problems.append(f"client {client} v{v.number}: text differs from what was sent")
        acknowledged = sum(1 for c, _n in sent if c == client)
        if acknowledged != len(versions):
            problems.append(f"client {client}: {acknowledged} acknowledged, {len(versions)} "
                            "stored")
    return problems


def run(url: str, seconds: float, sessions: int, docs: list[str], floods: int) -> dict:
    store = open_store(url)
    workspaces, owner = {}, {}
    for d in range(DIETITIANS):
        account = accounts.add_user(store, f"dietitian{d}", PASSWORD)
        workspaces[account.id] = Workspace(store, account)
        for c in range(CLIENTS_EACH):
            client = workspaces[account.id].create_client(ClientProfile(f"Client {d}-{c}"))
            owner[client.id] = account.id
    ids = list(workspaces)
    tally = Tally()
    stop = time.monotonic() + seconds
    threads = []
    for i in range(sessions):
        dietitian = ids[i % len(ids)]
        # a fresh Workspace per session: its own login, sharing only the engine's pool
        ws = Workspace(store, workspaces[dietitian].account)
        clients = [c for c, d in owner.items() if d == dietitian]
        threads.append(threading.Thread(target=session,
                                        args=(ws, clients, docs, stop, tally, i)))
    threads += [threading.Thread(target=flood, args=(store, stop, tally, n))
                for n in range(floods)]
    threads.append(threading.Thread(target=lister, args=(workspaces[ids[0]], stop, tally)))
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    problems = verify(workspaces, owner, tally)
    store.kw["bind"].dispose()
    lat = sorted(tally.latencies)
    listed = sorted(tally.listings)
    return {
        "logins": tally.logins, "list_p95_ms": 1000 * listed[int(0.95 * (len(listed) - 1))]
        if listed else float("nan"), "list_max_ms": 1000 * listed[-1] if listed else float("nan"),
        "saves": len(tally.saved), "wall_s": wall, "saves_per_s": len(tally.saved) / wall,
        "p50_ms": 1000 * statistics.median(lat) if lat else float("nan"),
        "p95_ms": 1000 * lat[int(0.95 * (len(lat) - 1))] if lat else float("nan"),
        "max_ms": 1000 * lat[-1] if lat else float("nan"),
        "conflicts": tally.conflicts, "errors": len(tally.errors),
        "first_error": tally.errors[0] if tally.errors else "",
        "problems": problems, "plan_bytes": max(len(d) for d in docs),
    }


def postgres_schema_url(base: str) -> tuple[str, str]:
    base = normalize_url(base)
    schema = f"load_{uuid.uuid4().hex[:12]}"
    with create_engine(base).begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", schema


def drop_schema(base: str, schema: str) -> None:
    with create_engine(normalize_url(base)).begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def section(results: dict[str, dict], seconds: float, sessions: int, floods: int) -> str:
    lines = [
        HEADING, "",
        f"`python -m benchmarks.store_load --seconds {seconds:g} --sessions {sessions} "
        f"--flood {floods} --write` "
        f"on {machine()}.",
        f"{sessions} threads, each its own store session, save real 7-day plan documents "
        f"(up to {max(r['plan_bytes'] for r in results.values()) / 1024:.0f} KiB) as new "
        f"versions for {DIETITIANS * CLIENTS_EACH} clients of {DIETITIANS} dietitians for "
        f"{seconds:g} s; stale saves get a conflict and are retried after a reload. Then every "
        "version is read back and its checksum and text compared with what was acknowledged. "
        f"All the while {floods} threads flood the login with random user names (argon2 each) "
        "and one thread times a dietitian's client list ten times a second.",
        "",
        "| store | saves | saves/s | p50 ms | p95 ms | max ms | conflicts (retried) | errors "
        "| lost or corrupted | flood logins | client list p95 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        verdict = "none" if not r["problems"] else f"{len(r['problems'])}: {r['problems'][0]}"
        lines.append(f"| {name} | {r['saves']} | {r['saves_per_s']:.0f} | {r['p50_ms']:.1f} | "
                     f"{r['p95_ms']:.1f} | {r['max_ms']:.0f} | {r['conflicts']} | "
                     f"{r['errors']} | {verdict} | {r['logins']} | {r['list_p95_ms']:.1f} | "
                     f"{r['list_max_ms']:.0f} |")
    errors = [f"{n}: {r['first_error']}" for n, r in results.items() if r["first_error"]]
    if errors:
        lines += ["", "First error: " + "; ".join(errors)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--flood", type=int, default=3, help="login-flood threads")
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL", ""),
                        help="PostgreSQL URL (default $TEST_DATABASE_URL); empty: SQLite only")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    docs = plan_documents()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        results["SQLite (WAL, file)"] = run(f"sqlite:///{folder}/load.sqlite3", args.seconds,
                                            args.sessions, docs, args.flood)
    if args.postgres:
        url, schema = postgres_schema_url(args.postgres)
        try:
            results["PostgreSQL 127.0.0.1"] = run(url, args.seconds, args.sessions, docs,
                                                  args.flood)
        finally:
            drop_schema(args.postgres, schema)
    report = section(results, args.seconds, args.sessions, args.flood)
    print(report)
    if args.write:
        write_section(report)


if __name__ == "__main__":
    main()
