"""A client's whole record as one JSON file, and back.

The document holds no database ids. An import is untrusted input, checked like a
typed client: the file's shape and sizes by pydantic (types, lengths, counts, no
deeper nesting than the format has), the profile, every rule and steady vitamin K
by ``planner.store.checks``, every plan version as an uploaded plan
(``planner.io.plan_files.plan_from_json_bytes``, against the importer's catalog when given).
Anything wrong refuses the whole file with a message; nothing is written.

Who did what and when is never taken from the file: the imported client, its
versions and its audit entries are written by the importing dietitian at the
server's time. The file's own history (its audit entries and who saved each version
when) is kept only as quoted text, one audit entry "quoted from the file" per line,
each marked unverified. So export → import → export keeps the profile, flags, rules
and plans, not the history's authors and dates.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planner.domain.catalog import Catalog
from planner.domain.workspace import (
    ClientProfile,
    ClientRecord,
    ImportedVersion,
    RuleKind,
    RuleRecord,
    StoreError,
)
from planner.io.plan_document import first_problem
from planner.io.plan_files import plan_from_json_bytes
from planner.store.checks import (
    TEXT_LIMITS,
    check_profile,
    check_steady_k,
    check_text,
    checked_rule,
)
from planner.store.db import error_as_message
from planner.store.repository import Workspace

FORMAT = "k2d3-client-record"
FORMAT_VERSION = 1
MAX_BYTES = 5 * 1024 * 1024  # the upload limit in .streamlit/config.toml
MAX_PLAN_CHARS = 1024 * 1024  # as planner.io.plan_document.MAX_BYTES
QUOTE_CHARS = 1000

Text = Annotated[str, Field(max_length=TEXT_LIMITS["notes"])]
Name = Annotated[str, Field(max_length=80)]
Scalar = Text | bool | int | float | None
Detail = dict[Name, Scalar | Annotated[list[Scalar], Field(max_length=500)]
              | Annotated[dict[Name, Scalar], Field(max_length=50)]]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class ProfileDoc(_Frozen):
    name: Annotated[str, Field(max_length=TEXT_LIMITS["name"])]
    sex: Name
    age: int
    life_stage: Name
    weight_kg: float | None
    notes: Text


class RuleDoc(_Frozen):
    kind: RuleKind
    key: Name
    value: Annotated[dict[Name, Scalar], Field(max_length=10)]
    origin: Name


class AuditDoc(_Frozen):
    actor: Name
    at: datetime
    action: Name
    detail: Annotated[Detail, Field(max_length=50)]


class VersionDoc(_Frozen):
    number: int
    goals: Annotated[str, Field(max_length=MAX_PLAN_CHARS)]
    plan: Annotated[str, Field(max_length=MAX_PLAN_CHARS)]
    author: Name
    note: Annotated[str, Field(max_length=TEXT_LIMITS["note"])]
    created_at: datetime


class ClientDoc(_Frozen):
    format: Literal["k2d3-client-record"]
    format_version: Literal[1]
    profile: ProfileDoc
    archived: bool
    steady_k: bool
    steady_k_baseline_ug: float | None
    created_at: datetime
    updated_at: datetime
    rules: Annotated[list[RuleDoc], Field(max_length=500)]
    audit: Annotated[list[AuditDoc], Field(max_length=5000)]
    versions: Annotated[list[VersionDoc], Field(max_length=500)]


def export_client(workspace: Workspace, client_id: int) -> str:
    """The client's profile, flags, rules, audit trail and every plan version, as JSON."""
    client = workspace.get_client(client_id)
    doc = ClientDoc(
        format=FORMAT, format_version=FORMAT_VERSION,
        profile=ProfileDoc(**client.profile.__dict__), archived=client.archived,
        steady_k=client.steady_k, steady_k_baseline_ug=client.steady_k_baseline_ug,
        created_at=client.created_at, updated_at=client.updated_at,
        rules=[RuleDoc(kind=r.kind, key=r.key, value=r.value, origin=r.origin)
               for r in workspace.rules(client_id)],
        audit=[AuditDoc(actor=a.actor, at=a.at, action=a.action, detail=a.detail)
               for a in workspace.audit(client_id)],
        versions=[VersionDoc(number=v.number, goals=v.goals_json, plan=v.plan_json,
                             author=v.author, note=v.note, created_at=v.created_at)
                  for v in workspace.versions(client_id)],
    )
    return json.dumps(doc.model_dump(mode="json"), indent=1, ensure_ascii=False)


