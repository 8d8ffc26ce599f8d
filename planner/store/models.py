"""SQLAlchemy 2 declarative models: the tables of the workspace.

Plans and goals are stored as JSON text documents produced by ``Plan.to_json`` /
``PlanRequest.model_dump_json``; the store never looks inside them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class Base(DeclarativeBase):
    pass


class HiddenText(str):
    """A string whose repr hides it, so SQLAlchemy's row logging never shows a hash."""

    def __repr__(self) -> str:
        return "'<hidden>'"


class SecretText(TypeDecorator):
    """Text read back as ``HiddenText``."""

    impl = String(200)
    cache_ok = True

    def process_result_value(self, value, dialect):
        return None if value is None else HiddenText(value)


class Dietitian(Base):
    __tablename__ = "dietitians"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(80))  # shown to clients
    password_hash: Mapped[str] = mapped_column(SecretText)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginThrottle(Base):
    """Failed logins of one (user name, client address) pair, keyed by their SHA-256."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Client(Base):
    __tablename__ = "clients"
    id: Mapped[int] = mapped_column(primary_key=True)
    dietitian_id: Mapped[int] = mapped_column(ForeignKey("dietitians.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    sex: Mapped[str] = mapped_column(String(10))
    age: Mapped[int] = mapped_column(Integer)
    life_stage: Mapped[str] = mapped_column(String(20))
    weight_kg: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    steady_k: Mapped[bool] = mapped_column(Boolean, default=False)
    steady_k_baseline_ug: Mapped[float | None] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __mapper_args__ = {"version_id_col": version}


class Rule(Base):
    """A per-client rule: a target override, a pinned or banned recipe, a banned food."""

    __tablename__ = "client_rules"
    __table_args__ = (UniqueConstraint("client_id", "kind", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(80))
    value: Mapped[dict] = mapped_column(JSON, default=dict)
    origin: Mapped[str] = mapped_column(String(20), default="dietitian")


class AuditEntry(Base):
    """Who changed what and when, for every change to a client."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class PlanVersion(Base):
    """An immutable saved plan: goals and result JSON, author, time, note."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("client_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    goals_json: Mapped[str] = mapped_column(Text)
    plan_json: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ShareLink(Base):
    """A read-only link to a client's current plan; only the token's SHA-256 is kept."""

    __tablename__ = "share_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImportedRecipe(Base):
    """A recipe a dietitian imported: available to that dietitian's plans only."""

    __tablename__ = "imported_recipes"
    __table_args__ = (UniqueConstraint("dietitian_id", "recipe_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dietitian_id: Mapped[int] = mapped_column(ForeignKey("dietitians.id"), index=True)
    recipe_id: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    slots: Mapped[str] = mapped_column(String(80))
    servings: Mapped[float] = mapped_column(Float)
    prep_minutes: Mapped[int | None] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(Text, default="")
    ingredients: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
