"""The validated catalog, pickled beside the plan cache so a command starts fast.

Validation (pandera) and derivation take about 0.4 s; a command-line plan has
3 s in all. The pickle is keyed by a hash of every file in the data folder and
of the code that derives the catalog, so any change to either is a miss; it is
written atomically and only ever read from this machine's own cache folder.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from planner.domain import catalog, nutrients
from planner.domain.catalog import Catalog, load_catalog
from planner.io import plan_cache

CODE = (Path(catalog.__file__), Path(nutrients.__file__))


def _key(data_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in (*sorted(data_dir.glob("*.csv")), *CODE):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def load_catalog_cached(data_dir: Path | str) -> Catalog:
    """``load_catalog(data_dir)``, from the cache when the files and code are unchanged.

    Raises CatalogError like ``load_catalog``; bad data is never cached.
    """
    data_dir = Path(data_dir)
    path = plan_cache.cache_dir() / f"catalog-{_key(data_dir)}.pickle"
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    loaded = load_catalog(data_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, path)
    except OSError:
        pass  # a read-only folder only costs speed
    return loaded
