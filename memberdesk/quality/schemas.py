"""API shapes of quality assurance; every field is described for /docs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from memberdesk.quality.enums import (
    CorrectiveState,
    DisputeOutcome,
    EvaluationKind,
    EvaluationState,
)
from memberdesk.schemas import DbId

Key = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_]{0,47}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
ItemText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]
Period = Annotated[str, StringConstraints(pattern=r"^(20|21)\d\d-(0[1-9]|1[0-2])$")]
Points = Annotated[int, Field(ge=-1000, le=1000)]  # the item's own range is checked in service
Scores = Annotated[dict[Key, Points | None], Field(max_length=60)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ItemIn(_In):
    """One line of a scorecard."""

    key: Key = Field(description="Short key, lower-case letters, digits and _ (unique per card)")
    text: ItemText = Field(description="What the evaluator looks for, in plain words")
    weight: int = Field(
        ge=0, le=100, description="Weight in the score; a card's weights sum to 100"
    )
    max_score: int = Field(default=1, ge=1, le=10, description="Top points for the item (0..max)")
    auto_fail: bool = Field(
        default=False, description="Scored 0, the whole evaluation scores 0 (e.g. privacy)"
    )
    allow_na: bool = Field(
        default=False, description="May be marked not applicable (null), leaving the weighing"
    )


class ScorecardIn(_In):
    """A scorecard template."""

    name: Name = Field(description="The scorecard's name (unique)")
    description: Note = Field(default="", description="What the card is for")
    items: list[ItemIn] = Field(
        min_length=1, max_length=60, description="The items; weights must sum to 100"
    )


class ItemOut(BaseModel):
    """One line of a scorecard."""

    id: int = Field(description="Internal id of the item")
    key: str = Field(description="The item's key")
    text: str = Field(description="What the evaluator looks for")
    weight: int = Field(description="Weight in the score (the card's weights sum to 100)")
    max_score: int = Field(description="Top points for the item")
    auto_fail: bool = Field(description="Scored 0, the evaluation scores 0")
    allow_na: bool = Field(description="May be marked not applicable")


class ScorecardOut(BaseModel):
    """A scorecard template with its items."""

    id: int = Field(description="Internal id of the scorecard")
    name: str = Field(description="The scorecard's name")
    description: str = Field(description="What the card is for")
    active: bool = Field(description="Offered for new evaluations")
    items: list[ItemOut] = Field(description="The items in order")


class EvaluateIn(_In):
    """Scores for a contact (a new targeted evaluation, or a sampled one waiting)."""

    contact_id: DbId | None = Field(
        default=None, description="The contact to evaluate (a new targeted evaluation)"
    )
    scorecard_id: DbId | None = Field(
        default=None, description="The scorecard (default: the active default card)"
    )
    scores: Scores = Field(description="Points per item key; null marks an item not applicable")
    comments: Note = Field(default="", description="Coaching comments for the agent")


class DisputeIn(_In):
    """An agent's dispute of an evaluation."""

    reason: Reason = Field(description="Why the agent disagrees (10 to 2,000 characters)")


class ResolveIn(_In):
    """A supervisor's or QA analyst's decision on a dispute."""

    outcome: DisputeOutcome = Field(description="upheld (the score stands) or rescored")
    note: Note = Field(default="", description="Why, for the agent")
    scores: Scores | None = Field(
        default=None, description="The corrected points per item (required when rescored)"
    )


class CompleteIn(_In):
    """The agent's record that corrective training is done."""

    note: Note = Field(default="", description="What was covered")


class SampleIn(_In):
    """Draw the month's random sample."""

    period: Period = Field(
        description="The month whose contacts are drawn from, YYYY-MM (2000-2199)"
    )
    per_agent: int = Field(default=5, ge=1, le=50, description="Contacts drawn per agent")
    seed: int = Field(default=1, ge=0, le=2**31 - 1, description="Same seed, same draw")


class CalibrationIn(_In):
    """A calibration session on one contact."""

    title: Name = Field(description="What the session is called")
    contact_id: DbId = Field(description="The contact every evaluator scores")
    scorecard_id: DbId | None = Field(default=None, description="The scorecard (default card)")


class CalibrationScoreIn(_In):
    """One evaluator's scores in a calibration session."""

    scores: Scores = Field(description="Points per item key; null marks an item not applicable")
    comments: Note = Field(default="", description="The evaluator's notes")


class ItemScoreOut(BaseModel):
    """One item's points in an evaluation."""

    key: str = Field(description="The item's key")
    text: str = Field(description="What the evaluator looked for")
    weight: int = Field(description="The item's weight")
    max_score: int = Field(description="Top points for the item")
    auto_fail: bool = Field(description="An auto-fail item")
    points: int | None = Field(description="Points given (null: not applicable)")


class CorrectiveOut(BaseModel):
    """A corrective-training assignment."""

    id: int = Field(description="Internal id of the assignment")
    evaluation_id: int = Field(description="The evaluation under 80% that opened it")
    agent_id: int = Field(description="The agent who owes the training")
    agent: str = Field(description="The agent's name")
    state: CorrectiveState = Field(description="open, completed or cancelled")
    overdue: bool = Field(description="Open past its due time, or completed after it")
    pack: str = Field(description="The policy pack whose clock it runs on")
    target: str = Field(description="The pack target (qa_corrective_training)")
    started_at: datetime = Field(description="When the evaluation was scored")
    due_at: datetime = Field(description="Due (10 business days on the pack's calendar)")
    overdue_flagged_at: datetime | None = Field(description="When the worker flagged it overdue")
    completed_at: datetime | None = Field(description="When the agent completed it")
    note: str | None = Field(description="What was covered")


