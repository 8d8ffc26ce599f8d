"""A client's whole record as one JSON file, and back.

The document holds no database ids, so exporting a client, importing the file
(as a new client of the importing dietitian) and exporting again gives the
same text. Import is one transaction: a bad file writes nothing.
"""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel, ConfigDict, ValidationError

from planner.store.db import writing
from planner.store.models import AuditEntry, Client, PlanVersion, Rule
from planner.store.records import ClientProfile, ClientRecord, RuleKind, StoreError
from planner.store.repository import Workspace, check_profile, checksum, to_record

FORMAT = "k2d3-client-record"
FORMAT_VERSION = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RuleDoc(_Frozen):
    kind: RuleKind
    key: str
    value: dict
    origin: str


class AuditDoc(_Frozen):
    actor: str
    at: datetime
    action: str
    detail: dict


class VersionDoc(_Frozen):
    number: int
    goals: str
    plan: str
    author: str
    note: str
    created_at: datetime


class ClientDoc(_Frozen):
    format: str
    format_version: int
    profile: dict
    archived: bool
    steady_k: bool
    steady_k_baseline_ug: float | None
    created_at: datetime
    updated_at: datetime
    rules: list[RuleDoc]
    audit: list[AuditDoc]
    versions: list[VersionDoc]


def export_client(workspace: Workspace, client_id: int) -> str:
    """The client's profile, flags, rules, audit trail and every plan version, as JSON."""
    client = workspace.get_client(client_id)
    doc = ClientDoc(
        format=FORMAT, format_version=FORMAT_VERSION,
        profile=client.profile.__dict__, archived=client.archived, steady_k=client.steady_k,
        steady_k_baseline_ug=client.steady_k_baseline_ug,
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


def parse_client(text: str | bytes) -> ClientDoc:
    """The document in ``text``; StoreError with a message a person can act on."""
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StoreError(f"the file is not JSON ({exc})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise StoreError("the file is not a client record exported by this planner")
    if raw.get("format_version") != FORMAT_VERSION:
        raise StoreError(f"client record format {raw.get('format_version')} is not supported")
    try:
        doc = ClientDoc.model_validate(raw)
        profile = ClientProfile(**doc.profile)
    except (ValidationError, TypeError) as exc:
        first = exc.errors()[0] if isinstance(exc, ValidationError) else {"msg": str(exc)}
        where = ".".join(str(p) for p in first.get("loc", ())) or "profile"
        raise StoreError(f"the client record is damaged at {where}: {first['msg']}") from None
    check_profile(profile)
    numbers = [v.number for v in doc.versions]
    if numbers != list(range(1, len(numbers) + 1)):
        raise StoreError("the client record's plan versions are not numbered 1, 2, 3 …")
    return doc


def import_client(workspace: Workspace, text: str | bytes) -> ClientRecord:
    """Create a client of ``workspace``'s dietitian from an exported record."""
    doc = parse_client(text)
    with writing(workspace.sessions) as session:
        row = Client(dietitian_id=workspace.account.id, archived=doc.archived,
                     steady_k=doc.steady_k, steady_k_baseline_ug=doc.steady_k_baseline_ug,
                     created_at=doc.created_at, updated_at=doc.updated_at, **doc.profile)
        session.add(row)
        session.flush()
        session.add_all(Rule(client_id=row.id, kind=r.kind.value, key=r.key, value=r.value,
                             origin=r.origin) for r in doc.rules)
        session.add_all(AuditEntry(client_id=row.id, actor=a.actor, at=a.at, action=a.action,
                                   detail=a.detail) for a in doc.audit)
        session.add_all(PlanVersion(client_id=row.id, number=v.number, goals_json=v.goals,
                                    plan_json=v.plan, checksum=checksum(v.goals, v.plan),
                                    author=v.author, note=v.note, created_at=v.created_at)
                        for v in doc.versions)
        session.flush()
        return to_record(row)

