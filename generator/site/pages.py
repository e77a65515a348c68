"""Assemble the site: every page (template, context, JSON beside it), data file and feed, from
the records. The views every page reads are built once (family/shared.py); each family of pages
builds its own (generator/site/family/). Nothing here renders or writes; build.py does that."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from generator.records.model import Records
from generator.records.problems import Problem
from generator.records.timing import BEIJING
from generator.site.family import (
    catalogue,
    data,
    findings,
    handwritten,
    home,
    institutions,
    lists,
    plans,
    reports,
)
from generator.site.family.handwritten import PageError
from generator.site.family.notices import Notice, site_notices
from generator.site.family.shared import shared_views
from generator.site.feeds import Feed
from generator.site.output import File, Page
from generator.site.search import search_page

__all__ = ["PageError", "Notice", "Site", "assemble", "site_date"]


@dataclass(frozen=True)
class Site:
    """Everything build.py renders and writes."""

    pages: list[Page]
    files: list[File]
    notices: list[Notice]
    day: dt.date
    feeds: list[Feed]  # each institution's and each list's; the site's own is build.py's


def site_date(epoch: str | None) -> dt.date:
    """The site's "today", in Beijing: the build's time (SOURCE_DATE_EPOCH, or the records' HEAD
    commit: see revision.source_epoch), else the clock. Records published later are withheld."""
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), BEIJING).date()
    return dt.datetime.now(BEIJING).date()


def assemble(records: Records, site_dir: Path, day: dt.date,
             history: dict[str, list[dict[str, str]]] | None = None,
             rules_today: tuple[Problem, ...] | None = None, cache: Path | None = None) -> Site:
    """All pages and files of the site as of `day`; `history` maps record files to their git
    changes; `rules_today`: what the rules found in `records` as of `day`, if they ran; `cache`:
    the records' cache folder, where past years' reports are kept (None: none kept)."""
    published = records.published_by(day)
    if published is not records:  # the rules saw records the public does not: run them again
        rules_today = None
    views = shared_views(published, day, history or {})
    authorities, evidence = plans.judged(published, day)
    plan_views = plans.plan_views(views, evidence)
    summaries = reports.summaries(views, rules_today, cache)
    notices = [n for n in site_notices(published, plan_views, views.findings, views.entries,
                                       views.notices) if n.date <= day.isoformat()]
    parts = [institutions.part(views),
             plans.part(published, plan_views, authorities, evidence, site_dir),
             findings.part(views),
             lists.part(views),
             reports.part(views, summaries),
             catalogue.part(),
             handwritten.part(site_dir),
             data.part(views, plan_views),
             home.part(views, notices, summaries, rules_today)]
    pages = [page for part in parts for page in part.pages]
    pages.append(search_page(views.by_sector, views.staff_of))
    return Site(pages, [f for part in parts for f in part.files], notices, day,
                [feed for part in parts for feed in part.feeds])
