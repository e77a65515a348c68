"""`ssj example`: a synthetic jurisdiction, written as a records tree that passes `ssj check`.

Three sizes (SCALES): a county about the size of the bundled example, a city and a province.
Five years of work (2022–2026) are simulated in order: each plan is frozen with the real freeze
code (`draw.freeze.freeze`, the package `ssj draw freeze` writes) from the records as they stand
on its pool date, drawn with a real League of Entropy round (`draw.store.resolve_values`
verifies its signature; the round file is stored beside the result, as `ssj draw run` does), and
exactly the drawn targets are inspected by the drawn teams. What follows a finding (lists,
credit notices, follow-ups, a suspension, a closure) is dated after it, so a later package
computed from the finished tree is the one that was drawn.

Everything is fictional (the 99 region codes belong to no province; institution names begin
with 示例; names are 某 pseudonyms; phone numbers begin their local part with 0, which no line
has) and deterministic: one random.Random(seed), fixed dates, no clock; the same arguments give
the same bytes. The jurisdiction is `example: true`: its draws cannot carry time-stamps or git
history from before their (years old) rounds, which `ssj check` then reports as notices.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.authoring.bureau import policy_lines
from generator.draw.freeze import freeze
from generator.draw.redraw import overlaps
from generator.draw.spec import commitment, draw, serialise
from generator.draw.store import pretty_json, resolve_values
from generator.draw.verify import round_file_name
from generator.filewrite import write_new
from generator.records.kinds import JURISDICTION, KINDS_BY_NAME, SECTOR_USCC_CATEGORY, SECTORS
from generator.records.load import DRAWS_FOLDER, parse_record
from generator.records.model import KIND_ORDER, Draw, DrawFile, Fields, Record, Records
from generator.records.types import FieldType, ListOf, Obj
from generator.rules.uscc import CHARSET, check_character

PROJECT = Path(__file__).resolve().parents[2]
# real rounds with their signatures (the example county's draws use the same ones)
ROUNDS_FILE = PROJECT / "tests" / "vectors" / "drand" / "rounds.json"

YEARS = tuple(range(2022, 2027))
END = dt.date(2026, 11, 30)  # nothing is dated later: the tree is complete when checked after it

# The national sector mix (institutions), end of 2022: law firms 38,600 and grassroots legal
# service offices 13,000 as 司法部's statistics give them; notary offices, judicial appraisal
# institutions and legal aid bodies rounded from its other published figures (about 2,900,
# 2,800 and 3,200). A scale's institutions are split in these proportions.
SECTOR_MIX = {"law-firm": 38600, "grassroots": 13000, "notary": 2900, "appraisal": 2800,
              "legal-aid": 3200}
# Practitioners per institution, nationally (the same sources): lawyers of law firms 519,000
# (full- and part-time, not government or company lawyers), grassroots workers 56,000, notaries
# about 14,000, appraisers about 33,000, legal aid staff about 14,000. Scaled to the total asked.
PERSONNEL_PER_INSTITUTION = {"law-firm": 13.4, "grassroots": 4.3, "notary": 4.8,
                             "appraisal": 11.8, "legal-aid": 4.4}
# Law firm sizes, 2022: share of firms with at most 10, 11–20, 21–50, 51–100 and over 100 lawyers.
FIRM_SIZES = ((0.655, 1, 10), (0.207, 11, 20), (0.104, 21, 50), (0.021, 51, 100),
              (0.013, 101, 300))
ROLE = {"law-firm": "lawyer", "grassroots": "grassroots-worker", "notary": "notary",
        "appraisal": "appraiser", "legal-aid": "legal-aid-worker"}
LEAD = {"law-firm": "lawyer", "grassroots": "grassroots", "notary": "public-legal-services",
        "appraisal": "public-legal-services", "legal-aid": "public-legal-services"}


@dataclass(frozen=True)
class Scale:
    """One size of jurisdiction: every number that differs between the sizes."""

    level: str  # 县, 市, 省
    division_code: str
    institutions: int
    personnel: int
    inspectors: int
    departments: tuple[tuple[str, int], ...]  # inspectors per department
    areas: int  # county-level areas the institutions are spread over
    law_firm_ratio: int  # policy ratio_percent for law firms (the others as the example's)
    targeted_per_year: int
    plan_groups: tuple[tuple[str, ...], ...]  # the sectors planned together, each year


PER_SECTOR = tuple((s,) for s in SECTORS)
SCALES: dict[str, Scale] = {
    "county": Scale("县", "990121", 30, 150, 16,
                    (("lawyer", 5), ("public-legal-services", 5), ("grassroots", 4),
                     ("supervision", 2)), 1, 20, 2,
                    (("law-firm", "grassroots"), ("notary", "appraisal", "legal-aid"))),
    "city": Scale("市", "990100", 1000, 10000, 60,
                  (("lawyer", 22), ("public-legal-services", 20), ("grassroots", 10),
                   ("supervision", 8)), 10, 33, 16, PER_SECTOR),
    "province": Scale("省", "990000", 5000, 50000, 300,
                      (("lawyer", 110), ("public-legal-services", 100), ("grassroots", 50),
                       ("supervision", 40)), 100, 33, 80, PER_SECTOR),
}
LEVEL_NAMES = {"县": ("示例县司法局", "股", "示县"), "市": ("示例市司法局", "科", "示市"),
               "省": ("示例省司法厅", "处", "示省")}
DEPARTMENT_NAMES = {"lawyer": ("律师工作", "律师事务所、律师的监督管理，组织落实律师行业随机抽查。"),
                    "public-legal-services": ("公共法律服务管理",
                                              "公证、司法鉴定、法律援助的监督管理，组织落实上述行业随机抽查。"),
                    "grassroots": ("基层工作", "基层法律服务所、基层法律服务工作者的监督管理。"),
                    "supervision": ("法治督察", "协调全局“双随机一公开”工作，其执法人员可参加各行业检查。")}
RATIOS = {"grassroots": 25, "notary": 100, "appraisal": 100, "legal-aid": 100}
MIN_TARGETS = {"law-firm": 2}
# (month, day) of each sector's pool date and its schedule; a group of sectors uses its first
SLOTS = {"law-firm": ((3, 6), (3, 16), (6, 30)), "grassroots": ((4, 7), (4, 17), (7, 15)),
         "notary": ((5, 8), (5, 18), (7, 31)), "appraisal": ((6, 5), (6, 15), (8, 31)),
         "legal-aid": ((7, 6), (7, 16), (9, 30))}
# the real rounds, by the plan's position in the year (a revision declares a later one); a draw
# held before quicknet began (2023-08-23) can only use the default chain's
SOURCES = (("quicknet", 1000), ("quicknet", 123), ("default", 1337), ("default", 1000),
           ("default", 1))
QUICKNET_FROM = dt.date(2023, 8, 24)
REVISED_YEAR = 2023

# ------------------------------------------------------------------------------ name tables

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
            "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史")
GIVEN = "明华平安宁静林涛洋宇辉刚勇强军伟芳娜敏丽艳霞秀英兰梅红玲婷雪琳晶欣怡佳悦晨阳帆鹏飞峰磊浩然博文斌杰"
FIRM_WORDS = "".join(dict.fromkeys("德信诚华恒正明博睿衡泰达安和嘉远方圆汇通立公仁中天宇金鼎盛民卓越瑞宏启航"
                                   "昭晟君合致同力众鑫隆昌兴诺弘毅泽润清源格蓝海丰硕"))
PLACE_FIRST = "".join(dict.fromkeys("安宁青临云东兴长西鹿丰永南北清石白金龙凤平河新桃柳松梅杏"))
PLACE_SECOND = "".join(dict.fromkeys("平川原江山阳和宁城泽安屏源门溪湖岭峰台桥林坪湾口庄"))
STREETS = ("示例路", "示例街", "示例大街", "示例中路", "示例北街", "示例南路", "示例东路", "示例西街")
WITNESSES = ("律师协会代表", "法律服务机构代表", "人大代表", "政协委员", "公证协会代表", "人民监督员")

ITEMS = (  # id, sector, title, content, methods, basis (law, articles), effective_from, until
    ("lf-01", "law-firm", "律师事务所执业条件与登记事项",
     "实地核查住所（执业场所）、执业许可证、负责人和合伙人（设立人）等情况是否与登记事项一致。",
     ("onsite",), (("《中华人民共和国律师法》", "第四条、第六章"), ("司法部《律师事务所管理办法》", "第七章"))),
    ("lf-02", "law-firm", "收案、收费与财务管理", "检查统一收案、统一收费、出具票据和财务管理制度的执行情况。",
     ("onsite", "document"), (("司法部《律师事务所管理办法》", "第五章"),)),
    ("lf-03", "law-firm", "利益冲突审查与业务档案", "检查利益冲突检索记录、业务档案的立卷和归档情况。",
     ("onsite", "document"), (("司法部《律师执业管理办法》", "第四章"),)),
    ("lf-04", "law-firm", "律师执业行为", "检查律师执业公示、执业证管理和执业行为规范的执行情况。",
     ("onsite",), (("《中华人民共和国律师法》", "第四章"), ("司法部《律师执业管理办法》", "第五章"))),
    ("lf-05", "law-firm", "年度检查考核与公示", "检查年度检查考核材料和执业情况公示是否真实、完整。",
     ("onsite", "document"), (("司法部《律师事务所年度检查考核办法》", "第二章"),), "2024-01-01"),
    ("gr-01", "grassroots", "基层法律服务所执业条件与登记事项",
     "实地核查执业场所、执业证书、人员配备与登记事项是否一致。", ("onsite",),
     (("司法部《基层法律服务所管理办法》", "第六条、第四章"),)),
    ("gr-02", "grassroots", "收费与财务管理", "检查统一收费、统一出具票据和财务管理情况。",
     ("onsite", "document"), (("司法部《基层法律服务所管理办法》", "第五章"),)),
    ("gr-03", "grassroots", "执业区域与业务范围", "检查是否超越核准的业务范围和执业区域承办业务。",
     ("onsite", "document"), (("司法部《基层法律服务工作者管理办法》", "第四章"),)),
    ("gr-04", "grassroots", "执业公示栏", "实地核查执业公示栏内容是否齐全、及时更新。", ("onsite",),
     (("司法部《基层法律服务所管理办法》", "第三十条"),), None, "2023-12-31"),
    ("nt-01", "notary", "公证机构执业与登记事项", "检查执业证书、执业区域、公证员配备和执业场所等是否符合规定。",
     ("onsite", "document"), (("《中华人民共和国公证法》", "第二章"), ("司法部《公证机构执业管理办法》", "第四章"))),
    ("nt-02", "notary", "公证程序与卷宗", "抽查公证卷宗，检查受理、审查、出证程序和归档情况。",
     ("onsite", "document"), (("司法部《公证程序规则》", "第三章至第五章"),)),
    ("nt-03", "notary", "收费公示", "检查收费标准公示和收费情况。", ("onsite", "document"),
     (("《中华人民共和国公证法》", "第三十四条"),)),
    ("ap-01", "appraisal", "司法鉴定机构登记事项与执业条件",
     "检查鉴定业务范围、鉴定人、仪器设备和执业场所是否与登记事项一致。", ("onsite", "document"),
     (("司法部《司法鉴定机构登记管理办法》", "第十二条、第七章"),)),
    ("ap-02", "appraisal", "鉴定程序与文书", "抽查鉴定案卷，检查委托受理、鉴定实施和文书出具是否规范。",
     ("onsite", "document"), (("司法部《司法鉴定程序通则》", "第三章"),)),
    ("ap-03", "appraisal", "司法鉴定人执业", "检查鉴定人执业证书、回避和执业记录。", ("onsite",),
     (("司法部《司法鉴定人登记管理办法》", "第四章"),)),
    ("la-01", "legal-aid", "法律援助受理、审查与指派", "检查申请的受理、经济困难审查和指派是否依法及时。",
     ("onsite", "document"), (("《中华人民共和国法律援助法》", "第五条、第五十七条"),)),
    ("la-02", "legal-aid", "服务质量与回访", "检查法律援助案件质量监督和受援人回访情况。",
     ("onsite", "document"), (("《中华人民共和国法律援助法》", "第五十七条、第五十九条"),)),
    ("la-03", "legal-aid", "档案管理", "检查法律援助案件归档和档案管理情况。", ("document",),
     (("《中华人民共和国法律援助法》", "第五十七条"),)),
)
ISSUES = {
    "law-firm": ("收案登记不完整", "部分案件未见利益冲突检索记录", "业务档案未及时归档",
                 "个别收费未使用统一票据"),
    "grassroots": ("部分收费未使用统一票据", "业务档案未及时归档", "执业公示栏信息未及时更新"),
    "notary": ("部分公证卷宗归档不及时", "收费公示内容未及时更新"),
    "appraisal": ("个别鉴定文书未载明鉴定人执业证号", "仪器设备检定记录不完整"),
    "legal-aid": ("个别案件指派超过规定时限", "受援人回访记录不完整"),
}
COMPLIANT = {
    "law-firm": "执业场所、执业许可证与登记事项一致，收案登记、利益冲突审查和业务档案等内部管理制度健全并有效执行，未发现问题。",
    "grassroots": "执业场所、执业证书与登记事项一致，统一收案、统一收费制度执行良好，未发现问题。",
    "notary": "执业证书、公证员配备与登记事项一致；抽查公证卷宗 {n} 卷，程序合规，收费标准已公示，未发现问题。",
    "appraisal": "鉴定业务范围、鉴定人和仪器设备与登记事项一致；抽查鉴定案卷 {n} 卷，程序和文书符合规定，未发现问题。",
    "legal-aid": "法律援助申请受理、审查和指派及时，不予援助均书面说明理由；抽查案卷 {n} 卷，未发现问题。",
}
VIOLATIONS = {
    "law-firm": "发现该所未实行统一收案、统一收费，个别律师私自接受委托并收取费用。",
    "grassroots": "发现该所超越核准的执业区域承办诉讼业务。",
    "notary": "发现该处为事实不清的事项出具公证书 1 件。",
    "appraisal": "发现该所超出登记的业务范围开展鉴定业务。",
    "legal-aid": "发现该中心个别案件未经经济困难审查即指派承办。",
}
HEADERS = {
    "institution": "法律服务机构（institution）：检查对象名录库，方案 二（五）。",
    "person": "法律服务人员（person）：机构所属人员，方案 二（五）。姓名为“某”式化名，证号为虚构。",
    "inspector": "执法检查人员（inspector）：执法检查人员名录库，方案 二（四）。必须持有行政执法证。",
    "item": "抽查事项（item）：随机抽查事项清单，方案 二（六）。逐项写明依据、主体、内容、方式。",
    "plan": "抽查计划（plan）：方案 二（九） 抽查计划，实施方式见 二（三）。抽取文件见 draws/。",
    "finding": "检查结果（finding）：方案 三（一） 公开抽查情况及查处结果；三（二） 行政指导；三（三） 查处与整改回访。",
    "list_entry": "名录记录（list_entry）：执业异常名录与信用黑名单的列入与移出，方案 三（三）。",
    "credit_notice": "信用平台公示（credit_notice）：不予配合情节严重的机构在信用信息公示平台的公示，方案 三（三）。",
    "amendment": "更正（amendment）：已公开的记录不改动，更正另立一条记录，与原记录并列公示。",
}
GENERATED = "ssj example 生成的虚构数据"


class SyntheticError(Exception):
    """The tree cannot be written (an --out that is not empty), or cannot be drawn as planned."""


@dataclass(frozen=True)
class Summary:
    """What was written: the line `ssj example` prints."""

    counts: dict[str, int]  # records by kind, in the order `ssj check` prints them
    draws: int  # draw folders
    files: int


# -------------------------------------------------------------------------------- the writer


def write_example(out: Path, scale: str, seed: int = 0) -> Summary:
    """Write the `scale` jurisdiction's records tree into `out` (absent or an empty folder)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SyntheticError(f"{out} 已存在且不是空目录；未写入任何文件")
    files, summary = example_tree(scale, seed)
    write_new({out / rel: data for rel, data in files.items()})
    return summary


