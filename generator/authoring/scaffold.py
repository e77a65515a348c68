"""`ssj new`: a valid, commented record with a fresh id, written into the right folder.

Values come from `--set field=value` (dotted paths for nested fields, commas for lists) or,
in a terminal, from prompts; the text is checked by the loader before anything is written.

Prompts are for staff who are not programmers: a choice is listed with its Chinese labels and
taken by number, label or code (files keep the code); Enter skips an optional question; a wrong
answer is explained and asked again a few times, never forever (`Asker`). A finding of a drawn
plan offers the targets the draw selected and takes the team the draw assigned; a plan asks when
it will be drawn and declares the drand round that leaves the policy's margin (`draw.rounds`).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from generator.records.kinds import KINDS_BY_NAME, NEW_KINDS, Kind, walk_fields
from generator.records.load import parse_record
from generator.records.model import Record, Records
from generator.records.types import (
    ID_PATTERN,
    Date,
    Enum,
    Field,
    FieldType,
    Int,
    ListOf,
    Obj,
    Ref,
    Str,
    forbidden_character,
)

# kinds whose id is a registration number the user gives (统一社会信用代码, 执业证号, 执法证号)
ID_FROM = {"institution": "uscc", "person": "licence_number", "inspector": "certificate.number"}


MAX_TRIES = 3  # answers to one question before `ssj new` stops
LIST_AT_MOST = 40  # records offered as a numbered list; more are typed by id or name
DRAW_CHAIN = "quicknet"  # the chain a new plan declares (as `ssj draw seed drand` defaults)


class ScaffoldError(ValueError):
    code = 1  # the command's exit code


class GaveUp(ScaffoldError):
    """Too many wrong answers to one question: nothing written, a usage error."""

    code = 2


@dataclass(frozen=True)
class Leaf:
    path: str
    field: Field
    optional: bool = False


def _item_object(ftype: FieldType) -> Obj | None:
    """The object a field holds, directly or as the items of a list (given as one item)."""
    if isinstance(ftype, ListOf):
        ftype = ftype.item
    return ftype if isinstance(ftype, Obj) else None


def _leaves(obj: Obj, prefix: str = "") -> list[Leaf]:
    """Required fields to ask for: nested objects opened, a required list of objects asked for
    as its first item (`basis.law`), the status history left to its default."""
    out = []
    for f in obj.fields:
        if not f.required or f.name in ("id", "status_history"):
            continue
        inner = _item_object(f.type)
        if inner is not None:
            out += _leaves(inner, f"{prefix}{f.name}.")
        else:
            out.append(Leaf(prefix + f.name, f))
    return out


def settable_paths(obj: Obj, prefix: str = "") -> set[str]:
    """Every path `--set` accepts."""
    out = set()
    for f in obj.fields:
        inner = _item_object(f.type)
        if inner is not None:
            out |= settable_paths(inner, f"{prefix}{f.name}.")
        else:
            out.add(prefix + f.name)
    return out


def fresh_id(records: Records, kind: Kind, values: dict[str, str], today: dt.date) -> str:
    """The next free id in the kind's naming pattern (or the registration number given)."""
    if kind.name in ID_FROM:
        given = values.get(ID_FROM[kind.name])
        if not given:
            raise ScaffoldError(f"{kind.title}的编号取自 {ID_FROM[kind.name]}：请用 --set 给出")
        return given
    stem = {"plan": f"{values.get('year', today.year)}",
            "finding": values.get("plan") or f"{today.year}-targeted",
            "item": values.get("sector", "item"),
            "list_entry": f"{values.get('list', 'list')}-{today.year}",
            "credit_notice": f"cn-{today.year}",
            "amendment": f"{values.get('record', 'record')}-a",
            "irregularity": (f"{values['plan']}-irregularity" if values.get("plan")
                             else f"irregularity-{today.year}")}[kind.name]
    taken = {r.id for r in records.all(kind.name)} | set(records.broken_ids)
    n = 1
    while f"{stem}-{n:02d}" in taken:
        n += 1
    return f"{stem}-{n:02d}"


_PLAIN = {Int: r"-?[0-9]{1,18}", Date: r"[0-9]{4}-[0-9]{2}-[0-9]{2}", Enum: r"[a-z][a-z-]*"}


