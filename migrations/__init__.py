"""Alembic migrations of the local store (see env.py)."""