def example_tree(scale: str, seed: int = 0) -> tuple[dict[str, bytes], Summary]:
    """Every file of the tree (path relative to the records folder -> bytes), and its counts."""
    world = _World(SCALES[scale], random.Random(seed))
    world.simulate()
    return world.files()


# ---------------------------------------------------------------------------------- the YAML

_PLAIN = re.compile(r"[^\x00-\x7f]|[A-Za-z]")
_UNSAFE = re.compile(r"[:#\[\]{},&*!|>'\"`\\]|\s$")
_WORDS = {"null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "no",
          "on", "off", "y", "n", "~"}


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, dt.date)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if _PLAIN.match(value) and not _UNSAFE.search(value) and value not in _WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)  # codes and numbers quoted, as the README asks


def _yaml(data: dict[str, Any], indent: str = "", first: str | None = None) -> list[str]:
    """Block YAML of `data`; `first` opens the first line (a list item's "- ")."""
    lines: list[str] = []
    for key, value in data.items():
        if value is None or value == []:
            continue
        lead = first if first is not None and not lines else indent
        if isinstance(value, dict):
            lines.append(f"{lead}{key}:")
            lines += _yaml(value, indent + "  ")
        elif isinstance(value, list) and isinstance(value[0], dict):
            lines.append(f"{lead}{key}:")
            for item in value:
                lines += _yaml(item, indent + "    ", indent + "  - ")
        elif isinstance(value, list):
            lines.append(f"{lead}{key}: [{', '.join(_scalar(v) for v in value)}]")
        else:
            lines.append(f"{lead}{key}: {_scalar(value)}")
    return lines


