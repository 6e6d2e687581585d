"""The ``memberdesk`` command line (Typer). Each domain adds its own sub-app."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError

from memberdesk.calendars.cli import app as calendars_app
from memberdesk.compliance.cli import audit_app, keys_app, retention_app, users_app
from memberdesk.compliance.crypto import load_and_install
from memberdesk.config import Settings, get_settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.sla.cli import app as sla_app
from memberdesk.wfm.cli import app as wfm_app

app = typer.Typer(
    help="memberdesk: member services for health plans.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals can hold PHI
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.add_typer(retention_app, name="retention")
app.add_typer(calendars_app, name="calendars")
app.add_typer(sla_app, name="sla")
app.add_typer(wfm_app, name="wfm")

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print an error to stderr and return the exit to raise."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def safe_url(settings: Settings) -> str:
    """The database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def connect(settings: Settings) -> Engine:
    """An engine that has been shown to reach its database, or a clean CLI failure."""
    load_and_install(settings.var_dir)
    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unreachable"
        raise fail(f"cannot reach the database {safe_url(settings)}: {reason}") from None
    return engine


def load_settings() -> Settings:
    """Settings from the environment, with configuration errors reported by field."""
    from pydantic import ValidationError

    try:
        return get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "MEMBERDESK_" + str(first["loc"][0]).upper()
        raise fail(f"{field}: {first['msg']}") from None


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Option(help="Target revision")] = "head",
) -> None:
    """Create or migrate the schema to the latest revision."""
    from memberdesk.migrate import upgrade

    settings = load_settings()
    engine = connect(settings)
    upgrade(engine, revision)
    out.print(f"database {safe_url(settings)} is at revision {revision}")


@db_app.command("grant-app-role")
def db_grant_app_role(
    role: Annotated[str, typer.Argument(help="Existing PostgreSQL role the app connects as")],
) -> None:
    """PostgreSQL: grant ROLE what memberdesk needs, with audit tables insert/select only."""
    import re

    from sqlalchemy import text

    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise fail("ROLE must be a lower-case PostgreSQL identifier")
    settings = load_settings()
    engine = connect(settings)
    if engine.dialect.name != "postgresql":
        raise fail("grant-app-role is for PostgreSQL; SQLite relies on its triggers")
    with engine.begin() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        for sql in (
            f'GRANT USAGE ON SCHEMA "{schema}" TO {role}',
            f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO {role}',
            f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO {role}',
            f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, audit_member_access, "
            f"audit_checkpoints FROM {role}",
        ):
            conn.execute(text(sql))
    out.print(f"{role} may use schema {schema}; audit tables are insert/select only for it")


@app.command()
def seed(
    members: Annotated[int, typer.Option("--members", help="How many members to create")] = 15000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same data")] = 1,
) -> None:
    """Create a deterministic synthetic California small-group book of business."""
    if members < 1:
        raise fail(f"--members must be a positive number of members, got {members}")
    if seed < 0:
        raise fail(f"--seed must be zero or positive, got {seed}")
    from memberdesk.members.seed import run_seed
    from memberdesk.migrate import upgrade

    settings = load_settings()
    engine = connect(settings)
    upgrade(engine)
    run_seed(make_sessionmaker(engine), members=members, seed=seed, console=out)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port", min=1, max=65535)] = 8000,
) -> None:
    """Serve the web UI and JSON API."""
    import uvicorn

    from memberdesk.app import create_app

    settings = load_settings()
    engine = connect(settings)
    out.print(f"memberdesk serving on http://{host}:{port}  (API docs: /docs)")
    # log_config=None: uvicorn's loggers go through ours (redaction filter, JSON option);
    # our middleware writes the access line with the request ID instead of uvicorn's.
    uvicorn.run(
        create_app(settings, engine=engine),
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port", min=1, max=65535)] = 8000,
    members: Annotated[int, typer.Option(help="Members to seed into an empty database")] = 15000,
) -> None:
    """Migrate, seed a 15,000-member plan if the database is empty, and serve it."""
    from rich.table import Table

    from memberdesk.compliance.demo import ensure_demo_users
    from memberdesk.members.models import Member
    from memberdesk.members.seed import run_seed
    from memberdesk.migrate import upgrade

    settings = load_settings()
    engine = connect(settings)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        count = session.scalar(select(func.count()).select_from(Member)) or 0
    if count == 0:
        run_seed(sessions, members=members, seed=1, console=out)
    else:
        out.print(f"database already holds {count:,} members; not seeding")
    with sessions() as session:
        logins = ensure_demo_users(session, settings)
        session.commit()
    table = Table(
        "username", "role", "password", title="Demo logins (also in var/demo-logins.json)"
    )
    for row in logins:
        table.add_row(row["username"], row["role"], row["password"])
    out.print(table)
    serve(host=host, port=port)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
