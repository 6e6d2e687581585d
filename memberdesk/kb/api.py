"""JSON routes of the knowledge base: search what is in force, read an article (as of any
day), its versions and their diff; write articles and versions; the compliance sign-off
(approve, send back, publish, retire) and contact-point verification."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Request

from memberdesk.cases.enums import CaseType
from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.contacts.enums import Reason
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import InvalidInput
from memberdesk.kb import search, service, views
from memberdesk.kb.enums import ArticleKind, KbLanguage
from memberdesk.kb.schemas import (
    ArticleIn,
    ArticleOut,
    DiffOut,
    HitOut,
    PointOut,
    ReviewIn,
    SearchPage,
    VerifyIn,
    VersionIn,
    VersionOut,
)
from memberdesk.members.enums import LineOfBusiness
from memberdesk.schemas import MAX_ID, LimitQ, OffsetQ, Page, id_path

router = APIRouter(prefix="/api/kb", route_class=DbRoute)
TAGS: list[str | Enum] = ["knowledge base"]
ArticleId = Annotated[int, id_path("article")]
VersionId = Annotated[int, id_path("article version")]
PointId = Annotated[int, id_path("contact point")]
Reader = Annotated[Principal, requires(Permission.KB_READ)]
Writer = Annotated[Principal, requires(Permission.KB_WRITE)]
Approver = Annotated[Principal, requires(Permission.KB_APPROVE)]


@router.get("/search", response_model=SearchPage, summary="Search the knowledge base", tags=TAGS)
def search_kb(
    session: ReadingSessionDep,
    principal: Reader,
    q: Annotated[
        str, Query(min_length=1, max_length=200, description="Words to find (accents optional)")
    ],
    kind: Annotated[ArticleKind | None, Query(description="Only this kind")] = None,
    language: Annotated[KbLanguage | None, Query(description="Only this language")] = None,
    line_of_business: Annotated[
        LineOfBusiness | None, Query(description="Only articles for this line (or every line)")
    ] = None,
    reason: Annotated[Reason | None, Query(description="Only articles for this reason")] = None,
    case_type: Annotated[
        CaseType | None, Query(description="Only articles for this case type")
    ] = None,
    limit: LimitQ = 20,
    offset: OffsetQ = 0,
) -> SearchPage:
    """Articles in force today matching every word (the last may be the start of a word),
    English and Spanish stems, accents optional, best match first; titles weigh more than
    bodies. When nothing matches and a word looks misspelt, the closest words articles use are
    searched instead and named in ``corrected``."""
    filters = search.Filters(
        kind=kind,
        language=language,
        line_of_business=line_of_business,
        reason=reason.value if reason else None,
        case_type=case_type.value if case_type else None,
    )
    hits, total, fixed = search.search_or_correct(
        session, q, filters, at=now(), limit=limit, offset=offset
    )
    return SearchPage(
        items=[views.hit_out(a, v) for a, v in hits],
        total=total,
        limit=limit,
        offset=offset,
        corrected=fixed,
    )


@router.get(
    "/suggestions",
    response_model=Page[HitOut],
    summary="Articles for a contact's reason or a case type",
    tags=TAGS,
)
def suggestions(
    session: ReadingSessionDep,
    principal: Reader,
    reason: Annotated[Reason | None, Query(description="The contact's reason")] = None,
    case_type: Annotated[CaseType | None, Query(description="The case's type")] = None,
    language: Annotated[KbLanguage | None, Query(description="Only this language")] = None,
    line_of_business: Annotated[
        LineOfBusiness | None, Query(description="The member's line of business")
    ] = None,
    limit: LimitQ = 20,
    offset: OffsetQ = 0,
) -> Page[HitOut]:
    """Articles in force that answer the reason or case type (by title), for the desktop to
    offer while the agent is on the call. 422 naming ``query.reason`` when neither is given."""
    if reason is None and case_type is None:
        raise InvalidInput("give a reason or a case type", field="query.reason")
    filters = search.Filters(
        language=language,
        line_of_business=line_of_business,
        reason=reason.value if reason else None,
        case_type=case_type.value if case_type else None,
    )
    hits, total = search.browse(session, filters, at=now(), limit=limit, offset=offset)
    return Page[HitOut](
        items=[views.hit_out(a, v) for a, v in hits], total=total, limit=limit, offset=offset
    )


@router.post(
    "/articles", response_model=ArticleOut, status_code=201, summary="Write an article", tags=TAGS
)
def create_article(
    body: ArticleIn, session: SessionDep, request: Request, principal: Writer
) -> ArticleOut:
    """A new article with its first version as a draft. 422 naming the field for no body or
    an unknown language; 409 when the slug (or the translation in that language) exists."""
    at = now()
    article, _ = service.create_article(session, audit_ctx(request, principal), body, at)
    out = views.article_out(session, article, at)
    session.commit()
    return out


@router.get("/articles/{article_id}", response_model=ArticleOut, summary="An article", tags=TAGS)
def get_article(
    article_id: ArticleId,
    session: ReadingSessionDep,
    principal: Reader,
    on: Annotated[
        date | None,
        Query(description="Show the version in force on this day (default: now)"),
    ] = None,
) -> ArticleOut:
    """The article with its translations and the version in force now, or on the day asked
    (what members were told then)."""
    article = service.get_article(session, article_id)
    return views.article_out(session, article, search.end_of(on) if on else now())


@router.get(
    "/articles/{article_id}/diff", response_model=DiffOut, summary="Compare versions", tags=TAGS
)
def diff(
    article_id: ArticleId,
    session: ReadingSessionDep,
    principal: Reader,
    from_: Annotated[
        int, Query(alias="from", ge=1, le=MAX_ID, description="Version number to compare from")
    ],
    to: Annotated[int, Query(ge=1, le=MAX_ID, description="Version number to compare to")],
) -> DiffOut:
    """The unified diff between any two versions of the article."""
    versions = {v.number: v for v in service.versions_of(session, article_id)}
    service.get_article(session, article_id)
    for field, number in (("query.from", from_), ("query.to", to)):
        if number not in versions:
            raise InvalidInput("the article has no version with this number", field=field)
    return views.diff_out(versions[from_], versions[to])


@router.post(
    "/articles/{article_id}/versions",
    response_model=VersionOut,
    status_code=201,
    summary="Write a new version",
    tags=TAGS,
)
def add_version(
    article_id: ArticleId, body: VersionIn, session: SessionDep, request: Request, principal: Writer
) -> VersionOut:
    """A new draft version; contact points verified in earlier versions keep their check."""
    version = service.add_version(session, audit_ctx(request, principal), article_id, body, now())
    out = views.version_out(session, version)
    session.commit()
    return out


@router.get("/versions/{version_id}", response_model=VersionOut, summary="A version", tags=TAGS)
def get_version(version_id: VersionId, session: ReadingSessionDep, principal: Reader) -> VersionOut:
    """One version in any state, with its contact points and their verification."""
    return views.version_out(session, service.get_version(session, version_id))


@router.get(
    "/review-queue",
    response_model=list[VersionOut],
    summary="Versions waiting for sign-off",
    tags=TAGS,
)
def review_queue(session: ReadingSessionDep, principal: Approver) -> list[VersionOut]:
    """Versions in review or approved and not yet published, oldest first."""
    return [views.version_out(session, v) for v in service.review_queue(session)]


def _act(
    version_id: int,
    session: SessionDep,
    request: Request,
    principal: Principal,
    action: str,
    note: str | None = None,
) -> VersionOut:
    at = now()
    version = service.get_version(session, version_id)
    ctx = audit_ctx(request, principal)
    if action == "submit":
        service.submit(session, ctx, version, at)
    elif action == "approve":
        service.approve(session, ctx, version, note, at)
    elif action == "send_back":
        service.send_back(session, ctx, version, note, at)
    elif action == "publish":
        service.publish(session, ctx, version, at)
    else:
        service.retire(session, ctx, version, at)
    out = views.version_out(session, version)
    session.commit()
    return out


@router.post(
    "/versions/{version_id}/submit",
    response_model=VersionOut,
    summary="Send a draft for review",
    tags=TAGS,
)
def submit(
    version_id: VersionId, session: SessionDep, request: Request, principal: Writer
) -> VersionOut:
    """Draft → in review. 409 naming ``state`` from any other state."""
    return _act(version_id, session, request, principal, "submit")


@router.post(
    "/versions/{version_id}/approve", response_model=VersionOut, summary="Approve", tags=TAGS
)
def approve(
    version_id: VersionId,
    body: ReviewIn,
    session: SessionDep,
    request: Request,
    principal: Approver,
) -> VersionOut:
    """In review → approved, by a compliance approver who is not the author (409 naming
    ``approved_by`` otherwise)."""
    return _act(version_id, session, request, principal, "approve", body.note)


@router.post(
    "/versions/{version_id}/send-back",
    response_model=VersionOut,
    summary="Send back to the author",
    tags=TAGS,
)
def send_back(
    version_id: VersionId,
    body: ReviewIn,
    session: SessionDep,
    request: Request,
    principal: Approver,
) -> VersionOut:
    """In review or approved → draft, with the reviewer's note."""
    return _act(version_id, session, request, principal, "send_back", body.note)


