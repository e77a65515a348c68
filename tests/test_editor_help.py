"""Editor help: JSON Schemas generated from the kind declarations, wired for VS Code, and
agreeing with what the loader accepts."""
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator.records.jsonschema import editor_globs, schema_files
from generator.records.kinds import KINDS
from generator.records.yamlread import read_yaml
from tests.records_tree import run_ssj

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "records" / ".schemas"
_INT = re.compile(r"[-+]?[0-9]+")


def as_editor_sees(node: yaml.Node):  # type: ignore[no-untyped-def]
    """A YAML node read with YAML 1.2 core rules, as the YAML language server reads it."""
    if isinstance(node, yaml.MappingNode):
        return {k.value: as_editor_sees(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [as_editor_sees(v) for v in node.value]
    if node.style is not None:
        return node.value
    if node.value in ("true", "false"):
        return node.value == "true"
    if node.value in ("", "~", "null"):
        return None
    if _INT.fullmatch(node.value):
        return int(node.value)
    return node.value


def validator(kind_name: str) -> jsonschema.Draft7Validator:
    schema = json.loads((SCHEMAS / f"{kind_name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_committed_schemas_are_current():
    assert {p.name for p in SCHEMAS.glob("*.json")} == set(schema_files())
    for name, data in schema_files().items():
        assert (SCHEMAS / name).read_bytes() == data, f"run: ssj schema json ({name})"
    run = run_ssj(ROOT, "schema", "json", "--check")
    assert run.exit_code == 0, run.output


def test_vscode_settings_wire_every_schema():
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"] == editor_globs()
    for schema_path, glob in editor_globs().items():
        assert (ROOT / schema_path).is_file()
        assert list(ROOT.glob(glob)), glob


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_every_bundled_record_validates(kind):
    check = validator(kind.name)
    files = ([ROOT / "records" / f"{kind.folder}.yaml"] if kind.singleton
             else sorted((ROOT / "records" / kind.folder).glob("*.yaml")))
    assert files
    for path in files:
        errors = list(check.iter_errors(as_editor_sees(read_yaml(path.read_bytes()))))
        assert errors == [], f"{path}: {errors[0].message}"


@pytest.mark.parametrize("text, complaint", [
    ('id: "x"\nname: 示例所\nsector: lawfirm\naddress: 某地\nstatus_history:\n'
     '  - {since: 2020-01-01, status: active}\n', "is not one of"),
    ('id: "x"\nname: 示例所\nsector: law-firm\naddress: 某地\nstatus_history: []\n', "non-empty"),
    ('id: "x"\nname: 示例所\nsector: law-firm\naddress: 某地\nphone: "1"\n'
     'status_history:\n  - {since: 2020-01-01, status: active}\n', "Additional properties"),
    ('id: 0123\nname: 示例所\nsector: law-firm\naddress: 某地\n'
     'status_history:\n  - {since: 2020-01-01, status: active}\n', "is not of type 'string'"),
    ('id: "x"\nsector: law-firm\naddress: 某地\n'
     'status_history:\n  - {since: 2020-01-01, status: active}\n', "'name' is a required property"),
])
def test_a_wrong_record_fails_its_schema(text, complaint):
    errors = list(validator("institution").iter_errors(as_editor_sees(read_yaml(text.encode()))))
    assert errors and any(complaint in e.message for e in errors), [e.message for e in errors]
