"""site/pages/draw-spec.md publishes spec ssj-draw/1 on every site: front matter, one Chinese
paragraph saying what the page is, then the spec itself, byte for byte as the steering
repository's shared/spec/draw.md (where that sits beside this checkout)."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "site" / "pages" / "draw-spec.md"
SHARED = REPO.parent / "shared" / "spec" / "draw.md"


def split(text: str) -> tuple[str, str, str]:
    """(front matter, the explanatory paragraph, the spec)."""
    assert text.startswith("---\n")
    head, _, rest = text[4:].partition("\n---\n\n")
    intro, _, spec = rest.partition("\n\n")
    return head, intro, spec


def test_the_page_has_a_title_and_one_explanatory_paragraph() -> None:
    head, intro, spec = split(PAGE.read_text(encoding="utf-8"))
    assert head == "title: 抽取算法规范 ssj-draw/1"
    assert "\n" not in intro and "规范性文本" in intro and "tests/vectors/" in intro
    assert spec.startswith("# Draw specification `ssj-draw/1`\n")


@pytest.mark.skipif(not SHARED.is_file(), reason="shared/ is not beside this checkout")
def test_the_spec_on_the_site_is_the_shared_one() -> None:
    _, _, spec = split(PAGE.read_text(encoding="utf-8"))
    assert spec.encode("utf-8") == SHARED.read_bytes()