@router.post(
    "/versions/{version_id}/publish", response_model=VersionOut, summary="Publish", tags=TAGS
)
def publish(
    version_id: VersionId, session: SessionDep, request: Request, principal: Approver
) -> VersionOut:
    """Approved → published: agents find it from its effective date. 409 naming
    ``approved_by`` without a compliance approval by someone other than the author, 409
    naming ``state`` when not approved (a retired version never comes back), 422 naming
    ``contact_points`` while any is unverified."""
    return _act(version_id, session, request, principal, "publish")


@router.post(
    "/versions/{version_id}/retire", response_model=VersionOut, summary="Retire", tags=TAGS
)
def retire(
    version_id: VersionId, session: SessionDep, request: Request, principal: Approver
) -> VersionOut:
    """Any state → retired: agents no longer find it; its history stays for as-of reading."""
    return _act(version_id, session, request, principal, "retire")


@router.post(
    "/contact-points/{point_id}/verify",
    response_model=PointOut,
    summary="Record a contact point as verified",
    tags=TAGS,
)
def verify(
    point_id: PointId, body: VerifyIn, session: SessionDep, request: Request, principal: Approver
) -> PointOut:
    """Record when, by whom and how a phone number, address or link was checked."""
    point = service.verify_point(session, audit_ctx(request, principal), point_id, body.note, now())
    out = next(
        p
        for p in views.version_out(
            session, service.get_version(session, point.version_id)
        ).contact_points
        if p.id == point.id
    )
    session.commit()
    return out
