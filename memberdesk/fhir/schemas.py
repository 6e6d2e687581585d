"""What the OpenAPI document says FHIR answers look like.

The answers themselves are FHIR R4 resources built and validated with ``fhir.resources``
(``bundle.py``); these lean models only describe their outline for the API reference and the
API fuzz (the full FHIR models would put thousands of schemas into the document).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ResourceOut(BaseModel):
    """A FHIR R4 resource (Patient, Coverage, Organization, InsurancePlan, ...)."""

    model_config = ConfigDict(extra="allow")

    resourceType: str = Field(description="The FHIR resource type")
    id: str | None = Field(default=None, description="The resource's logical id")


class BundleLink(BaseModel):
    """A link of a searchset."""

    relation: str = Field(description="self, next or previous")
    url: str = Field(description="The URL of that page of the search")


class BundleSearch(BaseModel):
    """Why an entry is in the searchset."""

    mode: str = Field(description="match: the entry matched the search")


class BundleEntry(BaseModel):
    """One result of a search."""

    fullUrl: str = Field(description="Absolute URL of the resource")
    resource: ResourceOut = Field(description="The resource")
    search: BundleSearch = Field(description="Search information of the entry")


class BundleOut(BaseModel):
    """A FHIR searchset Bundle: one page of a search's results."""

    model_config = ConfigDict(extra="allow")

    resourceType: str = Field(description="Always Bundle")
    type: str = Field(description="Always searchset")
    timestamp: str | None = Field(default=None, description="When the search ran")
    total: int = Field(description="Results across all pages")
    link: list[BundleLink] = Field(description="self, and next / previous pages")
    entry: list[BundleEntry] = Field(default=[], description="This page's results")


class IssueDetails(BaseModel):
    """The issue in words and as a code."""

    model_config = ConfigDict(extra="allow")

    text: str = Field(description="The rule that was broken, in words (never the value sent)")


class OutcomeIssue(BaseModel):
    """One problem."""

    model_config = ConfigDict(extra="allow")

    severity: str = Field(description="error")
    code: str = Field(description="FHIR issue type: invalid, login, forbidden, not-found, ...")
    details: IssueDetails = Field(description="What went wrong")
    diagnostics: str | None = Field(default=None, description="Where: the parameter or field")


class OutcomeOut(BaseModel):
    """Every error answer of the FHIR API: a FHIR OperationOutcome."""

    resourceType: str = Field(description="Always OperationOutcome")
    issue: list[OutcomeIssue] = Field(description="One per problem")
