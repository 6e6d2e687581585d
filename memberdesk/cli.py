"""The ``memberdesk`` command line (Typer). Each domain adds its own sub-app.

Start-up is kept to the interpreter plus Typer: the domain sub-apps are registered by name and
help text and imported only when one of their commands runs, and every command imports what it
needs (SQLAlchemy, FastAPI, NumPy, ...) inside its body. `tests/test_cli_startup.py` checks that
`--help`, `calendars` and `sla due` import none of the heavy libraries.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import inspect
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer._click.exceptions import UsageError  # typer vendors click; not re-exported
from typer.core import TyperGroup

from memberdesk import __version__

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy import Engine

    from memberdesk.config import Settings


@dataclass(frozen=True)
class LazyApp:
    """A domain sub-app known by name and help text until one of its commands runs."""

    module: str
    attribute: str
    help: str

    def load(self, name: str) -> Any:
        """Import the module and build the sub-app's command group."""
        sub = getattr(importlib.import_module(self.module), self.attribute)
        group = typer.main.get_group(sub)
        group.name = name
        return group


# The help text is repeated here so that `memberdesk --help` need not import the sub-apps;
# a test checks that each matches its sub-app's own.
LAZY_APPS: dict[str, LazyApp] = {
    "users": LazyApp("memberdesk.compliance.cli", "users_app", "Staff and member-portal accounts."),
    "audit": LazyApp(
        "memberdesk.compliance.cli",
        "audit_app",
        "The tamper-evident audit log and PHI access reports.",
    ),
    "teams": LazyApp(
        "memberdesk.compliance.cli", "teams_app", "Teams that staff accounts belong to."
    ),
    "keys": LazyApp("memberdesk.compliance.cli", "keys_app", "Encryption keys."),
    "retention": LazyApp(
        "memberdesk.compliance.cli", "retention_app", "Retention and legal holds."
    ),
    "kb": LazyApp(
        "memberdesk.kb.cli",
        "kb_app",
        "Knowledge base: import and export Markdown, search, what was in force on a day.",
    ),
    "calendars": LazyApp(
        "memberdesk.calendars.cli",
        "app",
        "Business calendars: time zones, opening hours, closures.",
    ),
    "sla": LazyApp("memberdesk.sla.cli", "app", "SLA and regulatory clocks, policy packs."),
    "contacts": LazyApp(
        "memberdesk.contacts.cli",
        "contacts_app",
        "Contacts: one-contact resolution over a period.",
    ),
    "ivr": LazyApp("memberdesk.ivr.cli", "ivr_app", "Phone menu (IVR): containment by month."),
    "callbacks": LazyApp(
        "memberdesk.contacts.cli", "callbacks_app", "Voicemail callbacks: what is due today."
    ),
    "report": LazyApp(
        "memberdesk.kpi.review_cli",
        "report_app",
        "Team reviews: the monthly review and the quarterly summary, as PDF or HTML.",
    ),
    "cases": LazyApp("memberdesk.cases.cli", "cases_app", "Cases: look one up (audited)."),
    "letters": LazyApp(
        "memberdesk.letters.cli",
        "letters_app",
        "Letters: preview templates with synthetic data, check every template.",
    ),
    "queues": LazyApp(
        "memberdesk.cases.cli", "queues_app", "Work queues and their load (counts only)."
    ),
    "appeals": LazyApp(
        "memberdesk.appeals.cli",
        "appeals_app",
        "Appeals and grievances: the aging and deadline reports, look one up, sweep.",
    ),
    "breaches": LazyApp(
        "memberdesk.breaches.cli",
        "breaches_app",
        "Breaches: notice clocks of a discovery, the register, the HHS log.",
    ),
    "training": LazyApp(
        "memberdesk.training.cli",
        "training_app",
        "Training records: courses, completions, who is due or overdue.",
    ),
    "vendors": LazyApp(
        "memberdesk.vendors.cli",
        "vendors_app",
        "Vendors: business associates, their agreements and what needs attention.",
    ),
    "navigators": LazyApp(
        "memberdesk.navigators.cli",
        "navigators_app",
        "Member navigators: run the complex-needs rules, show a caseload.",
    ),
    "kpi": LazyApp(
        "memberdesk.kpi.cli",
        "kpi_app",
        "KPIs: service level, abandonment, ASA and AHT from call records.",
    ),
    "surveys": LazyApp(
        "memberdesk.surveys.cli",
        "surveys_app",
        "Surveys: send waiting invitations, read the demo outbox, import answers.",
    ),
    "enroll": LazyApp(
        "memberdesk.enroll.cli",
        "enroll_app",
        "Enrolment and eligibility exchange: X12 834 imports, samples, 270/271 answers.",
    ),
    "qa": LazyApp(
        "memberdesk.quality.cli",
        "qa_app",
        "QA: scorecards, the monthly sample, evaluations, results, the semi-annual audit.",
    ),
    "wfm": LazyApp(
        "memberdesk.wfm.cli",
        "app",
        "Workforce management: staffing, forecasts, schedules, simulation, budget.",
    ),
}


