"""Decap CMS's configuration is generated from the kinds' declarations: one collection per kind,
each field in declaration order with its Chinese label and hint, `required` as declared, choices
with their Chinese labels, relations for references, date pickers saving YYYY-MM-DD."""
from __future__ import annotations

from typing import Any

import pytest
import yaml

from generator.editor.config import LOCALE, config_yaml, decap_config, label_and_hint
from generator.editor.forge import FORGES, editor_files, forge_backend
from generator.editor.serve import DECAP_JS
from generator.records.kinds import KINDS, KINDS_BY_NAME
from generator.records.types import Bool, Date, Enum, Int, ListOf, Obj, Ref, Str, Text

BACKEND = {"name": "ssj-proxy", "proxy_url": "http://127.0.0.1:1/api/v1", "branch": "main"}


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return decap_config(BACKEND)


def by_name(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in config["collections"]}


def fields_of(collection: dict[str, Any]) -> list[dict[str, Any]]:
    return collection["files"][0]["fields"] if "files" in collection else collection["fields"]


def test_settings(config: dict[str, Any]) -> None:
    assert config["backend"] == BACKEND
    assert config["publish_mode"] == "editorial_workflow"
    assert config["locale"] == LOCALE == "zh_Hans"


def test_one_collection_per_kind(config: dict[str, Any]) -> None:
    collections = by_name(config)
    assert list(collections) == [k.folder for k in KINDS]
    for kind in KINDS:
        c = collections[kind.folder]
        assert c["label"] == kind.title and c["description"] == kind.help
        if kind.singleton:
            assert c["files"][0]["file"] == f"records/{kind.folder}.yaml"
            continue
        assert (c["folder"], c["extension"], c["format"]) == (f"records/{kind.folder}", "yaml",
                                                               "yaml")
        assert c["slug"] == "{{fields.id}}" and c["create"] is True and c["delete"] is False


def check_fields(declared: Obj, widgets: list[dict[str, Any]], optional_parent: bool) -> int:
    """Every declared field in order with its widget; returns how many were checked."""
    assert [w["name"] for w in widgets] == [f.name for f in declared.fields]
    checked = 0
    for field, w in zip(declared.fields, widgets):
        label, hint = label_and_hint(field)
        assert w["label"] == label and field.help.startswith(label)
        assert w.get("hint", "").startswith(hint)
        assert w["required"] is (field.required and not optional_parent), field.name
        ftype, inner_optional = field.type, optional_parent or not field.required
        checked += 1
        if isinstance(ftype, ListOf):
            item = ftype.item
            assert w.get("min", 0) == ftype.min_items
            if isinstance(item, Obj):
                assert w["widget"] == "list"
                checked += check_fields(item, w["fields"], False)
            elif isinstance(item, (Ref, Enum)):
                assert w["multiple"] is True
            continue
        if isinstance(ftype, Obj):
            assert w["widget"] == "object"
            checked += check_fields(ftype, w["fields"], inner_optional)
        elif isinstance(ftype, Enum):
            assert w["widget"] == "select"
            assert w["options"] == [{"label": v, "value": k} for k, v in ftype.choices.items()]
        elif isinstance(ftype, Ref) and len(ftype.kinds) == 1:
            assert w["widget"] == "relation"
            target = ftype.kinds[0]
            if target == "department":
                assert (w["collection"], w["value_field"]) == ("jurisdiction", "departments.*.id")
            else:
                assert (w["collection"], w["value_field"]) == (KINDS_BY_NAME[target].folder, "id")
        elif isinstance(ftype, Ref):
            assert w["widget"] == "string" and w["pattern"][0].startswith("^")
        elif isinstance(ftype, Date):
            assert (w["widget"], w["format"], w["time_format"]) == ("datetime", "YYYY-MM-DD",
                                                                    False)
        elif isinstance(ftype, Int):
            assert w["widget"] == "number" and w["value_type"] == "int"
            assert (w.get("min"), w.get("max")) == (ftype.minimum, ftype.maximum)
        elif isinstance(ftype, Bool):
            assert w["widget"] == "boolean"
        else:
            assert isinstance(ftype, Str)
            assert w["widget"] == ("text" if isinstance(ftype, Text) else "string")
            if ftype.pattern:
                assert w["pattern"][0] == f"^(?:{ftype.pattern})$"
    return checked


def test_fields_follow_the_declarations(config: dict[str, Any]) -> None:
    collections = by_name(config)
    total = sum(check_fields(kind.schema, fields_of(collections[kind.folder]), False)
                for kind in KINDS)
    assert total > 200


def test_examples_staff_meet(config: dict[str, Any]) -> None:
    finding = {f["name"]: f for f in fields_of(by_name(config)["findings"])}
    assert finding["plan"]["collection"] == "plans"
    assert finding["plan"]["display_fields"] == ["title", "id"]
    assert finding["inspectors"]["collection"] == "inspectors"
    assert finding["outcome"]["options"][0] == {"label": "未发现问题", "value": "compliant"}
    assert finding["method"]["label"] == "抽查方式"
    # an optional object's required fields are left to ssj check (Decap would demand them even
    # when the object is left out)
    targeted = {f["name"]: f for f in finding["targeted"]["fields"]}
    assert finding["targeted"]["required"] is False and targeted["ground"]["required"] is False
    assert targeted["ground"]["hint"] == "依据情形（填写“非随机检查的依据”时必填）"
    assert finding["targeted"]["collapsed"] is True and finding["inspected"]["collapsed"] is False
    institution = {f["name"]: f for f in fields_of(by_name(config)["institutions"])}
    assert institution["contact_phone"]["label"] == "联系电话"
    assert "不公开" in institution["contact_phone"]["hint"]
    assert institution["status_history"]["min"] == 1


def test_output_is_deterministic_yaml(config: dict[str, Any]) -> None:
    text = config_yaml(config)
    assert text == config_yaml(decap_config(dict(BACKEND)))
    assert yaml.safe_load(text) == config


@pytest.mark.parametrize("forge", FORGES)
def test_forge_editor(forge: str) -> None:
    backend = forge_backend(forge)
    assert backend["name"].startswith("ssj-") and backend["repo"] == "OWNER/REPO"
    if forge == "gitlab":
        assert backend["auth_type"] == "pkce"
    files = editor_files(forge)
    assert files["editor/decap-cms.js"] == DECAP_JS.read_bytes()
    written = yaml.safe_load(files["editor/config.yml"])
    assert written["backend"] == backend and written["publish_mode"] == "editorial_workflow"
    assert "OAuth" in files["editor/README.md"].decode()