def parse_client(text: str | bytes, catalog: Catalog | None = None) -> ClientDoc:
    """The document in ``text``, every part checked as if typed on the Clients page;
    StoreError with a message a person can act on. ``catalog``: also refuse plans
    naming recipes or supplements it lacks."""
    if len(text) > MAX_BYTES:
        raise StoreError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StoreError(f"the file is not JSON ({exc})") from None
    except RecursionError:
        raise StoreError("the file is nested too deeply to be a client record") from None
    try:
        json.dumps(raw, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise StoreError("the file holds text that is not valid Unicode") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise StoreError("the file is not a client record exported by this planner")
    if raw.get("format_version") != FORMAT_VERSION:
        raise StoreError(f"client record format {str(raw.get('format_version'))[:20]} is "
                         "not supported")
    try:
        doc = ClientDoc.model_validate(raw)
    except ValidationError as exc:
        raise StoreError(f"the client record is damaged at {first_problem(exc.errors())}"
                         ) from None
    check_profile(ClientProfile(**doc.profile.model_dump()))
    _check_flags(doc)
    _check_versions(doc, catalog)
    rules = [checked_rule(RuleRecord(r.kind, r.key, r.value, r.origin)) for r in doc.rules]
    return doc.model_copy(update={"rules": [
        RuleDoc(kind=r.kind, key=r.key, value=r.value, origin=r.origin) for r in rules]})


def _check_flags(doc: ClientDoc) -> None:
    check_steady_k(doc.steady_k_baseline_ug)
    if doc.steady_k != (doc.steady_k_baseline_ug is not None):
        raise StoreError("the client record's steady vitamin K flag and baseline disagree")


def _check_versions(doc: ClientDoc, catalog: Catalog | None) -> None:
    numbers = [v.number for v in doc.versions]
    if numbers != list(range(1, len(numbers) + 1)):
        raise StoreError("the client record's plan versions are not numbered 1, 2, 3 …")
    for v in doc.versions:
        check_text("note", v.note)
        try:
            goals = json.loads(v.goals)
            plan_from_json_bytes(v.plan.encode(), catalog)
        except RecursionError:
            raise StoreError(f"plan version {v.number} is nested too deeply") from None
        except ValueError as exc:
            raise StoreError(f"plan version {v.number} is damaged: {exc}") from None
        if not isinstance(goals, dict):
            raise StoreError(f"plan version {v.number} has no goals")


def _quotes(doc: ClientDoc) -> list[str]:
    """The file's history as lines of text, each at most ``QUOTE_CHARS`` characters."""
    lines = [f"{a.at:%Y-%m-%d %H:%M} {a.actor}: {a.action} "
             f"{json.dumps(a.detail, ensure_ascii=False)}" for a in doc.audit]
    lines += [f"version {v.number} saved {v.created_at:%Y-%m-%d %H:%M} by {v.author}"
              for v in doc.versions]
    return [line.replace("\x00", "")[:QUOTE_CHARS] for line in lines]


@error_as_message
def import_client(workspace: Workspace, text: str | bytes, catalog: Catalog | None = None
                  ) -> ClientRecord:
    """Create a client of ``workspace``'s dietitian from an exported record (see the
    module docstring for what is checked and what is kept)."""
    doc = parse_client(text, catalog)
    return workspace.import_client(
        ClientProfile(**doc.profile.model_dump()), archived=doc.archived,
        steady_k=doc.steady_k, steady_k_baseline_ug=doc.steady_k_baseline_ug,
        rules=list(doc.rules), quotes=_quotes(doc),
        versions=[ImportedVersion(v.number, v.goals, v.plan, v.note) for v in doc.versions])
