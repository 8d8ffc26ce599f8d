"""Storage for the dietitian workspace: SQLAlchemy models, Alembic migrations, services.

SQLite (WAL) in ``$PLANNER_DATA_DIR`` by default; ``DATABASE_URL`` switches to
PostgreSQL. Services return domain objects (``planner.domain.workspace``), never rows.
"""
