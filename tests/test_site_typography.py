"""How pages set dates, clause references and tokens (issue 14): dates in the Chinese form in a
<time> element, full-width clause brackets, tokens kept on one line; data files keep ISO dates.
The 404 page's links start at the base URL's path."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from markupsafe import Markup

from generator.site.render import (keep_tokens, one_spacing, root_path, time_element, typeset,
                                   zh_date)


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


@pytest.mark.parametrize("html, shown", [
    ("2026 年度", "2026年度"),
    ("第 1337 轮", "第1337轮"),
    ("抽取 <span class=\"nw\">20%</span>，至少 2 家", "抽取<span class=\"nw\">20%</span>，至少2家"),
    ("共\n3 个", "共3个"),  # a line break in the template renders as a space too
    ("（2 家）", "（2家）"),
    # a clock time keeps its space; so do code, a block boundary and Latin words
    ('<time datetime="x">2026年4月28日 12:00</time> 北京时间',
     '<time datetime="x">2026年4月28日 12:00</time> 北京时间'),
    ("<code>第 1 轮</code> 共 3 个", "<code>第 1 轮</code> 共3个"),
    ("</p>\n<p>2026", "</p>\n<p>2026"),
    ("运行 ssj check", "运行 ssj check"),
])
def test_one_spacing_rule_no_space_between_chinese_and_digits(html: str, shown: str) -> None:
    assert one_spacing(html) == shown


def test_no_page_of_the_example_site_spaces_chinese_from_digits(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    import re

    from tests.browser import built_example
    from tests.sitecheck import Site

    site = Site(built_example(tmp_path_factory))
    spaced = re.compile(r"[\u4e00-\u9fff（）：；，。] +\d|\d +[\u4e00-\u9fff]")
    verbatim = {"code", "pre", "samp", "kbd", "script", "style"}
    blocks = {"p", "li", "td", "th", "dd", "dt", "h1", "h2", "h3", "h4", "caption", "summary"}

    def words(element: Any) -> str:
        return "".join(c if isinstance(c, str) else "" if c.tag in verbatim else words(c)
                       for c in element.children)

    found = []
    for path in site.html_pages():
        for element in site.page(path).iter():
            # the innermost blocks: two blocks' texts never run on as one line
            if element.tag in blocks and not any(e.tag in blocks for e in element.iter()
                                                 if e is not element):
                # a clock time keeps its space (日 12:00 北京时间)
                text = re.sub(r"\d{1,2}:\d{2}(?::\d{2})?", "时", " ".join(words(element).split()))
                # a 公安备案号 keeps the space of its official form (辽公网安备 21132402000001号)
                text = re.sub(r"公网安备 \d", "公网安备", text)
                found += [f"{path}: {m.group(0)!r}" for m in spaced.finditer(text)]
    assert not found, found[:20]
