"""The checks that are not regulation rules: how records are read, how they hang together, the
draws and the append-only audit. Declared here once, as data, so that `ssj rules`, docs/rules.md
and the site list every id `ssj check` can emit (a test holds the code to this list). The code
that runs them lives with what it checks (records/load, rules/integrity, draw/, audit); a check
that enforces a clause of the 方案 cites it.
"""
from __future__ import annotations

from dataclasses import dataclass

from generator.records.problems import ERROR, NOTICE, WARNING

LOAD, INTEGRITY, DRAW, AUDIT, SITE = "读取", "完整性", "抽取", "追加式审计", "公示网站"
# what the catalogue shows for a check with no clause: it keeps the records whole and readable,
# which every clause relies on, rather than serving one
NO_CLAUSE = "记录完整性（不对应方案条款）"


@dataclass(frozen=True)
class Check:
    id: str
    category: str
    clause: str  # "" where it serves the records' integrity, not a clause (NO_CLAUSE)
    statement: str
    severity: str
    hint: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "category": self.category, "clause": self.clause,
                "statement": self.statement, "severity": self.severity, "hint": self.hint}


def _checks(category: str, *rows: tuple[str, str, str] | tuple[str, str, str, str]) -> tuple[Check, ...]:
    """Rows of (id, clause, statement[, severity])."""
    return tuple(Check(row[0], category, row[1], row[2], row[3] if len(row) > 3 else ERROR)
                 for row in rows)


