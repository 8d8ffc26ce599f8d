"""Alembic environment: migrate the connection the app hands over, or DATABASE_URL."""

from logging.config import fileConfig

from alembic import context

from planner.store.db import make_engine
from planner.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    from planner.store.db import database_url

    context.configure(url=database_url(), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # called by planner.store.db.upgrade: keep the app's logging
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    with make_engine().connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