def _scalar(ftype: FieldType, text: str) -> str:
    """A value as YAML text: numbers, dates and codes bare once they are exactly that (the
    strict loader reads them only so), everything else a double-quoted string with every
    quote, backslash, newline and control escaped, so no value can add a line or a key."""
    pattern = _PLAIN.get(type(ftype))
    if pattern is not None and re.fullmatch(pattern, text):
        return text
    if isinstance(ftype, (Int, Date)):
        raise ScaffoldError(f"{text!r} 不是{ftype.describe()}")
    return json.dumps(text, ensure_ascii=False)


def _value(ftype: FieldType, text: str) -> str:
    if isinstance(ftype, ListOf):
        items = [t.strip() for t in text.split(",") if t.strip()]
        return "[" + ", ".join(_scalar(ftype.item, t) for t in items) + "]"
    return _scalar(ftype, text)


def render(kind: Kind, record_id: str, values: dict[str, str], today: dt.date) -> str:
    """The record as commented YAML: given values set, optional fields shown commented out."""
    lines = [f"# {kind.title}（{kind.name}）：{kind.help}", "# 由 ssj new 生成；字段说明见 records/README.md",
             f"id: {json.dumps(record_id, ensure_ascii=False)}"]

    def emit(obj: Obj, prefix: str, indent: str) -> None:
        for f in obj.fields:
            path = prefix + f.name
            if f.name == "id" and not prefix:
                continue
            note = f"  # {f.help}{'' if f.public or '不公开' in f.help else '（不公开）'}"
            given = any(k.startswith(path + ".") for k in values)
            if f.name == "status_history":
                status = next(iter(f.type.item.fields[1].type.choices))
                lines.extend([f"{indent}{f.name}:{note}",
                              f"{indent}  - since: {values.get('since', today.isoformat())}",
                              f"{indent}    status: {status}"])
            elif isinstance(f.type, Obj) and (f.required or given):
                lines.append(f"{indent}{f.name}:{note}")
                emit(f.type, path + ".", indent + "  ")
            elif isinstance(f.type, ListOf) and isinstance(f.type.item, Obj) and given:
                # one item, written as a block: "- " opens it, later fields line up under it
                lines.append(f"{indent}{f.name}:{note}")
                start = len(lines)
                emit(f.type.item, path + ".", indent + "    ")
                item = [line for line in lines[start:] if not line.lstrip().startswith("#")]
                del lines[start:]
                lines.extend(f"{indent}  - {line.lstrip()}" if n == 0 else line
                             for n, line in enumerate(item))
            elif path in values:
                try:
                    value = _value(f.type, values[path])
                except ScaffoldError as e:
                    raise ScaffoldError(f"字段 {path}：{e}") from None
                lines.append(f"{indent}{f.name}: {value}{note}")
            elif not isinstance(f.type, Obj):
                lines.append(f"{indent}# {f.name}:{note}")

    emit(kind.schema, "", "")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- asking


@dataclass(frozen=True)
class Option:
    """One thing a person may choose: the code written to the file, the words shown, and the
    other words that also name it (the Chinese label, a record's name)."""

    code: str
    shown: str
    names: tuple[str, ...] = ()

    def named(self, text: str) -> bool:
        return text == self.code or text in self.names or text.casefold() == self.code.casefold()


def enum_options(ftype: Enum) -> list[Option]:
    return [Option(code, f"{label}（{code}）", (label,)) for code, label in ftype.choices.items()]


def _pick(options: Sequence[Option], text: str) -> Option:
    text = text.strip()
    if text.isdigit() and 1 <= int(text) <= len(options) and not any(o.code == text
                                                                     for o in options):
        return options[int(text) - 1]
    for option in options:
        if option.named(text):
            return option
    raise ValueError(f"没有“{text}”这一项，请输入 1–{len(options)} 的序号，或列出的名称、代码")


def _pick_many(options: Sequence[Option], text: str) -> list[Option]:
    try:
        return [_pick(options, text)]
    except ValueError:
        pass
    picked: list[Option] = []
    for part in re.split(r"[,，、;；\s]+", text.strip()):
        if part:
            option = _pick(options, part)
            if option not in picked:
                picked.append(option)
    if not picked:
        raise ValueError("至少选一项")
    return picked


