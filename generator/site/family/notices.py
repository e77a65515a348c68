"""Notices: the events a reader follows, each a dated line with its page. The site's feed and the
home page list every plan's notice and draw result, finding, listing and exit, credit notice and
irregularity notice; an institution's feed and a list's feed carry their own with amendments."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from generator.records.kinds import METHODS, SECTORS
from generator.records.model import Records
from generator.site import irregular
from generator.site.feeds import Feed
from generator.site.render import typeset, zh_date
from generator.site.views import MODES, target_ref


@dataclass(frozen=True)
class Notice:
    """An entry of the home page's latest notices and of an Atom feed."""

    date: str
    kind: str
    title: str
    url: str
    slug: str  # ASCII word for the kind, so two notices of one page keep distinct feed ids
    summary: str = ""  # a line for subscribers (the site's feed and the home page show none)



def site_notices(records: Records, plans: list[dict[str, Any]], findings: list[dict[str, Any]],
             entries: list[dict[str, Any]], notices: list[dict[str, Any]]) -> list[Notice]:
    """The site's feed and the home page's latest notices: each plan's notice and draw result,
    finding, listing and exit, credit notice and irregularity notice. A finding, listing, exit
    or credit notice has the title and summary it has in an institution's or a list's feed."""
    out = []
    for plan in plans:
        if plan["published_on"]:
            out.append(_notice(plan["published_on"], "抽取公告", plan["title"], plan["url"],
                               "draw-notice", _plan_summary(plan)))
        if plan["drawing"] and plan["drawing"]["result"]:
            held = plan["draw"]["held_on"] or plan["schedule"]["start"]
            out.append(_notice(held, "抽取结果", plan["title"], plan["url"], "draw-result",
                               _draw_summary(records, plan, held)))
    out.extend(_finding_notice(f, _who(records, f)) for f in findings)
    for e in entries:
        out.extend(_entry_notices(e))
    out.extend(_credit_notice(n) for n in notices)
    out.extend(_irregularity_event(v) for v in irregular.all_irregularity_views(records))
    return _newest_first(out)


def _notice(date: str, kind: str, title: str, url: str, slug: str, summary: str) -> Notice:
    """A notice as people read it: title and summary set as the pages set their text (dates
    without spaces: 2026年度), staff's line breaks as spaces (a summary is one plain line)."""
    return Notice(date, kind, typeset(" ".join(title.split())), url, slug,
                  typeset(" ".join(summary.split())))


def _fields(parts: list[str]) -> str:
    """A summary's fields, `名称：内容`, one sentence: staff text loses its closing 。 inside."""
    return "；".join(p.rstrip("。；") for p in parts) + "。"


def _plan_summary(plan: dict[str, Any]) -> str:
    """A plan's notice: its year, what share of which sectors it draws, how it inspects, when
    it draws and inspects, and which plan it draws again for."""
    scope = "、".join(f"{SECTORS[s['sector']]}抽取{s['ratio_percent']}%（不少于{s['min_count']}个）"
                     for s in plan["scope"])
    draw, schedule = plan["draw"], plan["schedule"]
    by = plan["organiser"]["delegated_by"]
    drawing = (f"检查对象由{by or '上级机关'}抽取" if draw["delegated"] else
               f"抽取日期：{zh_date(draw['held_on']) or '未定'}"
               + (f"，地点：{draw['place']}" if draw["place"] else ""))
    revision = plan["revision"]
    return _fields([f"计划年度：{plan['year']}年", f"抽查范围：{scope}",
                    f"抽查方式：{METHODS[plan['method']]}", f"检查方式：{MODES[plan['mode']]}",
                    drawing, f"实施时间：{zh_date(schedule['start'])}至{zh_date(schedule['end'])}",
                    *([f"重新抽取：取代计划{revision['supersedes']}，理由：{revision['reason']}"]
                      if revision else [])])


def _draw_summary(records: Records, plan: dict[str, Any], held: str) -> str:
    """A draw's result: when, and which institutions or people each sector drew (its
    result.json, as the plan page ranks them)."""
    folder = records.draws.get(plan["id"])
    result = folder.get("result.json") if folder else None
    chosen = [f"{SECTORS.get(s['id'], s['id'])}{min(s['k'], len(s['ranking']))}个："
              + "、".join(target_ref(records, e["id"])["name"] for e in s["ranking"][:s["k"]])
              for s in (result.data["strata"] if result is not None else [])]
    by = plan["organiser"]["delegated_by"] if plan["draw"]["delegated"] else None
    return (f"抽取日期：{zh_date(held)}" + (f"（由{by}抽取）" if by else "")
            + (f"；抽中{'；'.join(chosen)}" if chosen else "") + "。")


def _who(records: Records, f: dict[str, Any]) -> str:
    """A finding's target as its feed entries name it: a person with their institution."""
    person = records.get(f["target_ref"]["id"], ("person",))
    inst = records.get(person.institution, ("institution",)) if person else None
    return f"{f['target_ref']['name']}（{inst.name}）" if inst else f["target_ref"]["name"]