def _typed(ftype: FieldType, value: Any) -> Any:
    """A value as the loader gives it: objects as Fields with every declared field (None or ()
    when left out), lists as tuples."""
    if isinstance(ftype, Obj):
        return Fields({f.name: (_typed(f.type, value[f.name]) if value.get(f.name) not in (None, [])
                                else () if isinstance(f.type, ListOf) else None)
                       for f in ftype.fields})
    if isinstance(ftype, ListOf):
        return tuple(_typed(ftype.item, v) for v in value)
    return value


# --------------------------------------------------------------------------------- the world


def _day(year: int, month_day: tuple[int, int]) -> dt.date:
    return dt.date(year, *month_day)


def _weekday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _split(total: int, weights: dict[str, float], least: int = 1) -> dict[str, int]:
    """`total` split in proportion to `weights` (largest remainder), each at least `least`."""
    whole = sum(weights.values())
    shares = {k: max(least, int(total * w / whole)) for k, w in weights.items()}
    remainders = sorted(weights, key=lambda k: (-((total * weights[k] / whole) % 1), k))
    n = 0
    while sum(shares.values()) != total:
        key = remainders[n % len(remainders)]
        step = 1 if sum(shares.values()) < total else -1
        if shares[key] + step >= least:
            shares[key] += step
        n += 1
    return shares


def _org_code(body: str) -> str:
    """An 8-character body with its GB 11714 check character (the 组织机构代码)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body, weights))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


class _World:
    """The jurisdiction as it unfolds: records as plain dicts (kind -> id -> dict), the model
    the freeze code reads, and the draw files written so far."""

    def __init__(self, scale: Scale, rng: random.Random) -> None:
        self.scale = scale
        self.rng = rng
        self.name, self.unit, self.abbr = LEVEL_NAMES[scale.level]
        self.data: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in KIND_ORDER}
        self.model: dict[str, Record] = {}  # kind:id -> Record, rebuilt when a dict changes
        self.draws: list[Draw] = []
        self.draw_files: dict[str, bytes] = {}
        self.numbers: dict[str, int] = {}
        self.used: set[str] = set()
        self.sector_sizes: dict[str, int] = {}
        self.staff: dict[str, list[str]] = {}  # institution -> its persons
        self.must = ["penalty", "unreachable", "not-corrected", "credit-notice"]
        self.case = ""  # the consequence the finding being written must have
        self.rounds = json.loads(ROUNDS_FILE.read_text(encoding="utf-8"))
        self.areas = self._areas()
        self.jurisdiction_text = self._jurisdiction_yaml()
        record, _, problems = parse_record(self.jurisdiction_text.encode(), "jurisdiction.yaml",
                                           JURISDICTION)
        if record is None:
            raise SyntheticError(f"jurisdiction.yaml：{problems[0].message}")
        self.jurisdiction = record

    # ------------------------------------------------------------------------ small helpers

    def number(self, key: str) -> int:
        self.numbers[key] = self.numbers.get(key, 0) + 1
        return self.numbers[key]

    def name_of_person(self) -> str:
        return self.rng.choice(SURNAMES) + "某" + self.rng.choice(GIVEN)

    def between(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def put(self, kind: str, data: dict[str, Any]) -> None:
        """Add or replace a record; a dict changed after its Record was built is put again."""
        self.data[kind][data["id"]] = data
        self.model.pop(f"{kind}:{data['id']}", None)

    def record(self, kind: str, record_id: str) -> Record:
        key = f"{kind}:{record_id}"
        if key not in self.model:
            data = self.data[kind][record_id]
            self.model[key] = Record(kind, record_id, f"{KINDS_BY_NAME[kind].folder}/{record_id}.yaml",
                                     _typed(KINDS_BY_NAME[kind].schema, data), {})
        return self.model[key]

    def records(self) -> Records:
        return Records.build("records", self.jurisdiction,
                             [self.record(k, i) for k in KIND_ORDER for i in self.data[k]],
                             set(), self.draws)

    # ------------------------------------------------------------------- the fixed records

    def _areas(self) -> list[tuple[str, str]]:
        """(division code, place name) of each county-level area."""
        if self.scale.areas == 1:
            return [(self.scale.division_code, "示例县")]
        names = [a + b for a in PLACE_FIRST for b in PLACE_SECOND if a != b]
        self.rng.shuffle(names)
        per_city = 10 if self.scale.level == "市" else 7
        areas = []
        for n in range(self.scale.areas):
            city, county = divmod(n, per_city)
            city_code = self.scale.division_code[:2] + f"{city + 1:02d}" \
                if self.scale.level == "省" else self.scale.division_code[:4]
            city_name = "" if self.scale.level == "市" else f"示例{names[-1 - city]}市"
            kind = "区" if county < 2 else "县"
            areas.append((f"{city_code}{county + 1:02d}", f"{city_name}{names[n]}{kind}"))
        return areas

    def _jurisdiction_yaml(self) -> str:
        s = self.scale
        top = {"县": "示例县", "市": "示例市", "省": "示例省"}[s.level]
        sectors = []
        for sector in SECTORS:
            sectors.append(f"""\
    - sector: {sector}
      lead_department: {LEAD[sector]}
      inspections_per_year: 1
      min_targets: {MIN_TARGETS.get(sector, 1)}
      ratio_percent: {s.law_firm_ratio if sector == 'law-firm' else RATIOS[sector]}""")
        departments = "\n".join(f"""\
  - id: {dept}
    name: {DEPARTMENT_NAMES[dept][0]}{self.unit}
    duties: {DEPARTMENT_NAMES[dept][1]}""" for dept, _ in s.departments)
        return f"""\
