"""Alembic environment: migrations run on the app's own engine (Flask-Migrate)."""

import fcntl
import logging
import os
from contextlib import contextmanager
from logging.config import fileConfig

from alembic import context
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import text

from quizapp.schema import schema_status

config = context.config
# Keep loggers the app (or a test run) set up before the migration ran.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline():
    """Emit the SQL to a script instead of running it (``quizapp db upgrade --sql``)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=db.metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations on a connection of the app's engine."""

    def skip_empty_revision(context, revision, directives):
        # `quizapp db migrate` with no model change writes no empty migration file.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", skip_empty_revision)
    with db.engine.connect() as connection, migrations_lock(connection):
        status = schema_status(connection)
        connection.commit()  # Alembic's transaction must be its own, not one the check began
        if status.newer:
            leave_newer_schema(status)
            return
        context.configure(connection=connection, target_metadata=db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


#: The PostgreSQL advisory lock key migrations queue on (any number, the same on every host).
MIGRATIONS_LOCK = 7_221_907_153


@contextmanager
def migrations_lock(connection):
    """Hold the database's migrations lock: hosts that start together take turns, and each one
    reads the revision only after the one before it has finished (PostgreSQL's advisory lock; on
    SQLite, an ``flock`` of a file beside the database)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATIONS_LOCK})
        connection.commit()  # the lock belongs to the connection, and outlives this transaction
        try:
            yield
        finally:
            connection.rollback()  # a failed migration leaves its transaction aborted
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATIONS_LOCK})
            connection.commit()
        return
    database = connection.engine.url.database
    if connection.dialect.name != "sqlite" or database in (None, "", ":memory:"):
        yield
        return
    fd = os.open(database + ".migrate-lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # which releases the lock


def leave_newer_schema(status):
    """Leave a schema newer than this code alone: say so, and fail if this code cannot serve it."""
    if not status.servable:
        raise CommandError(status.message())
    config.print_stdout(status.message())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
