"""Irregularity notices on the site (issue 20): a past timing failure of a draw (a missed or late
freeze, a late token, a late publication, a misdated commit), disclosed by the bureau with its
reason in records/irregularities/. `ssj check` then reports it as a notice; the site marks it in
red for good: on its plan's page (site/templates/irregularities.html), in feed.xml and on the
home page, in the yearly report and in open data. A notice is append-only like every published
record (checks/audit.py), and one dated later is withheld until its day like any other record.

Everything here reads the records as published on the site's day (`Records.published_by`).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.records.kinds import IRREGULARITY_KINDS
from generator.records.model import Record, Records
from generator.site import notice_meta, urls
from generator.site.public import public
from generator.site.views import url_of

HEADING = "抽取程序异常（已公开说明）"  # the mark's heading, and the feed entries' kind
SLUG = "irregularity"  # feed ids: irregularity-<notice id>, as amendments are amendment-<id>


def report_url(notice: Record) -> str:
    """The yearly report that lists the notice, at the notice's own row."""
    return urls.anchor(urls.report(notice.published_on.year), notice.id)


Meta = Mapping[tuple[str, str], dict[str, Any]]  # notice_meta.metadata of the records


def irregularity_view(records: Records, notice: Record, meta: Meta | None = None
                      ) -> dict[str, Any]:
    """What a page shows of one notice: its public fields (the reason as written: templates
    render it as Markdown with `| md`), its kind's label, its plan's title and page, the
    page a feed entry links to (the plan's, or for a notice that names no plan, the report's),
    and its metadata block (`meta`: the records' notice_meta.metadata, made here if not given)."""
    meta = notice_meta.metadata(records) if meta is None else meta
    plan_id = notice.fields.get("plan")
    plan = records.get(plan_id, ("plan",)) if plan_id else None
    return {
        **public(notice),
        "kind_label": IRREGULARITY_KINDS[notice.fields["kind"]],
        "plan_title": plan.title if plan is not None else None,
        "plan_url": url_of(plan) if plan is not None else None,
        "url": url_of(plan) if plan is not None else report_url(notice),
        "report_url": report_url(notice),
        "meta": meta.get(("irregularity", notice.id)),
    }


def _ordered(notices: tuple[Record, ...]) -> list[Record]:
    return sorted(notices, key=lambda n: (n.published_on, n.id))


def irregularity_views(records: Records, plan_id: str,
                       meta: Meta | None = None) -> list[dict[str, Any]]:
    """The published notices of one plan, oldest first: what its page marks in red."""
    meta = notice_meta.metadata(records) if meta is None else meta
    return [irregularity_view(records, n, meta)
            for n in _ordered(records.irregularities_of(plan_id))]


def all_irregularity_views(records: Records, meta: Meta | None = None) -> list[dict[str, Any]]:
    """Every published notice, oldest first (open data, the site's feed)."""
    meta = notice_meta.metadata(records) if meta is None else meta
    return [irregularity_view(records, n, meta) for n in _ordered(records.irregularities)]


def feed_title(view: dict[str, Any]) -> str:
    """An entry's title after its kind (HEADING): which draw, and what went wrong."""
    about = view["plan_title"] or f"提交 {(view['commit'] or '')[:12]}"
    return f"{about}：{view['kind_label']}"
