"""Vocabulary of training records."""

from __future__ import annotations

from enum import StrEnum


class CourseKind(StrEnum):
    """What a course is for; the kind decides how it counts toward what a person owes."""

    INITIAL = "initial"  # a part of the new-hire programme (40 h in all)
    HIPAA_ANNUAL = "hipaa_annual"  # the yearly HIPAA privacy and security training
    PRIVACY_MODULE = "privacy_module"  # a role-based privacy module
    DE_ESCALATION = "de_escalation"
    REGULATORY = "regulatory"  # regulatory topics and updates
    CONTINUING = "continuing"  # benefits detail, plan changes, system updates


class DueKind(StrEnum):
    """Which obligation a due item is."""

    INITIAL_PROGRAMME = "initial_programme"
    MONTHLY_HOURS = "monthly_hours"
    COURSE = "course"  # a course the person's role must take (and renew, if it renews)


class DueStatus(StrEnum):
    """Where an obligation stands on a day."""

    CURRENT = "current"  # done, and not due again within the look-ahead
    DUE = "due"  # to do by its date, which has not passed
    OVERDUE = "overdue"  # its date has passed
