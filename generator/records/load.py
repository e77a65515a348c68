"""Load records/ into the validated model: every file read strictly, every value typed by its
declared field, every problem reported with file, line and field."""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import gc
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from generator.records.kinds import KINDS_BY_FOLDER, KINDS_BY_NAME, JURISDICTION, Kind
from generator.records.jsonread import read_json
from generator.records.model import Draw, DrawFile, Fields, Record, Records
from generator.records.nearest import Nearest
from generator.records.parsecache import ParseCache, open_cache
from generator.records.problems import ERROR, Problem
from generator.records.types import (
    ID_PATTERN,
    Bool,
    Date,
    Enum,
    FieldType,
    Int,
    ListOf,
    Obj,
    Ref,
    Str,
    Text,
    forbidden_character,
)
from generator.records.yamlhints import at, full_width_colon, full_width_space, missing_space
from generator.records.yamlread import YamlProblem, read_yaml

_NULLS = ("", "~", "null", "Null", "NULL")
_INT = re.compile(r"-?(0|[1-9][0-9]*)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MISSING = object()
_IGNORED_NAMES = {"README.md", ".gitkeep"}
DRAWS_FOLDER = "draws"
DRAW_FILES = ("package.json", "commitment.txt", "values.json", "result.json")
_ROUND_FILE = re.compile(r"drand-(quicknet|default)-[1-9][0-9]*\.json")
# RFC 3161 tokens, one per pinned authority; DER, so kept as bytes and read by the draw checks
STAMP_FILE = re.compile(rf"timestamp-({ID_PATTERN})\.tsr")
# a witness's record of first seeing the commitment: its run file and its authorities' tokens
WITNESS_FOLDER = re.compile(rf"witness-({ID_PATTERN})")
WITNESS_RUN = "run.json"
_DRAW_FILES_HELP = ("抽取目录只含 " + "、".join(DRAW_FILES)
                    + "、drand-<链>-<轮次>.json、timestamp-<时间戳机构>.tsr 和见证目录 "
                    "witness-<见证机关>/（ssj draw witness 写入）")
_WITNESS_FILES_HELP = (f"见证目录只含 {WITNESS_RUN} 和 timestamp-<时间戳机构>.tsr，"
                       "由 ssj draw witness 从见证机关的网站取得")
_FORBIDDEN_HINT = "删除该字符（编辑器中多半看不见，常由复制粘贴或 \\u 转义带入）"


def display_path(path: os.PathLike[str]) -> str:
    """Paths as staff and CI see them: relative to the working directory when inside it."""
    rel = os.path.relpath(path)
    return Path(path).as_posix() if rel.startswith("..") else Path(rel).as_posix()


class _Converter:
    """Turns one file's node tree into typed values, collecting problems and field lines."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}

    def problem(self, node: yaml.Node, path: str, rule: str, message: str, hint: str = "",
                line: int | None = None) -> None:
        field = f"字段 {path}：" if path else ""
        self.problems.append(Problem(self.file, line or node.start_mark.line + 1, rule,
                                     field + message, hint, ERROR, path))

    def syntax(self, node: yaml.Node, path: str, message: str, hint: str) -> None:
        """A mistake of writing, found where YAML read the text otherwise than meant: told as
        the reader tells it (the message names line and column), for the field at `path`."""
        self.problems.append(Problem(self.file, node.start_mark.line + 1, "load.syntax",
                                     message, hint, ERROR, path))

    def convert(self, node: yaml.Node, ftype: FieldType, path: str) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(ftype, Obj):
            return self._obj(node, ftype, path)
        if isinstance(ftype, ListOf):
            return self._list(node, ftype, path)
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, path, "load.type", f"应为{ftype.describe()}，而不是列表或对象")
            return _MISSING
        plain = node.style is None
        text = node.value
        if plain and text in _NULLS:
            return None
        if isinstance(ftype, Int):
            return self._int(node, ftype, path, text, plain)
        if isinstance(ftype, Bool):
            if plain and text in ("true", "false"):
                return text == "true"
            self.problem(node, path, "load.type", f"应为 true 或 false，而不是 {text!r}",
                         "yes、no、on、off 等写法容易误读，只用 true 或 false")
            return _MISSING
        if isinstance(ftype, Date):
            return self._date(node, path, text)
        return self._text(node, ftype, path, text)

    def _int(self, node: yaml.Node, ftype: Int, path: str, text: str, plain: bool) -> Any:
        if len(text) > 16:  # ids and counts are small; canonical JSON stops at 2^53 anyway
            self.problem(node, path, "load.range", f"整数位数过多（{len(text)} 位）")
            return _MISSING
        if not plain or not _INT.fullmatch(text):
            hint = "去掉开头的 0" if re.fullmatch(r"-?0[0-9]+", text) else "写不加引号的十进制整数"
            self.problem(node, path, "load.type", f"应为整数，而不是 {text!r}", hint)
            return _MISSING
        value = int(text)
        if (ftype.minimum is not None and value < ftype.minimum) or (
                ftype.maximum is not None and value > ftype.maximum):
            self.problem(node, path, "load.range", f"{value} 超出范围（{ftype.describe()}）")
            return _MISSING
        return value

    def _date(self, node: yaml.Node, path: str, text: str) -> Any:
        if not _DATE.fullmatch(text):
            self.problem(node, path, "load.date", f"应为日期 YYYY-MM-DD，而不是 {text!r}",
                         "例如 2024-04-16")
            return _MISSING
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.problem(node, path, "load.date", f"{text} 不是存在的日期")
            return _MISSING

    def _text(self, node: yaml.Node, ftype: FieldType, path: str, text: str) -> Any:
        forbidden = forbidden_character(text)
        if forbidden is not None:
            self.problem(node, path, forbidden.rule, forbidden.message, _FORBIDDEN_HINT,
                         _line_of(node, forbidden.index))
            return _MISSING
        if not text.strip():
            self.problem(node, path, "load.empty-value", "值为空", "填写内容，或删除该字段")
            return _MISSING
        if not isinstance(ftype, Text) and "\n" in text:
            self.problem(node, path, "load.type", "应为单行文本")
            return _MISSING
        if not unicodedata.is_normalized("NFC", text):
            self.problem(node, path, "load.unicode", "文字未经 Unicode NFC 规范化",
                         "重新输入该文字，或用编辑器转换为 NFC")
            return _MISSING
        if isinstance(ftype, Enum):
            if text not in ftype.choices:
                self.problem(node, path, "load.enum", *_enum_problem(ftype, text))
                return _MISSING
            return text
        if isinstance(ftype, Ref):
            if not _REF_FORMAT.matches(text) and len(text) <= _REF_FORMAT.max_length:
                # most often a name typed where the id belongs: _load_records adds the ids meant
                kinds = "或".join(KINDS_BY_NAME[k].title if k in KINDS_BY_NAME else "股室"
                                 for k in ftype.kinds)
                self.problem(node, path, "load.format",
                             f"{text!r} 不是编号：这里写所指{kinds}的编号（id），不写名称")
                return _MISSING
            ftype = _REF_FORMAT
        assert isinstance(ftype, Str)
        if len(text) > ftype.max_length:
            self.problem(node, path, "load.too-long", f"超过 {ftype.max_length} 个字符")
            return _MISSING
        if not ftype.matches(text):
            self.problem(node, path, "load.format",
                         f"{text!r} 格式不对，应为{ftype.pattern_help or ftype.pattern}")
            return _MISSING
        return text

    def _list(self, node: yaml.Node, ftype: ListOf, path: str) -> Any:
        if isinstance(node, yaml.ScalarNode) and node.style is None and node.value in _NULLS:
            return None  # written but left empty: the same as leaving the field out
        if isinstance(node, yaml.MappingNode):
            self.problem(node, path, "load.type",
                         f"{_where(node)}起写成了“字段名: 值”，这里应为列表（每项以 - 开头）",
                         "每一项另起一行，以“- ”开头：一项有几个字段时，只在第一个字段前加“- ”，"
                         "其余字段与它对齐")
            return _MISSING
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, path, "load.type", "应为列表（每项以 - 开头）",
                         f"另起一行写“- {node.value}”（缩进），或写成 [{node.value}]"
                         if isinstance(node, yaml.ScalarNode) and "\n" not in node.value else "")
            return _MISSING
        values = []
        for i, item in enumerate(node.value, start=1):
            value = self.convert(item, ftype.item, f"{path}[{i}]")
            if value is None:
                self.problem(item, f"{path}[{i}]", "load.empty-value", "列表项为空",
                             "填写内容，或删除这一项")
                value = _MISSING
            values.append(value)
        if len(values) < ftype.min_items:
            self.problem(node, path, "load.required", f"至少需要 {ftype.min_items} 项")
            return _MISSING
        if any(v is _MISSING for v in values):
            return _MISSING
        return tuple(values)

    def _obj(self, node: yaml.Node, ftype: Obj, path: str) -> Any:
        if isinstance(node, yaml.SequenceNode):
            self.problem(node, path, "load.type",
                         f"{_where(node)}起写成了以 - 开头的列表，这里应为“字段名: 值”的组合",
                         "删除“- ”，各字段左端对齐")
            return _MISSING
        if not isinstance(node, yaml.MappingNode):
            mistake = _typed_mistake(node)
            if mistake:
                self.syntax(node, path, *mistake)
            else:
                self.problem(node, path, "load.type", "应为对象（“字段: 值”的组合）")
            return _MISSING
        prefix = f"{path}." if path else ""
        seen: dict[str, yaml.Node] = {}
        failed: set[str] = set()
        values: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.style is not None:
                self.problem(key_node, path, "load.key", "字段名应为不加引号的文字")
                failed.add("")
                continue
            key = key_node.value
            forbidden = forbidden_character(key)
            if forbidden is not None:
                self.problem(key_node, path, forbidden.rule, "字段名" + forbidden.message,
                             _FORBIDDEN_HINT)
                failed.add("")
                continue
            if key in seen:
                first, again = seen[key].start_mark.line + 1, key_node.start_mark.line + 1
                self.problem(key_node, prefix + key, "load.duplicate-key",
                             f"第 {first} 行已经写过，第 {again} 行又写了一次",
                             f"删除其中一个（第 {first} 行或第 {again} 行）：同一字段只写一次")
                failed.add(key)
                continue
            seen[key] = key_node
            field = ftype.field_named(key)
            if field is None and key.startswith("\u3000"):
                self.syntax(key_node, prefix + key.strip("\u3000"),
                            *full_width_space(key_node.start_mark.line + 1,
                                              key_node.start_mark.column + 1))
                failed.update((key, key.strip("\u3000")))  # not also "missing"
                continue
            if field is None:
                names = [f.name for f in ftype.fields]
                close = difflib.get_close_matches(key, names, n=1)
                hint = f"是否想写 {close[0]}？" if close else "可用字段：" + "、".join(names)
                self.problem(key_node, prefix + key, "load.unknown-key", "不是此类记录的字段", hint)
                failed.add(key)
                continue
            value = self.convert(value_node, field.type, prefix + key)
            self.lines[prefix + key] = key_node.start_mark.line + 1
            if value is _MISSING:
                failed.add(key)
            elif value is not None:
                values[key] = value
        for field in ftype.fields:
            if field.name in values or field.name in failed:
                continue
            if field.required:
                where = seen.get(field.name, node)
                what = "必填字段为空" if field.name in seen else "缺少必填字段"
                self.problem(where, prefix + field.name, "load.required", f"{what}（{field.help}）")
                failed.add(field.name)
            else:
                values[field.name] = () if isinstance(field.type, ListOf) else None
        ok = not failed
        return Fields(values) if ok else _MISSING


def _where(node: yaml.Node) -> str:
    return at(node.start_mark.line + 1, node.start_mark.column + 1)


def _enum_problem(ftype: Enum, text: str) -> tuple[str, str]:
    """The message and hint for a value that is not one of the codes: the codes with their
    labels, and the code meant when the value is (close to) a label or a code."""
    def shown(code: str) -> str:
        return f"{code}（{ftype.choices[code]}）"

    labelled = {label: code for code, label in ftype.choices.items()}
    allowed = "、".join(shown(code) for code in ftype.choices)
    if text in labelled:
        return (f"{text!r} 是选项的中文名称，文件中要写它的代码（可选：{allowed}）",
                f"写作 {shown(labelled[text])}：文件中保存代码")
    close = difflib.get_close_matches(text, list(ftype.choices), n=1)
    near_label = difflib.get_close_matches(text, list(labelled), n=1)
    meant = close[0] if close else labelled[near_label[0]] if near_label else None
    return f"{text!r} 不是允许的值（可选：{allowed}）", f"是否想写 {shown(meant)}？" if meant else ""


def _typed_mistake(node: yaml.Node) -> tuple[str, str] | None:
    """The full-width colon or missing space that made YAML read “key：value” or “key:value”
    as one value where a “字段: 值” group was expected; None if it is not that."""
    if not isinstance(node, yaml.ScalarNode) or node.style is not None or "\n" in node.value:
        return None
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    typed = re.match(r"([A-Za-z_][A-Za-z0-9_]*)[ \u3000]*(：|:(?=[^ /]))", node.value)
    if typed and typed[2] == "：":
        return full_width_colon(line, column + typed.start(2), typed[1])
    if typed:
        return missing_space(line, column + typed.start(2), typed[1])
    return None


def _line_of(node: yaml.Node, index: int) -> int:
    """The line of the value's character at `index`: exact in a literal block (`|`), which keeps
    every line break; elsewhere YAML folds lines into spaces, so the line the value starts on."""
    if node.style == "|":
        return node.start_mark.line + 2 + node.value.count("\n", 0, index)
    return node.start_mark.line + 1


_REF_FORMAT = Str(pattern=r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}", pattern_help="记录编号")


def load_record(path: Path | os.DirEntry[str], kind: Kind, cache: ParseCache | None = None,
                file: str | None = None) -> tuple[Record | None, str | None, list[Problem]]:
    """Read one record file, named `file` (by default its display_path), from `cache` if there.
    Returns the record (None if broken), the id it declares, problems."""
    file = file or display_path(path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return None, None, [Problem(file, 1, "load.io", f"无法读取：{e.strerror}")]
    if cache is None:
        return parse_record(data, file, kind)
    key = cache.key(kind.name, path.name, data)
    parsed = cache.get(key, file)
    if parsed is None:
        parsed = parse_record(data, file, kind)
        cache.put(key, parsed)
        record, declared, found = parsed
        if record is not None:
            parsed = dataclasses.replace(record, digest=key), declared, found
    return parsed


def parse_record(data: bytes, file: str, kind: Kind) -> tuple[Record | None, str | None,
                                                                list[Problem]]:
    """A record from its bytes (a file on disk, or a file at an earlier git revision)."""
    path = Path(file)
    try:
        node = read_yaml(data)
    except YamlProblem as e:
        # the id cannot be read: the file name is the id (checked for readable files)
        return None, path.stem, [Problem(file, e.line, e.rule, e.message, e.hint)]
    conv = _Converter(file)
    if not isinstance(node, yaml.MappingNode):
        conv.problem(node, "", "load.type", f"文件应为一条{kind.title}记录（“字段: 值”的组合）")
        return None, None, conv.problems
    declared_id = _declared_id(node) or path.stem
    fields = conv.convert(node, kind.schema, "")
    conv.lines[""] = 1
    if fields is _MISSING or conv.problems:
        return None, declared_id, conv.problems
    record_id = fields.get("id", kind.name)
    return Record(kind.name, record_id, file, fields, conv.lines), record_id, []


def _declared_id(node: yaml.MappingNode) -> str | None:
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "id" and isinstance(
                value, yaml.ScalarNode):
            return value.value
    return None


def load_records(root: Path) -> tuple[Records, list[Problem]]:
    """Load every record under `root` (the records/ folder)."""
    collecting = gc.isenabled()
    # millions of new objects and no reference cycles: the cyclic collector, run again and
    # again over them as they accumulate, would take a third of a warm load
    gc.disable()
    try:
        return _load_records(root)
    finally:
        if collecting:
            gc.enable()


def _load_records(root: Path) -> tuple[Records, list[Problem]]:
    problems: list[Problem] = []
    records: list[Record] = []
    broken: set[str] = set()
    jurisdiction = None
    cache = open_cache(root)

    misnamed: list[tuple[int, Path | os.DirEntry[str], Kind]] = []

    def add(path: Path | os.DirEntry[str], kind: Kind, file: str | None = None) -> Record | None:
        record, declared, found = load_record(path, kind, cache, file)
        misnamed.extend((len(problems) + i, path, kind) for i, p in enumerate(found)
                        if p.rule == "load.format" and isinstance(_type_at(kind.schema, p.field),
                                                                   Ref))
        problems.extend(found)
        if record is not None:
            records.append(record)
        elif declared:
            broken.add(declared)
        return record

    jpath = root / f"{JURISDICTION.folder}.yaml"
    if jpath.is_symlink():
        problems.append(_linked(jpath))
    elif jpath.is_file():
        jurisdiction = add(jpath, JURISDICTION)
        if jurisdiction is not None:
            records.remove(jurisdiction)
    else:
        problems.append(Problem(display_path(jpath), 1, "load.missing-file",
                                "缺少本局信息文件 jurisdiction.yaml",
                                "参照 records/README.md 创建"))
    draws: list[Draw] = []
    for entry in _listed(root):
        if entry.name == jpath.name:
            continue
        if entry.is_symlink():
            problems.append(_linked(entry))
            continue
        if entry.name == DRAWS_FOLDER and entry.is_dir():
            draws, found = load_draws(Path(entry), cache)
            problems.extend(found)
            continue
        kind = KINDS_BY_FOLDER.get(entry.name) if entry.is_dir() else None
        if kind is None:
            problems.append(_stray(entry, "不是记录目录或文件",
                                   "记录目录有：" + "、".join(KINDS_BY_FOLDER)))
            continue
        shown = display_path(entry)  # once per folder: relpath is slow on 66,000 files
        for path in _listed(entry):
            if path.is_symlink():
                problems.append(_linked(path))
                broken.add(Path(path).stem)  # as a broken record: what cites it adds no errors
            elif path.is_file() and path.name.endswith(".yaml"):
                add(path, kind, path.name if shown == "." else f"{shown}/{path.name}")
            elif path.name.endswith(".yml"):
                problems.append(_stray(path, "扩展名应为 .yaml", "把文件改名为 .yaml"))
                broken.add(Path(path).stem)
            else:
                problems.append(_stray(path, f"{kind.folder}/ 中只能放 .yaml 记录文件"))
    if cache is not None:
        cache.save()
    built = Records.build(display_path(root), jurisdiction, records, broken, draws,
                          None if cache is None else cache.read_digest())
    _suggest_references(built, problems, misnamed)
    return built, problems


def _suggest_references(records: Records, problems: list[Problem],
                        misnamed: list[tuple[int, Path | os.DirEntry[str], Kind]]) -> None:
    """Hint at the ids meant where a reference was refused for its form (a name typed where
    the id belongs): the other records are known only once all are loaded. The file is read
    again for the value, which the cached problems do not keep; it failed, so it is rare."""
    nearest = Nearest(records)
    for index, path, kind in misnamed:
        problem = problems[index]
        try:
            with open(path, "rb") as f:
                node = _node_at(read_yaml(f.read()), problem.field)
        except (OSError, YamlProblem):
            continue
        ftype = _type_at(kind.schema, problem.field)
        if isinstance(node, yaml.ScalarNode) and isinstance(ftype, Ref):
            meant = nearest.records(node.value, ftype.kinds)
            if meant:
                problems[index] = dataclasses.replace(problem, hint=f"是否指 {meant}？")


_PATH_PART = re.compile(r"([^.\[\]]+)((?:\[[0-9]+\])*)")


def _path_parts(path: str) -> list[tuple[str, list[int]]]:
    """"scope[1].sector" -> [("scope", [1]), ("sector", [])]."""
    parts = []
    for part in path.split("."):
        found = _PATH_PART.fullmatch(part)
        if not found:
            return []
        parts.append((found[1], [int(i) for i in re.findall(r"[0-9]+", found[2])]))
    return parts


def _type_at(schema: Obj, path: str) -> FieldType | None:
    """The declared type of the field at a problem's path, or None."""
    ftype: FieldType | None = schema
    for name, indexes in _path_parts(path) if path else ():
        field = ftype.field_named(name) if isinstance(ftype, Obj) else None
        ftype = field.type if field else None
        for _ in indexes:
            ftype = ftype.item if isinstance(ftype, ListOf) else None
    return ftype if path else None


def _node_at(node: yaml.Node | None, path: str) -> yaml.Node | None:
    """The node written at a problem's path, or None."""
    for name, indexes in _path_parts(path):
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode)
                     and k.value == name), None)
        for i in indexes:
            node = node.value[i - 1] if isinstance(node, yaml.SequenceNode) and \
                0 < i <= len(node.value) else None
    return node


