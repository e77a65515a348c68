"""libyaml and the pure-Python parser read every input alike: the same nodes with the same lines
and columns, or the same problem. The corpus is the broken, strict and odd inputs of
test_broken_inputs, test_strict_yaml and test_odd_input, the records of this repository and of a
generated county, and generated mutations; and those three test files pass read either way."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable
from unittest import mock

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.records import yamlread
from generator.records.yamlread import YamlProblem, read_yaml
from tests.records_tree import INSTITUTION, run_ssj, valid_tree
from tests.test_broken_inputs import INTEGRITY, LAYOUT, READING, TYPES
from tests.test_odd_input import MUTATIONS, ODD_TEXT, mutate
from tests.test_strict_yaml import LEADING_ZERO_FIRM, LEADING_ZERO_PERSON, firm_with

ROOT = Path(__file__).resolve().parent.parent
CORPUS_TESTS = ["tests/test_broken_inputs.py", "tests/test_strict_yaml.py",
                "tests/test_odd_input.py"]
pytestmark = pytest.mark.skipif(yamlread.CParser is None, reason="PyYAML built without libyaml")

VALID = [text.encode() for text in valid_tree().values()]
# where libyaml on its own reads otherwise than PyYAML: each must come out the same here
DIFFERENCES = ["d: [a?]\n", "d: {a?b}\n", "d: >#x\n", "d: |-# x\n", "d: {a: # c\n }\n",
               "d: [1: \n ]\n", "d: [a, b: ]\n", "a: 1\nb\ufeff: 2\n"]


def broken_files() -> list[bytes]:
    cases = [param.values[0] for param in READING + TYPES + LAYOUT + INTEGRITY]
    return [text if isinstance(text, bytes) else text.encode()
            for case in cases for text in case.files.values() if text is not None]


def strict_files() -> list[bytes]:
    written = ["no", "2024-04-16 10:00:00", "0x1F", "1:20", ".NaN", "'single'", '"double"']
    return [text.encode() for text in (
        LEADING_ZERO_FIRM, LEADING_ZERO_PERSON, *DIFFERENCES,
        *(firm_with(f"responsible_person: {w}\nnotes: {w}") for w in written))]


def odd_files() -> list[bytes]:
    out = [b"\xef\xbb\xbf" + INSTITUTION.encode()]
    for data in VALID:
        out.append(data.replace(b"\n", b"\r\n"))
        for at in (3, 40, 97, 1000):
            out += [mutate(data, how, at, at, "") for how in MUTATIONS if how != "insert"]
            out += [mutate(data, "insert", at, 0, odd) for odd in ODD_TEXT]
    return out


def shape(node: yaml.Node) -> tuple[object, ...]:
    """Everything the loader reads of a node: tag, value, style and where it starts."""
    where = (node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return node.tag, node.value, node.style, where
    if isinstance(node, yaml.MappingNode):
        return node.tag, where, [(shape(k), shape(v)) for k, v in node.value]
    return node.tag, where, [shape(item) for item in node.value]


def outcome(data: bytes) -> tuple[object, ...]:
    try:
        return shape(read_yaml(data))
    except YamlProblem as e:
        return "problem", e.line, e.rule, e.message, e.hint


def assert_read_alike(data: bytes) -> None:
    with mock.patch.dict(os.environ):  # not monkeypatch: hypothesis runs many inputs per test
        os.environ.pop("SSJ_YAML", None)
        fast = outcome(data)
        os.environ["SSJ_YAML"] = "python"
        assert outcome(data) == fast, data


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    out = tmp_path_factory.mktemp("county") / "records"
    assert run_ssj(out.parent, "example", "--scale", "county", "--out", str(out)).exit_code == 0
    return [p.read_bytes() for p in sorted(out.rglob("*.yaml"))]


def repository_records() -> list[bytes]:
    return [p.read_bytes() for p in sorted((ROOT / "records").rglob("*.yaml"))]


@pytest.mark.parametrize("corpus", [broken_files, strict_files, odd_files, repository_records],
                         ids=lambda corpus: corpus.__name__)
def test_the_corpus_reads_alike(corpus: Callable[[], list[bytes]]) -> None:
    inputs = corpus()
    assert len(inputs) > 5
    for data in inputs:
        assert_read_alike(data)


def test_a_generated_county_reads_alike(county: list[bytes]) -> None:
    assert len(county) > 200
    for data in county:
        assert_read_alike(data)


def test_valid_records_need_no_pure_python(county: list[bytes],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken: every valid record reads with the pure-Python loader gone."""
    monkeypatch.delenv("SSJ_YAML", raising=False)
    monkeypatch.setattr(yamlread, "_PyLoader", None)
    for data in VALID + county + repository_records():
        read_yaml(data)


TOKENS = ["[", "]", "{", "}", ": ", ":", "- ", "? ", "?", "'", '"', " #", "#", "&a ", "*a", "!a ",
          "|", ">-", "|2", ",", "\\", "\n", "\r\n", "  ", "\n  ", "\n- ", "---\n", "...\n",
          "%YAML 1.1\n", "\ufeff", "\u3000", "\x85", "\x00", "x" * 1030]


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(file=st.sampled_from(VALID),
       edits=st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(TOKENS)), min_size=1,
                      max_size=4))
def test_mutated_records_read_alike(file: bytes, edits: list[tuple[int, str]]) -> None:
    for at, token in edits:
        at %= len(file) + 1
        file = file[:at] + token.encode() + file[at:]
    assert_read_alike(file)


def test_the_corpus_tests_pass_with_pure_python() -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                           *CORPUS_TESTS], cwd=ROOT, env={**os.environ, "SSJ_YAML": "python"},
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
