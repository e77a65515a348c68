"""Private data: the records keep only what the regulation or ssj needs, each private field says
what it is for, and the documentation says plainly that the records repository must be private.

(What reaches the public site is tested in test_site_privacy.py.)
"""
from __future__ import annotations

import re
from pathlib import Path

from generator.records.kinds import KINDS, walk_fields
from generator.records.types import Field
from tests.records_tree import PERSON, check_tree, valid_tree

ROOT = Path(__file__).resolve().parent.parent
# 18-character resident identity number (GB 11643): area, birth date, sequence, check character
IDENTITY_NUMBER = re.compile(r"(?<![0-9A-Z])[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])"
                             r"(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X](?![0-9A-Z])")


def test_a_person_record_keeps_no_identity_number(tmp_path: Path) -> None:
    # neither the 方案 nor any check needs one: the field is gone, and writing it is an error
    person = PERSON.replace("licence_number:", 'id_number: "211324198001010000"\nlicence_number:')
    run = check_tree(tmp_path, {**valid_tree(), "records/personnel/01211300000000001.yaml": person})
    assert run.exit_code == 1, run.output
    problem = [x for x in run.output.splitlines() if "[load.unknown-key]" in x]
    assert problem and problem[0].startswith("records/personnel/01211300000000001.yaml:5: ")
    assert "id_number" in problem[0]


def test_no_example_record_holds_an_identity_number() -> None:
    found = [f"{path.relative_to(ROOT)}: {m.group()}"
             for path in sorted((ROOT / "records").rglob("*.yaml"))
             for m in IDENTITY_NUMBER.finditer(path.read_text(encoding="utf-8"))]
    assert not found


def private_fields() -> list[tuple[str, Field]]:
    """Each field declared private whose parent is public (what lies below it is private too)."""
    found = []
    for kind in KINDS:
        fields = dict(walk_fields(kind.schema))
        for path, field in fields.items():
            parent = path.rpartition(".")[0].removesuffix("[]")
            if not field.public and (not parent or fields[parent].public):
                found.append((f"{kind.name}.{path}", field))
    return found


def test_every_private_field_says_what_it_is_for() -> None:
    assert len(private_fields()) >= 7  # phones, conflicts, risk flags, notes
    vague = [f"{path}: {field.help}" for path, field in private_fields()
             if not re.search(r"不公开）：\S{6,}", field.help)]  # the purpose follows the colon
    assert not vague


def test_the_readme_and_the_guide_say_the_records_repository_must_be_private() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "**The records repository must be private**" in readme
    assert "**The published site is the only public output.**" in readme
    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    assert "**记录仓库必须是私有仓库。**" in guide and "**仓库必须是私有的**" in guide
    for text in (readme, guide):
        for where in ("Gitea", "GitLab", "Pages", "_site/"):
            assert where in text, where
    assert "门户" in guide and "对象存储" in guide
    assert "portal" in readme and "object storage" in readme


def test_the_guide_explains_branch_protection() -> None:
    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    section = guide[guide.index("## 九、保护主分支"):]
    for setting in ("Require a pull request before merging", "Require approvals",
                    "Require review from Code Owners", "Require status checks to pass",
                    "**检查记录**", "CODEOWNERS", "force push"):
        assert setting in section, setting