# 司法行政机关（jurisdiction）：本局信息、股室、网站页脚与抽查政策。{GENERATED}：
# 地名、机构、人员、证号、代码和电话均为虚构（行政区划代码以 99 开头，不属于任何省份）。
# example: true 时网站每页显示“示例数据”提示；抽取所用的 drand 轮次是真实的早年轮次，抽取包不可能早于
# 它们冻结，也没有可信时间戳和 git 历史可以证明，ssj check 把这些情况（计划公布晚于随机源、时间戳缺失、
# 不在 git 仓库中）报告为提示（示例数据，仅作提示），而不是错误。
name: {self.name}
short_name: {self.name}
division_code: "{s.division_code}"
example: true
address: {top}示例路 1 号
regulation:
  title: {self.name}关于推行“双随机一公开”规范事中事后监管的实施方案
  number: {self.abbr}司发〔2021〕5号
  date: 2021-11-15
departments:
{departments}
site:
  website_id: "示例-0000000000"
  icp_record: 示ICP备00000000号（示例）
  psb_record: 示公网安备 00000000000000号（示例）
  base_url: "https://example.org/ssj-example-{s.division_code}/"
policy:
{policy_lines(YEARS[0], notes={})}
  sectors:
{chr(10).join(sectors)}
# 未固定可信时间戳服务（timestamp_authorities）：示例数据的抽取包没有时间戳，ssj check 报告为提示。
"""

    def _items(self) -> None:
        for row in ITEMS:
            item_id, sector, title, content, methods, basis = row[:6]
            since = dt.date.fromisoformat(row[6]) if len(row) > 6 and row[6] else dt.date(2021, 12, 1)
            until = dt.date.fromisoformat(row[7]) if len(row) > 7 else None
            self.put("item", {
                "id": item_id, "sector": sector, "title": title, "content": content,
                "methods": list(methods), "subject": LEAD[sector], "target_kind": "institution",
                "basis": [{"law": law, "articles": articles} for law, articles in basis],
                "effective_from": since, "effective_until": until,
                "published_on": since - dt.timedelta(days=6)})

    def _uscc(self, sector: str, division: str) -> str:
        while True:
            if sector == "legal-aid":  # a public institution registered as 事业单位
                code = "12" + division + _org_code(f"{self.rng.randint(0, 99999999):08d}")
            else:
                body = "MA" + "".join(self.rng.choice(CHARSET[:10] + "ABCDEFGHJKLMNPQRTUWXY")
                                      for _ in range(6))
                code = SECTOR_USCC_CATEGORY[sector] + division + _org_code(body)
            code += check_character(code)
            if code not in self.used:
                self.used.add(code)
                return code

    def _institution_names(self, sector: str, count: int) -> list[str]:
        if sector in ("law-firm", "appraisal"):
            words = [a + b for a in FIRM_WORDS for b in FIRM_WORDS if a != b]
            suffix = "律师事务所" if sector == "law-firm" else "司法鉴定所"
        else:
            words = [a + b for a in PLACE_FIRST for b in PLACE_SECOND if a != b]
            suffix = {"grassroots": "镇法律服务所", "notary": "公证处", "legal-aid": "法律援助中心"}[sector]
        if count > len(words):
            words += [w + c for w in words for c in FIRM_WORDS[:8]]
        return ["示例" + w + suffix for w in self.rng.sample(words, count)]

    def _institutions(self) -> None:
        counts = _split(self.scale.institutions, SECTOR_MIX)
        self.sector_sizes = counts
        sizes = self._personnel_sizes(counts)
        for sector, count in counts.items():
            for n, name in enumerate(self._institution_names(sector, count)):
                division, place = self.areas[n % len(self.areas)] \
                    if sector in ("notary", "legal-aid") else self.rng.choice(self.areas)
                if self.rng.random() < 0.08:
                    founded = self.between(dt.date(2022, 1, 10), dt.date(2026, 6, 30))
                else:
                    founded = self.between(dt.date(1985 if sector != "law-firm" else 1995, 1, 1),
                                           dt.date(2021, 12, 31))
                uscc = self._uscc(sector, division)
                history = [{"since": founded, "status": "active"}]
                if count >= 10 and founded.year < 2025 and self.rng.random() < 0.05:
                    year = self.rng.randint(max(2022, founded.year + 2), 2026)
                    closed = self.between(dt.date(year, 1, 2), dt.date(year, 2, 25))
                    history.append({"since": closed, "status": "closed",
                                    "note": f"经申请注销（{self.abbr}司注〔{year}〕{self.number('注' + str(year))}号）"})
                licence = {
                    "law-firm": f"2{division[:4]}{founded.year}1{self.number('lf-licence'):07d}",
                    "notary": f"3{division}{founded.year}{self.number('nt-licence'):05d}",
                    "grassroots": f"33{division}{self.number('gr-licence'):04d}",
                    "appraisal": f"{division}{self.number('ap-licence'):03d}",
                }.get(sector)
                street = self.rng.choice(STREETS)
                inst = {
                    "id": uscc, "name": name, "sector": sector, "uscc": uscc,
                    "licence_number": licence,
                    "address": f"{self.name[:3] if self.scale.areas > 1 else ''}{place}{street} "
                               f"{self.rng.randint(1, 399)} 号",
                    "responsible_person": None, "founded": founded,
                    "contact_phone": f"0990-0{self.number('phone'):07d}",
                    "status_history": history, "risk_flags": [],
                }
                if self.rng.random() < 0.04:
                    since = self.between(dt.date(2021, 6, 1), dt.date(2025, 6, 30))
                    inst["risk_flags"].append({
                        "kind": "complaints", "since": since,
                        "until": since + dt.timedelta(days=self.rng.randint(200, 500)),
                        "note": f"近一年收到投诉 {self.rng.randint(3, 9)} 件"})
                self._personnel(inst, sizes[sector].pop())
                self.put("institution", inst)

    def _personnel_sizes(self, counts: dict[str, int]) -> dict[str, list[int]]:
        """Each institution's staff, drawn by sector (law firms by the national size classes)
        and scaled so that the total is the scale's."""
        raw: dict[str, list[float]] = {}
        for sector, count in counts.items():
            mean = PERSONNEL_PER_INSTITUTION[sector]
            if sector == "law-firm":
                sizes = []
                for _ in range(count):
                    pick, low, high = self.rng.random(), 1, 10
                    for share, low, high in FIRM_SIZES:
                        if pick < share:
                            break
                        pick -= share
                    sizes.append(float(self.rng.randint(low, high)))
            else:
                sizes = [max(1.0, self.rng.gauss(mean, mean / 3)) for _ in range(count)]
            raw[sector] = sizes
        total = sum(sum(v) for v in raw.values())
        factor = self.scale.personnel / total
        out = {s: [max(2 if s == "notary" else 1, round(x * factor)) for x in v] for s, v in raw.items()}
        flat = [(s, i) for s in out for i in range(len(out[s]))]
        self.rng.shuffle(flat)
        n = 0
        while (diff := self.scale.personnel - sum(sum(v) for v in out.values())) != 0:
            s, i = flat[n % len(flat)]
            if diff > 0 or out[s][i] > (2 if s == "notary" else 1):
                out[s][i] += 1 if diff > 0 else -1
            n += 1
        return out

    def _personnel(self, inst: dict[str, Any], size: int) -> None:
        sector, division = inst["sector"], inst["uscc"][2:8]
        role = ROLE[sector]
        first = max(inst["founded"].year, 1985)
        names = []
        for n in range(size):
            year = first if n == 0 else self.rng.randint(first, max(first, 2025))
            since = max(inst["founded"], self.between(dt.date(year, 1, 1), dt.date(year, 12, 28)))
            since = min(since, END)
            serial = self.number(role)
            licence = {
                "lawyer": f"1{division[:4]}{year}{self.rng.randint(0, 1)}{serial:07d}",
                "notary": f"3{division[:4]}{year}2{serial:07d}",
                "grassroots-worker": f"2{division}{year}{serial:06d}",
                "appraiser": f"4{division}{year}{serial:06d}",
                "legal-aid-worker": f"5{division}{year}{serial:06d}",
            }[role]
            name = self.name_of_person()
            names.append(name)
            history = [{"since": since, "status": "active"}]
            if n > 0 and since.year < 2025 and self.rng.random() < 0.04:
                history.append({"since": self.between(since + dt.timedelta(days=200), END),
                                "status": "left", "note": "执业证注销"})
            self.staff.setdefault(inst["id"], []).append(licence)
            self.put("person", {"id": licence, "name": name, "role": role,
                                "institution": inst["id"], "licence_number": licence,
                                "status_history": history})
        inst["responsible_person"] = names[0]

    def _inspectors(self) -> None:
        division = self.scale.division_code
        institutions = list(self.data["institution"].values())
        for dept, count in self.scale.departments:
            churn = count // 5 if count >= 5 else 0  # a small department keeps everyone
            fates = ["hired"] * (churn // 2 + churn % 2) + ["left"] * (churn // 2) \
                + ["stays"] * (count - churn)
            self.rng.shuffle(fates)
            for fate in fates:
                start = dt.date(2021, 1, 1) if fate != "hired" else \
                    dt.date(self.rng.randint(2023, 2026), 1, 4)
                number = f"{division}{start.year % 100:02d}{self.number('inspector'):03d}"
                history = [{"since": start, "status": "active"}]
                until = dt.date(start.year + 6, 12, 31)
                if fate == "left":
                    year = self.rng.randint(2022, 2025)
                    if self.rng.random() < 0.5:
                        until = dt.date(year, 6, 30)
                        history.append({"since": until + dt.timedelta(days=1), "status": "inactive",
                                        "note": f"行政执法证 {until} 到期，未换发前不参加抽取"})
                    else:
                        history.append({"since": dt.date(year, 12, 20), "status": "inactive",
                                        "note": "调离执法岗位"})
                conflicts = []
                if institutions and self.rng.random() < 0.05:
                    sectors = [s for s in SECTORS if LEAD[s] == dept] or list(SECTORS)
                    pool = [i for i in institutions if i["sector"] in sectors]
                    target = self.rng.choice(pool)
                    persons = self.staff[target["id"]]
                    if persons and self.rng.random() < 0.3:
                        target = self.data["person"][self.rng.choice(persons)]
                    conflicts.append({"target": target["id"],
                                      "declared_on": dt.date(max(start.year, 2022), 1, 5),
                                      "detail": self.rng.choice(("配偶在该机构执业", "近亲属在该机构执业",
                                                                 "曾在该机构执业，离职未满两年"))})
                self.put("inspector", {
                    "id": number, "name": self.name_of_person(), "department": dept,
                    "certificate": {"number": number, "valid_from": start, "valid_until": until},
                    "status_history": history, "conflicts": conflicts})

    # -------------------------------------------------------------------------- the plans

    def _plans(self) -> list[dict[str, Any]]:
        plans = []
        for year in YEARS:
            for n, group in enumerate(self.scale.plan_groups, start=1):
                plan = self._plan(year, f"{year}-{n:02d}", group, n - 1)
                plans.append(plan)
                if year == REVISED_YEAR and n == 1:
                    plan["draw"]["sources"] = [{"kind": "drand", "chain": "default", "round": 1}]
                    revision = self._plan(year, f"{year}-{len(self.scale.plan_groups) + 1:02d}",
                                          group, 0, delay=35)
                    revision["revision"] = {
                        "supersedes": plan["id"],
                        "reason": "原计划抽取后，因专项整治工作安排，实施时间整体推迟约一个月；为使取数日期的名录库"
                                  "与实施时间相符，另立修订计划、声明新的随机源重新抽取，原抽取记录保留公示。"}
                    revision["title"] += "（修订）"
                    plans.append(revision)
        for plan in plans:
            self.put("plan", plan)
        return sorted(plans, key=lambda p: (p["pool_date"], p["id"]))

    def _plan(self, year: int, plan_id: str, group: tuple[str, ...], position: int,
              delay: int = 0) -> dict[str, Any]:
        shift = dt.timedelta(days=delay)
        pool_md, start_md, end_md = SLOTS[group[0]]
        pool = _day(year, pool_md) + shift
        start, end = _day(year, start_md) + shift, _day(year, end_md) + shift
        if len(group) > 1:  # a group ends with the last of its sectors' schedules
            end = max(_day(year, SLOTS[s][2]) for s in group) + shift
        document = "legal-aid" in group and year in (2024, 2026)
        method = "document" if document else "onsite"
        mode = "self-then-focused" if group[0] == "law-firm" and year in (2024, 2026) else "direct"
        items = [i for i in self.data["item"].values() if i["sector"] in group
                 and method in i["methods"] and i["effective_from"] <= pool
                 and (i["effective_until"] is None or pool <= i["effective_until"])]
        names = "、".join(SECTORS[s] for s in group)
        scope = [{"sector": s, "ratio_percent": self.scale.law_firm_ratio if s == "law-firm"
                  else RATIOS[s], "min_count": MIN_TARGETS.get(s, 1)} for s in group]
        ratios = "，".join(f"{SECTORS[s['sector']]} {s['ratio_percent']}%（不少于 {s['min_count']} 家）"
                          for s in scope)
        place = "公共法律服务中心会议室" if LEAD[group[0]] != "lawyer" else "三楼会议室"
        sources = [s for s in SOURCES if s[0] == "default" or pool >= QUICKNET_FROM]
        source = sources[position % len(sources)]
        return {
            "id": plan_id, "year": year,
            "title": f"{year} 年度{names}“双随机”抽查计划" if not document else
            f"{year} 年度{names}书面检查计划",
            "scope": scope, "method": method, "items": [i["id"] for i in items],
            "pool_date": pool, "schedule": {"start": start, "end": end}, "mode": mode,
            "self_inspection_deadline": start + dt.timedelta(days=21)
            if mode == "self-then-focused" else None,
            "organiser": {"department": LEAD[group[0]]},
            "joint_departments": [f"{self.name[:3]}市场监督管理局"] if "notary" in group and year % 2 else [],
            "draw": {
                "sources": [{"kind": "drand", "chain": source[0], "round": source[1]}],
                "held_on": pool + dt.timedelta(days=4), "place": f"{self.name}{place}",
                "witnesses": [{"name": self.name_of_person(), "capacity": c}
                              for c in self.rng.sample(WITNESSES, 2)]},
            "published_on": pool - dt.timedelta(days=7),
            "description": f"按方案 二（八），从名录库抽取{ratios}，每个对象随机选派 2 名执法检查人员"
                           f"{'书面检查' if document else '实地检查'}。"
                           + ("被抽中的机构先行自查，自查截止后实施重点检查。" if mode != "direct" else ""),
        }

    # --------------------------------------------------------------------------- simulation

    def simulate(self) -> None:
        self._items()
        self._institutions()
        self._inspectors()
        superseded = set()
        for plan in self._plans():
            if plan.get("revision"):
                superseded.add(plan["revision"]["supersedes"])
        for plan in sorted(self.data["plan"].values(), key=lambda p: (p["pool_date"], p["id"])):
            result = self._draw(plan["id"])
            if plan["id"] not in superseded:
                self._inspect(plan, result)
                self._targeted(plan)
        self._amendments()

    def _draw(self, plan_id: str) -> dict[str, Any]:
        """Freeze and draw one plan as `ssj draw freeze` and `ssj draw run` would."""
        records = self.records()
        plan = records.get(plan_id, ("plan",))
        clash = overlaps(records, plan)
        if clash:
            raise SyntheticError(f"计划 {plan_id} 与已冻结的计划 {clash[0][0].id} 重叠")
        frozen = freeze(records, plan)
        if frozen.infeasible:
            # as a bureau would: the lead department takes on one more inspector, from the pool
            # date on (no package frozen before it could have seen them), and the plan is frozen
            # again; a small department can run short when one institution keeps being drawn
            self._reinforce(plan, frozen.package)
            records = self.records()
            plan = records.get(plan_id, ("plan",))
            frozen = freeze(records, plan)
            if frozen.infeasible:
                raise SyntheticError(f"计划 {plan_id} 无法组成检查组：{frozen.infeasible[0]}")
        package = frozen.package
        chain = package["sources"][0]["chain"]
        rounds = [r for r in self.rounds if r["chain"] == chain]
        values, round_files = resolve_values(package, [], rounds)
        result = draw(package, values)
        commit = commitment(package)
        folder = f"{DRAWS_FOLDER}/{plan_id}"
        files = {"package.json": (pretty_json(package), package),
                 "commitment.txt": ((commit + "\n").encode(), commit),
                 "values.json": (pretty_json(values), values),
                 "result.json": (serialise(result), result)}
        for name, raw in round_files.items():
            files[name] = (raw, json.loads(raw))
        assert round_file_name(package["sources"][0]) in files
        for name, (raw, _) in files.items():
            self.draw_files[f"{folder}/{name}"] = raw
        self.draws.append(Draw(plan_id, folder, {name: DrawFile(f"{folder}/{name}", data, raw)
                                                 for name, (raw, data) in files.items()}))
        return result

    def _reinforce(self, plan: Record, package: dict[str, Any]) -> None:
        """One new inspector for each department that cannot lead a team for some target."""
        if any(d.plan != plan.id and self.data["plan"][d.plan]["pool_date"] >= plan.pool_date
               for d in self.draws):
            raise SyntheticError(f"计划 {plan.id} 无法组成检查组，且不能在取数日期补充执法检查人员")
        excluded = {(e["target"], e["inspector"]) for e in package["exclusions"]}
        short = []
        for stratum in package["strata"]:
            for target in stratum["targets"]:
                able = [i for i in package["inspectors"] if (target["id"], i["id"]) not in excluded]
                if sum(1 for i in able if i["department"] == stratum["lead_department"]) \
                        < stratum["min_lead"] or len(able) < package["team_size"]:
                    short.append(LEAD[stratum["id"]])
        for dept in dict.fromkeys(short):
            start = plan.pool_date
            number = f"{self.scale.division_code}{start.year % 100:02d}{self.number('inspector'):03d}"
            self.put("inspector", {
                "id": number, "name": self.name_of_person(), "department": dept,
                "certificate": {"number": number, "valid_from": start,
                                "valid_until": dt.date(start.year + 6, 12, 31)},
                "status_history": [{"since": start, "status": "active", "note": "补充执法检查人员"}],
                "conflicts": []})

    # --------------------------------------------------------------------------- findings

    def _inspect(self, plan: dict[str, Any], result: dict[str, Any]) -> None:
        """A finding for every drawn target, by its drawn team, spread over the schedule."""
        teams = result["teams"]
        first = max(plan["schedule"]["start"], plan["draw"]["held_on"] + dt.timedelta(days=1),
                    plan.get("self_inspection_deadline") or plan["schedule"]["start"])
        last = plan["schedule"]["end"] - dt.timedelta(days=6)
        span = (last - first).days
        starts = sorted(_weekday(first + dt.timedelta(days=span * n // max(1, len(teams))))
                        for n in range(len(teams)))
        order = list(range(len(teams)))
        self.rng.shuffle(order)
        width = max(2, len(str(len(teams))))
        for n, (start, which) in enumerate(zip(starts, order), start=1):
            team = teams[which]
            days = 4 if plan["method"] == "document" else self.rng.choice((0, 0, 0, 1, 1, 2))
            end = min(start + dt.timedelta(days=days), plan["schedule"]["end"])
            inst = self.data["institution"][team["target"]]
            items = [i for i in plan["items"] if self.data["item"][i]["sector"] == inst["sector"]
                     and self._effective(i, start)]
            chosen = sorted(self.rng.sample(items, min(len(items), self.rng.randint(1, 3))),
                            key=items.index)
            finding = {"id": f"{plan['id']}-{n:0{width}d}", "plan": plan["id"],
                       "targeted": None, "target": inst["id"], "inspectors": team["inspectors"],
                       "inspected": {"start": start, "end": end}, "method": plan["method"],
                       "items": chosen}
            self._outcome(finding, inst, random_check=True)

    def _effective(self, item_id: str, day: dt.date) -> bool:
        item = self.data["item"][item_id]
        return item["effective_from"] <= day and (item["effective_until"] is None
                                                  or day <= item["effective_until"])

    def _outcome(self, finding: dict[str, Any], inst: dict[str, Any], random_check: bool) -> None:
        """The result, its handling and what follows from it (lists, notices, status)."""
        sector, end = inst["sector"], finding["inspected"]["end"]
        roll = self.rng.random()
        large = self.sector_sizes[sector] >= 10
        room = (END - end).days  # what follows must be over by END
        fits = {"penalty": sector != "legal-aid" and room >= 170,
                "unreachable": sector != "legal-aid" and room >= 30,
                "not-corrected": room >= 90,
                "credit-notice": sector != "legal-aid" and room >= 30}
        # every kind of consequence at least once, even in a county's few dozen findings
        self.case = next((c for c in self.must if fits[c]), "") \
            if random_check and (end.year >= 2024 or roll < 0.05) else ""
        if self.case:
            outcome = {"penalty": "violation", "unreachable": "unreachable",
                       "not-corrected": "issues-found", "credit-notice": "not-cooperating"}[self.case]
        elif not random_check:
            outcome = "issues-found" if roll < 0.5 else "compliant"
        elif roll < 0.72:
            outcome = "compliant"
        elif roll < 0.92:
            outcome = "issues-found"
        elif roll < 0.97:
            outcome = "violation" if room >= 170 else "issues-found"
        elif roll < 0.99:
            outcome = "unreachable" if sector != "legal-aid" and room >= 30 else "issues-found"
        else:
            outcome = "not-cooperating" if sector != "legal-aid" and room >= 30 else "issues-found"
        finding.update({"outcome": outcome, "result": "", "concerns": [], "handling": [],
                        "guidance": [], "follow_ups": []})
        getattr(self, "_" + outcome.replace("-", "_"))(finding, inst, large)
        actions = {h["action"] for h in finding["handling"]}
        done = {"penalty": "penalty" in actions, "unreachable": outcome == "unreachable",
                "not-corrected": "written-reminder" in actions and outcome == "issues-found",
                "credit-notice": "credit-notice" in actions}
        self.must = [c for c in self.must if not done[c]]
        finding["published_on"] = end + dt.timedelta(days=self.rng.randint(3, 18))
        if outcome == "compliant" and self.rng.random() < 0.15:
            finding["guidance"].append({"kind": "advice", "date": end,
                                        "detail": "建议推进业务档案电子化管理。"})
        self.put("finding", finding)

    def _visit(self, finding: dict[str, Any], after: dt.date, outcome: str, note: str) -> dt.date:
        due = after + dt.timedelta(days=self.rng.randint(25, 35))
        visited = max(after + dt.timedelta(days=1), due - dt.timedelta(days=self.rng.randint(0, 5)))
        finding["follow_ups"].append({"due": due, "visited_on": visited, "outcome": outcome,
                                      "note": note})
        return visited

    def _compliant(self, finding: dict[str, Any], inst: dict[str, Any], large: bool) -> None:
        if finding["targeted"] is not None:
            finding["result"] = "经核查，反映的问题不属实或已整改到位，未发现新的问题。"
        else:
            finding["result"] = COMPLIANT[inst["sector"]].format(n=self.rng.choice((10, 15, 20)))

    def _issues_found(self, finding: dict[str, Any], inst: dict[str, Any], large: bool) -> None:
        start, end = finding["inspected"]["start"], finding["inspected"]["end"]
        issue = self.rng.choice(ISSUES[inst["sector"]])
        roll = 0.95 if self.case == "not-corrected" else self.rng.random()
        if roll < 0.25:
            finding["result"] = f"发现{issue}，已当场纠正。"
            finding["handling"].append({"action": "corrected-on-site", "date": end,
                                        "detail": "当场纠正。"})
            finding["guidance"].append({"kind": "reminder", "date": end,
                                        "detail": "提醒严格执行相关管理制度。"})
            return
        year = end.year
        number = f"{self.abbr}司责改〔{year}〕{self.number('责改' + str(year))}号"
        finding["result"] = f"发现{issue}。已责令限期 30 日内整改。"
        finding["handling"].append({"action": "rectification-ordered", "date": end,
                                    "decision_number": number, "detail": "责令 30 日内整改。"})
        stubborn = roll > 0.9 and end + dt.timedelta(days=90) <= END
        if stubborn:
            finding["handling"].append({"action": "written-reminder", "date": end + dt.timedelta(days=3),
                                        "detail": "书面提醒按期整改。"})
            seen = self._visit(finding, end, "not-rectified", "回访核查，逾期仍未整改。")
            decided = seen + dt.timedelta(days=self.rng.randint(3, 10))
            entry = self._list("abnormal", inst, "not-corrected", finding, decided,
                               f"经书面提醒，{issue}的问题逾期仍未整改（检查结果 {finding['id']}）。")
            done = self._visit(finding, decided, "rectified", "再次回访，已整改完毕。")
            entry["exit"] = {"date": done + dt.timedelta(days=self.rng.randint(5, 20)),
                             "reason": "经回访核实已整改完毕，依申请移出。"}
            if entry["exit"]["date"] > END:
                entry["exit"] = None
        else:
            self._visit(finding, end, "rectified", "回访核查，已整改完毕。")
        if start == end and self.rng.random() < 0.5:
            finding["guidance"].append({"kind": "reminder", "date": end,
                                        "detail": "提醒严格执行相关管理制度。"})

    def _violation(self, finding: dict[str, Any], inst: dict[str, Any], large: bool) -> None:
        sector, end = inst["sector"], finding["inspected"]["end"]
        finding["result"] = VIOLATIONS[sector]
        filed = end + dt.timedelta(days=self.rng.randint(3, 10))
        finding["handling"].append({"action": "case-filed", "date": filed, "detail": "立案调查。"})
        if sector == "legal-aid" or (self.case != "penalty" and self.rng.random() < 0.4):
            finding["result"] += "已约谈负责人并责令限期整改。"
            finding["handling"].append({"action": "interview", "date": filed,
                                        "detail": "约谈负责人。"})
            self._visit(finding, filed, "rectified", "回访核查，已整改完毕。")
            return
        decided = filed + dt.timedelta(days=self.rng.randint(20, 45))
        year = decided.year
        number = f"{self.abbr}司罚决〔{year}〕{self.number('罚' + str(year))}号"
        suspend = large and self.rng.random() < 0.3
        penalty = "警告、停业整顿一个月" if suspend else "警告"
        handling = {"action": "penalty", "date": decided, "decision_number": number,
                    "detail": f"依法给予{penalty}的行政处罚。"}
        if self.scale.level == "县" and sector == "law-firm":
            # 律师法 第五十条: the city's bureau penalises law firms
            handling["authority"] = "示例市司法局"
        finding["handling"].append(handling)
        finding["result"] += "已立案调查，查处情况见处置措施。"
        if self.rng.random() < 0.1:
            finding["concerns"].append("suspected-crime")
            finding["handling"].append({"action": "transferred", "date": decided,
                                        "detail": "涉嫌犯罪的线索移送公安机关。"})
        listed = decided + dt.timedelta(days=self.rng.randint(2, 10))
        entry = self._list("blacklist", inst, "penalty", finding, listed,
                           f"受到{penalty}的行政处罚（{number}）。")
        if listed + dt.timedelta(days=365) <= END:
            entry["exit"] = {"date": listed + dt.timedelta(days=365),
                             "reason": "列入满一年，期间未再发生违法违规行为，经信用修复移出。"}
        inst["risk_flags"].append({"kind": "serious_violation", "since": decided,
                                   "until": decided + dt.timedelta(days=730),
                                   "note": f"受到行政处罚（{number}）"})
        back = decided + dt.timedelta(days=self.rng.randint(10, 20))
        if suspend and back > inst["status_history"][-1]["since"]:
            inst["status_history"] += [
                {"since": back, "status": "suspended", "note": f"{number}：停业整顿一个月"},
                {"since": back + dt.timedelta(days=31), "status": "active",
                 "note": "停业整顿期满，经验收恢复执业"}]
            back += dt.timedelta(days=31)
        self.put("institution", inst)
        self._visit(finding, back, "rectified", "回访核查，已整改完毕。")

    def _unreachable(self, finding: dict[str, Any], inst: dict[str, Any], large: bool) -> None:
        end = finding["inspected"]["end"]
        finding["result"] = ("检查人员两次到该机构登记的住所，均无人办公，登记电话无法接通，通过登记的住所无法联系。"
                             "依方案 三（三） 列入执业异常对象名单。")
        finding["notes"] = "负责人手机两次均关机。"
        decided = end + dt.timedelta(days=self.rng.randint(5, 15))
        entry = self._list("abnormal", inst, "unreachable", finding, decided,
                           f"随机抽查中通过登记的住所无法联系（检查结果 {finding['id']}）。")
        year = decided.year + 1
        if large and self.rng.random() < 0.4 and year <= 2026 and \
                inst["status_history"][-1]["status"] == "active":
            closed = self.between(dt.date(year, 1, 2), dt.date(year, 2, 25))
            inst["status_history"].append({"since": closed, "status": "closed",
                                           "note": "长期无法联系，经申请注销"})
            entry["exit"] = {"date": closed, "reason": "该机构已注销，移出名录。"}
            self.put("institution", inst)
        elif decided + dt.timedelta(days=200) <= END:
            entry["exit"] = {"date": decided + dt.timedelta(days=self.rng.randint(120, 200)),
                             "reason": "已恢复在登记住所执业，经实地核实可以联系，依申请移出。"}

    def _not_cooperating(self, finding: dict[str, Any], inst: dict[str, Any], large: bool) -> None:
        end = finding["inspected"]["end"]
        finding["handling"].append({"action": "written-reminder", "date": end,
                                    "detail": "送达《配合检查告知书》，要求限期提供检查材料。"})
        if self.case != "credit-notice" and self.rng.random() < 0.5:
            finding["result"] = "负责人拒绝提供业务档案和收费凭证，经书面告知后仍不予配合。"
            return
        finding["result"] = ("负责人拒绝提供业务档案和收费凭证，经书面告知后仍不予配合，情节严重，"
                             "已通过信用信息公示平台公示。")
        finding["concerns"].append("serious-non-cooperation")
        day = end + dt.timedelta(days=self.rng.randint(7, 20))
        finding["handling"].append({"action": "credit-notice", "date": day,
                                    "detail": f"在信用中国（{self.name[:3]}）公示。"})
        notice_id = f"cn-{day.year}-{self.number('cn' + str(day.year)):02d}"
        self.put("credit_notice", {"id": notice_id, "institution": inst["id"],
                                   "finding": finding["id"], "platform": f"信用中国（{self.name[:3]}）",
                                   "published_on": day,
                                   "reason": f"在 {end.year} 年度随机抽查中拒绝提供检查材料，经书面告知后仍不予配合，"
                                             "情节严重。"})

    def _list(self, which: str, inst: dict[str, Any], ground: str, finding: dict[str, Any],
              day: dt.date, reason: str) -> dict[str, Any]:
        n = self.number(f"{which}{day.year}")
        word = "异" if which == "abnormal" else "黑"
        entry = {"id": f"{which}-{day.year}-{n:02d}", "list": which, "institution": inst["id"],
                 "ground": ground, "reason": reason, "finding": finding["id"],
                 "decision": {"authority": self.name,
                              "number": f"{self.abbr}司{word}〔{day.year}〕{n}号", "date": day},
                 "entered_on": day, "exit": None}
        self.put("list_entry", entry)
        return entry

    # ---------------------------------------------------------------- targeted inspections

    def _targeted(self, plan: dict[str, Any]) -> None:
        """Non-random inspections (二（九） last paragraph) of the plan's sectors, after its
        schedule and before the sectors' next pool date."""
        year = plan["year"]
        sectors = [s["sector"] for s in plan["scope"]]
        share = sum(SECTOR_MIX[s] for s in sectors) / sum(SECTOR_MIX.values())
        count = round(self.scale.targeted_per_year * share) or (1 if "law-firm" in sectors else 0)
        first = plan["schedule"]["end"] + dt.timedelta(days=15)
        last = min(dt.date(year, 11, 10), END - dt.timedelta(days=60))
        if count == 0 or first > last:
            return
        institutions = [i for i in self.data["institution"].values() if i["sector"] in sectors]
        entries = list(self.data["list_entry"].values())
        for _ in range(count):
            day = _weekday(self.between(first, last))
            inst = self.rng.choice(institutions)
            if self.record("institution", inst["id"]).status_on(day) != "active":
                continue
            listed = [e for e in entries if e["institution"] == inst["id"] and e["entered_on"] < day
                      and (e["exit"] is None or day < e["exit"]["date"])]
            complained = any(f["kind"] == "complaints" and f["since"] <= day
                             and (f["until"] is None or day <= f["until"]) for f in inst["risk_flags"])
            if listed:
                ground = "blacklisted" if listed[0]["list"] == "blacklist" else "abnormal-listed"
                note = f"该机构在{'信用黑名单' if ground == 'blacklisted' else '执业异常名录'}中（{listed[0]['id']}），依方案 二（九）4 检查。"
            elif complained or self.rng.random() < 0.6:
                ground, note = "complaint", f"收到当事人投诉 {self.rng.randint(1, 4)} 件，反映收费或执业不规范，开展专项核查。"
            else:
                ground, note = "violation-found", "日常监管中发现执业公示信息与实际不符，开展核查。"
            team = self._targeted_team(inst, day)
            if team is None:
                continue
            items = [i for i, d in self.data["item"].items() if d["sector"] == inst["sector"]
                     and self._effective(i, day)]
            n = self.number(f"targeted{year}")
            finding = {"id": f"{year}-targeted-{n:02d}", "plan": None,
                       "targeted": {"ground": ground, "note": note}, "target": inst["id"],
                       "inspectors": team, "inspected": {"start": day, "end": day},
                       "method": "onsite", "items": self.rng.sample(items, min(2, len(items)))}
            self._outcome(finding, inst, random_check=False)

    def _targeted_team(self, inst: dict[str, Any], day: dt.date) -> list[str] | None:
        people = []
        persons = set(self.staff.get(inst["id"], ()))
        for inspector in self.data["inspector"].values():
            record = self.record("inspector", inspector["id"])
            cert = inspector["certificate"]
            if record.status_on(day) != "active" or not cert["valid_from"] <= day <= cert["valid_until"]:
                continue
            if any(c["target"] == inst["id"] or c["target"] in persons for c in inspector["conflicts"]):
                continue
            people.append(inspector)
        # those who inspected it least lately: every pair that meets now is kept apart in the
        # sector's next draws (二（九）), and a small department must still be able to lead them
        since = day - dt.timedelta(days=730)
        met: dict[str, int] = {}
        for finding in self.data["finding"].values():
            if finding["target"] == inst["id"] and finding["inspected"]["end"] > since:
                for inspector_id in finding["inspectors"]:
                    met[inspector_id] = met.get(inspector_id, 0) + 1
        people.sort(key=lambda p: (met.get(p["id"], 0), self.rng.random()))
        lead = [p["id"] for p in people if p["department"] == LEAD[inst["sector"]]]
        others = [p["id"] for p in people if p["department"] != LEAD[inst["sector"]]]
        fresh = [i for i in lead if i not in met]
        if len(fresh) < 3 or not others:
            return None  # leave the department enough members to lead the next draws
        return [lead[0], others[0]]

    # ---------------------------------------------------------------------------- amendments

    def _amendments(self) -> None:
        """Corrections of a few published findings, list entries and plans (三（一）)."""
        findings = [f for f in self.data["finding"].values()
                    if f["published_on"] + dt.timedelta(days=30) <= END]
        for finding in self.rng.sample(findings, max(1, len(findings) // 100)):
            day = finding["published_on"] + dt.timedelta(days=self.rng.randint(3, 30))
            end = finding["inspected"]["end"]
            self.put("amendment", {
                "id": f"{finding['id']}-a1", "record": finding["id"], "date": day,
                "reason": "公示时检查结束日期录入有误。",
                "correction": f"检查结束日期应为 {end}，原公示写作 {end - dt.timedelta(days=1)}。"})
        entries = [e for e in self.data["list_entry"].values()
                   if e["entered_on"] + dt.timedelta(days=30) <= END]
        for entry in self.rng.sample(entries, min(len(entries), max(1, len(entries) // 50))):
            self.put("amendment", {
                "id": f"{entry['id']}-a1", "record": entry["id"],
                "date": entry["entered_on"] + dt.timedelta(days=self.rng.randint(3, 30)),
                "reason": "公示时列入决定日期录入有误。",
                "correction": f"列入决定日期应为 {entry['decision']['date']}，原公示写作 "
                              f"{entry['decision']['date'] - dt.timedelta(days=1)}。"})
        for year in YEARS:
            plan = self.data["plan"][f"{year}-01"]
            self.put("amendment", {
                "id": f"{plan['id']}-a1", "record": plan["id"],
                "date": plan["published_on"] + dt.timedelta(days=2),
                "reason": "计划公布时抽取地点表述不完整。",
                "correction": f"抽取地点应为{plan['draw']['place']}（本局办公楼内）；计划的其他内容不变。"})

    # ------------------------------------------------------------------------------ output

    def files(self) -> tuple[dict[str, bytes], Summary]:
        out: dict[str, bytes] = {"jurisdiction.yaml": self.jurisdiction_text.encode()}
        counts = {}
        for kind in KIND_ORDER:
            folder = KINDS_BY_NAME[kind].folder
            counts[kind] = len(self.data[kind])
            for record_id in sorted(self.data[kind]):
                data = self.data[kind][record_id]
                ordered = {f.name: data.get(f.name) for f in KINDS_BY_NAME[kind].fields}
                lines = [f"# {HEADERS[kind]}{GENERATED}。"] + _yaml(ordered)
                out[f"{folder}/{record_id}.yaml"] = ("\n".join(lines) + "\n").encode()
        out.update(sorted(self.draw_files.items()))
        return out, Summary(counts, len(self.draws), len(out))