class EvaluationOut(BaseModel):
    """An evaluation of a contact."""

    id: int = Field(description="Internal id of the evaluation")
    contact_id: int = Field(description="The contact evaluated")
    contact_started_at: datetime = Field(description="When the contact began")
    contact_channel: str = Field(description="The contact's channel")
    agent_id: int = Field(description="The agent who handled the contact")
    agent: str = Field(description="The agent's name")
    evaluator_id: int | None = Field(description="Who scored it (none while pending)")
    scorecard_id: int = Field(description="The scorecard used")
    kind: EvaluationKind = Field(description="random, targeted or calibration")
    state: EvaluationState = Field(description="pending, scored, acknowledged, disputed, resolved")
    period: str = Field(description="The contact's month, YYYY-MM")
    score: float | None = Field(description="Weighted percentage 0-100 (0 on an auto-fail)")
    auto_failed: bool = Field(description="An auto-fail item was failed")
    goal: float = Field(description="The QA goal (90%)")
    comments: str | None = Field(description="Coaching comments")
    scored_at: datetime | None = Field(description="When it was scored")
    acknowledged_at: datetime | None = Field(description="When the agent acknowledged it")
    disputed_at: datetime | None = Field(description="When the agent disputed it")
    dispute_reason: str | None = Field(description="The agent's reason")
    outcome: DisputeOutcome | None = Field(description="How the dispute was decided")
    resolved_at: datetime | None = Field(description="When the dispute was decided")
    resolution_note: str | None = Field(description="The decision's reason")
    items: list[ItemScoreOut] = Field(description="Points per item")
    corrective: CorrectiveOut | None = Field(description="Corrective training it opened")


class AgentResult(BaseModel):
    """One agent's QA average over a period."""

    agent_id: int = Field(description="The agent's account id")
    agent: str = Field(description="The agent's name")
    team: str | None = Field(description="The agent's team")
    evaluations: int = Field(description="Scored evaluations (not calibration)")
    average: float | None = Field(description="Mean score, 0-100")
    below_80: int = Field(description="Evaluations under 80%")
    meets_goal: bool | None = Field(description="Average at or above 90%")


class TeamResult(BaseModel):
    """A team's QA average (mean of its evaluations) over a period."""

    team: str = Field(description="The team's name")
    evaluations: int = Field(description="Scored evaluations")
    average: float | None = Field(description="Mean score, 0-100")
    meets_goal: bool | None = Field(description="Average at or above 90%")


class ResultsOut(BaseModel):
    """Averages against the goal over a period."""

    start: str = Field(description="First month, YYYY-MM")
    end: str = Field(description="Last month, YYYY-MM")
    goal: float = Field(description="The QA goal (90%)")
    overall: float | None = Field(description="Mean of every evaluation shown")
    agents: list[AgentResult] = Field(description="Per agent")
    teams: list[TeamResult] = Field(description="Per team")


class AuditRow(BaseModel):
    """One agent's half-year in the semi-annual QA audit."""

    agent_id: int = Field(description="The agent's account id")
    agent: str = Field(description="The agent's name")
    team: str | None = Field(description="The agent's team")
    evaluations: int = Field(description="Scored evaluations")
    average: float | None = Field(description="Mean score")
    below_80: int = Field(description="Evaluations under 80%")
    corrective: int = Field(description="Corrective assignments opened")
    on_time: int = Field(description="Completed by their due time")
    late: int = Field(description="Completed after their due time")
    overdue_open: int = Field(description="Still open past their due time")
    open: int = Field(description="Still open, not yet due")


class AuditOut(BaseModel):
    """The semi-annual QA audit report."""

    year: int = Field(description="The year")
    half: int = Field(description="1 (January-June) or 2 (July-December)")
    goal: float = Field(description="The QA goal (90%)")
    rows: list[AuditRow] = Field(description="Per agent")


class CalibrationScoreOut(BaseModel):
    """One evaluator's score in a calibration session."""

    evaluator_id: int = Field(description="The evaluator's account id")
    evaluator: str = Field(description="The evaluator's name")
    score: float | None = Field(description="Their weighted percentage")
    auto_failed: bool = Field(description="They failed an auto-fail item")
    items: dict[str, int | None] = Field(description="Their points per item key")


class SpreadOut(BaseModel):
    """How far apart the evaluators were."""

    count: int = Field(description="Evaluators who scored")
    mean: float | None = Field(description="Mean score")
    low: float | None = Field(description="Lowest score")
    high: float | None = Field(description="Highest score")
    range: float | None = Field(description="Highest minus lowest")
    stdev: float | None = Field(description="Population standard deviation of the scores")


class CalibrationOut(BaseModel):
    """A calibration session with every evaluator's score and the spread."""

    id: int = Field(description="Internal id of the session")
    title: str = Field(description="What the session is called")
    contact_id: int = Field(description="The contact every evaluator scores")
    scorecard_id: int = Field(description="The scorecard used")
    created_at: datetime = Field(description="When it was opened")
    scores: list[CalibrationScoreOut] = Field(description="Each evaluator's score")
    spread: SpreadOut = Field(description="The spread of the scores")
    item_ranges: dict[str, int | None] = Field(
        description="Per item key: highest minus lowest points given"
    )


class SampleOut(BaseModel):
    """What a sample draw added."""

    period: str = Field(description="The month drawn from")
    seed: int = Field(description="The seed used")
    drawn: int = Field(description="Evaluations added to be scored")
    agents: int = Field(description="Agents with contacts that month")
    evaluation_ids: list[int] = Field(description="The evaluations waiting to be scored")
