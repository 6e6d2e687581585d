"""The knowledge base's rules: writing articles and versions, the lifecycle (draft → in review
→ approved → published → retired) with its sign-off, contact-point verification, and the
version in force on any day.

Takes a session and never commits (the route, command or job does, once). Every change is
audited here; state moves are conditional updates, so two people acting at once cannot both
move the same version.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction, Permission, Role
from memberdesk.compliance.models import User
from memberdesk.compliance.permissions import policy
from memberdesk.errors import Conflict, InvalidInput, NotFound
from memberdesk.kb import search, signoff
from memberdesk.kb.core import find_contact_points
from memberdesk.kb.enums import STATE_NAMES, TRANSITIONS, VersionState
from memberdesk.kb.models import KbArticle, KbContactPoint, KbLabel, KbVersion
from memberdesk.kb.schemas import ArticleIn, VersionIn


def record(
    session: Session, ctx: AuditContext, action: AuditAction, version: KbVersion, **kw: Any
) -> None:
    """Audit a change of an article version (articles hold no PHI: no members named)."""
    audit.record(
        session,
        ctx,
        action,
        object_type="kb_version",
        object_id=version.id,
        detail={"article_id": version.article_id, "number": version.number, **kw},
    )


def get_article(session: Session, article_id: int, *, lock: bool = False) -> KbArticle:
    """An article by id (locked when ``lock``: writers of one article take turns)."""
    stmt = select(KbArticle).where(KbArticle.id == article_id)
    if lock:
        stmt = stmt.with_for_update(of=KbArticle)
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFound("no article with this id", field="path.article_id")
    return found


def get_version(session: Session, version_id: int) -> KbVersion:
    """A version by id."""
    found = session.get(KbVersion, version_id)
    if found is None:
        raise NotFound("no article version with this id", field="path.version_id")
    return found


def versions_of(session: Session, article_id: int) -> list[KbVersion]:
    """An article's versions, oldest first."""
    return list(
        session.scalars(
            select(KbVersion).where(KbVersion.article_id == article_id).order_by(KbVersion.number)
        )
    )


def translations_of(session: Session, article: KbArticle) -> list[KbArticle]:
    """The other-language articles sharing this one's translation key."""
    return list(
        session.scalars(
            select(KbArticle).where(
                KbArticle.translation_key == article.translation_key, KbArticle.id != article.id
            )
        )
    )


def labels(article: KbArticle, facet: str) -> list[str]:
    """An article's tags, reasons or case types."""
    return [label.value for label in article.labels if label.facet == facet]


def version_in_force(session: Session, article_id: int, at: datetime) -> KbVersion | None:
    """The version members were told at ``at`` (None: nothing was in force)."""
    return session.scalars(
        select(KbVersion).where(KbVersion.article_id == article_id, search.in_force(at))
    ).first()


def version_on(session: Session, article_id: int, day: date) -> KbVersion | None:
    """The version in force on ``day`` (by its end, UTC): "what did we tell members then?"."""
    return version_in_force(session, article_id, search.end_of(day))


def _check_dates(body: VersionIn) -> None:
    if body.expires_on is not None and body.expires_on <= body.effective_on:
        raise InvalidInput(
            "the expiry date must be after the effective date", field="body.expires_on"
        )


def _points(session: Session, article_id: int, version: KbVersion) -> None:
    """Contact points of a new version; a point already verified in an earlier version of the
    article keeps that verification (who and when), so unchanged numbers need no re-check."""
    known = {
        (p.kind, p.normalized): p
        for p in session.scalars(
            select(KbContactPoint)
            .join(KbVersion, KbVersion.id == KbContactPoint.version_id)
            .where(KbVersion.article_id == article_id, KbContactPoint.verified_at.is_not(None))
            .order_by(KbContactPoint.verified_at)
        )
    }
    for found in find_contact_points(f"{version.title}\n{version.body}"):
        before = known.get((found.kind, found.normalized))
        version.points.append(
            KbContactPoint(
                kind=found.kind,
                value=found.text[:300],
                normalized=found.normalized[:300],
                verified_at=before.verified_at if before else None,
                verified_by_id=before.verified_by_id if before else None,
                verification_note=before.verification_note if before else None,
            )
        )


