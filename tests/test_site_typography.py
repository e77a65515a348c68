"""How pages set dates, clause references and tokens (issue 14): dates in the Chinese form in a
<time> element, full-width clause brackets, tokens kept on one line; data files keep ISO dates.
The 404 page's links start at the base URL's path."""
from __future__ import annotations

import datetime as dt

import pytest
from markupsafe import Markup

from generator.site.render import keep_tokens, root_path, time_element, typeset, zh_date


@pytest.mark.parametrize("value, shown", [
    ("2026-04-28", "2026年4月28日"), (dt.date(2026, 1, 5), "2026年1月5日"),
    ("2023-08-23 23:59:24 北京时间", "2023年8月23日 23:59:24 北京时间"),
    ("", ""), (None, ""), ("尚未确定", "尚未确定"),
])
def test_a_date_as_pages_write_it(value: object, shown: str) -> None:
    assert zh_date(value) == shown  # type: ignore[arg-type]


def test_a_date_is_a_time_element_that_machines_read_as_iso() -> None:
    assert time_element("2026-04-28") == '<time datetime="2026-04-28">2026年4月28日</time>'
    assert time_element("2023-08-23 23:59:24 北京时间") == (
        '<time datetime="2023-08-23T23:59:24+08:00">2023年8月23日 23:59:24</time> 北京时间')
    assert time_element("<b>") == "&lt;b&gt;"


@pytest.mark.parametrize("typed, shown", [
    ("依方案 三(三) 列入", "依方案 三（三）列入"),
    ("方案 二(八)(九)、三(一)", "方案 二（八）（九）、三（一）"),
    ("于 2026 年 4 月 10 日前提交", "于2026年4月10日前提交"),
    ("检查人员于 4 月 22 日、24 日两次到场", "检查人员于4月22日、24日两次到场"),
    ("在 2026 年度随机抽查中", "在2026年度随机抽查中"),
    ("抽取 20%，至少 2 家", "抽取 20%，至少 2 家"),  # numbers that are not dates keep their spaces
])
def test_staff_text_is_set_as_the_site_sets_its_own(typed: str, shown: str) -> None:
    assert typeset(typed) == shown


def test_tokens_that_must_not_break_are_kept_whole_and_markup_is_left_alone() -> None:
    html = keep_tokens("按方案 二(八)1，喀司发〔2024〕5号，31211324MA010851XN，第四条，2026-04-28 <i>")
    for token in ("二（八）1", "喀司发〔2024〕5号", "31211324MA010851XN", "第四条", "2026-04-28"):
        assert f'<span class="nw">{token}</span>' in html
    assert "&lt;i&gt;" in html
    assert keep_tokens(Markup('<a href="x-2026-04-28">2026-04-28</a>')) == (
        '<a href="x-2026-04-28"><span class="nw">2026-04-28</span></a>')  # attributes untouched


@pytest.mark.parametrize("base, root", [
    ("https://example.org/kazuo-ssj/", "/kazuo-ssj/"), ("https://example.gov.cn/", "/"),
    (None, "/"), ("https://example.org/ssj", "/ssj/"),
])
def test_the_404_page_links_start_at_the_base_path(base: str | None, root: str) -> None:
    assert root_path(base) == root
