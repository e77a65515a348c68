"""Declared once: the kinds, the drand chains and the policy's defaults each come from one
declaration, and what the commands offer or write is derived from it."""
from __future__ import annotations

import datetime as dt

import yaml
from click.testing import CliRunner

from generator.authoring.bureau import Bureau, jurisdiction_yaml
from generator.cli import cli
from generator.records.chains import CHAINS
from generator.records.kinds import JURISDICTION, KINDS, SOURCE
from generator.records.types import Field, Obj


def defaults(obj: Obj) -> dict[str, object]:
    out: dict[str, object] = {}
    for f in obj.fields:
        if isinstance(f.type, Obj) and any(isinstance(s, Field) and s.default is not None
                                           for s in f.type.fields):
            out[f.name] = defaults(f.type)
        elif f.default is not None:
            out[f.name] = f.default
    return out


def test_init_writes_the_policy_defaults() -> None:
    policy = JURISDICTION.schema.field_named("policy").type
    wanted = defaults(policy)
    assert wanted["team_size"] == 2 and wanted["risk_weights"]["blacklist"] == 3
    bureau = Bureau("示例县司法局", "示例县", "211300", "ssj @ git+https://example.invalid/ssj.git@"
                    + "0" * 40)
    written = yaml.safe_load(jurisdiction_yaml(bureau, dt.date(2026, 12, 1)))["policy"]
    assert {k: written[k] for k in wanted} == wanted


def test_ssj_new_offers_every_kind_staff_create() -> None:
    shown = "".join(CliRunner().invoke(cli, ["new", "--help"]).output.split())  # unwrapped
    choices = shown[shown.index("{") + 1:shown.index("}")].split("|")
    assert choices == [k.name.replace("_", "-") for k in KINDS if not k.singleton]


def test_the_chains_come_from_one_table() -> None:
    assert list(SOURCE.field_named("chain").type.choices) == list(CHAINS)
    shown = CliRunner().invoke(cli, ["draw", "seed", "drand", "--help"]).output
    assert "[" + "|".join(CHAINS) + "]" in "".join(shown.split())
