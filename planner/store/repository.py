"""The workspace service: one dietitian's clients, rules, plan versions and share links.

Every method of ``Workspace`` is scoped to the logged-in dietitian: another
dietitian's client is ``NotFound``, exactly like a client that does not exist.
Each method is one transaction; client edits carry the version the editor read
(``expected_version``) and raise ``Conflict`` when someone saved in between.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from planner.domain.catalog import RecipeRecord
from planner.domain.workspace import (
    Account,
    AuditRecord,
    ClientProfile,
    ClientRecord,
    Conflict,
    ImportedVersion,
    NotFound,
    PlanVersionRecord,
    RuleKind,
    RuleRecord,
    SharedPlan,
    StoreError,
)
from planner.store.checks import check_profile, check_steady_k, check_text, checked_rule
from planner.store.db import database_errors_as_messages, writing
from planner.store.models import (
    AuditEntry,
    Client,
    Dietitian,
    ImportedRecipe,
    PlanVersion,
    Rule,
    ShareLink,
)

STEADY_K = "steady_k"
QUOTED = "quoted from the file"  # audit action of a history line copied from an import


def utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (SQLite hands back naive UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def checksum(goals_json: str, plan_json: str) -> str:
    """SHA-256 over a version's two documents: a stored version must still match it."""
    return hashlib.sha256(f"{goals_json}\n{plan_json}".encode()).hexdigest()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def to_record(row: Client) -> ClientRecord:
    profile = ClientProfile(name=row.name, sex=row.sex, age=row.age, life_stage=row.life_stage,
                            weight_kg=row.weight_kg, notes=row.notes)
    return ClientRecord(id=row.id, profile=profile, archived=row.archived, steady_k=row.steady_k,
                        steady_k_baseline_ug=row.steady_k_baseline_ug, version=row.version,
                        created_at=utc(row.created_at), updated_at=utc(row.updated_at))


def to_version(row: PlanVersion) -> PlanVersionRecord:
    if checksum(row.goals_json, row.plan_json) != row.checksum:
        raise StoreError(f"plan version {row.number} fails its checksum: restore from a backup")
    return PlanVersionRecord(number=row.number, goals_json=row.goals_json, plan_json=row.plan_json,
                             checksum=row.checksum, author=row.author, note=row.note,
                             created_at=utc(row.created_at))


def shared_plan(sessions: sessionmaker[Session], token: str) -> SharedPlan | None:
    """The newest plan version behind a live share token, with the dietitian's display
    name; None for an unknown or revoked token, an archived client, or a client without
    a plan."""
    with sessions() as session:
        link = session.scalar(select(ShareLink).where(
            ShareLink.token_sha256 == token_digest(token), ShareLink.revoked_at.is_(None)))
        if link is None:
            return None
        client = session.get(Client, link.client_id)
        if client is None or client.archived:
            return None
        row = session.scalar(select(PlanVersion).where(PlanVersion.client_id == link.client_id)
                             .order_by(PlanVersion.number.desc()).limit(1))
        if row is None:
            return None
        version = to_version(row)
        display_name = session.scalar(select(Dietitian.display_name)
                                      .where(Dietitian.id == client.dietitian_id))
        return SharedPlan(version.number, version.plan_json, version.note, version.created_at,
                          display_name)


