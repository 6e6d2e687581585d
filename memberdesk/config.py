"""Settings, read from the environment with the ``MEMBERDESK_`` prefix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_VAR_DIR = Path("var")
# The agent states of the live telephony feed (kpi.live.AgentEvent; a test keeps them equal).
AgentState = Literal["logged_in", "ready", "not_ready", "break", "wrap", "logged_out"]


class Settings(BaseSettings):
    """Process-wide configuration; every field can be set as ``MEMBERDESK_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="MEMBERDESK_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_VAR_DIR}/memberdesk.db",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db",
    )
    var_dir: Path = Field(
        default=DEFAULT_VAR_DIR, description="Holds the SQLite file and generated keys"
    )
    database_schema: str | None = Field(
        default=None,
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="PostgreSQL schema (search_path) to use instead of public",
    )
    pool_size: int = Field(default=10, ge=1, description="Database connection pool size")
    pool_max_overflow: int = Field(default=10, ge=0)
    request_threads: int | None = Field(
        default=None,
        ge=1,
        le=200,
        description="Threads running routes per server process (default: 4 on SQLite, 6 on "
        "PostgreSQL); at most the pool's connections less 2 for background work",
        validate_default=True,
    )
    pool_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Longest wait for a pooled connection, then 503"
    )
    sqlite_busy_timeout_ms: int = Field(default=10000, ge=0)
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest request body accepted (413 above)"
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses of reverse proxies whose X-Forwarded-For is believed",
    )
    log_level: str = Field(default="INFO")
    log_json: bool = Field(default=False, description="Emit one JSON object per log line")
    page_size_max: int = Field(default=200, ge=1)
    # Dependants are covered through the month of their 26th birthday (ACA, 45 CFR 147.120).
    dependent_age_limit: int = Field(default=26, ge=1)
    special_enrollment_days: dict[str, int] = Field(
        default_factory=dict,
        description='Per life-event type window overrides, e.g. {"birth": 60}',
    )
    session_idle_minutes: int = Field(
        default=15, ge=1, description="Automatic log-off, 45 CFR 164.312(a)(2)(iii)"
    )

    # Argon2id, RFC 9106 second recommended option; tests lower these to stay fast.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)
    token_max_days: int = Field(
        default=90, ge=1, le=366, description="API tokens stop working this many days after issue"
    )
    token_idle_days: int = Field(
        default=30, ge=1, le=366, description="API tokens unused this many days stop working"
    )
    anonymous_rate: float = Field(
        default=50.0, gt=0, description="Requests per second without valid credentials"
    )
    lockout_threshold: int = Field(default=5, ge=1, description="Failed sign-ins before lock-out")
    lockout_minutes: int = Field(default=15, ge=1)
    login_rate_limit: int = Field(
        default=20, ge=1, description="Failed sign-ins per client address per 15 minutes"
    )
    cookie_secure: bool | None = Field(
        default=None, description="Secure cookies; default: when the request came over HTTPS"
    )
    retention_years: dict[str, int] = Field(
        default_factory=dict,
        description="Per record type retention overrides in years (never below 6)",
    )
    # Contacts and callbacks.
    fcr_window_days: int = Field(
        default=7,
        ge=1,
        le=366,
        description="One-contact resolution: a repeat contact on the same reason within this "
        "many calendar days undoes a resolved contact",
    )
    verification_min_facts: int = Field(
        default=2, ge=1, le=8, description="Distinct identity facts checked before disclosure"
    )
    callback_max_attempts: int = Field(
        default=3, ge=1, le=20, description="Failed callback attempts before a letter is sent"
    )
    callback_min_business_days: int = Field(
        default=2,
        ge=1,
        le=20,
        description="Business days the failed callback attempts must span before a letter",
    )
    # Surveys after contacts (surveys/, docs/surveys.md).
    survey_sender: Literal["outbox", "smtp"] = Field(
        default="outbox",
        description="Where invitations go: outbox (a table; the demo and tests) or smtp",
    )
    survey_throttle_days: int = Field(
        default=30, ge=1, le=366, description="At most one invitation per member in this many days"
    )
    survey_expiry_days: int = Field(
        default=30, ge=1, le=366, description="A survey link works this many days after sending"
    )
    survey_send_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="How often the worker sends waiting invitations"
    )
    smtp_host: str = Field(default="localhost", description="SMTP server for survey e-mail")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        default="starttls",
        description="starttls (port 587), tls (implicit, port 465) or none (a local relay only)",
    )
    smtp_username: str | None = Field(default=None, description="SMTP login, if the server asks")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password")
    smtp_from: str = Field(
        default="Member Services <member-services@example.org>",
        max_length=200,
        description="From address of survey e-mail",
    )
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    smtp_sms_gateway: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$",
        description="E-mail-to-SMS gateway domain (texts go to 10digits@this domain); without "
        "one, members who would be texted are e-mailed instead",
    )

    # Cases, queues and routing.
    case_default_capacity: int = Field(
        default=10,
        ge=1,
        le=200,
        description="Open cases an agent may hold when no capacity was set for them",
    )
    case_document_max_bytes: int = Field(
        default=524_288,
        ge=1024,
        description="Largest case document accepted (keep it below max_body_bytes)",
    )

    # Member navigators: the complex-needs rules (a threshold of 0 turns its rule off).
    navigator_rule_contacts: int = Field(
        default=3, ge=0, le=1000, description="Contacts within the window that flag a member"
    )
    navigator_rule_contact_days: int = Field(
        default=30, ge=1, le=366, description="Days the contact rule looks back"
    )
    navigator_rule_open_cases: int = Field(
        default=2, ge=0, le=1000, description="Open cases that flag a member"
    )
    navigator_rule_interpreter_disability: bool = Field(
        default=True,
        description="Flag a member who needs an interpreter and has a disability or "
        "accessibility need on file",
    )
    # The SLA worker (memberdesk worker, and the loop inside memberdesk serve).
    sla_sweep_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="How often the SLA worker fires due warnings, breaches and escalations",
    )
    sla_sweep_batch: int = Field(
        default=500, ge=1, le=10_000, description="Rows the SLA worker fires per transaction"
    )

    # Links members follow (surveys) and callbacks the phone platform signs (kpi/twilio.py).
    public_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
        description="The address members and the outside world reach this server at (scheme, "
        "host, optional port and path prefix, e.g. https://memberdesk.example.org): survey "
        "links start with it and webhook signatures are checked against it. Default: the "
        "address a request arrived at, and http://127.0.0.1:8000 for links sent by the worker",
    )
    # Telephony: Twilio TaskRouter's event callbacks (docs/telephony.md).
    twilio_auth_token: SecretStr | None = Field(
        default=None,
        description="Twilio account auth token that signs its callbacks; if unset, read from "
        "var/twilio_auth_token. Without one, every callback from Twilio is refused",
    )
    twilio_pack: str = Field(
        default="calchoice",
        max_length=32,
        description="Line of business (policy pack) of Twilio calls, unless the callback URL "
        "names one with ?pack=",
    )
    twilio_agent_id: Literal["name", "sid"] = Field(
        default="name",
        description="Which Twilio worker field is the agent's ID: name (its friendly name, "
        "matched to memberdesk usernames for contacts) or sid (WK...)",
    )
    twilio_member_attribute: str = Field(
        default="member_id",
        min_length=1,
        max_length=64,
        description="Task attribute holding the identified caller's member ID",
    )
    twilio_activities: dict[str, AgentState] = Field(
        default_factory=dict,
        description="Twilio activity names mapped to agent states, over the defaults, e.g. "
        '{"Lunch": "break", "Training": "not_ready"}',
    )
    twilio_channels: list[str] = Field(
        default_factory=lambda: ["voice"],
        description="TaskRouter task channels that are phone calls (other tasks are ignored)",
    )
    twilio_ivr_workflow_sid: str | None = Field(
        default=None,
        pattern=r"^WW[0-9a-fA-F]{32}$",
        description="TaskRouter workflow the phone menu transfers callers to, with what it "
        "learned as task attributes (docs/ivr.md); unset: a plain Twilio queue per language and "
        "reason, e.g. eligibility-es",
    )

    @field_validator("retention_years")
    @classmethod
    def _hipaa_minimum(cls, value: dict[str, int]) -> dict[str, int]:
        # 45 CFR 164.316(b)(2)(i): documentation is kept six years at least.
        short = {k: v for k, v in value.items() if v < 6}
        if short:
            raise ValueError(f"retention below the 6-year HIPAA minimum for {sorted(short)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        return value

    @field_validator("request_threads")
    @classmethod
    def _threads_fit_the_pool(cls, value: int | None, info: ValidationInfo) -> int | None:
        # Every route thread must find a connection at once, with two left for the worker's
        # jobs and the audit writer: a thread never waits for a connection.
        data = info.data
        if "pool_size" not in data or "pool_max_overflow" not in data:
            return value  # those failed their own checks, reported already
        threads = value or default_threads(str(data.get("database_url", "")))
        pooled = data["pool_size"] + data["pool_max_overflow"]
        if threads + 2 > pooled:
            raise ValueError(
                f"{threads} threads need at least {threads + 2} pooled connections "
                f"(pool_size + pool_max_overflow is {pooled})"
            )
        return value

    @property
    def worker_threads(self) -> int:
        """Threads for sync routes in one process. Routes are mostly Python work under one
        interpreter lock, so a few threads serve the most: with 20, a 2-core machine answered
        20-25% fewer member 360s at 200 clients than at 10, as threads fought for the lock (and
        on SQLite for its one write lock); with 4 to 6 it holds its 10-client rate. PostgreSQL
        gets two more for writes, which wait on the server rather than on Python."""
        return self.request_threads or default_threads(self.database_url)

    @property
    def is_sqlite(self) -> bool:
        """True when the embedded SQLite engine is configured."""
        return self.database_url.startswith("sqlite")


def default_threads(database_url: str) -> int:
    """Route threads per process when none are set (see ``Settings.worker_threads``)."""
    return 4 if database_url.startswith("sqlite") else 6


@lru_cache
def get_settings() -> Settings:
    """The settings of this process (cached; tests build their own ``Settings``)."""
    return Settings()