def load_draws(folder: Path, cache: ParseCache | None = None) -> tuple[list[Draw], list[Problem]]:
    """Read records/draws/<plan>/ folders: the files `ssj draw` writes, strictly parsed."""
    parse_json = read_json if cache is None else cache.read_json
    draws: list[Draw] = []
    problems: list[Problem] = []
    for sub in _listed(folder):
        if sub.is_symlink():
            problems.append(_linked(sub))
            continue
        if not sub.is_dir():
            problems.append(_stray(sub, "draws/ 中只能放以计划编号命名的目录"))
            continue
        files: dict[str, DrawFile] = {}
        broken: set[str] = set()
        entries = [("", path) for path in _listed(sub, ignored=set())]
        while entries:
            prefix, path = entries.pop(0)
            name = prefix + path.name
            if path.is_symlink():
                problems.append(_linked(path))
                broken.add(name)
                continue
            if not prefix and path.is_dir() and WITNESS_FOLDER.fullmatch(path.name):
                entries += [(f"{path.name}/", inner) for inner in _listed(path, ignored=set())]
                continue
            if not path.is_file() or not (
                    (STAMP_FILE.fullmatch(path.name) or path.name == WITNESS_RUN) if prefix
                    else (path.name in DRAW_FILES or _ROUND_FILE.fullmatch(path.name)
                          or STAMP_FILE.fullmatch(path.name))):
                problems.append(_stray(path, "不是抽取工具写出的文件",
                                       _WITNESS_FILES_HELP if prefix else _DRAW_FILES_HELP))
                continue
            raw = Path(path).read_bytes()
            if STAMP_FILE.fullmatch(path.name):
                files[name] = DrawFile(display_path(path), raw, raw)
                continue
            try:
                text = path.name.endswith(".txt")
                data = raw.decode("ascii").strip() if text else parse_json(raw)
            except UnicodeDecodeError:
                problems.append(Problem(display_path(path), 1, "load.encoding", "应为 ASCII 文本"))
                broken.add(name)
                continue
            except YamlProblem as e:
                problems.append(Problem(display_path(path), e.line, e.rule, e.message, e.hint))
                broken.add(name)
                continue
            files[name] = DrawFile(display_path(path), data, raw)
        draws.append(Draw(sub.name, display_path(sub), files, frozenset(broken)))
    return draws, problems


def _listed(folder: os.PathLike[str], ignored: set[str] = _IGNORED_NAMES) -> list[os.DirEntry[str]]:
    """The folder's entries in name order, leaving out hidden files and the ignored names.
    Directory entries know whether they are links, files or folders without asking the disk
    again, which counts with 66,000 records."""
    with os.scandir(folder) as entries:
        return sorted((e for e in entries if not e.name.startswith(".") and e.name not in ignored),
                      key=lambda e: e.name)


def _linked(path: os.PathLike[str]) -> Problem:
    # never followed: a link can bring in a file from outside the repository, which no review
    # of the records sees and which may change without a commit
    return Problem(display_path(path), 1, "load.symlink",
                   "是符号链接，记录须是仓库中的普通文件或目录", "把所指的内容本身放进仓库，或删除该链接")


def _stray(path: os.PathLike[str], message: str, hint: str = "") -> Problem:
    return Problem(display_path(path), 1, "load.stray-file", message, hint)
