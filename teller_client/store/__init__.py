"""The local store: SQLite through SQLAlchemy, migrated by Alembic (drafts, journal, settings)."""