class Asker:
    """Questions in a terminal. `read(prompt)` returns the line typed ('' for Enter) and raises
    EOFError (or click.Abort) when input ends; `say` prints a line."""

    def __init__(self, read: Callable[[str], str], say: Callable[[str], None],
                 tries: int = MAX_TRIES) -> None:
        self.read, self.say, self.tries = read, say, tries

    def ask(self, question: str, parse: Callable[[str], Any], *, default: str | None = None,
            optional: bool = False) -> Any:
        """The parsed answer; None when an optional question is skipped with Enter."""
        if optional and default is None:
            question += "（可选，回车跳过）"
        prompt = question + (f" [{default}]" if default else "")
        reason = ""
        for attempt in range(1, self.tries + 1):
            answer = self.read(prompt).strip()
            if not answer and default:
                answer = default
            if not answer:
                if optional:
                    return None
                reason = "这一项必须填写"
            else:
                try:
                    return parse(answer)
                except ValueError as e:
                    reason = str(e)
            if attempt < self.tries:
                self.say(f"  ✗ {reason}。请重新输入（还可以再试 {self.tries - attempt} 次）")
        name = question.split("（")[0]
        raise GaveUp(f"{name} 连续 {self.tries} 次没有得到有效回答（{reason}），已停止；"
                     "未写入任何文件")

    def choose(self, question: str, options: Sequence[Option], *, multiple: bool = False,
               default: str | None = None, optional: bool = False) -> Any:
        """One option (or a list, `multiple`), listed by number with its words."""
        head = question.split("（")[0]
        if re.fullmatch(r"[a-z_.]+", head):  # a field's path: say what it is in words
            head = question[question.find("（") + 1:question.rfind("）")]
        self.say(f"{head}，可选：")
        for n, option in enumerate(options, 1):
            self.say(f"  {n}. {option.shown}")
        how = "序号、名称或代码" + ("，多项用逗号分隔" if multiple else "")
        question = question[:-1] + f"；输入{how}）" if question.endswith("）") \
            else question + f"（输入{how}）"
        return self.ask(question, (lambda t: _pick_many(options, t)) if multiple
                        else (lambda t: _pick(options, t)), default=default, optional=optional)


# --------------------------------------------------------------------------- values


def _check_text(ftype: FieldType, text: str) -> str:
    if isinstance(ftype, Int):
        if not re.fullmatch(r"-?[0-9]{1,18}", text):
            raise ValueError(f"“{text}”不是整数")
        if ftype.minimum is not None and int(text) < ftype.minimum \
                or ftype.maximum is not None and int(text) > ftype.maximum:
            raise ValueError(f"应为{ftype.describe()}")
        return text
    if isinstance(ftype, Date):
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
                raise ValueError
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(f"“{text}”不是日期，应写成 2026-04-14 这样") from None
    if isinstance(ftype, Enum):
        return _pick(enum_options(ftype), text).code
    found = forbidden_character(text)
    if found is not None:
        raise ValueError(f"{found.message}，请删去")
    if isinstance(ftype, Str):
        if len(text) > ftype.max_length:
            raise ValueError(f"太长：最多 {ftype.max_length} 个字")
        if not ftype.matches(text):
            raise ValueError(f"格式不对，应为{ftype.describe()}")
    return text


def _codes(kind: Kind, values: dict[str, str], records: Records) -> dict[str, str]:
    """`--set` values with every choice's Chinese label turned into its code (and a record
    named by its name or title into its id, where the name is one record's)."""
    fields = {p.replace("[]", ""): f for p, f in walk_fields(kind.schema)}
    out = dict(values)
    for path, text in values.items():
        field = fields.get(path)
        ftype = field.type if field else None
        many = isinstance(ftype, ListOf)
        inner = ftype.item if many else ftype
        if isinstance(inner, Ref) and text:
            named = {}
            for option in _ref_options(records, inner.kinds):
                for name in option.names:
                    named.setdefault(name, set()).add(option.code)
            parts = [t.strip() for t in text.split(",")] if many else [text]
            out[path] = ",".join(next(iter(named[t])) if len(named.get(t, ())) == 1
                                 and records.get(t) is None and t not in records.departments
                                 else t for t in parts)
            continue
        if not isinstance(inner, Enum) or not text:
            continue
        options = enum_options(inner)
        try:
            picked = _pick_many(options, text) if many else [_pick(options, text)]
        except ValueError:
            listed = "、".join(o.shown for o in options)
            raise ScaffoldError(f"字段 {path}：没有“{text}”这一项；可选：{listed}") from None
        out[path] = ",".join(o.code for o in picked)
    return out


