"""Every path of the site, spelled here once (as Datasette's url_builder.py spells its URLs): the
pages, the feeds, the data files and the draws' files, each a constant or a small function, and
the navigation over them. A path is the site's own, from its root (`plans/2026-01.html`, maybe
with a #fragment); render.link makes it relative to the page that links it, or absolute under a
base URL. A template takes a computed path from its context, which takes it from here."""
from __future__ import annotations

import posixpath

HOME = "index.html"
NOT_FOUND = "404.html"  # served at any depth
PLANS = "plans/index.html"
FINDINGS = "findings/index.html"
ITEMS = "items.html"
INSTITUTIONS = "institutions/index.html"
INSPECTORS = "inspectors.html"
LISTS = "lists.html"
DATA = "data.html"
RULES = "rules.html"
REGULATION = "regulation.html"  # 实施方案, from site/pages/regulation.md
SEARCH = "search.html"
VERIFY = "verify.html"
DRAW_SPEC = "draw-spec.html"
DRAW_SPEC_EN = "draw-spec-en.html"

FEED = "feed.xml"  # the site's notices
CREDIT_FEED = "lists/credit-notices.xml"
ROBOTS = "robots.txt"
SITEMAP = "sitemap.xml"
MANIFEST = "data/manifest.json"
DRAWS_FOLDER = "draws"
AUTHORITIES_FOLDER = "timestamp-authorities"  # the pinned chains, for openssl ts -verify

# a record's page, or the page that lists it and its anchor there
_RECORDS = {"institution": "institutions/{}.html", "person": "personnel/{}.html",
            "finding": "findings/{}.html", "plan": "plans/{}.html", "item": ITEMS + "#{}",
            "list_entry": LISTS + "#{}", "credit_notice": LISTS + "#{}",
            "inspector": INSPECTORS + "#{}"}


def record(kind: str, record_id: str) -> str:
    """The page of the record `record_id` of `kind` (a list's records: the list at its row)."""
    return _RECORDS[kind].format(record_id)


def anchor(page: str, fragment: str) -> str:
    return f"{page}#{fragment}"


def report(year: int | str) -> str:
    """The yearly report (年度汇总)."""
    return f"report/{year}.html"


def page(stem: str) -> str:
    """A page written by hand, site/pages/<stem>.md."""
    return f"{stem}.html"


def json_beside(page_path: str) -> str:
    """The page's data, beside it."""
    return posixpath.splitext(page_path)[0] + ".json"


def feed_beside(page_path: str) -> str:
    """The feed that follows a page (an institution's integrity file)."""
    return posixpath.splitext(page_path)[0] + ".xml"


def list_feed(name: str) -> str:
    """The feed of one list (abnormal, blacklist)."""
    return f"lists/{name}.xml"


def data_file(table: str, extension: str) -> str:
    """An open-data table as CSV or JSON."""
    return f"data/{table}.{extension}"


def draw_file(plan_id: str, name: str) -> str:
    """A file of a plan's draw folder (package.json, commitment.txt, result.json, tokens...)."""
    return f"{DRAWS_FOLDER}/{plan_id}/{name}"


def pins(plan_id: str | None = None) -> str:
    """The folder of pinned chains: the county's own, or a higher bureau's that drew `plan_id`,
    under the plan so that its authorities' ids never meet the county's."""
    return f"{AUTHORITIES_FOLDER}/{plan_id}" if plan_id else AUTHORITIES_FOLDER


def chain(folder: str, authority_id: str) -> str:
    return f"{folder}/{authority_id}.pem"


def root(folder: str, authority_id: str) -> str:
    return f"{folder}/{authority_id}-root.pem"


# the navigation, in order; the roster of inspectors comes after the first five where published
NAV = ((HOME, "首页"), (PLANS, "抽查计划"), (FINDINGS, "结果公示"), (ITEMS, "事项清单"),
       (INSTITUTIONS, "对象名录"), (LISTS, "异常名录与黑名单"), (DATA, "开放数据"),
       (REGULATION, "实施方案"), (SEARCH, "搜索"))  # the rules: from 实施方案
NAV_INSPECTORS = (INSPECTORS, "检查人员")

# the navigation entry the pages under each prefix belong to (the longest matching prefix wins);
# any other page stands on its own, under the home page
SECTIONS = (("plans/", PLANS), (VERIFY, PLANS), (DRAW_SPEC, PLANS), (DRAW_SPEC_EN, PLANS),
            ("findings/", FINDINGS), ("institutions/", INSTITUTIONS),
            ("personnel/", INSTITUTIONS), ("report/", HOME), (RULES, REGULATION))
