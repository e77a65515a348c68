"""What went wrong in a file PyYAML could not read, said for the people who keep the records.

PyYAML notices a mistake where it stops making sense of the text, often a line later and always
in English. Once it has refused a file, this module reads the raw lines around that point for the
mistakes staff make (a full-width colon or space typed by the Chinese input method, no space after
a colon, a quote left open, a key out of line) and names the line and column where the mistake
is, with the fix. It only explains a refusal: what valid YAML means is PyYAML's alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

_BREAK = re.compile(r"\r\n|\r|\n")  # YAML's line breaks (U+0085, U+2028, U+2029 are refused)
_INDENT = re.compile(r"[ \u3000]*")
# a key as staff write one: plain text up to a colon, the colon full-width or ASCII
_KEY = re.compile(r"(?P<key>[^\s\-?:：#'\"\[\]{},&*!|>%@`][^:：#]*?)[ \u3000]*(?P<colon>[:：])"
                  r"(?P<after>.?)")
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*[ ]*(#.*)?")
_WINDOW = 3  # a mistake is noticed on its own line or within the next two lines of structure

QUOTES = {'"': "双引号", "'": "单引号"}
FULL_WIDTH_COLON_HINT = "把全角冒号 '：' 改成半角 ':' 并在后面加一个空格"
FULL_WIDTH_SPACE_HINT = "把全角空格换成半角空格（切换到英文输入法再按空格键），同一层的字段左端对齐"
_GENERIC_HINT = "检查缩进、冒号后的空格和引号是否成对"


def at(line: int, column: int) -> str:
    """A position as a clerk reads it: 第 3 行第 5 列 (both counted from 1)."""
    return f"第 {line} 行第 {column} 列"


def full_width_colon(line: int, column: int, key: str) -> tuple[str, str]:
    return (f"{at(line, column)}：字段名 {key} 后面是全角冒号 '：'，YAML 只认半角冒号",
            FULL_WIDTH_COLON_HINT)


def full_width_space(line: int, column: int) -> tuple[str, str]:
    return (f"{at(line, column)}：缩进里有全角空格（U+3000），YAML 只认半角空格",
            FULL_WIDTH_SPACE_HINT)


def missing_space(line: int, column: int, key: str) -> tuple[str, str]:
    return (f"{at(line, column)}：冒号 ':' 后面缺少空格",
            f"在冒号后加一个空格，写成“{key}: 值”")


@dataclass(frozen=True)
class Hint:
    """A mistake found: the line it is on and what to tell staff."""

    line: int
    message: str
    hint: str


@dataclass
class _Line:
    number: int  # from 1
    text: str
    indent: int  # leading spaces, a full-width space counted as one
    dashes: int  # how many "- " open the line
    content: int  # the column (from 0) after the indentation and the dashes
    key: str | None  # the key written on the line, if any
    key_colon: str  # the character after the key
    value_at: int  # the column (from 0) where the value starts
    value: str  # what follows the key's colon and space (or the item, without a key)

    @property
    def opens(self) -> bool:
        """Nothing after the key or the dash: the lines below, indented, belong to it."""
        return not self.value or self.value.startswith("#")


def _parse_line(number: int, text: str) -> _Line:
    indent = len(_INDENT.match(text).group())  # type: ignore[union-attr]
    rest, content, dashes = text[indent:], indent, 0
    while rest == "-" or rest.startswith(("- ", "-\u3000")):
        skipped = len(rest) - len(rest[1:].lstrip(" \u3000"))
        rest, content, dashes = rest[skipped:], content + skipped, dashes + 1
    key, colon, value_at = None, "", content
    found = _KEY.match(rest)
    if found and (found["colon"] == "：" or found["after"] in ("", " ")
                  or _FIELD_NAME.fullmatch(found["key"])):
        key, colon = found["key"], found["colon"]
        after = rest[found.end("colon"):]
        value_at = content + found.end("colon") + len(after) - len(after.lstrip(" "))
    value = text[value_at:].rstrip(" \u3000")
    return _Line(number, text, indent, dashes, content, key, colon, value_at, value)


def _quote_end(text: str, start: int) -> int:
    """Where the quote opened at text[start] closes on its line, or -1."""
    quote, i = text[start], start + 1
    while i < len(text):
        if quote == '"' and text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            if quote == "'" and text[i + 1:i + 2] == "'":
                i += 2
                continue
            return i
        i += 1
    return -1


def _flow_depth(text: str, start: int) -> int:
    """How many brackets opened from text[start] are still open at the end of the line."""
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            end = _quote_end(text, i)
            if end < 0:
                return depth
            i = end
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "#" and text[i - 1:i] in (" ", ""):
            break
        i += 1
    return max(depth, 0)


def structure(text: str) -> tuple[list[_Line], list[Hint]]:
    """The lines that carry the file's structure (no blank lines, comments, block text or the
    inside of multi-line quotes and brackets), and the quotes left open among them."""
    lines: list[_Line] = []
    open_quotes: list[Hint] = []
    quote = ""  # the quote a multi-line quoted value is waiting for
    flow = 0  # brackets still open
    block = -1  # the indentation a block scalar's lines must exceed
    for number, raw in enumerate(_BREAK.split(text), start=1):
        stripped = raw.strip(" \u3000")
        if quote:
            closes = [i for i, ch in enumerate(raw) if ch == quote and _closes(raw, i, quote)]
            if closes:
                quote = ""
                flow = _flow_depth(raw, closes[0] + 1) if flow else 0
            continue
        if block >= 0:
            if not stripped or len(_INDENT.match(raw).group()) > block:  # type: ignore[union-attr]
                continue
            block = -1
        if flow:
            flow = max(flow + _flow_depth(raw, 0), 0)
            continue
        if not stripped or stripped.startswith("#"):
            continue
        line = _parse_line(number, raw)
        lines.append(line)
        start, value = line.value_at, line.value
        if value[:1] in QUOTES:
            end = _quote_end(raw, start)
            if end < 0:
                open_quotes.append(Hint(number, *_unclosed(number, start + 1, value[0])))
                quote = value[0]
        elif value[:1] in "[{":
            flow = _flow_depth(raw, start)
        elif _BLOCK_SCALAR.fullmatch(value):
            block = line.content if line.key is not None else line.indent
    return lines, open_quotes


def _closes(raw: str, i: int, quote: str) -> bool:
    if quote == '"':
        backslashes = len(raw[:i]) - len(raw[:i].rstrip("\\"))
        return backslashes % 2 == 0
    return raw[i + 1:i + 2] != "'" and raw[i - 1:i] != "'"


def _unclosed(line: int, column: int, quote: str) -> tuple[str, str]:
    name = QUOTES[quote]
    inner = "值中本身有双引号时改用单引号包住整个值" if quote == '"' else "值中本身有单引号时写成两个 ''"
    return (f"{at(line, column)}的{name} {quote} 没有配对的结束引号",
            f"在值的末尾补上 {quote}（{inner}）")


def _candidates(lines: list[_Line]) -> list[tuple[int, int, Hint]]:
    """(line, priority, hint) for each mistake the structure shows."""
    found: list[tuple[int, int, Hint]] = []

    def add(line: _Line, priority: int, message: str, hint: str) -> None:
        found.append((line.number, priority, Hint(line.number, message, hint)))

    levels: list[tuple[int, _Line]] = []  # open indentation levels, with a line at each
    previous: _Line | None = None
    for line in lines:
        lead = _INDENT.match(line.text).group()  # type: ignore[union-attr]
        wide = line.text.find("\u3000", 0, line.content)
        if wide >= 0:
            add(line, 1, *full_width_space(line.number, wide + 1))
        if line.key is not None and line.key_colon == "：" and _FIELD_NAME.fullmatch(line.key):
            column = line.text.index("：", line.content) + 1
            add(line, 0, *full_width_colon(line.number, column, line.key))
        elif line.key is not None and line.value and _FIELD_NAME.fullmatch(line.key):
            colon = line.text.index(":", line.content)
            after = line.text[colon + 1:colon + 2]
            if after == "\u3000":
                add(line, 1, f"{at(line.number, colon + 2)}：冒号 ':' 后面是全角空格（U+3000）",
                    "把冒号后的全角空格换成半角空格（切换到英文输入法再按空格键）")
            elif after not in (" ", "") and not line.text.startswith("//", colon + 1):
                add(line, 3, *missing_space(line.number, colon + 1, line.key))
        column = len(lead)
        if not levels:
            levels.append((column, line))
        elif column > levels[-1][0]:
            if previous is not None and previous.opens:
                levels.append((column, line))
            elif line.key is not None:
                sibling = levels[-1][1]
                extra = column - levels[-1][0]
                what = f"第 {sibling.number} 行的 {sibling.key} " if sibling.key else \
                    f"第 {sibling.number} 行"
                add(line, 4, f"{at(line.number, column + 1)}：{line.key} 比{what}多缩进了 "
                             f"{extra} 格",
                    f"同一层的字段左端对齐：删除行首多余的 {extra} 个空格；若它是上一行值的一部分，"
                    "给上一行的整个值加上引号")
                levels.append((column, line))
            else:
                continue  # the next line of a plain value: YAML folds it into the value
        elif column < levels[-1][0]:
            inner = levels[-1]
            while levels and levels[-1][0] > column:
                inner = levels.pop()
            if not levels or levels[-1][0] != column:
                outer = levels[-1] if levels else None
                choices = [_level(*inner)] + ([_level(*outer)] if outer is not None else [])
                name = f"{line.key} " if line.key else ""
                add(line, 4, f"{at(line.number, column + 1)}：{name}缩进 {column} 个空格，"
                             "与上下文中任何一层都对不齐",
                    "按它所属的层，与" + "或".join(choices) + "左端对齐")
                levels.append((column, line))
        if levels[-1][0] == column:
            levels[-1] = (column, line)  # the nearest line at a level is the one to align with
        if line.dashes and line.content > levels[-1][0]:
            levels.append((line.content, line))
        previous = line
    return found


def _level(column: int, line: _Line) -> str:
    """An indentation level as staff see it: the line and what starts there."""
    what = "-" if line.dashes and column == line.indent else line.key or line.value[:10]
    return f"第 {line.number} 行的 {what}（{column} 个空格）"


def explain(text: str, error: yaml.MarkedYAMLError) -> Hint:
    """The mistake behind PyYAML's `error` on `text`, where it is and how to fix it."""
    context, problem = error.context or "", error.problem or ""
    mark = error.problem_mark or error.context_mark
    cmark = error.context_mark
    if "quoted scalar" in context and cmark is not None and (
            "end of stream" in problem or "document separator" in problem):
        quote = _char(text, cmark)
        return Hint(cmark.line + 1, *_unclosed(cmark.line + 1, cmark.column + 1,
                                               quote if quote in QUOTES else '"'))
    lines, open_quotes = structure(text)
    upto = (cmark if "simple key" in context and cmark else mark)
    last = upto.line + 1 if upto else len(lines) + 1
    near = [line.number for line in lines if line.number <= last][-_WINDOW:]
    found = [c for c in _candidates(lines) if near and near[0] <= c[0] <= last]
    found += [(h.line, 2, h) for h in open_quotes if h.line <= last]
    if found:
        return max(found, key=lambda c: (c[0], -c[1]))[2]
    return _translated(text, error, context, problem)