def _ref_options(records: Records, kinds: tuple[str, ...],
                 only: Callable[[Record], bool] = lambda r: True) -> list[Option]:
    """The records a reference may name, each shown by its name (or title) and id."""
    if kinds == ("department",):
        return [Option(d, f"{f.name}（{d}）", (f.name,)) for d, f in records.departments.items()]
    out = []
    for kind in kinds:
        for r in records.all(kind):
            if not only(r):
                continue
            name = r.fields.get("name") or r.fields.get("title") or ""
            extra = ""
            if kind == "inspector":
                department = records.departments.get(r.fields.get("department"))
                extra = f"，{department.name}" if department is not None else ""
            out.append(Option(r.id, f"{name}（{r.id}{extra}）" if name else r.id,
                              (name,) if name else ()))
    return out


def _ref_parse(records: Records, kinds: tuple[str, ...], many: bool) -> Callable[[str], str]:
    options = _ref_options(records, kinds)

    def parse(text: str) -> str:
        try:
            picked = _pick_many(options, text) if many else [_pick(options, text)]
        except ValueError:
            what = "、".join(KINDS_BY_NAME[k].title if k in KINDS_BY_NAME else "股室" for k in kinds)
            raise ValueError(f"记录中没有“{text}”这个{what}（输入编号或全名）") from None
        return ",".join(o.code for o in picked)
    return parse


def _name(records: Records, record_id: str) -> str:
    record = records.get(record_id)
    name = record.fields.get("name") or record.fields.get("title") if record else None
    return f"{name}（{record_id}）" if name else record_id


def _ask_field(asker: Asker, records: Records, leaf: Leaf, values: dict[str, str],
               today: dt.date, options: list[Option] | None = None,
               default: str | None = None, help: str | None = None,
               check: Callable[[str], None] | None = None) -> str | None:
    """Ask for one field; its text for `values` (codes joined by commas for a list).
    `check` refuses an answer (ValueError) that the field's type allows."""
    ftype = leaf.field.type
    many = isinstance(ftype, ListOf)
    inner = ftype.item if many else ftype
    question = f"{leaf.path}（{help or leaf.field.help}）"
    if options is None and isinstance(inner, Enum):
        options = enum_options(inner)
    if options is None and isinstance(inner, Ref):
        offered = _ref_options(records, inner.kinds)
        if 0 < len(offered) <= LIST_AT_MOST:
            options = offered
    if options:
        picked = asker.choose(question, options, multiple=many, default=default,
                              optional=leaf.optional)
        if picked is None:
            return None
        return ",".join(o.code for o in picked) if many else picked.code
    if isinstance(inner, Ref):
        return asker.ask(question, _ref_parse(records, inner.kinds, many), default=default,
                         optional=leaf.optional)
    if isinstance(ftype, Date) and default is None and not leaf.optional:
        default = today.isoformat()
    start = values.get(leaf.path[:-len("end")] + "start") if leaf.path.endswith(".end") else None
    if many:
        def parse(text: str) -> str:
            parts = [t.strip() for t in re.split(r"[,，、]", text) if t.strip()]
            return ",".join(_check_text(inner, t) for t in parts)
    else:
        def parse(text: str) -> str:
            checked = _check_text(ftype, text)
            if start and isinstance(ftype, Date) and checked < start:
                raise ValueError(f"结束日期不能早于开始日期 {start}")
            if check is not None:
                check(checked)
            return checked
    return asker.ask(question + ("" if isinstance(ftype, (Date, Int)) else f"；{ftype.describe()}"
                                 if isinstance(ftype, Str) and ftype.pattern else ""),
                     parse, default=default, optional=leaf.optional)


