"""verify.html speaks plain Chinese: run on each example plan in Chromium at 375 and 1280 px, the
visible text of <main> (rendered elements only: a closed <details> does not count) holds none of the
records' codes (sectors, drand chains, exclusion reasons, source kinds, methods) nor the RFC 3161
status names or drand's JSON field names, and no other Latin word than the names of the standards
it cites (drand, SHA-256, HMAC-SHA256, UTF-8, ASCII, JSON).

File names are kept where the reader needs them to find the file (the chooser, the evidence each
check read): each one sits in full-width brackets right after the Chinese name of what it is
("抽取结果（result.json）"), and on the site's own draws it is a link to that file. So a file name
is allowed only in that form, and its contents (the chain's code name in a round file's name) are
not read as words. Addresses (the authority's root certificate) are links and not read either.
Screenshots: test-artifacts/verify-<plan>-<width>.png."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator.draw.table import REASONS, SOURCE_KINDS, TOKEN_STATUSES
from generator.records.chains import CHAINS
from generator.records.kinds import METHODS, SECTORS
from tests.browser import built_example, open_page, screenshot, serve_site

DONE = "main[data-verdict=pass], main[data-verdict=fail], main[data-verdict=incomplete]"
# the text of <main> a reader sees: text nodes whose element is rendered and visible
VISIBLE_TEXT = """() => {
  const parts = [];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.parentElement.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
    if (node.textContent.trim()) parts.push(node.textContent);
  }
  return parts.join("");
}"""
CODES = sorted({*SECTORS, *CHAINS, *REASONS, *(k for k in SOURCE_KINDS if k != "drand"), *METHODS,
                "granted", "grantedWithMods", "rejection", "waiting", "revocationWarning",
                "revocationNotification", "randomness", "signature", "previous_signature", "round",
                "timeStamping", "signingCertificate", "signingCertificateV2", "critical"})
STANDARDS = {"drand", "SHA", "HMAC", "UTF", "ASCII", "JSON"}
URL = re.compile(r"https?://[^\s（）“”，。；]+")
FILE = re.compile(r"[\w*.-]*\.(?:json|txt|tsr|pem)\b")
LABELLED_FILE = re.compile(r"(?<=[\u4e00-\u9fff]（)[\w*.-]*\.(?:json|txt|tsr|pem)(?=）)")
EVIDENCE = re.compile(r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{16,}|[0-9A-F]{2}(?::[0-9A-F]{2})+)(?![0-9A-Za-z])")
WIDTHS = (375, 1280)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_example(tmp_path_factory)


def words_of(text: str) -> str:
    """The visible text as read for words: addresses, labelled file names and hex values out."""
    return EVIDENCE.sub(" ", LABELLED_FILE.sub(" ", URL.sub(" ", text)))


def faults(text: str) -> list[str]:
    """What in the page's visible text is a code rather than Chinese."""
    read = words_of(text)
    found = [f"file name without its Chinese name beside it: {m}" for m in FILE.findall(read)]
    for token in CODES:
        if re.search(rf"(?<![A-Za-z0-9_-]){re.escape(token)}(?![A-Za-z0-9_-])", read):
            found.append(f"code: {token}")
    found += [f"Latin word: {w}" for w in sorted(set(re.findall(r"[A-Za-z]{2,}", read)) - STANDARDS)]
    return found


def test_the_checker_sees_what_the_review_saw() -> None:
    """The faults the outside review quoted are caught; the page's own forms are not."""
    for said in ("分层 law-firm：12 个对象", "drand default 第 1337 轮", "状态 0 granted",
                 "等于 drand-quicknet-1000.json 的 randomness", "选择 package.json"):
        assert faults(said), said
    assert faults("律师事务所：12个对象；drand公开随机信标第1337轮；轮次文件（drand-default-1337.json）；"
                  "地址https://tsa.example.org/root.pem；SHA-256指纹7A:45:D7:39；"
                  "种子84ec8c702a52206c688739c98c92dcc2；规范化JSON文本") == []
    assert "已签发" in TOKEN_STATUSES and "被拒绝" in TOKEN_STATUSES


def test_every_example_plan_speaks_plain_chinese(browser: Any, site: Path) -> None:
    plans = json.loads((site / "verify.json").read_text(encoding="utf-8"))["plans"]
    assert len(plans) >= 4, plans.keys()
    seen: dict[str, list[str]] = {}
    with serve_site(site) as served:
        for plan_id in plans:
            for width in WIDTHS:
                with open_page(browser, served, f"/verify.html?plan={plan_id}", width=width,
                               height=740 if width == 375 else 900) as opened:
                    page = opened.page
                    page.wait_for_selector(DONE, timeout=30_000)
                    text = page.evaluate(VISIBLE_TEXT)
                    screenshot(page, f"verify-{plan_id}-{width}")
                    assert opened.errors == [], opened.errors
                    # the verdict still says what was and was not proven
                    assert page.get_attribute("main", "data-verdict") == "incomplete"
                    assert "不能证明抽取包先于随机源冻结" in text
                    if width == 375:
                        assert page.evaluate("document.documentElement.scrollWidth") <= 375
                seen[f"{plan_id}@{width}"] = faults(text)
                # what the review named now reads in Chinese
                assert "drand公开随机信标第" in text and "状态：已签发" in text
                sectors = [SECTORS[s] for s in SECTORS if SECTORS[s] + "：" in text]
                assert sectors, text
    assert served.outside == []
    assert all(not found for found in seen.values()), {k: v for k, v in seen.items() if v}
