"""Policy packs: versioned data files of SLA and regulatory targets, each with its citation.

A target is either a clock (a deadline on the pack's calendar) or a KPI goal (a measured rate
or score with warning and breach thresholds, or a benchmark figure another plan achieved).
"""

from __future__ import annotations

import hashlib
import json
import threading
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from memberdesk.calendars import Calendar, get_calendar
from memberdesk.calendars.loader import parse_date
from memberdesk.sla.engine import ClockKind, Deadline, compute_due, resolve_kind

PACK_DIR = Path(__file__).with_name("packs")
DEFAULT_WARNING_SHARE = 0.75
_TARGET_KEYS = {
    "id",
    "what",
    "clock",
    "amount",
    "warning_share",
    "may_pause",
    "extension",
    "regulatory",
    "deemed_exhausted_on_breach",
    "kpi",
    "rule",
    "citation",
    "verify",
}


class KpiStatus(StrEnum):
    """Where a measured value stands against a KPI goal."""

    OK = "ok"
    WARNING = "warning"
    BREACH = "breach"


# Measures a KPI goal may name, with the range their values live in. Rates are fractions 0-1;
# NPS is points from -100 to 100 (%promoters - %detractors).
KPI_MEASURES: dict[str, tuple[float, float]] = {
    "service_level": (0.0, 1.0),
    "abandon_rate": (0.0, 1.0),
    "first_contact_resolution": (0.0, 1.0),
    "csat": (0.0, 1.0),
    "nps": (-100.0, 100.0),
    "qa_score": (0.0, 1.0),
}
_THRESHOLDS = ("warn_above", "breach_above", "warn_below", "breach_below")
_KPI_ORDER = ("measure", "within_seconds", *_THRESHOLDS, "breach_at_bound", "achieved")
_KPI_KEYS = set(_KPI_ORDER)


@dataclass(frozen=True, slots=True)
class KpiGoal:
    """A measured target: warn past the stricter threshold, breach past the looser one.

    A seed range such as "abandon rate 5-8%" is ``warn_above=0.05, breach_above=0.08``; a floor
    such as "CSAT at least 85%" is ``breach_below=0.85``. With ``breach_at_bound`` the breach
    threshold itself is a breach ("less than 3%"). ``achieved`` is a figure a plan reported
    reaching: a benchmark to compare with, never a floor.
    """

    measure: str
    warn_above: float | None = None
    breach_above: float | None = None
    warn_below: float | None = None
    breach_below: float | None = None
    breach_at_bound: bool = False
    within_seconds: float | None = None
    achieved: float | None = None

    @property
    def has_thresholds(self) -> bool:
        """False for a benchmark-only goal (nothing to warn or breach on)."""
        return any(getattr(self, k) is not None for k in _THRESHOLDS)

    def status(self, value: float) -> KpiStatus | None:
        """OK, WARNING or BREACH for a measured value; None when the goal has no thresholds."""
        if not self.has_thresholds:
            return None
        hi, lo = self.breach_above, self.breach_below
        if hi is not None and (value > hi or (self.breach_at_bound and value == hi)):
            return KpiStatus.BREACH
        if lo is not None and (value < lo or (self.breach_at_bound and value == lo)):
            return KpiStatus.BREACH
        if (self.warn_above is not None and value > self.warn_above) or (
            self.warn_below is not None and value < self.warn_below
        ):
            return KpiStatus.WARNING
        return KpiStatus.OK

    def to_dict(self) -> dict[str, Any]:
        """The goal's fields that are set."""
        return {k: v for k in _KPI_ORDER if (v := getattr(self, k)) not in (None, False)}


class PackError(ValueError):
    """A policy pack file is malformed; the message names the pack and field."""


class _UnknownName(KeyError):
    what = "name"

    def __init__(self, name: str, known: Iterable[str], where: str = "") -> None:
        self.name, self.known, self.where = name, sorted(known), where
        super().__init__(name)

    def __str__(self) -> str:
        # The name asked for is not repeated: messages name the field and the rule only.
        return f"unknown {self.what}{self.where}; known: {', '.join(self.known)}"


class UnknownPackError(_UnknownName):
    """No policy pack of that name."""

    what = "policy pack"


class UnknownTargetError(_UnknownName):
    """No target of that ID in the pack."""

    what = "target"


@dataclass(frozen=True, slots=True)
class ExtensionRule:
    """How a clock may be extended: ``count`` times by at most ``amount`` units."""

    count: int
    amount: int
    reason_required: bool = True
    citation: str = ""