def _field(kind: Kind, path: str) -> Field:
    return next(f for p, f in walk_fields(kind.schema) if p.replace("[]", "") == path)


# --------------------------------------------------------------------------- findings


def _drawn_targets(records: Records, plan_id: str) -> dict[str, list[str]]:
    """Each target the plan's draw selected, in selection order, with the team it assigned."""
    result = records.draw_result(plan_id) or {}
    return {t["target"]: list(t["inspectors"]) for t in result.get("teams", ())
            if isinstance(t, dict) and "target" in t}


def _drawn_plan_options(records: Records) -> list[Option]:
    return [Option(p.id, f"{p.title}（{p.id}）", (p.title,)) for p in records.plans
            if _drawn_targets(records, p.id) and p.id not in records.superseded]


def _finding_leaves(kind: Kind, records: Records, values: dict[str, str], asker: Asker | None,
                    leaves: list[Leaf]) -> list[Leaf]:
    """A finding is of a drawn plan (target offered from the draw, team taken from it, the
    plan's items ticked) or a targeted inspection (its ground asked first)."""
    targeted = any(k.startswith("targeted.") for k in values)
    if "plan" not in values and not targeted and asker is not None:
        which = asker.choose("这次检查是哪一种（方案 二（九））", [
            Option("drawn", "随机抽查：检查按抽查计划抽中的对象", ("随机抽查", "随机")),
            Option("targeted", "非随机检查：因投诉举报、发现违法违规、列入黑名单或异常名单而检查",
                   ("非随机检查", "非随机")),
        ])
        if which.code == "drawn":
            plans = _drawn_plan_options(records)
            if not plans:
                raise ScaffoldError("还没有已抽取的抽查计划（records/draws/<计划>/result.json）："
                                    "先抽取（ssj draw run），再录入检查结果")
            values["plan"] = asker.choose("plan（所属抽查计划）", plans).code
    items_leaf = Leaf("items", _field(kind, "items"))
    at = next(n for n, x in enumerate(leaves) if x.path == "method") + 1
    if "plan" not in values:
        # not a random inspection: a targeted one, which states its ground first
        leaves.insert(0, Leaf("targeted.ground", _field(kind, "targeted.ground")))
        if "targeted.note" not in values:
            # a listed target's ground is the list; a complaint or a violation names its source
            listed = values.get("targeted.ground", "blacklisted") in LISTED_GROUNDS
            leaves.insert(1, Leaf("targeted.note", _field(kind, "targeted.note"),
                                  optional=listed))
        if "items" not in values and not any(k.startswith("targeted.basis.") for k in values):
            leaves.insert(at + 2, Leaf("items", items_leaf.field, optional=asker is not None))
        return leaves + _published_leaf(kind, values)
    plan = records.get(values["plan"], ("plan",))
    if plan is None:
        raise ScaffoldError(f"没有编号为 {values['plan']} 的抽查计划")
    teams = _drawn_targets(records, plan.id)
    if "target" in values and teams and values["target"] not in teams:
        drawn = "、".join(_name(records, t) for t in teams)
        raise ScaffoldError(f"target {values['target']} 不是计划 {plan.id} 抽中的对象；抽中的是：{drawn}")
    if "target" not in values and asker is not None:
        if not teams:
            raise ScaffoldError(f"计划 {plan.id} 还没有抽取结果（records/draws/{plan.id}/result.json）："
                                f"先抽取（ssj draw run {plan.id}），再录入检查结果")
        done = {f.target: f.id for f in records.findings_for_plan(plan.id)}
        options = [Option(t, _name(records, t) + (f"，已有检查结果 {done[t]}" if t in done else ""),
                          tuple(n for n in [(records.get(t) or plan).fields.get("name")] if n))
                   for t in teams]
        values["target"] = asker.choose("target（抽中的检查对象）", options).code
    if "inspectors" not in values and values.get("target") in teams:
        values["inspectors"] = ",".join(teams[values["target"]])
        if asker is not None:
            asker.say("检查组（按抽取结果）：" + "、".join(_name(records, i)
                                                  for i in teams[values["target"]]))
    if "items" not in values:
        leaves.insert(at, items_leaf)
    return leaves + _published_leaf(kind, values)


