"""Vocabulary of quality assurance: how a contact came to be evaluated, where an evaluation
stands, a dispute's course and a corrective assignment's standing."""

from __future__ import annotations

from enum import StrEnum


class EvaluationKind(StrEnum):
    """Why a contact was evaluated."""

    RANDOM = "random"  # drawn by the monthly sample
    TARGETED = "targeted"  # chosen by hand (a complaint, a coaching need)
    CALIBRATION = "calibration"  # one evaluator's score in a calibration session


class EvaluationState(StrEnum):
    """A sampled evaluation waits to be scored; a scored one waits for the agent."""

    PENDING = "pending"
    SCORED = "scored"
    ACKNOWLEDGED = "acknowledged"
    DISPUTED = "disputed"
    RESOLVED = "resolved"  # a dispute was decided


class DisputeOutcome(StrEnum):
    """How a supervisor or QA analyst decided an agent's dispute."""

    UPHELD = "upheld"  # the score stands
    RESCORED = "rescored"  # the score was corrected


class CorrectiveState(StrEnum):
    """A corrective-training assignment's standing (overdue is read against its due time)."""

    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # the evaluation was rescored to 80% or more