def _translated(text: str, error: yaml.MarkedYAMLError, context: str, problem: str) -> Hint:
    """PyYAML's own finding, in Chinese, at the mark that points at the mistake."""
    opened = "scanning" in context or "flow" in context
    mark = (error.context_mark if opened else None) or error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    where = at(line, column)
    pmark = error.problem_mark or mark
    ch = _char(text, pmark)
    if "flow" in context and error.context_mark is not None:
        bracket = _char(text, error.context_mark) or "["
        closing = {"[": "]", "{": "}"}.get(bracket, "]")
        return Hint(line, f"{where}的 {bracket} 没有配对的 {closing}",
                    f"补上 {closing}；值本身以 {bracket} 开头时，给整个值加上引号")
    if "simple key" in context:
        return Hint(line, f"{where}：这一行找不到字段名后的冒号“: ”",
                    "写成“字段名: 值”（半角冒号，后面加一个空格）；若这一行是上一行值的延续，"
                    "给上一行的整个值加上引号")
    line, column = (pmark.line + 1, pmark.column + 1) if pmark else (line, column)
    where = at(line, column)
    lines = _BREAK.split(text)
    written = lines[line - 1] if pmark and line <= len(lines) else ""
    if "mapping values are not allowed" in problem:
        field = _parse_line(line, written)
        example = (f"，写成 {field.key}: \"{field.value}\"" if field.key and '"' not in field.value
                   and field.value_at < column - 1 else "")
        return Hint(line, f"{where}：值中的冒号加空格“: ”会被当作新的字段",
                    f"给整个值加上引号{example}，或把值中的冒号改成全角“：”")
    if "but found '<scalar>'" in problem and written[:column - 1].rstrip()[-1:] in QUOTES:
        return Hint(line, f"{where}：结束引号后面还有文字", "引号要包住整个值，或删除引号")
    if "but found '-'" in problem or "but found '<block sequence start>'" in problem:
        return Hint(line, f"{where}：这里应写“字段名: 值”，不能写以 - 开头的列表项",
                    "删除“- ”；若要写列表，放在一个字段名下面：字段名后冒号换行，每项缩进并以“- ”开头")
    if "block collection" in context:
        return Hint(line, f"{where}：这里是以 - 开头的列表，不能直接写“字段名: 值”",
                    "在前面加“- ”作为新的一项；若它属于上一层，减少行首的空格，与上一层的字段对齐")
    if "sequence entries are not allowed" in problem:
        return Hint(line, f"{where}：值不能以“- ”开头",
                    "给整个值加上引号；若要写列表，在字段名后冒号换行，每项缩进并以“- ”开头")
    indicator = next((c for words, c in _INDICATORS if words in context or words in problem), "")
    if indicator == "found character" and ch.strip():
        indicator = ch
    if indicator and indicator != "found character":
        return Hint(line, f"{where}：值不能以“{indicator}”开头", "给整个值加上引号")
    if "escape" in problem:
        return Hint(line, f"{where}：双引号中的反斜杠 \\ 后面不是有效的转义",
                    "改用单引号包住整个值，或把 \\ 写成 \\\\")
    if "block scalar" in context:
        return Hint(line, f"{where}：| 或 > 后面只能写 -、+ 或一位数字",
                    "在 | 或 > 后面换行，从下一行起缩进书写内容")
    if "expected the node content" in problem:
        return Hint(line, f"{where}：这里缺少值，或值以 ] }} , 等符号开头",
                    "值以这些符号开头时给整个值加上引号")
    if "<block end>" in problem or "comment or a line break" in problem:
        return Hint(line, f"{where}：这里多出了内容，无法与上文对应",
                    "引号要包住整个值；同一层的字段左端对齐")
    return Hint(line, f"{where}：YAML 格式有误，无法读取", _GENERIC_HINT)


# what PyYAML says when a value starts with a character YAML reserves, and that character
_INDICATORS = (("scanning an anchor", "&"), ("scanning an alias", "*"), ("scanning a tag", "!"),
               ("scanning a directive", "%"), ("mapping keys are not allowed", "?"),
               ("cannot start any token", "found character"))


def _char(text: str, mark: yaml.Mark | None) -> str:
    if mark is None:
        return ""
    lines = _BREAK.split(text)
    if mark.line >= len(lines):
        return ""
    return lines[mark.line][mark.column:mark.column + 1]
