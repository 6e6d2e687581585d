"""The synthetic Oregon Health Plan (Medicaid) book: households in the Portland tri-county area,
Medicaid eligibility spans with their renewal dates and gaps, and the partner plans each member
holds at the same time (physical, behavioural and dental care, medical transport).

Like the California book, everything is drawn from one ``random.Random(seed)`` in a fixed order
relative to a fixed reference date, so a seed gives the same book on SQLite and PostgreSQL. There
are no employer groups, no premiums and no special-enrolment life events: each person is
eligible in their own right, and changes go through the state's renewal instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from memberdesk.compliance.crypto import bidx_member_number, bidx_name_dob, bidx_phone
from memberdesk.members import oregon_data as od
from memberdesk.members.dates import add_months, first_of_month, month_end
from memberdesk.members.enums import (
    PARTNER_BENEFITS,
    AccessibilityNeed,
    Benefit,
    ConfidentialScope,
    CoverageSource,
    LineOfBusiness,
    Relationship,
    TerminationReason,
)
from memberdesk.members.lines import LINES, continuous_eligibility_end
from memberdesk.members.synthetic import Batch, BookGenerator, ascii_name, at_hour, rand_date

# Household kinds of a Medicaid book (expansion adults living alone are the largest group).
OREGON = LINES[LineOfBusiness.OREGON_MEDICAID]
KINDS = [("single", 46), ("parent", 34), ("couple", 10), ("older", 10)]
KIDS = ([1, 2, 3, 4, 5], [38, 32, 17, 8, 5])
# Disability is commoner among Medicaid members than in an employer book.
ACCESS_NEEDS = [
    (AccessibilityNeed.LARGE_PRINT, 0.015),
    (AccessibilityNeed.BRAILLE, 0.001),
    (AccessibilityNeed.ASL_INTERPRETER, 0.003),
    (AccessibilityNeed.SCREEN_READER, 0.003),
    (AccessibilityNeed.AUDIO_FORMAT, 0.002),
    (AccessibilityNeed.MOBILITY, 0.02),
    (AccessibilityNeed.COGNITIVE_SUPPORT, 0.01),
]
MOVED_AWAY = 0.05  # per renewal period: left the service area before renewing
LAPSED = 0.13  # per renewal: the renewal was not completed (a gap follows, or the end)
NEVER_BACK = 0.35  # of those lapsed: no new application
ENDING_SOON = 0.12  # of renewals due before the horizon: already known to fail
SWITCH = 0.05  # per period, for physical and dental care: the member chose another partner
KEEP_PARTNERS = 0.8  # a returning household keeps its partner plans


@dataclass(frozen=True)
class OregonPlans:
    """Plan ids of the book: the CCO's Medicaid plan and each benefit's partner plans."""

    medicaid: int
    partners: dict[Benefit, list[tuple[int, int, str | None]]]  # (plan id, weight, county)


@dataclass(frozen=True)
class Period:
    """One continuous Medicaid eligibility span of a household, and the partner plans held
    through it (with a switch date and plan where the household changed partner)."""

    start: date
    end: date | None
    renewal: date
    reason: TerminationReason | None
    keyed: datetime
    end_keyed: datetime | None
    partners: dict[Benefit, int]
    switches: dict[Benefit, tuple[date, int]]


class OregonGenerator(BookGenerator):
    """Draws households, eligibility spans and partner-plan spans for one seed."""

    def __init__(
        self,
        seed: int,
        plans: OregonPlans,
        ids: dict[str, int],
        as_of: date,
        taken: frozenset[bytes] = frozenset(),
    ) -> None:
        super().__init__(seed, ids, as_of, taken, names=od.ROMANISED)
        self.plans = plans
        self.lang_codes = [code for code, _, _ in od.LANGUAGES]
        self.lang_weights = [share for _, share, _ in od.LANGUAGES]
        self.interp = {code: p for code, _, p in od.LANGUAGES}
        self.place_weights = [w for *_, w in od.PLACES]
        self.first = date(*od.FIRST_MONTH, 1)

    def age_limit_end(self, member: dict[str, Any]) -> date | None:
        """No dependant age limit: a child on Medicaid is eligible in their own right."""
        return None

    # --- places and people ----------------------------------------------------------------
    def household_address(self) -> dict[str, Any]:
        rng = self.rng
        city, county, zips, _ = rng.choices(od.PLACES, self.place_weights)[0]
        return {
            "line1": f"{rng.randint(100, 29999)} {rng.choice(self.names.streets)}",
            "line2": f"Apt {rng.randint(1, 400)}" if rng.random() < 0.45 else None,
            "city": city,
            "county": county,
            "zip": rng.choice(zips),
            "phone": self.phone(od.AREA_CODES),
        }

    def person(
        self,
        rel: Relationship,
        dob: date,
        lang: str,
        home: dict[str, Any],
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
            phone = home["phone"]
        elif adult and rng.random() < 0.5:
            phone = self.phone(od.AREA_CODES)
        email = None
        if adult and rng.random() < (0.5 if rel == Relationship.SELF else 0.25):
            email = f"{ascii_name(first)}.{ascii_name(last)}{rng.randrange(100)}@example.com"
        needs = [n.value for n, p in ACCESS_NEEDS if rng.random() < p]
        if rng.random() < 0.004:
            needs.insert(0, AccessibilityNeed.TTY.value)
        conf_addr = conf_phone = conf_scope = None
        if rel != Relationship.SELF and adult and rng.random() < 0.02:
            conf_phone = self.phone(od.AREA_CODES)
            conf_addr = f"PO Box {rng.randrange(100, 9999)}, {home['city']}, OR {home['zip']}"
            conf_scope = (
                ConfidentialScope.SENSITIVE_SERVICES
                if rng.random() < 0.8
                else ConfidentialScope.ALL
            )
        written = lang if lang == "en" or rng.random() < 0.8 else "en"
        mid = self.next_id("members")
        return {
            "id": mid,
            "member_number": number,
            "member_number_bidx": bidx_member_number(number),
            "subscriber_id": subscriber_id,
            "group_id": None,
            "line_of_business": LineOfBusiness.OREGON_MEDICAID,
            "relationship": rel,
            "first_name": first,
            "last_name": last,
            "date_of_birth": dob,
            "name_dob_bidx": bidx_name_dob(last, dob),
            "sex": sex,
            "address_line1": home["line1"],
            "address_line2": home["line2"],
            "city": home["city"],
            "state": "OR",
            "postal_code": home["zip"],
            "phone": phone,
            "phone_bidx": bidx_phone(phone) if phone else None,
            "email": email,
            "spoken_language": lang,
            "written_language": written,
            # An interpreter is the adult's need; children mostly speak English at school.
            "interpreter_needed": lang != "en" and adult and rng.random() < self.interp[lang],
            "accessibility_needs": needs,
            "disabled_dependent": False,
            "confidential_address": conf_addr,
            "confidential_phone": conf_phone,
            "confidential_phone_bidx": bidx_phone(conf_phone) if conf_phone else None,
            "confidential_scope": conf_scope,
        }

    def born(self, years_old: int) -> date:
        """A date of birth ``years_old`` years before the reference date (within that year)."""
        top = date(self.as_of.year - years_old, self.as_of.month, 1)
        return rand_date(self.rng, date(top.year - 1, top.month, 1), top)

    def people(self, kind: str, lang: str) -> list[tuple[Relationship, date, str]]:
        """Who lives in the household: the head first, then a spouse, then children."""
        rng = self.rng
        ages = {"single": (38, 13, 19, 64), "parent": (33, 8, 19, 60), "couple": (45, 12, 19, 64)}
        if kind == "older":
            age = rng.randint(65, 88)
        else:
            mean, sd, lo, hi = ages[kind]
            age = min(hi, max(lo, int(rng.gauss(mean, sd))))
        head = self.born(age)
        out = [(Relationship.SELF, head, lang)]
        spouse = {"single": 0.0, "parent": 0.35, "couple": 1.0, "older": 0.25}[kind]
        if rng.random() < spouse:
            sp_age = max(19, age + rng.randint(-5, 5))
            out.append(
                (Relationship.SPOUSE, self.born(sp_age), lang if rng.random() < 0.9 else "en")
            )
        if kind == "parent":
            for _ in range(rng.choices(*KIDS)[0]):
                kid_days = rng.randint(0, min(18, age - 17) * 365)
                kid_lang = lang if rng.random() < 0.55 else "en"
                out.append((Relationship.CHILD, self.as_of - timedelta(days=kid_days), kid_lang))
        return out

    # --- eligibility --------------------------------------------------------------------------
    def pick_partner(self, benefit: Benefit, county: str) -> int:
        options = self.plans.partners[benefit]
        if benefit == Benefit.BEHAVIORAL_HEALTH:  # assigned by where the member lives
            return next(pid for pid, _, c in options if c == county)
        return self.rng.choices([p for p, _, _ in options], [w for _, w, _ in options])[0]

    def partners(self, county: str, before: dict[Benefit, int] | None) -> dict[Benefit, int]:
        if before is not None and self.rng.random() < KEEP_PARTNERS:
            return dict(before)
        return {b: self.pick_partner(b, county) for b in PARTNER_BENEFITS}

    def switches(
        self, start: date, end: date | None, county: str, held: dict[Benefit, int]
    ) -> dict[Benefit, tuple[date, int]]:
        """Partners the household changed during a span: from the 1st of a later month."""
        out: dict[Benefit, tuple[date, int]] = {}
        last = min(end or self.as_of, self.as_of)
        for benefit in (Benefit.PHYSICAL_HEALTH, Benefit.DENTAL):
            if self.rng.random() < SWITCH:
                when = first_of_month(rand_date(self.rng, start, last))
                new = self.pick_partner(benefit, county)
                if start < when <= last and new != held[benefit]:
                    out[benefit] = (when, new)
        return out

    def keyed(self, start: date) -> datetime:
        """When a span found eligible from ``start`` was keyed: usually before it began, but
        Medicaid can cover up to three months back from an application, so sometimes after."""
        rng = self.rng
        when = start + timedelta(
            days=rng.randint(10, 75) if rng.random() < 0.25 else -rng.randint(3, 25)
        )
        return at_hour(min(when, self.as_of))

    def end_keyed(self, end: date, reason: TerminationReason, keyed: datetime) -> datetime:
        """When an end was keyed: a renewal's end with its notice; a move often learnt late."""
        rng = self.rng
        if reason == TerminationReason.MOVED_OUT_OF_AREA and rng.random() < 0.4:
            when = end + timedelta(days=rng.randint(10, 90))  # retroactive
        else:
            when = end - timedelta(days=rng.randint(5, 20))
        return max(at_hour(min(when, self.as_of)), keyed)

    def timeline(self, county: str, earliest: date) -> list[Period]:
        """The household's eligibility spans: 24-month renewals, some not completed (a gap of
        some months, then a new application or none), some moves away."""
        rng = self.rng
        lo = max(self.first, first_of_month(earliest))
        months = (self.as_of.year - lo.year) * 12 + self.as_of.month - lo.month
        # Recent enrolments are commoner than old ones: members come and go.
        start = add_months(lo, min(months, int(rng.triangular(0, months + 1, months + 1))))
        periods: list[Period] = []
        held: dict[Benefit, int] | None = None
        span_start = cursor = start
        while True:
            renewal = month_end(add_months(cursor, od.RENEWAL_MONTHS - 1))
            end: date | None = None
            reason: TerminationReason | None = None
            back: date | None = None
            if renewal >= self.as_of:
                if renewal <= self.horizon and rng.random() < ENDING_SOON:
                    end, reason = renewal, TerminationReason.RENEWAL_NOT_COMPLETED
            else:
                draw = rng.random()
                if draw < MOVED_AWAY:
                    end = month_end(rand_date(rng, cursor, renewal))
                    reason = TerminationReason.MOVED_OUT_OF_AREA
                elif draw < MOVED_AWAY + LAPSED:
                    end, reason = renewal, TerminationReason.RENEWAL_NOT_COMPLETED
                    if rng.random() >= NEVER_BACK:
                        back = add_months(renewal + timedelta(days=1), rng.randint(1, 8))
                else:
                    cursor = renewal + timedelta(days=1)  # renewed: the same span runs on
                    continue
            held = self.partners(county, held)
            keyed = self.keyed(span_start)
            periods.append(
                Period(
                    start=span_start,
                    end=end,
                    renewal=renewal,
                    reason=reason,
                    keyed=keyed,
                    end_keyed=self.end_keyed(end, reason, keyed) if end and reason else None,
                    partners=held,
                    switches=self.switches(span_start, end, county, held),
                )
            )
            if back is None or back > self.as_of:
                return periods
            span_start = cursor = back

    @staticmethod
    def person_periods(periods: list[Period], dob: date, as_of: date) -> list[Period]:
        """A person's own spans from the household's: from birth for a child born while the
        household was covered, and for a child under 6 unbroken by the household's missed
        renewals until their 6th birthday (continuous eligibility)."""
        six = continuous_eligibility_end(OREGON, dob)
        assert six is not None
        out: list[Period] = []
        bridging: Period | None = None  # a young child's span running through a household gap
        for p in periods:
            if p.end is not None and p.end < dob:
                continue
            cur = replace(p, start=max(p.start, dob))
            if bridging is not None:
                assert bridging.end is not None
                if cur.start <= bridging.end + timedelta(days=1):
                    cur = replace(cur, start=bridging.start, keyed=bridging.keyed)
                else:
                    out.append(bridging)
                bridging = None
            if cur.start <= six:
                cur = replace(cur, renewal=max(cur.renewal, six))
            if (
                cur.reason == TerminationReason.RENEWAL_NOT_COMPLETED
                and cur.end is not None
                and cur.end < six
            ):
                bridging = replace(cur, end=six, renewal=six)
                continue
            out.append(cur)
        if bridging is not None:
            assert bridging.end is not None
            if bridging.end >= as_of:  # still under 6: enrolled, renewal due at 6
                bridging = replace(bridging, end=None, reason=None, end_keyed=None)
            out.append(bridging)
        return out

    # --- rows ---------------------------------------------------------------------------------
    def span_rows(self, person: dict[str, Any], periods: list[Period]) -> list[dict[str, Any]]:
        """The eligibility span and the partner-plan spans held with it, for each period."""
        rows: list[dict[str, Any]] = []
        born = at_hour(person["date_of_birth"])
        for p in periods:
            keyed = max(p.keyed, born)
            end_keyed = max(p.end_keyed, keyed) if p.end_keyed else None
            source = CoverageSource.MEDICAID_APPLICATION
            rows.append(
                self.span(self.plans.medicaid, p.start, p.end, source, p.reason, keyed, end_keyed)
                | {"renewal_date": p.renewal}
            )
            for benefit in PARTNER_BENEFITS:
                plan = p.partners[benefit]
                start, src = p.start, CoverageSource.PARTNER_ASSIGNMENT
                switch = p.switches.get(benefit)
                if (
                    switch is not None
                    and start < switch[0]
                    and (p.end is None or switch[0] <= p.end)
                ):
                    when, new = switch
                    rows.append(
                        self.span(
                            plan,
                            start,
                            when - timedelta(days=1),
                            src,
                            TerminationReason.PLAN_CHANGE,
                            keyed,
                            max(at_hour(when - timedelta(days=20)), keyed),
                        )
                    )
                    plan, start, src = new, when, CoverageSource.MEMBER_CHOICE
                    keyed_partner = max(at_hour(when - timedelta(days=20)), keyed)
                else:
                    keyed_partner = keyed
                rows.append(self.span(plan, start, p.end, src, p.reason, keyed_partner, end_keyed))
        return rows

    @staticmethod
    def span(
        plan_id: int,
        eff: date,
        term: date | None,
        source: CoverageSource,
        reason: TerminationReason | None,
        keyed: datetime,
        end_keyed: datetime | None,
    ) -> dict[str, Any]:
        return {
            "plan_id": plan_id,
            "effective_date": eff,
            "termination_date": term,
            "renewal_date": None,
            "source": source,
            "termination_reason": reason if term is not None else None,
            "recorded_at": keyed,
            "termination_recorded_at": end_keyed if term is not None else None,
        }

    def household(self, budget: int, batch: Batch) -> int:
        """Add one household (at most ``budget`` people); return how many."""
        rng = self.rng
        kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        lang = rng.choices(self.lang_codes, self.lang_weights)[0]
        home = self.household_address()
        people = self.people(kind, lang)
        head_dob = people[0][1]
        adult_from = date(head_dob.year + 18, head_dob.month, 1)
        periods = self.timeline(home["county"], adult_from)
        base = self.member_number()
        head: dict[str, Any] | None = None
        family_name: str | None = None
        added = 0
        for k, (rel, dob, plang) in enumerate(people):
            if added >= budget:
                break
            own = self.person_periods(periods, dob, self.as_of)
            if not own:
                continue  # born after the household's coverage ended
            if head is None:
                person = self.person(rel, dob, plang, home, f"{base}-{k:02d}", None, None)
                head = person
                family_name = person["last_name"] if rng.random() < 0.7 else None
            else:
                # Children take a parent's name; a spouse keeps their own now and then.
                name = family_name or (head["last_name"] if rel == Relationship.CHILD else None)
                person = self.person(rel, dob, plang, home, f"{base}-{k:02d}", head["id"], name)
            spans = self.span_rows(person, own)
            person["created_at"] = person["updated_at"] = spans[0]["recorded_at"]
            batch.members.append(person)
            for s in spans:
                batch.spans.append(
                    dict(s, id=self.next_id("coverage_spans"), member_id=person["id"])
                )
            medicaid = [s for s in spans if s["plan_id"] == self.plans.medicaid]
            batch.cards.extend(self.cards(person, medicaid))
            added += 1
        return added

    def batches(self, members: int, batch_members: int) -> Iterator[tuple[Batch, int]]:
        """Yield batches of rows until exactly ``members`` people have been generated."""
        left = members
        batch = Batch()
        in_batch = 0
        while left > 0:
            n = self.household(left, batch)
            left -= n
            in_batch += n
            if in_batch >= batch_members or left <= 0:
                yield batch, in_batch
                batch, in_batch = Batch(), 0
