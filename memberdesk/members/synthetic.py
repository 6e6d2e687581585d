"""The synthetic-book generator: households, coverage history, life events, ID cards.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, relative to a fixed
reference date, so the same seed gives the same members on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any

from faker import Faker

from memberdesk.compliance.crypto import bidx_member_number, bidx_name_dob, bidx_phone
from memberdesk.members import seed_data as sd
from memberdesk.members.dates import add_months, first_of_next_month, month_end
from memberdesk.members.eligibility import age_out_date
from memberdesk.members.enums import (
    AccessibilityNeed,
    ConfidentialScope,
    CoverageSource,
    IdCardReason,
    IdCardStatus,
    LifeEventType,
    Relationship,
    TerminationReason,
)
from memberdesk.members.models import bidx_life_event
from memberdesk.members.service import special_enrollment_days

AS_OF_DEFAULT = date(2026, 11, 1)
FIRST_GROUP_START = date(2015, 1, 1)
BATCH_MEMBERS = 5000
AGE_LIMIT = 26  # the default dependant age limit (Settings.dependent_age_limit)
# A card's journey: days after the request by which it was printed, mailed and delivered.
CARD_PROGRESS = [
    (IdCardStatus.DELIVERED, 20),
    (IdCardStatus.MAILED, 10),
    (IdCardStatus.PRINTED, 4),
]
GROUP_SIZES = [((2, 5), 35), ((6, 10), 25), ((11, 25), 22), ((26, 50), 12), ((51, 100), 6)]
ACCESS_NEEDS = [
    (AccessibilityNeed.LARGE_PRINT, 0.008),
    (AccessibilityNeed.BRAILLE, 0.001),
    (AccessibilityNeed.ASL_INTERPRETER, 0.0015),
    (AccessibilityNeed.SCREEN_READER, 0.002),
    (AccessibilityNeed.MOBILITY, 0.01),
    (AccessibilityNeed.COGNITIVE_SUPPORT, 0.003),
]


@dataclass
class PlanChoice:
    id: int
    metal: str
    rates: tuple[int, int, int, int]
    carrier: str


@dataclass
class Batch:
    """Rows for one insert round, in foreign-key order."""

    groups: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    spans: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)


class Names:
    """Name and street pools drawn once from Faker, so generation stays fast."""

    def __init__(
        self, seed: int, extra: dict[str, tuple[list[str], list[str], list[str]]] | None = None
    ) -> None:
        self.pools: dict[str, tuple[list[str], list[str], list[str]]] = {}
        for lang, locale in sd.FAKER_LOCALES.items():
            fake = Faker(locale)
            fake.seed_instance(seed)
            self.pools[lang] = (
                sorted({fake.first_name_female() for _ in range(400)}),
                sorted({fake.first_name_male() for _ in range(400)}),
                sorted({fake.last_name() for _ in range(800)}),
            )
        self.pools.update(sd.ROMANISED)
        self.pools.update(extra or {})
        fake = Faker("en_US")
        fake.seed_instance(seed)
        self.streets = sorted({fake.street_name() for _ in range(1500)})

    def person(self, rng: random.Random, lang: str, sex: str) -> tuple[str, str]:
        female, male, last = self.pools.get(lang, self.pools["en"])
        first = rng.choice(female if sex == "F" else male if sex == "M" else female + male)
        return first, rng.choice(last)


def ascii_name(text_: str) -> str:
    folded = unicodedata.normalize("NFKD", text_)
    return "".join(c for c in folded if c.isalnum() and ord(c) < 128).lower()


def at_hour(d: date, hour: int = 17) -> datetime:
    return datetime.combine(d, dtime(hour, 0), tzinfo=UTC)


def rand_date(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


class BookGenerator:
    """What every synthetic book draws the same way: ids, member numbers, phones, ID cards.

    ``taken`` holds the blind indexes of member IDs already in the database, so a book seeded
    beside another (or a second time) never reuses a household's number; on an empty database
    it is empty and changes no draw."""

    def __init__(
        self,
        seed: int,
        ids: dict[str, int],
        as_of: date,
        taken: frozenset[bytes] = frozenset(),
        names: dict[str, tuple[list[str], list[str], list[str]]] | None = None,
    ) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
        self.names = Names(seed, names)
        self.ids = ids
        self.as_of = as_of
        self.horizon = as_of + timedelta(days=60)  # future-dated changes already keyed
        self.used_numbers: set[int] = set()
        self.taken = taken

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def member_number(self) -> int:
        """A household's 9-digit number, never one drawn before or already on file."""
        while True:
            n = self.rng.randrange(100_000_000, 1_000_000_000)
            if n in self.used_numbers:
                continue
            self.used_numbers.add(n)
            # Every household has its "-00" member, so that number stands for the household.
            if self.taken and bidx_member_number(f"{n}-00") in self.taken:
                continue
            return n

    def phone(self, area_codes: tuple[str, ...]) -> str:
        return f"({self.rng.choice(area_codes)}) 555-{self.rng.randrange(10000):04d}"

    def age_limit_end(self, member: dict[str, Any]) -> date | None:
        """The last day a dependant child is covered by age (None: no age limit applies)."""
        if member["relationship"] == Relationship.CHILD and not member["disabled_dependent"]:
            return age_out_date(member["date_of_birth"], AGE_LIMIT) - timedelta(days=1)
        return None

    def _card_status(self, requested: datetime) -> tuple[IdCardStatus, datetime]:
        """Where a card asked for on ``requested`` stands on the reference date, and since when."""
        age = (self.as_of - requested.date()).days
        for status, after in CARD_PROGRESS:
            if age > after:
                return status, min(requested + timedelta(days=after), at_hour(self.as_of))
        return IdCardStatus.REQUESTED, requested

    def cards(self, member: dict[str, Any], spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """ID cards a member was sent: the new-enrolment card when the coverage was keyed, now
        and then a replacement, always while covered (the API refuses any other)."""
        rng = self.rng
        requested = spans[0]["recorded_at"]
        last_day = self._covered_until(member, spans)
        if requested.date() > last_day:
            return []  # keyed after the coverage had already ended: no card was sent
        status, updated = self._card_status(requested)
        rows = [
            {
                "id": self.next_id("id_card_requests"),
                "member_id": member["id"],
                "reason": IdCardReason.NEW_ENROLLMENT,
                "status": status,
                "ship_to_confidential": False,
                "requested_at": requested,
                "updated_at": updated,
            }
        ]
        age = (self.as_of - requested.date()).days
        first_replacement = max(requested.date(), spans[0]["effective_date"]) + timedelta(days=30)
        if rng.random() < 0.03 and age > 60 and first_replacement <= last_day:
            when = at_hour(rand_date(rng, first_replacement, last_day), 19)
            reason = rng.choice(
                [
                    IdCardReason.LOST_OR_STOLEN,
                    IdCardReason.DAMAGED,
                    IdCardReason.NAME_CHANGE,
                    IdCardReason.ADDITIONAL_COPY,
                ]
            )
            late = (self.as_of - when.date()).days
            rows.append(
                {
                    "id": self.next_id("id_card_requests"),
                    "member_id": member["id"],
                    "reason": reason,
                    "status": IdCardStatus.DELIVERED if late > 20 else IdCardStatus.REQUESTED,
                    "ship_to_confidential": False,
                    "requested_at": when,
                    "updated_at": min(when + timedelta(days=14), at_hour(self.as_of))
                    if late > 20
                    else when,
                }
            )
        return rows

    def _covered_until(self, member: dict[str, Any], spans: list[dict[str, Any]]) -> date:
        """The member's last covered day up to the reference date (coverage, group, age limit)."""
        ends = [s["termination_date"] for s in spans]
        last = self.as_of if None in ends else min(max(e for e in ends if e), self.as_of)
        limit = self.age_limit_end(member)
        return last if limit is None else min(last, limit)


class Generator(BookGenerator):
    """Draws the California small-group book: groups, households, coverage and events."""

    def __init__(
        self,
        seed: int,
        plans: list[PlanChoice],
        ids: dict[str, int],
        as_of: date,
        taken: frozenset[bytes] = frozenset(),
    ) -> None:
        super().__init__(seed, ids, as_of, taken)
        self.plans = plans
        self.plan_weights = [sd.METAL_WEIGHTS[p.metal] for p in plans]  # type: ignore[index]
        self.lang_codes = [code for code, _, _ in sd.LANGUAGES]
        self.lang_weights = [share for _, share, _ in sd.LANGUAGES]
        self.interp = {code: p for code, _, p in sd.LANGUAGES}
        self.places = sd.PLACES
        self.place_weights = [w for *_, w in sd.PLACES]

    # --- groups -------------------------------------------------------------------------
    def group(self) -> tuple[dict[str, Any], int]:
        rng = self.rng
        ((lo, hi),) = rng.choices([r for r, _ in GROUP_SIZES], [w for _, w in GROUP_SIZES])
        size = rng.randint(lo, hi)
        months = (self.as_of.year - FIRST_GROUP_START.year) * 12 + self.as_of.month - 1
        effective = add_months(FIRST_GROUP_START, rng.randint(0, months + 1))
        terminated = None
        if rng.random() < 0.04 and effective < self.as_of - timedelta(days=400):
            terminated = month_end(rand_date(rng, effective + timedelta(days=365), self.as_of))
        ref = rng.choice([p for p in self.plans if p.metal == "silver"])
        share = rng.choice([0.5, 0.6, 0.75, 0.8, 1.0])
        dep_share = rng.choice([0.0, 0.0, 0.25, 0.5])
        gid = self.next_id("employer_groups")
        place = rng.choices(self.places, self.place_weights)[0]
        return {
            "id": gid,
            "group_number": f"G{gid:07d}",
            "name": f"{rng.choice(sd.EMPLOYER_PLACES)} {rng.choice(sd.EMPLOYER_TRADES)}"
            f"{rng.choice(sd.EMPLOYER_SUFFIXES)}",
            "county": place[1],
            "effective_date": effective,
            "termination_date": terminated,
            "renewal_month": effective.month,
            "contribution_employee_cents": int(ref.rates[0] * share / 500) * 500,
            "contribution_dependents_cents": int((ref.rates[1] - ref.rates[0]) * dep_share / 500)
            * 500,
        }, size

    # --- people -------------------------------------------------------------------------
    def person(
        self,
        group_id: int,
        rel: Relationship,
        dob: date,
        lang: str,
        household: dict[str, Any],
        number: str,
        subscriber_id: int | None,
        last_name: str | None,
    ) -> dict[str, Any]:
        rng = self.rng
        sex = "X" if rng.random() < 0.005 else rng.choice("FM")
        first, last = self.names.person(rng, lang, sex)
        last = last_name or last
        adult = (self.as_of - dob).days >= 18 * 365
        phone = None
        if rel == Relationship.SELF:
            phone = household["phone"]
        elif adult and rng.random() < 0.6:
            phone = self.phone(household["area_codes"])
        email = None
        if adult and rng.random() < (0.85 if rel == Relationship.SELF else 0.4):
            email = f"{ascii_name(first)}.{ascii_name(last)}{rng.randrange(100)}@example.com"
        needs = [n.value for n, p in ACCESS_NEEDS if rng.random() < p]
        if rng.random() < 0.003:
            needs.insert(0, AccessibilityNeed.TTY.value)
        conf_addr = conf_phone = conf_scope = None
        if rel != Relationship.SELF and adult and rng.random() < 0.03:
            conf_phone = self.phone(household["area_codes"])
            conf_addr = (
                f"PO Box {rng.randrange(100, 9999)}, {household['city']}, CA {household['zip']}"
            )
            conf_scope = (
                ConfidentialScope.SENSITIVE_SERVICES
                if rng.random() < 0.8
                else ConfidentialScope.ALL
            )
        written = lang if lang == "en" or rng.random() < 0.85 else "en"
        mid = self.next_id("members")
        return {
            "id": mid,
            "member_number": number,
            "member_number_bidx": bidx_member_number(number),
            "subscriber_id": subscriber_id,
            "group_id": group_id,
            "relationship": rel,
            "first_name": first,
            "last_name": last,
            "date_of_birth": dob,
            "name_dob_bidx": bidx_name_dob(last, dob),
            "sex": sex,
            "address_line1": household["line1"],
            "address_line2": household["line2"],
            "city": household["city"],
            "state": "CA",
            "postal_code": household["zip"],
            "phone": phone,
            "phone_bidx": bidx_phone(phone) if phone else None,
            "email": email,
            "spoken_language": lang,
            "written_language": written,
            "interpreter_needed": lang != "en" and adult and rng.random() < self.interp[lang],
            "accessibility_needs": needs,
            "disabled_dependent": rel == Relationship.CHILD and rng.random() < 0.01,
            "confidential_address": conf_addr,
            "confidential_phone": conf_phone,
            "confidential_phone_bidx": bidx_phone(conf_phone) if conf_phone else None,
            "confidential_scope": conf_scope,
        }

    def household_address(self) -> dict[str, Any]:
        rng = self.rng
        city, _county, zip3, areas, _ = rng.choices(self.places, self.place_weights)[0]
        zipc = f"{zip3}{rng.randrange(1, 99):02d}"
        return {
            "line1": f"{rng.randint(100, 29999)} {rng.choice(self.names.streets)}",
            "line2": f"Apt {rng.randint(1, 400)}" if rng.random() < 0.3 else None,
            "city": city,
            "zip": zipc,
            "area_codes": areas,
            "phone": self.phone(areas),
        }

    # --- coverage -----------------------------------------------------------------------
    def subscriber_spans(self, group: dict[str, Any]) -> list[dict[str, Any]]:
        """Spans of one employee: enrolment, plan changes at renewal, leaving, group end."""
        rng = self.rng
        g_eff, g_term = group["effective_date"], group["termination_date"]
        last_possible = min(g_term or self.horizon, self.horizon)
        if rng.random() < 0.6:
            start, source = g_eff, CoverageSource.GROUP_ENROLLMENT
        else:
            start = first_of_next_month(rand_date(rng, g_eff, last_possible))
            source = CoverageSource.NEW_HIRE
        if start > last_possible:
            start, source = g_eff, CoverageSource.GROUP_ENROLLMENT
        end, end_reason = None, None
        if g_term is not None:
            end, end_reason = g_term, TerminationReason.GROUP_TERMINATED
        if rng.random() < 0.14:
            leave = month_end(rand_date(rng, start + timedelta(days=45), self.horizon))
            if leave > start and (end is None or leave < end):
                end, end_reason = leave, TerminationReason.EMPLOYMENT_ENDED
        plan = self.pick_plan()
        spans: list[dict[str, Any]] = []
        renewal = date(start.year, group["renewal_month"], 1)
        while renewal <= start:
            renewal = add_months(renewal, 12)
        cur_start, cur_source = start, source
        while renewal <= min(end or self.horizon, self.horizon):
            if rng.random() < 0.12:
                spans.append(
                    self.span(
                        plan,
                        cur_start,
                        renewal - timedelta(days=1),
                        cur_source,
                        TerminationReason.PLAN_CHANGE,
                    )
                )
                plan, cur_start, cur_source = (
                    self.pick_plan(),
                    renewal,
                    CoverageSource.OPEN_ENROLLMENT,
                )
            renewal = add_months(renewal, 12)
        spans.append(self.span(plan, cur_start, end, cur_source, end_reason))
        return spans

    def pick_plan(self) -> PlanChoice:
        return self.rng.choices(self.plans, self.plan_weights)[0]

    def span(
        self,
        plan: PlanChoice,
        eff: date,
        term: date | None,
        source: CoverageSource,
        reason: TerminationReason | None,
    ) -> dict[str, Any]:
        rng = self.rng
        recorded = min(eff - timedelta(days=rng.randint(5, 30)), self.as_of)
        term_recorded = None
        if term is not None:
            if reason == TerminationReason.EMPLOYMENT_ENDED and rng.random() < 0.25:
                lag = rng.randint(10, 75)  # retroactive: keyed after the coverage had ended
                term_recorded = min(term + timedelta(days=lag), self.as_of)
            else:
                term_recorded = min(term - timedelta(days=rng.randint(3, 30)), self.as_of)
            term_recorded = max(term_recorded, recorded)
        return {
            "plan_id": plan.id,
            "effective_date": eff,
            "termination_date": term,
            "source": source,
            "termination_reason": reason,
            "recorded_at": at_hour(recorded),
            "termination_recorded_at": at_hour(term_recorded) if term_recorded else None,
        }

    @staticmethod
    def mirror(
        spans: list[dict[str, Any]],
        start: date,
        source: CoverageSource | None,
        end: date | None = None,
        end_reason: TerminationReason | None = None,
        keyed: dict[str, Any] | None = None,
        born: date | None = None,
    ) -> list[dict[str, Any]]:
        """A dependant's spans: the subscriber's, clipped to when the dependant was covered.

        A dependant added by a life event (``keyed``) was keyed when the event was reported,
        never before it happened, and nobody is keyed before they were ``born``.
        """
        out: list[dict[str, Any]] = []
        for s in spans:
            term = s["termination_date"]
            if end is not None and (term is None or end < term):
                term, reason = end, end_reason
            else:
                reason = s["termination_reason"]
            eff = max(s["effective_date"], start)
            if term is not None and term < eff:
                continue
            row = dict(s, effective_date=eff, termination_date=term, termination_reason=reason)
            if source is not None and not out:
                row["source"] = source
            if not out:
                floor = [keyed["reported_at"]] if keyed is not None else []
                floor += [at_hour(born)] if born is not None else []
                row["recorded_at"] = max([row["recorded_at"], *floor])
                if row["termination_recorded_at"] is not None:
                    row["termination_recorded_at"] = max(
                        row["termination_recorded_at"], row["recorded_at"]
                    )
            if term is None:
                row["termination_recorded_at"] = None
            out.append(row)
        return out

    def event(self, member_id: int, kind: LifeEventType, when: date) -> dict[str, Any]:
        reported = min(when + timedelta(days=self.rng.randint(0, 25)), self.as_of)
        return {
            "id": self.next_id("life_events"),
            "member_id": member_id,
            "event_type": kind,
            "event_date": when,
            "window_days": special_enrollment_days(kind),
            "reported_at": at_hour(max(reported, when), 18),
            "notes": None,
            "dedup_bidx": bidx_life_event(kind, when),
        }

    # --- households ---------------------------------------------------------------------
    def household(self, group: dict[str, Any], budget: int, batch: Batch) -> int:
        """Add one employee and dependants (at most ``budget`` people); return how many."""
        rng = self.rng
        spans = self.subscriber_spans(group)
        cov_start = spans[0]["effective_date"]
        lang = rng.choices(self.lang_codes, self.lang_weights)[0]
        home = self.household_address()
        age = min(64, max(22, int(rng.gauss(42, 11))))
        dob = rand_date(
            rng,
            date(self.as_of.year - age - 1, self.as_of.month, 1),
            date(self.as_of.year - age, self.as_of.month, 1),
        )
        base = self.member_number()
        sub = self.person(group["id"], Relationship.SELF, dob, lang, home, f"{base}-00", None, None)
        people = [(sub, spans, None)]
        events: list[dict[str, Any]] = []
        family_name = sub["last_name"] if rng.random() < 0.7 else None
        if budget > 1 and age > 24 and rng.random() < 0.42:
            rel = Relationship.DOMESTIC_PARTNER if rng.random() < 0.06 else Relationship.SPOUSE
            sp_dob = dob + timedelta(days=rng.randint(-5 * 365, 5 * 365))
            sp_lang = lang if rng.random() < 0.9 else "en"
            spouse = self.person(
                group["id"], rel, sp_dob, sp_lang, home, f"{base}-01", sub["id"], family_name
            )
            start, source, end, end_reason = cov_start, None, None, None
            wedding: dict[str, Any] | None = None
            if rng.random() < 0.15:
                wed = rand_date(
                    rng, cov_start, min(spans[-1]["termination_date"] or self.as_of, self.as_of)
                )
                start, source = first_of_next_month(wed), CoverageSource.LIFE_EVENT
                kind = (
                    LifeEventType.MARRIAGE
                    if rel == Relationship.SPOUSE
                    else LifeEventType.DOMESTIC_PARTNERSHIP
                )
                wedding = self.event(sub["id"], kind, wed)
                events.append(wedding)
            elif rng.random() < 0.04:
                split = rand_date(rng, cov_start, self.as_of)
                end, end_reason = month_end(split), TerminationReason.DIVORCE
                events.append(self.event(sub["id"], LifeEventType.DIVORCE, split))
            sp_spans = self.mirror(spans, start, source, end, end_reason, keyed=wedding)
            if sp_spans:
                people.append((spouse, sp_spans, None))
        n_kids = rng.choices([0, 1, 2, 3, 4], [50, 20, 20, 8, 2])[0] if age > 23 else 0
        for k in range(n_kids):
            if len(people) >= budget:
                break
            kid_age_days = rng.randint(0, max(1, min(age - 20, 27)) * 365)
            kid_dob = self.as_of - timedelta(days=kid_age_days)
            joined: dict[str, Any] | None = None
            if kid_dob >= cov_start:  # born while covered: birth event, covered from birth
                start, source = kid_dob, CoverageSource.LIFE_EVENT
                kind = LifeEventType.BIRTH if rng.random() < 0.93 else LifeEventType.ADOPTION
                twin = next(
                    (e for e in events if (e["event_type"], e["event_date"]) == (kind, kid_dob)),
                    None,
                )
                # Twins are one event on the enrolment: the API refuses the same event twice.
                joined = twin or self.event(sub["id"], kind, kid_dob)
                if twin is None:
                    events.append(joined)
            else:
                if (cov_start - kid_dob).days >= 26 * 365:
                    continue  # already past the age limit when the parent enrolled
                start, source = cov_start, None
            kid_lang = lang if rng.random() < 0.6 else "en"
            kid = self.person(
                group["id"],
                Relationship.CHILD,
                kid_dob,
                kid_lang,
                home,
                f"{base}-{k + 2:02d}",
                sub["id"],
                family_name or sub["last_name"],
            )
            kid_spans = self.mirror(spans, start, source, keyed=joined, born=kid_dob)
            if kid_spans:
                people.append((kid, kid_spans, None))
        for person, pspans, _ in people:
            first = pspans[0]
            person["created_at"] = person["updated_at"] = first["recorded_at"]
            batch.members.append(person)
            for s in pspans:
                batch.spans.append(
                    dict(s, id=self.next_id("coverage_spans"), member_id=person["id"])
                )
            batch.cards.extend(self.cards(person, pspans))
        batch.events.extend(events)
        return len(people)

    def batches(self, members: int, batch_members: int) -> Iterator[tuple[Batch, int]]:
        """Yield batches of rows until exactly ``members`` people have been generated."""
        left = members
        batch = Batch()
        in_batch = 0
        while left > 0:
            group, size = self.group()
            batch.groups.append(group)
            for _ in range(size):
                if left <= 0:
                    break
                n = self.household(group, left, batch)
                left -= n
                in_batch += n
            if in_batch >= batch_members or left <= 0:
                yield batch, in_batch
                batch, in_batch = Batch(), 0
