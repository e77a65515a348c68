"""records/README.md stays true: its field tables are generated, and its examples pass the format
and integrity checks of `ssj check` (the regulation's rules also want stored draws)."""
import json
import re
from pathlib import Path

from generator.records.reference import BEGIN, END, field_reference_markdown
from tests.records_tree import check_tree

README = Path(__file__).resolve().parent.parent / "records" / "README.md"


def test_field_reference_is_current():
    text = README.read_text(encoding="utf-8")
    embedded = text[text.index(BEGIN):text.index(END) + len(END)] + "\n"
    assert embedded == field_reference_markdown(), "run: ssj schema markdown, and paste it in"


def test_examples_form_a_passing_tree(tmp_path):
    blocks = re.findall(r"```yaml\n# 文件：(\S+)\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    kinds = {path.split("/")[1] for path, _ in blocks}
    assert len(blocks) >= 9 and {"institutions", "plans", "findings", "lists"} <= kinds
    run = check_tree(tmp_path, dict(blocks), "--format", "json")
    problems = json.loads(run.output)["problems"]
    assert [p for p in problems if p["rule"].split(".")[0] in ("load", "integrity")] == []
    assert {p["rule"] for p in problems} <= {"plan.drawn-first", "year.frequency"}
