"""What a real bureau (jurisdiction `example: false`) must replace before its site is published:
the 实施方案 page `ssj init` writes as a placeholder, the model 方案's text it must not publish as
its own, the 文号 it cites, and the footer's 联系我们 and registration numbers.

The rules of this project cite the clauses of one 方案, the model (Kazuo's, MODEL_NUMBER), whose
text the project's own site/pages/regulation.md holds; a bureau adopting ssj publishes its own.
The model is recognised here by marks of its own (its 文号, its signature and date), not by
reading the project's copy, which an installed ssj does not ship.

Declared in generator/rules/checks.py (category 公示网站); `ssj check` runs them, not the build
(so that a new bureau can preview its site before its 方案 is in).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import yaml

from generator.records.load import display_path
from generator.records.model import Records
from generator.records.problems import Problem
from generator.rules.checks import CHECKS

MODEL_NUMBER = "喀司发〔2024〕5号"
MODEL_ISSUER, MODEL_DATE = "喀左县司法局", "2024年4月16日"  # the model's closing lines
# the 文号 `ssj init` writes into a new bureau's jurisdiction.yaml, and the front matter key that
# marks its placeholder 实施方案 page
NUMBER_PLACEHOLDER = "（文号）"
PLACEHOLDER_KEY = "placeholder"
REGULATION_PAGE = Path("pages") / "regulation.md"  # under the site folder

_BY_ID = {c.id: c for c in CHECKS}
_BRACKETS = str.maketrans({"[": "〔", "［": "〔", "【": "〔", "(": "〔", "（": "〔",
                           "]": "〕", "］": "〕", "】": "〕", ")": "〕", "）": "〕"})


def number_key(text: str) -> str:
    """A 文号 as compared: without spaces, its year in 〔〕 however bracketed."""
    return "".join(text.split()).translate(_BRACKETS)


def _problem(rule: str, file: str, line: int, message: str, field: str = "") -> Problem:
    check = _BY_ID[rule]
    return Problem(file, line, rule, f"方案 {check.clause}：{message}", check.hint, check.severity,
                   field)


# --------------------------------------------------------------------------- the footer


def _site_fields(records: Records) -> Iterator[Problem]:
    jurisdiction = records.jurisdiction
    assert jurisdiction is not None
    site = jurisdiction.fields.get("site") or {}
    file, line = jurisdiction.file, jurisdiction.line_of("site")

    def empty(*values: Any) -> bool:
        return not any(v for v in values if isinstance(v, str) and v.strip())

    # 主办单位 is never empty: the footer shows the bureau's full name where site.host is not set
    if empty(site.get("contact_address"), jurisdiction.fields.get("address"),
             site.get("telephone"), site.get("email")):
        yield _problem("site.contact", file, line, "页脚“联系我们”没有内容：对外电话（site.telephone）、"
                       "邮箱（site.email）、来信地址（site.contact_address）和办公地址（address）都未填写",
                       "site")
    if empty(site.get("website_id")):
        yield _problem("site.website-id", file, line, "网站标识码（site.website_id）未填写，页脚不显示",
                       "site.website_id")
    if empty(site.get("icp_record")):
        yield _problem("site.icp-record", file, line, "ICP备案号（site.icp_record）未填写，页脚不显示",
                       "site.icp_record")
    if empty(site.get("psb_record")):
        yield _problem("site.psb-record", file, line, "公安机关备案号（site.psb_record）未填写，页脚不显示",
                       "site.psb_record")


# --------------------------------------------------------------------------- the 实施方案 page


def _front_matter(text: str) -> tuple[dict[str, Any], int]:
    """A page's front matter (the mapping between its `---` lines; empty if none or unreadable,
    which the build reports) and the number of lines before the body."""
    if not text.startswith("---\n"):
        return {}, 0
    head, found, _ = text[4:].partition("\n---\n")
    if not found:
        return {}, 0
    try:
        meta = yaml.safe_load(head)
    except yaml.YAMLError:
        meta = None
    return (meta if isinstance(meta, dict) else {}), head.count("\n") + 3


def _line_of_key(text: str, key: str) -> int:
    return next((n for n, line in enumerate(text.splitlines(), start=1)
                 if line.startswith(f"{key}:")), 1)


def model_line(text: str) -> int | None:
    """The line where `text` shows itself to be the model 方案: its 文号, or its signature
    followed by its date; None if it does neither."""
    lines = [number_key(line) for line in text.splitlines()]
    model = number_key(MODEL_NUMBER)
    at = next((n for n, line in enumerate(lines, start=1) if model in line), None)
    if at is not None:
        return at
    filled = [(n, line) for n, line in enumerate(lines, start=1) if line]
    return next((n for (n, line), (_, after) in zip(filled, filled[1:])
                 if line == MODEL_ISSUER and after == MODEL_DATE), None)


def _regulation_page(site_dir: Path, number: str) -> Iterator[Problem]:
    path = site_dir / REGULATION_PAGE
    file = display_path(path)
    if path.is_symlink() or path.parent.is_symlink():
        return  # never read through a link: the build refuses it (load.symlink's rule for sites)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        yield _problem("site.regulation-placeholder", file, 1,
                       "网站没有实施方案页面：导航中的“实施方案”会打不开")
        return
    except (OSError, UnicodeDecodeError):
        return  # the build says why it cannot read it
    text = text.replace("\r\n", "\n")
    meta, _ = _front_matter(text)
    if meta.get(PLACEHOLDER_KEY):
        yield _problem("site.regulation-placeholder", file, _line_of_key(text, PLACEHOLDER_KEY),
                       "实施方案页面仍是新建仓库时写入的占位页，网站上没有本局的实施方案")
        return
    own = number_key(number)
    if own != number_key(MODEL_NUMBER):
        line = model_line(text)
        if line is not None:
            yield _problem("site.regulation-model", file, line,
                           f"实施方案页面是示范方案（{MODEL_ISSUER} {MODEL_NUMBER}）的原文，"
                           f"不是本局的方案（文号 {number}）：网站会以本局名义公布另一个局的方案")
            return
    if number.strip() != NUMBER_PLACEHOLDER and own not in number_key(text):
        yield _problem("site.regulation-mismatch", file, 1,
                       f"实施方案页面没有写明本局方案的文号 {number}（records/jurisdiction.yaml 的 "
                       "regulation.number）：页面与页脚所称的方案可能不是同一个")


def check_adoption(records: Records, site_dir: Path) -> list[Problem]:
    """A real bureau's site (`site_dir`), before it is published: its 实施方案 page, and the
    文号 and footer fields it shows from jurisdiction.yaml. Nothing for example data, nor for a
    jurisdiction.yaml that does not say (its load errors say why)."""
    jurisdiction = records.jurisdiction
    if jurisdiction is None or jurisdiction.fields.get("example") is not False:
        return []
    problems = list(_site_fields(records))
    number = (jurisdiction.fields.get("regulation") or {}).get("number")
    if not isinstance(number, str):
        return problems  # load.required says so
    if number.strip() == NUMBER_PLACEHOLDER:
        problems.append(_problem("site.regulation-number", jurisdiction.file,
                                 jurisdiction.line_of("regulation.number"),
                                 f"本局实施方案的文号仍是新建仓库时写入的“{NUMBER_PLACEHOLDER}”，"
                                 f"网站页脚会写“依据{NUMBER_PLACEHOLDER}”", "regulation.number"))
    problems.extend(_regulation_page(site_dir, number))
    return problems