CHECKS: tuple[Check, ...] = _checks(
    LOAD,
    ("load.syntax", "", "记录文件是合法的 YAML"),
    ("load.encoding", "", "文件为 UTF-8 编码，不含代理项字符"),
    ("load.unicode", "", "文本不含双向控制字符、不可见字符、非字符与特殊换行字符"),
    ("load.type", "", "每个字段的值符合声明的类型，文本不含控制字符"),
    ("load.tab", "", "缩进不用制表符"),
    ("load.tag", "", "不用 YAML 显式标签"),
    ("load.alias", "", "不用 YAML 锚点与别名"),
    ("load.multiple-documents", "", "一个文件只有一条记录"),
    ("load.empty", "", "记录文件不是空的"),
    ("load.empty-value", "", "必填字段不是空值"),
    ("load.too-large", "", "记录文件不超过大小上限"),
    ("load.too-long", "", "文本不超过长度上限"),
    ("load.too-deep", "", "嵌套不超过深度上限"),
    ("load.duplicate-key", "", "同一对象中没有重复的键"),
    ("load.key", "", "键是文本"),
    ("load.unknown-key", "", "只用声明过的字段"),
    ("load.required", "", "必填字段都已填写"),
    ("load.enum", "", "代码取自声明的选项"),
    ("load.date", "", "日期有效，格式 YYYY-MM-DD"),
    ("load.range", "", "数值在允许的范围内"),
    ("load.format", "", "文本符合规定的格式（编号、代码、网址等）"),
    ("load.json", "", "抽取文件是合法的 JSON"),
    ("load.io", "", "文件可以读取"),
    ("load.missing-file", "", "本局信息文件存在"),
    ("load.stray-file", "", "记录目录中只有记录文件和抽取工具写出的文件"),
    ("load.symlink", "", "记录与网站文件不是符号链接"),
)
CHECKS += _checks(
    INTEGRITY,
    ("integrity.unique-id", "", "编号在全部记录中唯一"),
    ("integrity.file-name", "", "文件名与编号相同"),
    ("integrity.reference", "", "引用的记录存在且类型正确"),
    ("integrity.date-order", "", "日期先后合理（证件、实施时间、公示、回访、名录、状态）"),
    ("integrity.uscc", "三（一）", "统一社会信用代码的校验码正确（GB 32100）"),
    ("integrity.uscc-category", "二（五）", "统一社会信用代码的类别与行业一致"),
    ("integrity.registration-number", "三（一）", "机构与执业人员有登记号（执业证号）可供公示"),
    ("integrity.finding-basis", "二（九）", "检查结果注明是随机抽查（计划）还是非随机检查（事由）"),
    ("integrity.finding-link", "三（三）", "名录记录与信用公示所引的检查结果属于同一机构"),
    ("integrity.duplicate-entry", "", "列表中没有重复项"),
    ("integrity.draw-source", "二（九）", "随机源写明所需的全部字段"),
    ("integrity.draw-beacon", "二（九）",
     "每个计划声明 drand 随机源，彩票结果只能作补充（对象由上级抽取的计划除外）"),
)
CHECKS += _checks(
    DRAW,
    ("draw.plan", "二（九）", "抽取目录属于一个存在的抽查计划"),
    ("draw.package", "二（九）", "抽取包有效，属于本计划，取数日期与计划一致"),
    ("draw.sources", "二（九）", "抽取包中的随机源与计划事先声明的一致"),
    ("draw.commitment", "二（九）", "承诺值是抽取包的 SHA-256"),
    ("draw.derivation", "二（五）",
     "抽取包正是按记录在取数日期得出的：名录中的对象一个不少、一个不多，分层与抽取家数按计划范围和比例"),
    ("draw.derivation-inspectors", "二（四）",
     "抽取包中的可选执法检查人员正是取数日期在岗、持有效行政执法证的人员，业务主管股室与每组来自主管股室的人数按政策"),
    ("draw.derivation-weight", "二（八）", "抽取包中每个对象的抽签份数按取数日期的风险情况（投诉举报、名录、违法记录）"),
    ("draw.derivation-team", "二（九）",
     "抽取包中的每组人数与排除正是按记录得出的：每组人数按政策，申报回避的、周期内检查过同一对象的人员不与该对象同组"),
    ("draw.timestamp", "二（九）", "可信时间戳有效：针对本承诺值，由固定的时间戳机构签发"),
    ("draw.timestamp-authority", "二（九）", "固定的时间戳机构证书链可以读取"),
    ("draw.timestamp-late", "二（九）", "可信时间戳早于首个随机源公布至少政策规定的小时数"),
    ("draw.timestamp-missing", "二（九）", "抽取有可信时间戳证明其早于随机源（正式数据）"),
    ("draw.timestamp-quorum", "二（九）",
     "每家固定的时间戳机构（或政策规定的家数）都给出按时的可信时间戳"),
    ("draw.publication-late", "二（九）",
     "抽取包在随机源公布前至少政策规定的小时数已在主分支公开：时间戳不能排除私下冻结多个候选"),
    ("draw.commit-date", "二（九）", "主分支上的提交时间不早于之前的提交，也不晚于现在"),
    ("draw.witness", "二（九）",
     "抽取目录中的见证记录是 witnesses 所列见证机关首次看到本计划承诺值的镜像记录，其时间戳经为该机关固定的证书链验证"),
    ("draw.witness-late", "二（九）",
     "见证机关首次看到承诺值（以其时间戳为准）早于首个随机源公布至少政策规定的小时数"),
    ("draw.delegated", "二（三）",
     "上级机关抽取的计划随附其抽取文件，承诺值与引用的一致，按其固定的时间戳机构像本局的抽取一样核验"),
    ("draw.unfrozen", "二（九）",
     "已公布的计划在首个随机源公布前有按时公开的抽取包，或已按时撤回并写明理由：计划不能就此消失"),
    ("draw.lottery-hand-check", "二（九）", "彩票开奖号码须由公众与官方开奖公告人工核对", NOTICE),
    ("draw.values", "二（九）", "随机值的个数与格式符合规范"),
    ("draw.drand", "二（九）", "drand 轮次数据可核验，与随机值一致"),
    ("draw.result", "二（九）", "抽取结果与按抽取包和随机值重新计算的结果逐字节相同"),
    ("draw.lottery-page", "三（一）", "已抽取的彩票随机源链接该期官方开奖公告"),
    ("draw.finding-target", "二（九）", "随机抽查只检查抽中的对象"),
    ("draw.finding-team", "二（九）", "检查人员就是随机选派的检查组"),
    ("draw.undrawn", "二（九）", "随机源公布后即运行抽取并公布结果", WARNING),
    ("draw.revision-sources", "二（九）", "重新抽取的修订计划声明更晚的随机源"),
    ("draw.silent-redraw", "二（九）", "随机源已公开的抽取须先运行并保留，才能修订"),
    ("draw.revision-cap", "二（九）", "每个计划的修订次数不超过政策规定"),
    ("draw.overlap", "二（九）", "同一行业同一期间只有一个有效的抽取"),
)
CHECKS += _checks(
    AUDIT,
    ("audit.append-only", "三（一）", "已公开的记录与抽取文件不删不改，只能补充；更正另立更正记录"),
    ("audit.policy", "二（九）",
     "已有冻结的抽取后，抽取规则只能追加自今日或以后生效的修改；已固定的时间戳机构不删，证书链与指纹不改"),
)
_OWN_REGULATION = ("把 site/pages/regulation.md 换成本局实施方案的全文{}，并在 records/jurisdiction.yaml 的 "
                   "regulation 中填写它的名称 title、文号 number 和印发日期 date")
