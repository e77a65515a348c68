"""Field types of the record declarations.

A type only describes a value; the reader in `load.py` turns YAML nodes into values by it, and
the documentation and (later) JSON Schemas describe it from the same object.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple

ID_PATTERN = r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}"

# Characters no text in the records may hold: a reader cannot see them, or they reorder what is
# seen (so one name can display as another), or UTF-8 and XML cannot carry them. Each class says
# what it is in the message and which rule refuses it; the newline is the only control allowed,
# and only where a field may span lines.
_FORBIDDEN_CLASSES = {
    "control": ("控制字符", "load.type", "\x00-\x09\x0b-\x1f\x7f-\x9f"),
    "bidi": ("双向控制字符", "load.unicode", "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"),
    "invisible": ("不可见字符", "load.unicode",
                  "\u00ad\u180e\u200b-\u200d\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb"
                  "\U000e0000-\U000e007f"),
    "noncharacter": ("非字符", "load.unicode", "\ufdd0-\ufdef" + "".join(
        chr(plane + last) for plane in range(0, 0x110000, 0x10000) for last in (0xfffe, 0xffff))),
    "surrogate": ("代理项字符", "load.encoding", "\ud800-\udfff"),
    # refused by yamlread when written out; here when written as the escapes \L and \P
    "break": ("特殊换行字符", "load.unicode", "\u2028\u2029"),
}
_FORBIDDEN = re.compile("|".join(f"(?P<{name}>[{chars}])"
                                 for name, (_, _, chars) in _FORBIDDEN_CLASSES.items()))


class Forbidden(NamedTuple):
    """The first character of a text that no record may hold."""

    index: int
    message: str
    rule: str


def forbidden_character(text: str) -> Forbidden | None:
    """The first forbidden character of `text` (newlines excepted), or None; never strips it."""
    if text.isprintable():  # every forbidden character is a control, format, separator or
        return None  # unassigned one, which isprintable refuses: most text is done here at once
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    what, rule, _ = _FORBIDDEN_CLASSES[found.lastgroup or ""]
    return Forbidden(found.start(), f"含有{what} U+{ord(found.group()):04X}", rule)


class FieldType:
    """Base of all field types."""

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Str(FieldType):
    """A single-line string, kept exactly as written (YAML's 1.1 guesses never apply)."""

    pattern: str | None = None
    pattern_help: str = ""
    max_length: int = 200

    def matches(self, value: str) -> bool:
        return self.pattern is None or re.fullmatch(self.pattern, value) is not None

    def describe(self) -> str:
        return f"文本（{self.pattern_help}）" if self.pattern_help else "文本"


# How a bureau names the ssj it runs (requirements.txt, and jurisdiction.yaml's
# site.ssj_requirement): a commit of an https repository without user or password (a tag or a
# branch can be moved), or a wheel committed to the bureau's repository, by a path with a slash
# (a bare `ssj-1.0-py3-none-any.whl` is also a valid project name on the package index) and the
# sha256 of its bytes, which pip checks before installing (a pull request can swap a wheel).
HTTPS_REPO = r"https://[A-Za-z0-9.-]+(?::[0-9]+)?/[A-Za-z0-9._~/-]+"
PINNED_GIT = rf"ssj ?@ ?git\+{HTTPS_REPO}@[0-9a-f]{{40}}"
_WHEEL_FILE = r"(\./|([A-Za-z0-9_-][A-Za-z0-9._-]*/)+)ssj-[A-Za-z0-9._+-]+\.whl"
WHEEL_PATH = rf"{_WHEEL_FILE} --hash=sha256:[0-9a-f]{{64}}"
PINNED = re.compile(PINNED_GIT)
_WHEEL = re.compile(WHEEL_PATH)


def requirement_problem(requirement: str) -> str | None:
    """Why `requirement` is not a pinned reference to this project, or None if it is one."""
    if "\n" in requirement or "\r" in requirement:
        return "不得含换行：requirements.txt 的每一行都是一项要求"
    if requirement.lstrip().startswith("-"):
        return "不得是 pip 选项：选项能换掉软件包的来源"
    if PINNED.fullmatch(requirement) or _WHEEL.fullmatch(requirement):
        return None
    if "git+" in requirement:
        return "git 地址须为 https（不带账号），并以 @<40 位提交号> 结尾：标签和分支都可以被移动"
    if re.match(_WHEEL_FILE + "( |$)", requirement):
        return ("wheel 文件须带它的哈希：路径 --hash=sha256:<64 位十六进制>"
                "（python -m pip hash 文件 可得），pip 安装前核对，换了文件就不安装")
    return ("须固定到本项目的一个提交，或本仓库中的 wheel 文件（路径含 /）；"
            "只写软件包名或版本号，会从软件包索引装上同名的其他项目")


@dataclass(frozen=True)
class Requirement(Str):
    """A requirements.txt line pinning ssj (the pattern is for editors; the loader asks
    requirement_problem, which `ssj init` applies too)."""

    pattern: str | None = f"{PINNED_GIT}|{WHEEL_PATH}"
    pattern_help: str = ("ssj @ git+https://…@<40 位提交号>，或本仓库中 wheel 文件的路径与哈希"
                         " --hash=sha256:…（与 requirements.txt 中的一行相同）")
    max_length: int = 300

    def matches(self, value: str) -> bool:
        return requirement_problem(value) is None


@dataclass(frozen=True)
class Text(Str):
    """Free text that may span lines (Markdown where the site shows it)."""

    max_length: int = 20000

    def describe(self) -> str:
        return "多行文本"


@dataclass(frozen=True)
class Int(FieldType):
    minimum: int | None = None
    maximum: int | None = None

    def describe(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"整数 {self.minimum}–{self.maximum}"
        if self.minimum is not None:
            return f"整数 ≥ {self.minimum}"
        return "整数"


@dataclass(frozen=True)
class Bool(FieldType):
    def describe(self) -> str:
        return "true 或 false"


@dataclass(frozen=True)
class Date(FieldType):
    def describe(self) -> str:
        return "日期 YYYY-MM-DD"


@dataclass(frozen=True)
class Enum(FieldType):
    """One of a fixed set of codes; each code has its Chinese label for messages and pages."""

    choices: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        return "其一：" + "，".join(f"{k}（{v}）" for k, v in self.choices.items())


@dataclass(frozen=True)
class Ref(FieldType):
    """The id of another record (or of a department of the jurisdiction)."""

    kinds: tuple[str, ...] = ()

    def describe(self) -> str:
        return "编号，指向：" + " 或 ".join(self.kinds)


@dataclass(frozen=True)
class ListOf(FieldType):
    item: FieldType = field(default_factory=Str)
    min_items: int = 0
    # a history (status changes, handling steps, follow-up visits): entries are added at its end
    # as things happen, so the append-only audit lets a published record's history grow
    history: bool = False

    def describe(self) -> str:
        return f"列表，每项为{self.item.describe()}"


@dataclass(frozen=True)
class Obj(FieldType):
    fields: tuple["Field", ...] = ()

    def field_named(self, name: str) -> "Field | None":
        return next((f for f in self.fields if f.name == name), None)

    def describe(self) -> str:
        return "对象"


@dataclass(frozen=True)
class Field:
    """One field of a record kind: declared once, used by the loader, the docs and the allowlist."""

    name: str
    type: FieldType
    help: str
    public: bool
    required: bool = False
    # what `ssj init` writes for a new bureau (and `ssj example` uses); the loader never fills
    # it in: a record states its own values
    default: Any = None