def _summary(command: Any) -> str:
    """A command's first help paragraph on one line."""
    text = inspect.cleandoc(command.short_help or command.help or "")
    return " ".join(text.split("\n\n")[0].split())


class PlainHelpGroup(TyperGroup):
    """Plain-text help listing every command with its whole summary (none cut off).

    memberdesk's own groups print plain help: Typer's rich help imports rich's markdown and
    syntax renderers, which cost as much start-up as everything else `memberdesk --help` does.
    """

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The Commands section, each summary in full, wrapped to the terminal."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, _summary(command)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class LazyGroup(PlainHelpGroup):
    """The root group: lists the lazy sub-apps from their help text, loads one when it runs."""

    def list_commands(self, ctx: Any) -> list[str]:
        """Eager commands first, then the lazy sub-apps, in registration order."""
        eager = super().list_commands(ctx)
        return [*eager, *(name for name in LAZY_APPS if name not in eager)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The real command once loaded; for help listings, a stand-in with the help text."""
        if cmd_name in self.commands or cmd_name not in LAZY_APPS:
            return super().get_command(ctx, cmd_name)
        return TyperGroup(name=cmd_name, help=LAZY_APPS[cmd_name].help)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Import the sub-app that is about to run (also used by shell completion)."""
        if args and args[0] in LAZY_APPS and args[0] not in self.commands:
            self.commands[args[0]] = LAZY_APPS[args[0]].load(args[0])
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            # Typer suggests only from loaded commands; offer the lazy ones too.
            if args and "Did you mean" not in exc.message:
                close = difflib.get_close_matches(args[0], self.list_commands(ctx))
                if close:
                    names = ", ".join(repr(name) for name in close)
                    exc.message = f"{exc.message.rstrip('.')}. Did you mean {names}?"
            raise


app = typer.Typer(
    cls=LazyGroup,
    rich_markup_mode=None,
    help="memberdesk: member services for health plans.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals can hold PHI
)
db_app = typer.Typer(
    cls=PlainHelpGroup, rich_markup_mode=None, help="Database schema.", no_args_is_help=True
)
app.add_typer(db_app, name="db")


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"memberdesk {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """memberdesk: member services for health plans."""


@functools.cache
def console(stderr: bool = False) -> Console:
    """Rich console for stdout (wide when piped, so nothing is cut) or stderr."""
    from rich.console import Console

    if stderr:
        return Console(stderr=True, soft_wrap=True)
    return Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print an error to stderr and return the exit to raise."""
    console(stderr=True).print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def safe_url(settings: Settings) -> str:
    """The database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def connect(settings: Settings) -> Engine:
    """An engine that has been shown to reach its database, or a clean CLI failure."""
    from sqlalchemy.exc import OperationalError

    from memberdesk.compliance.crypto import load_and_install
    from memberdesk.db import make_engine, read_only_connection

    load_and_install(settings.var_dir)
    engine = make_engine(settings)
    try:
        # A read: the probe must not queue for SQLite's write lock behind a busy server.
        with read_only_connection(engine) as conn:
            conn.exec_driver_sql("SELECT 1")
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unreachable"
        raise fail(f"cannot reach the database {safe_url(settings)}: {reason}") from None
    return engine


def load_settings() -> Settings:
    """Settings from the environment, with configuration errors reported by field."""
    from pydantic import ValidationError

    from memberdesk.config import get_settings

    try:
        return get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "MEMBERDESK_" + str(first["loc"][0]).upper()
        raise fail(f"{field}: {first['msg'].removeprefix('Value error, ')}") from None


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Option(help="Target revision")] = "head",
) -> None:
    """Create or migrate the schema to the latest revision."""
    from memberdesk.migrate import upgrade

    settings = load_settings()
    engine = connect(settings)
    upgrade(engine, revision)
    console().print(f"database {safe_url(settings)} is at revision {revision}")


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
    console().print(f"{role} may use schema {schema}; audit tables are insert/select only for it")


# The profiles `seed` takes (memberdesk.members.seed.PROFILES; kept here so that a bad one is
# refused before SQLAlchemy is imported or a database file created; a test holds them equal).
SEED_PROFILES = ("calchoice", "oregon-medicaid")
PROFILE_HELP = (
    "Book to create: calchoice (California small-employer plans) or oregon-medicaid (an "
    "Oregon Health Plan coordinated-care book)"
)


@app.command()
def seed(
    members: Annotated[int, typer.Option("--members", help="How many members to create")] = 15000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same data")] = 1,
    profile: Annotated[str, typer.Option("--profile", help=PROFILE_HELP)] = "calchoice",
) -> None:
    """Create a deterministic synthetic book of business: the California small-group book, or
    an Oregon Health Plan (Medicaid) book beside it."""
    if profile not in SEED_PROFILES:
        raise fail(f"--profile must be one of {', '.join(SEED_PROFILES)}")
    if members < 1:
        raise fail("--members must be a positive number of members")
    if seed < 0:
        raise fail("--seed must be zero or positive")
    from memberdesk.db import make_sessionmaker
    from memberdesk.members.seed import run_seed
    from memberdesk.migrate import upgrade

    settings = load_settings()
    engine = connect(settings)
    upgrade(engine)
    run_seed(
        make_sessionmaker(engine), members=members, seed=seed, console=console(), profile=profile
    )


@app.command("seed-work")
def seed_work(
    seed: Annotated[int, typer.Option(help="Random seed (same seed and day, same work)")] = 1,
) -> None:
    """Add demo work to a seeded book: cases, contacts, callbacks, transfers, navigators."""
    if seed < 0:
        raise fail("--seed must be zero or positive")
    from memberdesk.migrate import upgrade

    settings = load_settings()
    engine = connect(settings)
    upgrade(engine)
    _seed_work(engine, settings, seed, logins=True)
    _seed_calls(engine)
    _seed_surveys(engine, seed)
    _seed_library(engine)
    _seed_training(engine)
    _seed_quality(engine, seed)


def _seed_surveys(engine: Engine, seed: int) -> None:
    """Thirteen months of demo surveys for the survey results, unless answers exist already."""
    from memberdesk.clock import now
    from memberdesk.db import make_sessionmaker
    from memberdesk.surveys.demo import seed_demo_surveys

    with make_sessionmaker(engine)() as session:
        made = seed_demo_surveys(session, at=now(), seed=seed)
        session.commit()
    if made.answers:
        console().print(
            f"demo surveys: {made.answers:,} answers to {made.invitations:,} invitations "
            f"after {made.contacts:,} contacts over thirteen months, for the survey results"
        )


def _seed_library(engine: Engine) -> None:
    """The knowledge base's articles in English and Spanish, unless it holds some already."""
    from memberdesk.db import make_sessionmaker
    from memberdesk.kb.demo import seed_demo_library

    with make_sessionmaker(engine)() as session:
        made = seed_demo_library(session)
        session.commit()
    if made:
        console().print(
            f"demo knowledge base: {made.created} articles, {made.published} published, "
            f"{len(made.awaiting_verification)} waiting for contact points to be verified"
        )


def _seed_training(engine: Engine) -> None:
    """The training catalogue and the demo staff's history, unless completions exist already."""
    from memberdesk.clock import now
    from memberdesk.db import make_sessionmaker
    from memberdesk.training.demo import seed_demo_training

    with make_sessionmaker(engine)() as session:
        made = seed_demo_training(session, at=now())
        session.commit()
    if made:
        console().print(
            f"demo training: {made.courses} courses, {made.completions:,} completions "
            f"for {made.people} staff"
        )


def _seed_quality(engine: Engine, seed: int) -> None:
    """The default QA scorecard, and the month's sample scored, unless evaluations exist."""
    from memberdesk.clock import now
    from memberdesk.db import make_sessionmaker
    from memberdesk.quality.demo import seed_demo_quality

    with make_sessionmaker(engine)() as session:
        made = seed_demo_quality(session, at=now(), seed=seed)
        session.commit()
    if made:
        console().print(f"demo QA: the default scorecard and {made} evaluations scored")


def _seed_calls(engine: Engine) -> None:
    """Thirteen months of demo calls for the call figures, unless calls are stored already."""
    from datetime import date

    from sqlalchemy import func, select

    from memberdesk.clock import now
    from memberdesk.compliance.audit import SYSTEM
    from memberdesk.db import make_sessionmaker
    from memberdesk.kpi.demo import seed_demo_calls
    from memberdesk.members.enums import LineOfBusiness
    from memberdesk.members.models import Member
    from memberdesk.sla.packs import zone_of

    sessions = make_sessionmaker(engine)
    with sessions() as session:
        # The demo's calls are the California floor's (pack calchoice): sized on its book.
        members = (
            session.scalar(
                select(func.count())
                .select_from(Member)
                .where(Member.line_of_business == LineOfBusiness.CALCHOICE)
            )
            or 0
        )
        yesterday = date.fromordinal(now().astimezone(zone_of("calchoice")).toordinal() - 1)
        made = seed_demo_calls(session, SYSTEM, members=members, last_day=yesterday)
        session.commit()
    if made:
        console().print(f"demo calls: {made:,} over thirteen months, for the call figures")


def _seed_work(engine: Engine, settings: Settings, seed: int, logins: bool) -> None:
    """Demo work unless the database holds cases already (with ``logins``, the demo logins
    are made or repaired first: the work is theirs)."""
    from sqlalchemy import func, select

    from memberdesk.appeals.demo import seed_demo_appeals
    from memberdesk.cases.demo import seed_work as make_work
    from memberdesk.cases.models import Case
    from memberdesk.clock import now
    from memberdesk.compliance.demo import ensure_demo_users
    from memberdesk.db import make_sessionmaker

    sessions = make_sessionmaker(engine)
    with sessions() as session:
        if session.scalar(select(func.count()).select_from(Case)):
            console().print("database already holds cases; not adding demo work")
            return
        if logins:
            ensure_demo_users(session, settings)
        try:
            made = make_work(session, settings, seed=seed, at=now())
        except ValueError as exc:
            raise fail(str(exc)) from None
        appeals = seed_demo_appeals(session, at=now(), seed=seed)
        session.commit()
    console().print(
        "demo work: " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in made.counts.items())
    )
    if appeals:
        console().print("demo appeals: " + ", ".join(f"{k} {v:,}" for k, v in appeals.items()))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port", min=1, max=65535)] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Server processes [default: one per core on PostgreSQL, one on SQLite]",
            min=1,
            max=64,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the web UI and JSON API (and run the background jobs)."""
    from memberdesk.server import default_workers
    from memberdesk.server import serve as run

    settings = load_settings()
    connect(settings).dispose()  # a clear error now, not in each process later
    n = workers or default_workers(settings)
    processes = "1 process" if n == 1 else f"{n} processes"
    console().print(f"memberdesk serving on http://{host}:{port} in {processes}  (API docs: /docs)")
    try:
        run(settings, host, port, n)
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@app.command()
def worker() -> None:
    """Run the background jobs (audit sequencer, housekeeping) until stopped."""
    import signal

    from memberdesk.worker import Worker

    settings = load_settings()
    engine = connect(settings)
    jobs = Worker(engine)
    signal.signal(signal.SIGTERM, lambda *_: jobs.stop(timeout=0))
    console().print("memberdesk worker running; Ctrl-C or SIGTERM stops it")
    try:
        jobs.run_forever()
    except KeyboardInterrupt:
        jobs.stop(timeout=0)
        jobs.run_pending()  # seal what is waiting before leaving
    finally:
        engine.dispose()


# The demo's Oregon Health Plan book: large enough to search and browse like a real one, small
# enough that a first `memberdesk demo` starts in seconds (README, "The demo").
DEMO_OREGON_MEMBERS = 20000


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port", min=1, max=65535)] = 8000,
    members: Annotated[
        int, typer.Option(help="California members to seed when the database has none", min=1)
    ] = 15000,
    oregon_members: Annotated[
        int,
        typer.Option(
            help="Oregon Health Plan members to seed when the database has none (0: none)",
            min=0,
        ),
    ] = DEMO_OREGON_MEMBERS,
    live: Annotated[
        bool, typer.Option(help="Feed simulated calls and agents live, for the wallboard")
    ] = True,
) -> None:
    """Migrate, seed a 15,000-member California plan and an Oregon Health Plan book with their
    work when the database has none, and serve it."""
    from rich.table import Table

    from memberdesk.compliance.demo import ensure_demo_users
    from memberdesk.db import make_sessionmaker
    from memberdesk.migrate import upgrade

    settings = load_settings()
    engine = connect(settings)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    _seed_book(sessions, "calchoice", members)
    if oregon_members:
        _seed_book(sessions, "oregon-medicaid", oregon_members)
    with sessions() as session:
        logins = ensure_demo_users(session, settings)
        session.commit()
    _seed_work(engine, settings, seed=1, logins=False)
    _seed_calls(engine)
    _seed_surveys(engine, seed=1)
    _seed_registers(engine)
    _seed_library(engine)
    _seed_training(engine)
    _seed_quality(engine, seed=1)
    table = Table(
        "username", "role", "password", title="Demo logins (also in var/demo-logins.json)"
    )
    for row in logins:
        table.add_row(row["username"], row["role"], row["password"])
    console().print(table)
    if live:
        from memberdesk.kpi.demo_live import LiveDemo

        LiveDemo(sessions).start()
        console().print("live demo: simulated calls and agents feed the wallboard (/wallboard)")
    serve(host=host, port=port, workers=1)


def _seed_registers(engine: Engine) -> None:
    """Demo incidents and vendors for the compliance officer, each only into an empty register."""
    from memberdesk.breaches.demo import seed_demo_breaches
    from memberdesk.clock import now
    from memberdesk.db import make_sessionmaker
    from memberdesk.vendors.demo import seed_demo_vendors

    with make_sessionmaker(engine)() as session:
        incidents = seed_demo_breaches(session, at=now())
        vendors = seed_demo_vendors(session, at=now())
        session.commit()
    if incidents or vendors:
        console().print(f"demo registers: {incidents} incidents, {vendors} vendors")


def _seed_book(sessions: Any, profile: str, members: int) -> None:
    """Seed one line of business's demo book unless the database holds members of it."""
    from sqlalchemy import func, select

    from memberdesk.members.models import Member
    from memberdesk.members.seed import run_seed

    with sessions() as session:
        count = (
            session.scalar(
                select(func.count()).select_from(Member).where(Member.line_of_business == profile)
            )
            or 0
        )
    if count == 0:
        run_seed(sessions, members=members, seed=1, console=console(), profile=profile)
    else:
        console().print(f"database already holds {count:,} {profile} members; not seeding them")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