# a real bureau's site before it is published (example data: none of these); rules/adoption.py
CHECKS += (
    Check("site.regulation-placeholder", SITE, "一（二）",
          "正式数据的网站公布本局实施方案的全文，而不是新建仓库时写入的占位页",
          ERROR, _OWN_REGULATION.format("（开头的 placeholder: true 一行一并删去）")),
    Check("site.regulation-model", SITE, "一（二）",
          "正式数据的网站公布的实施方案不是示范方案（喀司发〔2024〕5号）的原文，除非本局的方案就是它",
          ERROR, _OWN_REGULATION.format("") + "；规则目录引用示范方案的条款编号，网站公布的则须是本局自己的方案"),
    Check("site.regulation-number", SITE, "一（二）",
          "正式数据写明本局实施方案的文号：网站页脚据此写明“依据”哪个方案",
          ERROR, "在 records/jurisdiction.yaml 的 regulation.number 填写本局实施方案的文号，"
          "如 某司发〔2025〕3号，并核对 title 和 date"),
    Check("site.regulation-mismatch", SITE, "一（二）",
          "实施方案页面写明本局信息所填的文号", WARNING,
          "在页面开头写明方案名称、文号和印发日期，如“……实施方案，某司发〔2025〕3号，2025年3月1日印发。"
          "以下为全文。”；文号与 records/jurisdiction.yaml 的 regulation.number 一致"),
    Check("site.contact", SITE, "三（一）", "正式数据的网站页脚有“联系我们”：电话、邮箱或地址至少一项",
          WARNING, "在 records/jurisdiction.yaml 的 site 下填写对外公开的电话 telephone、邮箱 email 或"
          "来信地址 contact_address（或填写本局办公地址 address）"),
    Check("site.website-id", SITE, "三（一）", "正式数据的网站页脚有网站标识码", WARNING,
          "网站标识码由政府网站主管单位在政府网站开办审核通过后，通过全国政府网站管理平台分配；"
          "取得后填在 records/jurisdiction.yaml 的 site.website_id"),
    Check("site.icp-record", SITE, "三（一）", "正式数据的网站页脚有 ICP 备案号", WARNING,
          "ICP 备案在工业和信息化部政务服务平台（beian.miit.gov.cn）办理；取得备案号（如 辽ICP备12345678号）"
          "后填在 records/jurisdiction.yaml 的 site.icp_record"),
    Check("site.psb-record", SITE, "三（一）", "正式数据的网站页脚有公安机关备案号", WARNING,
          "公安联网备案在全国互联网安全管理服务平台（beian.mps.gov.cn）办理，"
          "取得备案号（如 辽公网安备 21132402000001号）后填在 records/jurisdiction.yaml 的 site.psb_record"),
)