def _published_leaf(kind: Kind, values: dict[str, str]) -> list[Leaf]:
    """A finding written after it was published says so (Enter: still a draft)."""
    return [] if "published_on" in values else [
        Leaf("published_on", _field(kind, "published_on"), optional=True)]


def _finding_items(records: Records, values: dict[str, str]) -> list[Option]:
    """The items a finding may tick: the plan's (any item when targeted), of the target's
    sector, allowing the method chosen."""
    plan = records.get(values.get("plan", ""), ("plan",))
    institution = records.institution_of(values.get("target", ""))
    sector = institution.sector if institution is not None else None
    ids = list(plan.items) if plan is not None else [i.id for i in records.items]

    def fits(item: Record) -> bool:
        return (sector is None or item.sector == sector) and (
            not values.get("method") or values["method"] in item.methods)
    items = [records.get(i, ("item",)) for i in ids]
    chosen = [i for i in items if i is not None and fits(i)] or [i for i in items if i]
    return [Option(i.id, f"{i.title}（{i.id}）", (i.title,)) for i in chosen]


# --------------------------------------------------------------------------- plans


def _ask_source(asker: Asker, records: Records, values: dict[str, str], now: float) -> None:
    """Ask when the plan will be drawn; declare the drand round published then, which must
    leave the policy's margin after now (the earliest the package can be frozen)."""
    from generator.draw.rounds import beijing, earliest_draw, margin_hours, parse_beijing, round_for

    margin = margin_hours(records.policy, now)
    earliest = earliest_draw(DRAW_CHAIN, now, margin)

    def parse(text: str) -> Any:
        when = parse_beijing(text)
        choice = round_for(DRAW_CHAIN, when.timestamp(), margin)
        if choice.round < earliest.round:
            raise ValueError(f"太早了：抽取包须在随机源公布至少 {margin} 小时前冻结并公布，"
                             f"最早可在北京时间 {beijing(earliest.published)[:16]} 抽取")
        return when, choice
    when, choice = asker.ask("抽取时间（北京时间，如 2026-03-13 10:00；据此声明公开随机源）", parse)
    values["draw.sources.kind"] = "drand"
    values["draw.sources.chain"] = choice.chain
    values["draw.sources.round"] = str(choice.round)
    values.setdefault("draw.held_on", when.date().isoformat())
    asker.say(f"随机源：drand {choice.chain} 第 {choice.round} 轮，北京时间 {beijing(choice.published)} "
              f"公布；抽取包最迟须在北京时间 {beijing(choice.freeze_by)} 前冻结并公布"
              f"（ssj draw freeze，时限 {margin} 小时）")


SOURCE_HINT = ("（随机源：用 ssj draw round --at '抽取时间' 算出 drand 轮次，再 --set draw.sources.kind=drand "
               f"--set draw.sources.chain={DRAW_CHAIN} --set draw.sources.round=轮次）")


# --------------------------------------------------------------------------- the record


