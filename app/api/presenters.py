"""Turn service results into API shapes, adding the hypermedia links."""

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote, urlencode

from fastapi import Request
from starlette.datastructures import URL

from app import schemas
from app.core.conformance import API_PREFIX
from app.models import Milestone, Perspective, Unit
from app.services.goals import GoalView, StatusView
from app.services.indicators import IndicatorView, MeasurementView, MetricView
from app.services.measurement_reads import MeasurementDetail, RevisionView
from app.services.paging import Page
from app.services.perspectives import PerspectiveView
from app.services.summary import Summary
from app.services.targets import TargetView
from app.services.trends import Trend
from app.services.write_support import as_utc

View = TypeVar("View")
Item = TypeVar("Item")
CollectionShape = TypeVar("CollectionShape", bound=schemas.Collection)


class Urls:
    """Absolute URLs under /v1, always on the configured public base URL (PUBLIC_BASE_URL).

    Never on the request's `Host` or forwarded headers: a client names those freely, and a
    cached answer built from them would hand its links to every later client.
    """

    def __init__(self, request: Request) -> None:
        self.request = request
        self.base = request.app.state.settings.base_url
        self.root = self.base + API_PREFIX

    def link(self, *segments: str, **query: str) -> schemas.Link:
        path = "".join("/" + quote(segment, safe="") for segment in segments)
        suffix = "?" + urlencode(query) if query else ""
        return schemas.Link(href=self.root + path + suffix)

    def this_request(self) -> URL:
        """The URL of this request (path and query) on the public base URL."""
        scope = self.request.scope
        path, root_path = scope["path"], scope.get("root_path", "")
        if root_path and path.startswith(root_path):
            path = path[len(root_path) :]
        # Escaped as Starlette escapes `request.url`.
        path = path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
        query = scope.get("query_string", b"").decode("latin-1")
        return URL(self.base + path + ("?" + query if query else ""))

    def collection_links(self, page: Page) -> schemas.CollectionLinks:
        url = self.this_request()
        next_link = None
        if page.next_cursor is not None:
            next_link = schemas.Link(href=str(url.include_query_params(cursor=page.next_cursor)))
        return schemas.CollectionLinks(self_=schemas.Link(href=str(url)), next=next_link)


def collection(
    urls: Urls,
    page: Page[View],
    present: Callable[[Urls, View], Item],
    shape: type[CollectionShape],
) -> CollectionShape:
    """One page of a collection as `shape`: each item presented, with the page's links."""
    return shape(
        items=[present(urls, view) for view in page.items], links_=urls.collection_links(page)
    )


def landing(urls: Urls, name: str, version: str, description: str) -> schemas.Landing:
    return schemas.Landing(
        name=name,
        version=version,
        description=description,
        links_=schemas.LandingLinks(
            self_=urls.link(),
            perspectives=urls.link("perspectives"),
            goals=urls.link("goals"),
            indicators=urls.link("indicators"),
            metrics=urls.link("metrics"),
            measurements=urls.link("measurements"),
            units=urls.link("units"),
            milestones=urls.link("milestones"),
            targets=urls.link("targets"),
            summary=urls.link("summary"),
            openapi=urls.link("openapi.json"),
            docs=schemas.Link(href=urls.base + "/docs"),
        ),
    )


def perspective(urls: Urls, view: PerspectiveView) -> schemas.PerspectiveOut:
    record: Perspective = view.perspective
    return schemas.PerspectiveOut(
        code=record.code,
        number=record.number,
        slug=record.slug,
        name=record.name,
        description=record.description,
        progress=progress_counts(view.progress),
        goals=[
            schemas.GoalSummary(
                code=goal.code,
                order=goal.position,
                text=goal.text,
                links_=schemas.SelfLinks(self_=urls.link("goals", goal.code)),
            )
            for goal in view.goals
        ],
        indicators=[
            schemas.IndicatorSummary(
                code=indicator.code,
                name=indicator.name,
                links_=schemas.SelfLinks(self_=urls.link("indicators", indicator.code)),
            )
            for indicator in view.indicators
        ],
        links_=schemas.PerspectiveLinks(
            self_=urls.link("perspectives", record.code),
            goals=urls.link("goals", perspective=record.code),
            indicators=urls.link("indicators", perspective=record.code),
        ),
    )


def progress_counts(counts: dict[str, int]) -> schemas.ProgressCounts:
    return schemas.ProgressCounts(
        achieved=counts["achieved"],
        in_progress=counts["inProgress"],
        delayed=counts["delayed"],
        discontinued=counts["discontinued"],
        see_other=counts["seeOther"],
        none=counts["none"],
    )