@dataclass(frozen=True)
class Target:
    """One SLA or regulatory target of a pack (a clock, or a KPI when ``clock`` is None)."""

    id: str
    what: str
    pack: str
    calendar: str
    policy_version: str
    effective_from: date
    effective_to: date | None
    clock: ClockKind | None = None
    amount: int | None = None
    warning_share: float = DEFAULT_WARNING_SHARE
    may_pause: bool = False
    extension: ExtensionRule | None = None
    regulatory: bool = False
    deemed_exhausted_on_breach: bool = False
    kpi: KpiGoal | None = None
    rule: str = ""
    citation: str = ""
    verify: bool = False

    @property
    def is_clock(self) -> bool:
        """True for clock targets, False for KPI targets."""
        return self.clock is not None

    def clock_label(self) -> str:
        """``business_days 2`` or ``KPI``."""
        return f"{self.clock} {self.amount}" if self.clock else "KPI"

    def compute_due(self, start: datetime, calendar: Calendar | str | None = None) -> Deadline:
        """The target's deadline for a clock started at ``start`` (pack calendar by default)."""
        if self.clock is None or self.amount is None:
            raise PackError(f"{self.pack}/{self.id} is a KPI target, not a clock")
        return compute_due(calendar or self.calendar, self.clock, self.amount, start)


@dataclass(frozen=True)
class Pack:
    """A versioned set of targets on one calendar."""

    name: str
    title: str
    version: str
    digest: str
    effective_from: date
    effective_to: date | None
    calendar: str
    citation: str
    notes: tuple[str, ...]
    targets: dict[str, Target] = field(repr=False)

    def target(self, target_id: str) -> Target:
        """The target with this ID."""
        try:
            return self.targets[target_id]
        except KeyError:
            raise UnknownTargetError(target_id, self.targets, f" in pack {self.name}") from None

    def is_effective(self, on: date) -> bool:
        """True when this pack version applies on ``on``."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def get_calendar(self) -> Calendar:
        """The pack's calendar."""
        return get_calendar(self.calendar)


def pack_from_dict(data: Mapping[str, Any]) -> Pack:
    """Build a pack from parsed TOML/JSON data, validating every target."""
    name = str(data.get("pack") or "")
    if not name:
        raise PackError("a policy pack needs a 'pack' name")
    try:
        version = str(data["version"])
        effective_from = parse_date(data["effective_from"], f"pack {name}: effective_from")
        calendar = str(data["calendar"])
    except KeyError as exc:
        raise PackError(f"pack {name}: missing {exc.args[0]!r}") from None
    effective_to = None
    if data.get("effective_to"):
        effective_to = parse_date(data["effective_to"], f"pack {name}: effective_to")
    canonical = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:8]
    policy_version = f"{name}@{version}#{digest}"
    targets: dict[str, Target] = {}
    for raw in data.get("targets", ()):
        t = _target(name, raw, calendar, policy_version, effective_from, effective_to)
        if t.id in targets:
            raise PackError(f"pack {name}: target {t.id!r} appears twice")
        targets[t.id] = t
    return Pack(
        name=name,
        title=str(data.get("title", name)),
        version=version,
        digest=digest,
        effective_from=effective_from,
        effective_to=effective_to,
        calendar=calendar,
        citation=str(data.get("citation", "")),
        notes=tuple(str(n) for n in data.get("notes", ())),
        targets=targets,
    )