def _new_version(
    session: Session, ctx: AuditContext, article: KbArticle, body: VersionIn, at: datetime
) -> KbVersion:
    _check_dates(body)
    last = session.scalar(
        select(func.max(KbVersion.number)).where(KbVersion.article_id == article.id)
    )
    version = KbVersion(
        article_id=article.id,
        number=(last or 0) + 1,
        title=body.title,
        body=body.body,
        change_note=body.change_note,
        effective_on=body.effective_on,
        expires_on=body.expires_on,
        state=VersionState.DRAFT,
        created_at=at,
        created_by_id=ctx.actor_id,
    )
    if body.regulatory:
        signoff.start(version, article, at)
    session.add(version)
    session.flush()
    _points(session, article.id, version)
    session.flush()
    clock = (
        {"regulatory": True, "signoff_due_at": version.signoff_due_at.isoformat()}
        if version.signoff_due_at
        else {}
    )
    record(
        session,
        ctx,
        AuditAction.KB_VERSION_CREATED,
        version,
        points=len(version.points),
        **clock,
    )
    return version


def create_article(
    session: Session, ctx: AuditContext, body: ArticleIn, at: datetime
) -> tuple[KbArticle, KbVersion]:
    """A new article with its first version, a draft. 409 naming the slug or translation key
    when one is taken."""
    _check_dates(body)
    if session.scalar(select(KbArticle.id).where(KbArticle.slug == body.slug)):
        raise Conflict("an article with this slug exists", field="body.slug")
    if session.scalar(
        select(KbArticle.id).where(
            KbArticle.translation_key == body.translation_key, KbArticle.language == body.language
        )
    ):
        raise Conflict(
            "this translation key already has an article in this language",
            field="body.translation_key",
        )
    owner_id = body.owner_id or ctx.actor_id
    if owner_id is not None and session.get(User, owner_id) is None:
        raise InvalidInput("no staff account with this id", field="body.owner_id")
    for tag in body.tags:
        if not 0 < len(tag) <= 48:
            raise InvalidInput("each tag is 1 to 48 characters", field="body.tags")
    article = KbArticle(
        slug=body.slug,
        translation_key=body.translation_key,
        language=body.language,
        kind=body.kind,
        line_of_business=body.line_of_business,
        owner_id=owner_id,
        created_at=at,
        created_by_id=ctx.actor_id,
    )
    facets = (
        [("tag", t.strip().lower()) for t in body.tags]
        + [("reason", r.value) for r in body.reasons]
        + [("case_type", c.value) for c in body.case_types]
    )
    for facet, value in dict.fromkeys(facets):
        article.labels.append(KbLabel(facet=facet, value=value))
    session.add(article)
    session.flush()
    audit.record(
        session, ctx, AuditAction.KB_ARTICLE_CREATED, object_type="kb_article", object_id=article.id
    )
    return article, _new_version(session, ctx, article, body, at)


def add_version(
    session: Session, ctx: AuditContext, article_id: int, body: VersionIn, at: datetime
) -> KbVersion:
    """A new draft version of an article (the article is locked: numbers never collide)."""
    article = get_article(session, article_id, lock=True)
    return _new_version(session, ctx, article, body, at)