def scaffold(records: Records, root: Path, kind_name: str, values: dict[str, str],
             ask: Asker | None, today: dt.date, now: float | None = None) -> tuple[Path, str]:
    """The path and text of a new record; raises ScaffoldError with what is missing or wrong."""
    kind = KINDS_BY_NAME[NEW_KINDS[kind_name]]
    now = dt.datetime.now().timestamp() if now is None else now
    unknown = sorted(set(values) - settable_paths(kind.schema) - {"since"})
    if unknown:
        raise ScaffoldError(f"{kind.title}没有字段 {'、'.join(unknown)}")
    values = _codes(kind, values, records)
    leaves = _leaves(kind.schema)
    if kind.name == "finding":
        leaves = _finding_leaves(kind, records, values, ask, leaves)
    if kind.name == "plan":
        # the random source is declared as a drand round, asked as the draw's time
        at = next(n for n, x in enumerate(leaves) if x.path == "draw.sources.kind")
        given = [k for k in values if k.startswith("draw.sources.")]
        leaves[at:at + 1] = [Leaf("draw.sources", _field(kind, "draw.sources"))] if not given \
            else [Leaf(p, _field(kind, p)) for p in ("draw.sources.kind", "draw.sources.chain",
                                                     "draw.sources.round")
                  if values.get("draw.sources.kind", "drand") == "drand" or p.endswith("kind")]
        if ask is not None and "published_on" not in values:
            leaves.append(Leaf("published_on", _field(kind, "published_on")))
    if kind.name == "irregularity":
        # every notice is about a plan, but a misdated commit's, which names the commit; the
        # kind decides which, so it is asked first
        kind_leaf = next(x for x in leaves if x.path == "kind")
        if "kind" not in values and ask is not None:
            values["kind"] = _ask_field(ask, records, kind_leaf, values, today) or ""
        about = "commit" if values.get("kind") == "misdated-commit" else "plan"
        if about not in values:
            leaves.insert(leaves.index(kind_leaf) + 1, Leaf(about, _field(kind, about)))
    if kind.name in ID_FROM and all(x.path != ID_FROM[kind.name] for x in leaves):
        leaves.insert(0, Leaf(ID_FROM[kind.name], _field(kind, ID_FROM[kind.name])))
    if ask is None:
        missing = [x.path for x in leaves if x.path not in values and not x.optional]
        if missing:
            alternative = "；随机抽查则给出 plan" if "targeted.ground" in missing else ""
            sources = SOURCE_HINT if "draw.sources" in missing else ""
            items = ("（或 targeted.basis.matter、law、articles）"
                     if kind.name == "finding" and "items" in missing and "plan" not in values
                     else "")
            raise ScaffoldError("缺少必填字段：" + "、".join(missing) + items + alternative
                                + sources + "（用 --set 字段=值 给出）")
    else:
        _ask_leaves(ask, records, kind, leaves, values, today, now)
    record_id = fresh_id(records, kind, values, today)
    if not re.fullmatch(ID_PATTERN, record_id):
        # the id names the file: a quote, a slash or ".." would write outside records/
        raise ScaffoldError(f"编号 {record_id!r} 无效：只能含字母、数字、点、横线、下划线，最长 64 位，"
                            "且以字母或数字开头")
    text = render(kind, record_id, values, today)
    path = root / f"{kind.folder}/{record_id}.yaml"
    record, _, problems = parse_record(text.encode(), path.as_posix(), kind)
    if record is None:
        first = problems[0]
        raise ScaffoldError(f"第 {first.line} 行：{first.message}")
    return path, text


LISTED_GROUNDS = ("blacklisted", "abnormal-listed")  # rule finding.targeted-ground
QUESTIONS = {
    ("finding", "targeted.note"): "说明：投诉、交办或发现问题的来源",  # shorter words than the field's help where the help speaks to the file's reader
    ("finding", "items"): "本次检查的事项",
    ("finding", "result"): "抽查结果说明，向社会公示",
    ("plan", "items"): "抽查事项",
    ("finding", "published_on"): "已在网站公示的日期；尚未公示直接回车",
    ("plan", "published_on"): "计划向社会公布的日期，须在随机源产生的前一天或更早",
}


def _question(kind: Kind, leaf: Leaf) -> str:
    """The words of a question: the field's help, after its parent's for a nested field."""
    if (kind.name, leaf.path) in QUESTIONS:
        return QUESTIONS[kind.name, leaf.path]
    parent = leaf.path.rpartition(".")[0]
    if not parent:
        return leaf.field.help
    above = next((f.help for p, f in walk_fields(kind.schema) if p.replace("[]", "") == parent), "")
    above = above.split("（")[0]
    return f"{above}：{leaf.field.help}" if above else leaf.field.help


def _policy_default(records: Records, sector: str | None, path: str) -> str | None:
    """The policy's ratio or minimum count for a sector (jurisdiction.yaml policy.sectors)."""
    name = {"scope.ratio_percent": "ratio_percent", "scope.min_count": "min_targets"}[path]
    for row in (records.policy or {}).get("sectors") or ():
        if row.get("sector") == sector and row.get(name) is not None:
            return str(row[name])
    return None


