"""Alembic's entry: migrate the connection handed in by staffdesk.core.migrate (or the URL in the config)."""

from alembic import context

from staffdesk.core.db import make_engine
from staffdesk.models import Base

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        with make_engine(config.get_main_option("sqlalchemy.url")).connect() as own:
            _migrate(own)
    else:
        _migrate(connection)


def _migrate(connection) -> None:
    # Batch mode lets later migrations alter SQLite tables, which cannot ALTER most columns in place.
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run()
