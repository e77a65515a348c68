"""Strict YAML reading: bytes in, a node tree with line numbers out, nothing interpreted.

YAML 1.1 guesses types (`0123` -> 83, `no` -> False, `2024-04-16` -> a date). We never let it:
scalars stay text here and the declared field type alone decides what a value means (load.py).
Anchors, aliases, explicit tags, several documents, tabs, invalid UTF-8, empty and oversized files
are refused with the line they occur on.
"""
from __future__ import annotations

import os
import re

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, ScalarEvent
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from generator.records.yamlhints import at as _at, explain

try:
    from yaml._yaml import CParser  # libyaml: the same events, several times faster
except ImportError:
    CParser = None

MAX_BYTES = 256 * 1024  # a record is a page of text; anything larger is a mistake
MAX_DEPTH = 32  # records nest a few levels; deeper input would only exhaust the composer's stack
# YAML counts these as line breaks and editors do not, so every later line number would be off
_ODD_BREAKS = ("\x85", "\u2028", "\u2029")


class YamlProblem(Exception):
    """A file that cannot be read as a strict YAML record."""

    def __init__(self, line: int, rule: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.rule = rule
        self.message = message
        self.hint = hint


class _Strict(Composer):
    """PyYAML's Composer with every node checked; composes from either parser's events."""

    depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent):
            raise YamlProblem(line, "load.alias", f"不允许使用别名 *{event.anchor}",
                              "把内容直接写出来，每条记录自成一体")
        if event.anchor is not None:
            raise YamlProblem(line, "load.alias", f"不允许使用锚点 &{event.anchor}",
                              "删除锚点，把内容直接写出来")
        if getattr(event, "tag", None) not in (None, "!"):
            raise YamlProblem(line, "load.tag", f"不允许使用类型标签 {event.tag}",
                              "删除标签；字段的类型由记录格式决定")
        if self.depth >= MAX_DEPTH:
            raise YamlProblem(line, "load.too-deep", f"嵌套超过 {MAX_DEPTH} 层",
                              "记录的结构不会这么深，检查括号是否多写")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _PyLoader(Reader, Scanner, Parser, _Strict, BaseResolver):
    """Composes nodes only; BaseResolver applies no implicit type guessing."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        BaseResolver.__init__(self)


# Text the two parsers are known to read differently goes to PyYAML alone: what its Reader
# refuses, a BOM inside the text (columns), "?" (libyaml reads `[a?]` as text), "#" right after a
# block scalar's indicators (libyaml reads `|#` as a comment).
_LIBYAML_DIFFERS = re.compile("|".join((Reader.NON_PRINTABLE.pattern, "[\ufeff?]",
                                         "[|>][-+0-9]*#")))
_CLoader: type | None = None
if CParser is not None:
    class _LibyamlLoader(_Strict, CParser, BaseResolver):
        """libyaml's parser under our Composer: _Strict comes first so that Composer's
        get_single_node, not libyaml's own composer, builds the nodes."""

        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            Composer.__init__(self)
            BaseResolver.__init__(self)

        def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
            event = self.peek_event()
            if (isinstance(event, ScalarEvent) and not event.value and not event.style
                    and parent is not None and parent.flow_style):
                # an empty value in braces or brackets: libyaml marks it where the next token
                # starts, PyYAML where the colon ends
                raise yaml.YAMLError("left to PyYAML")
            node = super().compose_node(parent, index)
            if isinstance(node, yaml.ScalarNode):
                node.style = node.style or None  # libyaml calls plain style "", PyYAML None
            return node

    _CLoader = _LibyamlLoader


def _single_node(loader_class: type, text: str) -> yaml.Node | None:
    loader = loader_class(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _libyaml_node(text: str) -> yaml.Node | None:
    """The node libyaml reads, or None for the pure-Python loader to read `text` (again): then
    every error reported is that loader's, whichever parser is installed. SSJ_YAML=python
    skips libyaml (the tests run both)."""
    if _CLoader is None or os.environ.get("SSJ_YAML") == "python" or _LIBYAML_DIFFERS.search(text):
        return None
    try:
        return _single_node(_CLoader, text)
    except (yaml.YAMLError, YamlProblem):
        return None


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_yaml(data: bytes) -> yaml.Node:
    """Parse one YAML document strictly; raises YamlProblem with the offending line."""
    if len(data) > MAX_BYTES:
        raise YamlProblem(1, "load.too-large",
                          f"文件过大（{len(data)} 字节，上限 {MAX_BYTES} 字节）",
                          "一个文件只写一条记录")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise YamlProblem(_line_at(data, e.start), "load.encoding",
                          f"不是有效的 UTF-8 编码（第 {e.start + 1} 字节）",
                          "用 UTF-8 编码另存该文件") from None
    text = text.removeprefix("\ufeff")
    tab = text.find("\t")
    if tab >= 0:
        line_start = text.rfind("\n", 0, tab) + 1
        where = _at(text.count("\n", 0, tab) + 1, tab - line_start + 1)
        if not text[line_start:tab].strip(" \u3000-"):
            raise YamlProblem(text.count("\n", 0, tab) + 1, "load.tab",
                              f"{where}：缩进用了制表符（Tab）",
                              "把 Tab 换成空格：同一层的字段用相同个数的空格左端对齐")
        raise YamlProblem(text.count("\n", 0, tab) + 1, "load.tab", f"{where}：含有制表符（Tab）",
                          "用空格缩进和分隔，不要用 Tab")
    for odd in _ODD_BREAKS:
        at = text.find(odd)
        if at >= 0:
            raise YamlProblem(text.count("\n", 0, at) + 1, "load.encoding",
                              f"含有特殊换行字符 U+{ord(odd):04X}", "删除该字符，换行只用回车键")
    node = _libyaml_node(text)
    try:
        if node is None:
            node = _single_node(_PyLoader, text)
    except yaml.MarkedYAMLError as e:
        what = " ".join(x for x in (e.context, e.problem) if x)
        if "expected a single document" in what:
            mark = e.problem_mark or e.context_mark
            raise YamlProblem(mark.line + 1 if mark else 1, "load.multiple-documents",
                              "一个文件只能有一个文档",
                              "删除 --- 分隔的其他文档，每条记录一个文件") from None
        # PyYAML notices a mistake where it stops making sense of the text, in English: name
        # the line and column where the mistake is, in Chinese, with the fix
        found = explain(text, e)
        raise YamlProblem(found.line, "load.syntax", found.message, found.hint) from None
    except yaml.YAMLError as e:  # reader errors: non-printable characters
        position = getattr(e, "position", 0) or 0
        raise YamlProblem(text.count("\n", 0, position) + 1, "load.syntax",
                          "含有不可打印的控制字符", "删除该字符") from None
    if node is None or (isinstance(node, yaml.ScalarNode) and node.style is None
                        and node.value == ""):
        raise YamlProblem(1, "load.empty", "文件为空", "写入记录内容，或删除该文件")
    return node