def _target(
    pack: str, raw: Mapping[str, Any], calendar: str, policy_version: str, *dates: Any
) -> Target:
    where = f"pack {pack}, target {raw.get('id')!r}"
    unknown = set(raw) - _TARGET_KEYS
    if unknown:
        raise PackError(f"{where}: unknown key(s) {sorted(unknown)}")
    if not raw.get("id"):
        raise PackError(f"pack {pack}: a target has no 'id'")
    clock = raw.get("clock")
    kpi = raw.get("kpi")
    if (clock is None) == (kpi is None):
        raise PackError(f"{where}: give either 'clock' (with 'amount') or 'kpi'")
    amount = raw.get("amount")
    if clock is not None and (not isinstance(amount, int) or amount < 0):
        raise PackError(f"{where}: 'amount' must be a whole number ≥ 0")
    share = float(raw.get("warning_share", DEFAULT_WARNING_SHARE))
    if not 0 < share <= 1:
        raise PackError(f"{where}: 'warning_share' must be in (0, 1]")
    ext = raw.get("extension")
    extension = None
    if ext:
        extension = ExtensionRule(
            count=int(ext.get("count", 1)),
            amount=int(ext["amount"]),
            reason_required=bool(ext.get("reason_required", True)),
            citation=str(ext.get("citation", "")),
        )
    if raw.get("regulatory") and raw.get("may_pause"):
        raise PackError(f"{where}: regulatory clocks never pause")
    goal = _kpi_goal(where, kpi) if kpi is not None else None
    return Target(
        id=str(raw["id"]),
        what=str(raw.get("what", "")),
        pack=pack,
        calendar=calendar,
        policy_version=policy_version,
        effective_from=dates[0],
        effective_to=dates[1],
        clock=resolve_kind(clock) if clock is not None else None,
        amount=amount if clock is not None else None,
        warning_share=share,
        may_pause=bool(raw.get("may_pause", False)),
        extension=extension,
        regulatory=bool(raw.get("regulatory", False)),
        deemed_exhausted_on_breach=bool(raw.get("deemed_exhausted_on_breach", False)),
        kpi=goal,
        rule=str(raw.get("rule", "")),
        citation=str(raw.get("citation", "")),
        verify=bool(raw.get("verify", False)),
    )


def _kpi_goal(where: str, raw: Any) -> KpiGoal:
    """A validated KpiGoal from a target's ``kpi`` table."""
    if not isinstance(raw, Mapping):
        raise PackError(f"{where}: 'kpi' must be a table")
    unknown = set(raw) - _KPI_KEYS
    if unknown:
        raise PackError(f"{where}: unknown kpi key(s) {sorted(unknown)}")
    measure = raw.get("measure")
    if measure not in KPI_MEASURES:
        raise PackError(f"{where}: kpi 'measure' must be one of {', '.join(KPI_MEASURES)}")
    low, high = KPI_MEASURES[measure]
    values: dict[str, float] = {}
    for key in (*_THRESHOLDS, "achieved"):
        if key in raw:
            value = raw[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise PackError(f"{where}: kpi '{key}' must be a number")
            if not low <= value <= high:
                raise PackError(f"{where}: kpi '{key}' must be within {low:g}..{high:g}")
            values[key] = float(value)
    if not values:
        raise PackError(f"{where}: a kpi needs a threshold or an 'achieved' figure")
    for warn, breach, stricter in (
        ("warn_above", "breach_above", lambda w, b: w <= b),
        ("warn_below", "breach_below", lambda w, b: w >= b),
    ):
        if warn in values and breach in values and not stricter(values[warn], values[breach]):
            raise PackError(f"{where}: kpi '{warn}' must be stricter than '{breach}'")
    within = raw.get("within_seconds")
    if within is not None and (measure != "service_level" or not isinstance(within, int | float)):
        raise PackError(f"{where}: kpi 'within_seconds' is a number, for service_level only")
    if measure == "service_level" and within is None:
        raise PackError(f"{where}: a service_level kpi needs 'within_seconds'")
    return KpiGoal(
        measure=str(measure),
        breach_at_bound=bool(raw.get("breach_at_bound", False)),
        within_seconds=float(within) if within is not None else None,
        **values,
    )


# -- registry -------------------------------------------------------------------------------
_lock = threading.Lock()
_packs: dict[str, list[Pack]] = {}


def _all() -> dict[str, list[Pack]]:
    with _lock:
        if not _packs:
            for path in sorted(PACK_DIR.glob("*.toml")):
                with path.open("rb") as fh:
                    pack = pack_from_dict(tomllib.load(fh))
                _packs.setdefault(pack.name, []).append(pack)
            for versions in _packs.values():
                versions.sort(key=lambda p: p.effective_from)
        return _packs


def pack_names() -> list[str]:
    """Names of the shipped policy packs."""
    return sorted(_all())


def get_pack(name: str, on: date | None = None) -> Pack:
    """The pack ``name``: the version effective ``on`` that date, else the newest."""
    versions = _all().get(name)
    if not versions:
        raise UnknownPackError(name, _all())
    if on is None:
        return versions[-1]
    for pack in reversed(versions):
        if pack.is_effective(on):
            return pack
    raise PackError(f"policy pack {name} has no version effective on {on.isoformat()}")


def get_target(pack: str, target_id: str, on: date | None = None) -> Target:
    """Target ``target_id`` of pack ``pack``."""
    return get_pack(pack, on).target(target_id)


def zone_of(pack: str) -> ZoneInfo:
    """The time zone of the pack's calendar: its deadlines are shown in it."""
    return get_pack(pack).get_calendar().tz