def summary(urls: Urls, view: Summary) -> schemas.SummaryOut:
    day = {"asOf": view.as_of.isoformat()} if view.pinned and view.as_of is not None else {}
    scope = {"perspective": ",".join(view.perspective_filter)} if view.perspective_filter else {}
    return schemas.SummaryOut(
        as_of=view.as_of,
        goals=view.goals,
        progress=progress_counts(view.progress),
        perspectives=[
            schemas.PerspectiveProgressOut(
                code=item.perspective.code,
                name=item.perspective.name,
                goals=item.goals,
                progress=progress_counts(item.progress),
                links_=schemas.PerspectiveProgressLinks(
                    self_=urls.link("perspectives", item.perspective.code),
                    goals=urls.link("goals", perspective=item.perspective.code, **day),
                ),
            )
            for item in view.perspectives
        ],
        links_=schemas.SummaryLinks(
            self_=urls.link("summary", **scope, **day),
            goals=urls.link("goals", **scope, **day),
            history=urls.link("summary", "history", **scope),
        ),
    )


def summary_history(urls: Urls, views: list[Summary]) -> schemas.SummaryHistory:
    return collection(urls, Page(items=views, next_cursor=None), summary, schemas.SummaryHistory)


def status_update(urls: Urls, view: StatusView) -> schemas.StatusUpdateOut:
    record = view.status
    return schemas.StatusUpdateOut(
        id=record.id,
        goal_code=record.goal_code,
        as_of=record.as_of,
        as_of_label=record.as_of_label,
        text=record.text,
        progress=record.progress,
        progress_evidence=record.progress_evidence,
        source=record.source,
        shared_with=list(record.shared_with or []),
        author=record.author,
        recorded_at=as_utc(record.recorded_at),
        supersedes=record.supersedes_id,
        superseded_by=view.superseded_by,
        superseded=view.superseded_by is not None,
        links_=schemas.StatusLinks(
            self_=urls.link("goals", record.goal_code, "statuses", str(record.id)),
            goal=urls.link("goals", record.goal_code),
            supersedes=(
                urls.link("goals", record.goal_code, "statuses", str(record.supersedes_id))
                if record.supersedes_id is not None
                else None
            ),
            superseded_by=(
                urls.link("goals", record.goal_code, "statuses", str(view.superseded_by))
                if view.superseded_by is not None
                else None
            ),
        ),
    )


def goal(urls: Urls, view: GoalView) -> schemas.GoalOut:
    record = view.goal
    return schemas.GoalOut(
        code=record.code,
        perspective_code=record.perspective_code,
        text=record.text,
        order=record.position,
        latest_status=status_update(urls, view.latest_status) if view.latest_status else None,
        cross_references=[
            schemas.GoalReference(code=code, href=urls.link("goals", code).href)
            for code in view.cross_references
        ],
        links=[schemas.Link(href=url) for url in view.links],
        targets=(None if view.targets is None else [target(urls, item) for item in view.targets]),
        links_=schemas.GoalLinks(
            self_=urls.link("goals", record.code),
            perspective=urls.link("perspectives", record.perspective_code),
            statuses=urls.link("goals", record.code, "statuses"),
            milestones=urls.link("goals", record.code, "milestones"),
        ),
    )


def measurement(urls: Urls, view: MeasurementView) -> schemas.MeasurementOut:
    record = view.measurement
    return schemas.MeasurementOut(
        metric_code=record.metric_code,
        indicator_code=view.metric.indicator_code,
        period=record.period,
        period_type=record.period_type,
        period_start=record.period_start,
        period_end=record.period_end,
        value=record.value,
        value_text=record.value_text,
        status=record.status,
        source=view.source,
        footnote=record.footnote,
        unit=view.metric.unit,
        links_=schemas.MeasurementLinks(
            metric=urls.link("metrics", record.metric_code),
            indicator=urls.link("indicators", view.metric.indicator_code),
            unit=urls.link("units", view.metric.unit),
        ),
    )


def trend(view: Trend | None) -> schemas.TrendOut | None:
    if view is None:
        return None
    return schemas.TrendOut(
        latest=schemas.TrendPoint(
            period=view.latest.period, value=view.latest.value, status=view.latest.status
        ),
        previous=schemas.TrendPoint(
            period=view.previous.period, value=view.previous.value, status=view.previous.status
        ),
        change=view.change,
        change_percent=view.change_percent,
        direction=view.direction,
        assessment=view.assessment,
        provisional=view.provisional,
    )


def metric(urls: Urls, view: MetricView) -> schemas.MetricOut:
    record = view.metric
    return schemas.MetricOut(
        code=record.code,
        indicator_code=record.indicator_code,
        name=record.name,
        breakdown=record.breakdown,
        unit=record.unit,
        source=record.source,
        notes=list(record.notes or []),
        polarity=record.polarity,
        polarity_reason=record.polarity_reason,
        polarity_evidence=record.polarity_evidence,
        trend=trend(view.trend),
        measurements=(
            None
            if view.measurements is None
            else [measurement(urls, item) for item in view.measurements]
        ),
        links_=schemas.MetricLinks(
            self_=urls.link("metrics", record.code),
            indicator=urls.link("indicators", record.indicator_code),
            measurements=urls.link("metrics", record.code, "measurements"),
            unit=urls.link("units", record.unit),
            chart=urls.link("metrics", record.code, "chart.svg"),
        ),
    )