@database_errors_as_messages
class Workspace:
    """One dietitian's view of the store."""

    def __init__(self, sessions: sessionmaker[Session], account: Account):
        self.sessions = sessions
        self.account = account

    # clients --------------------------------------------------------------
    def list_clients(self, search: str = "", include_archived: bool = False
                     ) -> list[ClientRecord]:
        """This dietitian's clients by name; ``search`` matches name or notes."""
        check_text("search", search)
        query = select(Client).where(Client.dietitian_id == self.account.id)
        if not include_archived:
            query = query.where(Client.archived.is_(False))
        if search.strip():
            pattern = f"%{search.strip().lower()}%"
            query = query.where(or_(func.lower(Client.name).like(pattern),
                                    func.lower(Client.notes).like(pattern)))
        with self.sessions() as session:
            return [to_record(r) for r in session.scalars(query.order_by(Client.name, Client.id))]

    def create_client(self, profile: ClientProfile) -> ClientRecord:
        check_profile(profile)
        now = datetime.now(UTC)
        with writing(self.sessions) as session:
            row = Client(dietitian_id=self.account.id, created_at=now, updated_at=now,
                         archived=False, steady_k=False, **asdict(profile))
            session.add(row)
            session.flush()
            self._audit(session, row.id, "create client", {"name": profile.name})
            return to_record(row)

    def import_client(self, profile: ClientProfile, *, archived: bool, steady_k: bool,
                      steady_k_baseline_ug: float | None, rules: list[RuleRecord],
                      versions: list[ImportedVersion], quotes: list[str]) -> ClientRecord:
        """A client of this dietitian from an exported record its caller has checked: its
        rules and versions (authored by this dietitian, now), the file's own history as
        ``QUOTED`` audit lines, and one "import client" entry."""
        now, who = datetime.now(UTC), self.account.username
        with writing(self.sessions) as session:
            row = Client(dietitian_id=self.account.id, archived=archived, steady_k=steady_k,
                         steady_k_baseline_ug=steady_k_baseline_ug, created_at=now,
                         updated_at=now, **asdict(profile))
            session.add(row)
            session.flush()
            session.add_all(Rule(client_id=row.id, kind=r.kind.value, key=r.key, value=r.value,
                                 origin=r.origin) for r in rules)
            session.add_all(AuditEntry(client_id=row.id, actor=who, at=now, action=QUOTED,
                                       detail={"unverified": line}) for line in quotes)
            session.add(AuditEntry(client_id=row.id, actor=who, at=now, action="import client",
                                   detail={"versions": len(versions), "rules": len(rules),
                                           "quoted lines": len(quotes)}))
            session.add_all(PlanVersion(client_id=row.id, number=v.number,
                                        goals_json=v.goals_json, plan_json=v.plan_json,
                                        checksum=checksum(v.goals_json, v.plan_json),
                                        author=who, note=v.note, created_at=now)
                            for v in versions)
            session.flush()
            return to_record(row)

    def get_client(self, client_id: int) -> ClientRecord:
        with self.sessions() as session:
            return to_record(self._client(session, client_id))

    def update_profile(self, client_id: int, expected_version: int,
                       profile: ClientProfile) -> ClientRecord:
        check_profile(profile)
        with self._editing(client_id, expected_version) as (session, row):
            changed = {k: v for k, v in asdict(profile).items() if getattr(row, k) != v}
            for key, value in changed.items():
                setattr(row, key, value)
            self._audit(session, client_id, "update profile", changed)
            return self._touch(session, row)

    def set_archived(self, client_id: int, expected_version: int, archived: bool
                     ) -> ClientRecord:
        with self._editing(client_id, expected_version) as (session, row):
            row.archived = archived
            self._audit(session, client_id, "archive" if archived else "unarchive", {})
            return self._touch(session, row)

    def set_steady_k(self, client_id: int, expected_version: int, baseline_ug: float | None,
                     bans: Sequence[RuleRecord] = ()) -> ClientRecord:
        """Turn steady vitamin K on at ``baseline_ug`` (µg/day, K1 + K2) with ``bans``
        (natto, K2 supplements), or off (``None``), which lifts those bans again."""
        check_steady_k(baseline_ug)
        with self._editing(client_id, expected_version) as (session, row):
            row.steady_k = baseline_ug is not None
            row.steady_k_baseline_ug = baseline_ug
            session.execute(delete(Rule).where(Rule.client_id == client_id,
                                               Rule.origin == STEADY_K))
            session.flush()
            if baseline_ug is not None:
                existing = {(r.kind, r.key) for r in session.scalars(
                    select(Rule).where(Rule.client_id == client_id))}
                for ban in bans:
                    if (ban.kind.value, ban.key) not in existing:
                        session.add(Rule(client_id=client_id, kind=ban.kind.value, key=ban.key,
                                         value=ban.value, origin=STEADY_K))
            self._audit(session, client_id, "steady vitamin K",
                        {"baseline_ug": baseline_ug, "bans": sorted(b.key for b in bans)
                         if baseline_ug is not None else []})
            return self._touch(session, row)

    # rules ----------------------------------------------------------------
    def rules(self, client_id: int) -> list[RuleRecord]:
        with self.sessions() as session:
            self._client(session, client_id)
            rows = session.scalars(select(Rule).where(Rule.client_id == client_id)
                                   .order_by(Rule.kind, Rule.key))
            return [RuleRecord(RuleKind(r.kind), r.key, dict(r.value), r.origin) for r in rows]

    def set_rule(self, client_id: int, expected_version: int, rule: RuleRecord) -> ClientRecord:
        """Add or replace the client's rule of this kind and key."""
        rule = checked_rule(rule)
        with self._editing(client_id, expected_version) as (session, row):
            existing = session.scalar(select(Rule).where(
                Rule.client_id == client_id, Rule.kind == rule.kind.value, Rule.key == rule.key))
            if existing is None:
                session.add(Rule(client_id=client_id, kind=rule.kind.value, key=rule.key,
                                 value=rule.value, origin=rule.origin))
            else:
                existing.value, existing.origin = rule.value, rule.origin
            self._audit(session, client_id, f"set {rule.kind.value}",
                        {"key": rule.key, "value": dict(rule.value)})
            return self._touch(session, row)

    def remove_rule(self, client_id: int, expected_version: int, kind: RuleKind, key: str
                    ) -> ClientRecord:
        with self._editing(client_id, expected_version) as (session, row):
            gone = session.execute(delete(Rule).where(
                Rule.client_id == client_id, Rule.kind == kind.value, Rule.key == key)).rowcount
            if not gone:
                raise NotFound(f"no {kind.value} rule for {key!r}")
            self._audit(session, client_id, f"remove {kind.value}", {"key": key})
            return self._touch(session, row)

    def audit(self, client_id: int) -> list[AuditRecord]:
        """Every change to the client, oldest first."""
        with self.sessions() as session:
            self._client(session, client_id)
            rows = session.scalars(select(AuditEntry).where(AuditEntry.client_id == client_id)
                                   .order_by(AuditEntry.id))
            return [AuditRecord(r.actor, utc(r.at), r.action, dict(r.detail)) for r in rows]

    # plan versions --------------------------------------------------------
    def save_plan(self, client_id: int, goals_json: str, plan_json: str, note: str = "",
                  based_on: int | None = None) -> PlanVersionRecord:
        """Save a new immutable version. ``based_on`` is the newest version number the
        editor saw (None: none); Conflict when a newer one was saved meanwhile."""
        check_text("note", note)
        with writing(self.sessions) as session:
            self._client(session, client_id)
            latest = session.scalar(select(func.max(PlanVersion.number))
                                    .where(PlanVersion.client_id == client_id))
            if latest != based_on:
                raise Conflict(f"plan version {latest} was saved after version {based_on} "
                               "you started from: reload, then save again")
            row = PlanVersion(client_id=client_id, number=(latest or 0) + 1,
                              goals_json=goals_json, plan_json=plan_json,
                              checksum=checksum(goals_json, plan_json),
                              author=self.account.username, note=note,
                              created_at=datetime.now(UTC))
            session.add(row)
            try:
                session.flush()
            except IntegrityError:
                raise Conflict("another plan version was saved at the same moment: reload, "
                               "then save again") from None
            self._audit(session, client_id, "save plan", {"version": row.number, "note": note})
            return to_version(row)

    def latest_number(self, client_id: int) -> int | None:
        """The newest plan version's number (None: no plan yet): what ``based_on`` takes."""
        with self.sessions() as session:
            self._client(session, client_id)
            return session.scalar(select(func.max(PlanVersion.number))
                                  .where(PlanVersion.client_id == client_id))

    def versions(self, client_id: int) -> list[PlanVersionRecord]:
        """Every saved version, oldest first."""
        with self.sessions() as session:
            self._client(session, client_id)
            rows = session.scalars(select(PlanVersion).where(PlanVersion.client_id == client_id)
                                   .order_by(PlanVersion.number))
            return [to_version(r) for r in rows]

    def version(self, client_id: int, number: int) -> PlanVersionRecord:
        with self.sessions() as session:
            self._client(session, client_id)
            row = session.scalar(select(PlanVersion).where(
                PlanVersion.client_id == client_id, PlanVersion.number == number))
            if row is None:
                raise NotFound(f"the client has no plan version {number}")
            return to_version(row)

    # share links ----------------------------------------------------------
    def create_share_link(self, client_id: int) -> str:
        """A new unguessable read-only token (256 bits) for the client's current plan.
        Only its SHA-256 is stored, so the token is shown once."""
        token = secrets.token_urlsafe(32)
        with writing(self.sessions) as session:
            self._client(session, client_id)
            session.add(ShareLink(client_id=client_id, token_sha256=token_digest(token),
                                  created_at=datetime.now(UTC)))
            self._audit(session, client_id, "create share link", {})
        return token

    def revoke_share_links(self, client_id: int) -> int:
        """Revoke every live link of the client; returns how many were live."""
        with writing(self.sessions) as session:
            self._client(session, client_id)
            count = session.execute(
                update(ShareLink).where(ShareLink.client_id == client_id,
                                        ShareLink.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))).rowcount
            self._audit(session, client_id, "revoke share links", {"count": count})
            return count

    def live_share_links(self, client_id: int) -> int:
        with self.sessions() as session:
            self._client(session, client_id)
            return session.scalar(select(func.count()).select_from(ShareLink).where(
                ShareLink.client_id == client_id, ShareLink.revoked_at.is_(None)))

    # imported recipes -----------------------------------------------------
    def save_recipe(self, recipe: RecipeRecord) -> RecipeRecord:
        """Keep an imported recipe for this dietitian's plans; its id must be new to them."""
        check_text("recipe id", recipe.recipe_id)
        check_text("recipe name", recipe.name)
        row = ImportedRecipe(dietitian_id=self.account.id, recipe_id=recipe.recipe_id,
                             name=recipe.name, slots="|".join(recipe.slots),
                             servings=recipe.servings, prep_minutes=recipe.prep_minutes,
                             method=recipe.method, ingredients=[list(i) for i in
                                                                recipe.ingredients],
                             created_at=datetime.now(UTC))
        try:
            with writing(self.sessions) as session:
                session.add(row)
        except IntegrityError:
            raise StoreError(f"you already have a recipe with the id {recipe.recipe_id!r}"
                             ) from None
        return recipe

    def recipes(self) -> list[RecipeRecord]:
        """This dietitian's imported recipes, by id."""
        with self.sessions() as session:
            rows = session.scalars(select(ImportedRecipe).where(
                ImportedRecipe.dietitian_id == self.account.id).order_by(ImportedRecipe.recipe_id))
            return [RecipeRecord(r.recipe_id, r.name, tuple(r.slots.split("|")), r.servings,
                                 r.prep_minutes, r.method,
                                 tuple((f, float(g), n) for f, g, n in r.ingredients))
                    for r in rows]

    # helpers --------------------------------------------------------------
    def _client(self, session: Session, client_id: int) -> Client:
        row = session.scalar(select(Client).where(Client.id == client_id,
                                                  Client.dietitian_id == self.account.id))
        if row is None:
            raise NotFound(f"no client {client_id} in your workspace")
        return row

    def _audit(self, session: Session, client_id: int, action: str, detail: dict) -> None:
        session.add(AuditEntry(client_id=client_id, actor=self.account.username,
                               at=datetime.now(UTC), action=action, detail=detail))

    def _touch(self, session: Session, row: Client) -> ClientRecord:
        row.updated_at = datetime.now(UTC)
        try:
            session.flush()
        except StaleDataError:
            raise _conflict() from None
        return to_record(row)

    @contextmanager
    def _editing(self, client_id: int, expected_version: int) -> Iterator[tuple[Session, Client]]:
        """One transaction on a client read at ``expected_version``."""
        try:
            with writing(self.sessions) as session:
                row = self._client(session, client_id)
                if row.version != expected_version:
                    raise _conflict()
                yield session, row
        except StaleDataError:
            raise _conflict() from None


def _conflict() -> Conflict:
    return Conflict("this client was changed by someone else since you opened it: "
                    "reload to see their change, then apply yours again")

