"""`ssj check` on sound records: exit 0, a one-line summary, every output format."""
import json

from tests.records_tree import check_tree, valid_tree


def test_minimal_tree_passes(tmp_path):
    run = check_tree(tmp_path, valid_tree())
    assert run.exit_code == 0, run.output
    assert run.output.count("\n") == 1
    assert "ssj check 通过" in run.output
    assert "法律服务机构 1" in run.output and "错误 0" in run.output


def test_json_format(tmp_path):
    run = check_tree(tmp_path, valid_tree(), "--format", "json")
    data = json.loads(run.output)
    assert run.exit_code == 0
    assert data["summary"]["ok"] is True
    assert data["summary"]["records"]["finding"] == 1
    assert data["problems"] == []