def _finding_notice(f: dict[str, Any], who: str) -> Notice:
    """A finding's publication: who, when and how it was inspected, the result and its
    handling (a penalty with its decision number), and the published explanation."""
    start, end = f["inspected"]["start"], f["inspected"]["end"]
    basis = (f"（{typeset(f['plan_ref']['title'])}）" if f["plan_ref"] else
             f"（{f['ground_label']}）" if f["ground_label"] else "")
    handled = "、".join(h["label"] + (f"（{h['decision_number']}）" if h["decision_number"] else "")
                        for h in f["handling_labelled"])
    summary = _fields([
        f"检查对象：{who}",
        f"检查日期：{zh_date(start)}" + (f"至{zh_date(end)}" if end != start else ""),
        f"检查类别：{f['kind_label']}{basis}", f"抽查方式：{f['method_label']}",
        f"抽查结果：{f['outcome_label']}", *([f"查处情况：{handled}"] if handled else []),
        f"结果说明：{f['result']}"])
    return _notice(f["published_on"], "检查结果",
                   f"{who}{zh_date(start)}{f['kind_label']}：{f['outcome_label']}", f["url"],
                   "finding", summary)


def _entry_notices(e: dict[str, Any]) -> list[Notice]:
    """A list entry: entered and, once it has, left."""
    name, decision = e["institution_ref"]["name"], e["decision"]
    out = [_notice(e["entered_on"], f"列入{e['list_label']}", name, e["url"], "listed", _fields([
        f"机构：{name}", f"名录：{e['list_label']}", f"列入日期：{zh_date(e['entered_on'])}",
        f"列入情形：{e['ground_label']}", f"列入理由：{e['reason']}",
        f"列入决定：{decision['authority']}" + (decision["number"] or "")
        + f"（{zh_date(decision['date'])}）"]))]
    if e["exit"]:
        out.append(_notice(e["exit"]["date"], f"移出{e['list_label']}", name, e["url"],
                           "delisted", _fields([
                               f"机构：{name}", f"名录：{e['list_label']}",
                               f"移出日期：{zh_date(e['exit']['date'])}",
                               f"移出理由：{e['exit']['reason']}"])))
    return out


def _credit_notice(n: dict[str, Any]) -> Notice:
    name = n["institution_ref"]["name"]
    return _notice(n["published_on"], "信用平台公示", name, n["url"], "credit-notice", _fields([
        f"机构：{name}", f"公示平台：{n['platform']}", f"公示日期：{zh_date(n['published_on'])}",
        f"公示内容：{n['reason']}"]))


def _irregularity_event(view: dict[str, Any]) -> Notice:
    """An irregularity notice (issue 20): its plan's page (or, naming no plan, its yearly
    report), with the reason on one line for subscribers."""
    return _notice(view["published_on"], irregular.HEADING, irregular.feed_title(view),
                   view["url"], f"{irregular.SLUG}-{view['id']}", view["reason"])


def _newest_first(notices: list[Notice]) -> list[Notice]:
    return sorted(notices, key=lambda n: (n.date, n.url, n.title), reverse=True)


def feed(path: str, title: str, key: str, page: str, day: dt.date,
          events: list[Notice]) -> Feed:
    """A subscription feed of `events`, newest first; an event dated after `day` (a list exit
    recorded ahead) is left out, as on the home page."""
    return Feed(path, title, key, page, _newest_first([e for e in events
                                                       if e.date <= day.isoformat()]))


def head_link(feed: Feed) -> dict[str, str]:
    """A feed as base.html names it in the page head (<link rel="alternate">)."""
    return {"title": feed.title, "path": feed.path}


def _amendment_events(view: dict[str, Any], what: str) -> list[Notice]:
    """The published amendments of a record (already dated by `day`): one event each."""
    return [_notice(a["date"], "更正", what, view["url"], f"amendment-{a['id']}", _fields([
        f"更正对象：{what}", f"更正日期：{zh_date(a['date'])}", f"更正内容：{a['correction']}",
        f"更正理由：{a['reason']}"])) for a in view["amendments"]]


def finding_events(f: dict[str, Any], inst: dict[str, Any]) -> list[Notice]:
    """A finding about `inst` or one of its people: its publication (as in the site feed) and
    its amendments."""
    who = (inst["name"] if f["target_ref"]["id"] == inst["id"]
           else f"{f['target_ref']['name']}（{inst['name']}）")
    return [_finding_notice(f, who),
            *_amendment_events(f, f"{who}{zh_date(f['inspected']['start'])}检查结果")]


def entry_events(e: dict[str, Any]) -> list[Notice]:
    """A list entry: entered, left (as in the site feed), amended."""
    return _entry_notices(e) + _amendment_events(
        e, f"{e['institution_ref']['name']}列入{e['list_label']}")


def credit_events(n: dict[str, Any]) -> list[Notice]:
    """A credit notice (as in the site feed) and its amendments."""
    return [_credit_notice(n),
            *_amendment_events(n, f"{n['institution_ref']['name']}信用平台公示")]