def indicator(urls: Urls, view: IndicatorView) -> schemas.IndicatorOut:
    record = view.indicator
    return schemas.IndicatorOut(
        code=record.code,
        perspective_code=record.perspective_code,
        name=record.name,
        note=record.note,
        metrics=[metric(urls, item) for item in view.metrics],
        links_=schemas.IndicatorLinks(
            self_=urls.link("indicators", record.code),
            perspective=urls.link("perspectives", record.perspective_code),
            measurements=urls.link("measurements", indicator=record.code),
            chart=urls.link("indicators", record.code, "chart.svg"),
        ),
    )


def _measurement_address(urls: Urls, detail: MeasurementDetail, *suffix: str) -> schemas.Link:
    record = detail.view.measurement
    query = {"source": detail.address_source} if detail.address_source is not None else {}
    return urls.link("metrics", record.metric_code, "measurements", record.period, *suffix, **query)


def measurement_detail(urls: Urls, detail: MeasurementDetail) -> schemas.MeasurementDetailOut:
    summary = measurement(urls, detail.view)
    record = detail.view.measurement
    return schemas.MeasurementDetailOut(
        **summary.model_dump(exclude={"links_"}),
        version=record.version,
        author=record.author,
        recorded_at=as_utc(record.recorded_at),
        links_=schemas.MeasurementDetailLinks(
            self_=_measurement_address(urls, detail),
            revisions=_measurement_address(urls, detail, "revisions"),
            metric=summary.links_.metric,
            indicator=summary.links_.indicator,
            unit=summary.links_.unit,
        ),
    )


def measurement_revision(urls: Urls, revision: RevisionView) -> schemas.MeasurementRevisionOut:
    return schemas.MeasurementRevisionOut(
        version=revision.version,
        current=revision.current,
        value=revision.record.value,
        value_text=revision.record.value_text,
        status=revision.record.status,
        source=revision.source,
        footnote=revision.record.footnote,
        author=revision.record.author,
        recorded_at=as_utc(revision.record.recorded_at),
        replaced_at=as_utc(revision.replaced_at),
        replaced_by=revision.replaced_by,
    )


def measurement_revisions(
    urls: Urls, revisions: list[RevisionView]
) -> schemas.MeasurementRevisionCollection:
    whole = Page(items=revisions, next_cursor=None)
    return collection(urls, whole, measurement_revision, schemas.MeasurementRevisionCollection)


def unit(urls: Urls, record: Unit) -> schemas.UnitOut:
    return schemas.UnitOut(
        code=record.code,
        label_nl=record.label_nl,
        label_en=record.label_en,
        ucum=record.ucum,
        description=record.description,
        links_=schemas.SelfLinks(self_=urls.link("units", record.code)),
    )


def milestone(urls: Urls, record: Milestone) -> schemas.MilestoneOut:
    return schemas.MilestoneOut(
        id=record.id,
        goal_code=record.goal_code,
        status_id=record.status_id,
        date=record.date_start,
        date_precision=record.date_precision,
        kind=record.kind,
        body=record.body,
        quote=record.quote,
        links_=schemas.MilestoneLinks(
            goal=urls.link("goals", record.goal_code),
            status=urls.link("goals", record.goal_code, "statuses", str(record.status_id)),
        ),
    )


def target(urls: Urls, view: TargetView) -> schemas.TargetOut:
    record = view.target
    latest = view.latest
    return schemas.TargetOut(
        id=record.id,
        goal_code=record.goal_code,
        source=record.source,
        status_id=record.status_id,
        quote=record.quote,
        value=record.value,
        unit=record.unit,
        deadline=record.deadline,
        deadline_precision=record.deadline_precision,
        metric_code=record.metric_code,
        note=record.note,
        latest_measurement=(
            None
            if latest is None
            else schemas.LatestMeasurement(
                period=latest.period,
                period_end=latest.period_end,
                value=latest.value,
                value_text=latest.value_text,
                status=latest.status,
                unit=view.metric_unit,
            )
        ),
        progress_to_target=view.progress_to_target,
        links_=schemas.TargetLinks(
            goal=urls.link("goals", record.goal_code),
            status=(
                urls.link("goals", record.goal_code, "statuses", str(record.status_id))
                if record.status_id is not None
                else None
            ),
            unit=urls.link("units", record.unit) if record.unit is not None else None,
            metric=(
                urls.link("metrics", record.metric_code) if record.metric_code is not None else None
            ),
        ),
    )
