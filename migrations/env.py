"""Alembic environment of the local store.

Revisions stand alone: they never import ``teller_client.store.models``, so an
old revision keeps working however the live models change. The client runs
them through ``teller_client.store.database.upgrade`` with a connection in
``config.attributes["connection"]``; ``alembic`` on the command line works too
with ``-x db=PATH``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or f"sqlite:///{context.get_x_argument(as_dictionary=True)['db']}"
    engine = create_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, render_as_batch=True)
        context.run_migrations()


run()