def _before_source(values: dict[str, str]) -> Callable[[str], None]:
    """A plan is published the day before its first source at the latest (plan.published)."""
    from generator.records.timing import BEIJING, round_time

    def check(day: str) -> None:
        if values.get("draw.sources.kind") != "drand" or not values.get("draw.sources.round"):
            return
        known = dt.datetime.fromtimestamp(round_time(values["draw.sources.chain"],
                                                     int(values["draw.sources.round"])), BEIJING)
        if day >= known.date().isoformat():
            latest = known.date() - dt.timedelta(days=1)
            raise ValueError(f"计划须在随机源产生的前一天或更早公布：最晚 {latest}")
    return check


def _within_schedule(plan: Record | None) -> Callable[[str], None]:
    def check(day: str) -> None:
        if plan is not None and not plan.schedule.start.isoformat() <= day \
                <= plan.schedule.end.isoformat():
            raise ValueError(f"检查日期须在计划 {plan.id} 的实施时间 {plan.schedule.start} 至 "
                             f"{plan.schedule.end} 内")
    return check


def _ask_leaves(ask: Asker, records: Records, kind: Kind, leaves: list[Leaf],
                values: dict[str, str], today: dt.date, now: float) -> None:
    for leaf in leaves:
        if leaf.path in values:
            continue
        options, default = None, None
        if leaf.path == "targeted.note":
            leaf = Leaf(leaf.path, leaf.field, values.get("targeted.ground") in LISTED_GROUNDS)
        if leaf.path == "draw.sources":
            _ask_source(ask, records, values, now)
            continue
        if kind.name == "finding" and leaf.path == "items":
            options = _finding_items(records, values)
            if "plan" in values:
                default = "全部"
                options = [Option("", "全部", ("全部",))] + options
        elif kind.name == "plan" and leaf.path == "items":
            sectors = set(values.get("scope.sector", "").split(","))
            options = [Option(i.id, f"{i.title}（{i.id}）", (i.title,)) for i in records.items
                       if i.sector in sectors] or None
        elif kind.name == "finding" and leaf.path == "method":
            plan = records.get(values.get("plan", ""), ("plan",))
            default = plan.method if plan is not None else None
        elif leaf.path.endswith(".end") and leaf.path.replace(".end", ".start") in values:
            default = values[leaf.path.replace(".end", ".start")]
        check = None
        if kind.name == "plan" and leaf.path in ("scope.ratio_percent", "scope.min_count"):
            default = _policy_default(records, values.get("scope.sector"), leaf.path)
        if kind.name == "plan" and leaf.path == "published_on":
            check = _before_source(values)
            try:
                check(today.isoformat())
                default = today.isoformat()
            except ValueError:
                default = ""
        if kind.name == "finding" and leaf.path.startswith("inspected.") and "plan" in values:
            check = _within_schedule(records.get(values["plan"], ("plan",)))
            if default is None:
                try:
                    check(today.isoformat())
                    default = today.isoformat()
                except ValueError:
                    default = ""  # no default outside the plan's schedule
        answer = _ask_field(ask, records, leaf, values, today, options, default,
                            _question(kind, leaf), check)
        if answer is None:
            if kind.name == "finding" and leaf.path == "items":
                # no item of the list: then what was checked, and under which law
                for path in ("targeted.basis.matter", "targeted.basis.law",
                             "targeted.basis.articles"):
                    basis = Leaf(path, _field(kind, path))
                    got = _ask_field(ask, records, basis, values, today,
                                     help=_question(kind, basis))
                    values[path] = got or ""
            continue
        if leaf.path == "items" and answer.split(",")[0] == "":
            answer = ",".join(o.code for o in options[1:])  # 全部
        values[leaf.path] = answer


# --------------------------------------------------------------------------- after writing


def open_problems(root: Path, path: Path) -> list[str]:
    """What `ssj check` still reports about the record just written at `path`, field by field
    (errors and warnings; notices are hints, not something missing)."""
    from generator.checks.run import check_records
    from generator.records.problems import NOTICE

    result = check_records(root)
    target = path.resolve()
    out = []
    for p in result.problems:
        if p.severity == NOTICE or Path(p.file).resolve() != target:
            continue
        where = f"{p.field}（第 {p.line} 行）" if p.field else f"第 {p.line} 行"
        hint = f"（{p.hint}）" if p.hint else ""
        out.append(f"  {where}：{p.message}{hint} [{p.rule}]")
    return out