def _move(
    session: Session,
    version: KbVersion,
    to: VersionState,
    **values: Any,
) -> None:
    """Move ``version`` to ``to`` if it may and nobody moved it first; 409 naming the state."""
    current = version.state
    if to not in TRANSITIONS[current]:
        raise Conflict(
            f"a version that is {STATE_NAMES[current].lower()} cannot become "
            f"{STATE_NAMES[to].lower()}",
            field="state",
        )
    done = session.execute(
        update(KbVersion)
        .where(KbVersion.id == version.id, KbVersion.state == current)
        .values(state=to, **values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("someone else changed this version first; reload it", field="state")
    session.refresh(version)


def submit(session: Session, ctx: AuditContext, version: KbVersion, at: datetime) -> None:
    """Send a draft for compliance review."""
    _move(session, version, VersionState.IN_REVIEW, submitted_at=at)
    record(session, ctx, AuditAction.KB_SUBMITTED, version)


def _approver(ctx: AuditContext) -> bool:
    try:
        return policy(Role(ctx.role)).allows(Permission.KB_APPROVE)
    except ValueError:
        return False


REGULATORY_APPROVER = (
    "a regulatory change is signed off by a compliance officer: only one may approve it"
)


def approve(
    session: Session, ctx: AuditContext, version: KbVersion, note: str | None, at: datetime
) -> None:
    """Sign off a version in review: by a compliance approver who did not write it."""
    if not _approver(ctx):
        raise Conflict("only a compliance approver can approve", field="approved_by")
    if version.created_by_id is not None and version.created_by_id == ctx.actor_id:
        raise Conflict("the author of a version cannot approve it", field="approved_by")
    if version.regulatory and ctx.role != Role.COMPLIANCE_OFFICER:
        raise Conflict(REGULATORY_APPROVER, field="approved_by")
    _move(
        session,
        version,
        VersionState.APPROVED,
        approved_at=at,
        approved_by_id=ctx.actor_id,
        review_note=note,
    )
    record(session, ctx, AuditAction.KB_APPROVED, version)


def send_back(
    session: Session, ctx: AuditContext, version: KbVersion, note: str | None, at: datetime
) -> None:
    """Return a version in review (or approved, not yet published) to its author as a draft."""
    _move(
        session,
        version,
        VersionState.DRAFT,
        approved_at=None,
        approved_by_id=None,
        submitted_at=None,
        review_note=note,
    )
    record(session, ctx, AuditAction.KB_SENT_BACK, version)


def publish(session: Session, ctx: AuditContext, version: KbVersion, at: datetime) -> None:
    """Publish an approved version: its approval must be by a compliance approver other than
    its author, and every contact point in it verified (422 naming ``contact_points``)."""
    if version.state is VersionState.APPROVED:
        approver = session.get(User, version.approved_by_id) if version.approved_by_id else None
        if (
            approver is None
            or approver.id == version.created_by_id
            or not policy(Role(approver.role)).allows(Permission.KB_APPROVE)
        ):
            raise Conflict(
                "publishing needs an approval by a compliance approver other than the author",
                field="approved_by",
            )
        # A plan may give kb.approve to other roles; a regulatory change still needs an officer.
        if version.regulatory and approver.role != Role.COMPLIANCE_OFFICER:
            raise Conflict(REGULATORY_APPROVER, field="approved_by")
        unverified = [p for p in version.points if p.verified_at is None]
        if unverified:
            raise InvalidInput(
                f"{len(unverified)} contact point(s) not verified yet: verify each before "
                "publishing",
                field="contact_points",
            )
    _move(session, version, VersionState.PUBLISHED, published_at=at, published_by_id=ctx.actor_id)
    article = session.get(KbArticle, version.article_id)
    assert article is not None
    search.index_version(session, version, article)
    met = signoff.outcome(version)
    record(session, ctx, AuditAction.KB_PUBLISHED, version, **({"signoff": met} if met else {}))


def retire(session: Session, ctx: AuditContext, version: KbVersion, at: datetime) -> None:
    """Retire a version: agents no longer find it; its history stays."""
    _move(session, version, VersionState.RETIRED, retired_at=at, retired_by_id=ctx.actor_id)
    search.unindex_versions(session, [version.id])
    record(session, ctx, AuditAction.KB_RETIRED, version)


def verify_point(
    session: Session, ctx: AuditContext, point_id: int, note: str, at: datetime
) -> KbContactPoint:
    """Record that a contact point was checked (when, by whom, how). Allowed until the version
    is published; a published version's points are what was published."""
    point = session.get(KbContactPoint, point_id)
    if point is None:
        raise NotFound("no contact point with this id", field="path.point_id")
    version = get_version(session, point.version_id)
    if version.state in (VersionState.PUBLISHED, VersionState.RETIRED):
        raise Conflict("the version is already published or retired", field="state")
    point.verified_at = at
    point.verified_by_id = ctx.actor_id
    point.verification_note = note
    session.flush()
    record(session, ctx, AuditAction.KB_POINT_VERIFIED, version, point=point.id, kind=point.kind)
    return point


def review_queue(session: Session) -> list[KbVersion]:
    """Versions waiting for compliance: in review, or approved and not yet published."""
    return list(
        session.scalars(
            select(KbVersion)
            .where(KbVersion.state.in_([VersionState.IN_REVIEW, VersionState.APPROVED]))
            .order_by(KbVersion.submitted_at, KbVersion.id)
        )
    )


def previous_published(session: Session, version: KbVersion) -> KbVersion | None:
    """The latest published (or retired) version before ``version``: what a reviewer compares."""
    return session.scalars(
        select(KbVersion)
        .where(
            KbVersion.article_id == version.article_id,
            KbVersion.number < version.number,
            KbVersion.published_at.is_not(None),
        )
        .order_by(KbVersion.number.desc())
    ).first()


def names(session: Session, ids: set[int | None]) -> dict[int, str]:
    """Display names of staff accounts by id."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {row[0]: row[1] for row in rows}
