"""The record kinds: each declared once (fields, types, required, public or private, help text).

The loader validates by these declarations, the records README's field reference is generated from
them, and public output may only ever carry fields declared `public=True` (the allowlist).
Clause citations refer to 喀司发〔2024〕5号 (方案).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

from generator.records.chains import CHAINS
from generator.records.types import (
    ID_PATTERN,
    Bool,
    Date,
    Enum,
    Field,
    FieldType,
    Int,
    ListOf,
    Obj,
    Ref,
    Requirement,
    Str,
    Text,
)

# 方案 二（一）（五） and 二（八）: the sectors under supervision, with the GB 32100 category code
# (登记管理部门 3 = 司法行政, second digit = 机构类别) their institutions' 统一社会信用代码 carries.
SECTORS: dict[str, str] = {
    "law-firm": "律师事务所",
    "notary": "公证处",
    "grassroots": "基层法律服务所",
    "appraisal": "司法鉴定机构",
    "legal-aid": "法律援助机构",
}
SECTOR_USCC_CATEGORY: dict[str, str] = {
    "law-firm": "31",
    "notary": "32",
    "grassroots": "33",
    "appraisal": "34",
}

METHODS = {"onsite": "实地检查", "document": "书面检查"}  # 方案 二（七）

INSTITUTION_STATUS = {
    "active": "正常执业",
    "suspended": "停业整顿",
    "closed": "已注销",
    "revoked": "已吊销",
}
PERSON_STATUS = {"active": "执业", "suspended": "停止执业", "left": "已离职/注销"}
INSPECTOR_STATUS = {"active": "在岗", "inactive": "不在岗"}
LICENSED_ROLES = ("lawyer", "notary", "grassroots-worker", "appraiser")
ROLES = {
    "lawyer": "律师",
    "notary": "公证员",
    "grassroots-worker": "基层法律服务工作者",
    "appraiser": "司法鉴定人",
    "legal-aid-worker": "法律援助人员",
}

ID = Str(pattern=ID_PATTERN, pattern_help="字母、数字、点、横线、下划线，最长 64 位")
USCC = Str(pattern=r"[0-9A-Z]{18}", pattern_help="18 位统一社会信用代码")
TIME = Str(pattern=r"([01][0-9]|2[0-3]):[0-5][0-9]", pattern_help="北京时间 HH:MM")
SECTOR = Enum(SECTORS)
METHOD = Enum(METHODS)
# Without a private place for working notes, staff would write them into published text.
NOTES_HELP = "内部备注（不公开）：经办人员的工作记录，如联系经过；不写身份证号等个人信息"


def _history(statuses: dict[str, str], what: str) -> Field:
    return Field(
        "status_history",
        ListOf(
            Obj((
                Field("since", Date(), "自该日起生效", public=True, required=True),
                Field("status", Enum(statuses), "状态", public=True, required=True),
                Field("note", Text(), "变更说明（如批准文号）", public=True),
            )),
            min_items=1,
            history=True,
        ),
        f"{what}状态变更记录，按日期先后排列（动态管理）",
        public=True,
        required=True,
    )


@dataclass(frozen=True)
class Kind:
    """A record kind: where its files live and what fields they hold."""

    name: str
    title: str
    folder: str  # under records/; a singleton kind is the file `<folder>.yaml`
    help: str
    fields: tuple[Field, ...]
    singleton: bool = False

    @property
    def schema(self) -> Obj:
        return Obj(self.fields)


# The draw policy's numbers (generator/draw/policy.py): the first values in `policy`, later
# changes in policy.draw_changes; bounds are the spec's floor and ceiling.
DRAW_POLICY_FIELDS = (
    Field("draw_margin_hours", Int(minimum=1),
          "可信时间戳与 git 主分支上的公开，都须早于首个随机源公布至少这么多小时（规范下限 1 小时）",
          public=True, required=True, default=24),
    Field("max_revisions", Int(minimum=0, maximum=3),
          "每个抽查计划最多可修订（重新抽取）的次数，不超过 3；不填为 1", public=True, default=1),
    Field("timestamp_quorum", Int(minimum=1),
          "至少几家固定的时间戳机构须给出按时的时间戳；不填则每一家都须按时", public=True),
)

# A pinned time-stamping authority: the county's own (jurisdiction.yaml) and a higher bureau's,
# for the draw it made (a plan's draw.delegated.authorities)
TIMESTAMP_AUTHORITY = Obj((
    Field("id", ID, "编号，时间戳文件名 timestamp-<编号>.tsr 用它", public=True,
          required=True),
    Field("name", Str(), "时间戳服务机构名称", public=True, required=True),
    Field("url", Str(pattern=r"https?://\S+", pattern_help="http(s) 网址"),
          "RFC 3161 时间戳服务地址", public=True, required=True),
    Field("chain", Text(), "固定的证书链（PEM 文本：根证书及中间证书，可含时间戳证书）；"
          "只信任这里的证书", public=True, required=True),
    Field("root_sha256", Str(pattern=r"[0-9A-Fa-f]{2}(:?[0-9A-Fa-f]{2}){31}",
                             pattern_help="64 位十六进制，可用冒号分隔，如 "
                                          "openssl x509 -noout -fingerprint -sha256 所示"),
          "根证书的 SHA-256 指纹（对 DER 编码）：时间戳机构以它而不是名称来识别，"
          "须与 chain 中的自签名根证书一致", public=True, required=True),
    Field("root_url", Str(pattern=r"https?://\S+", pattern_help="http(s) 网址"),
          "时间戳机构自己公布根证书的网址：公众在那里核对指纹", public=True,
          required=True),
    Field("since", Date(), "自该日起冻结的抽取包须有本机构的时间戳；不填则一律须有",
          public=True),
))

JURISDICTION = Kind(
    "jurisdiction",
    "司法行政机关",
    "jurisdiction",
    "本局基本信息、股室、网站页脚信息与抽查政策（方案 二（八）（九）、三（一））。",
    singleton=True,
    fields=(
        Field("name", Str(), "机关全称", public=True, required=True),
        Field("short_name", Str(), "简称，用于页面标题", public=True, required=True),
        Field("division_code", Str(pattern=r"[0-9]{6}", pattern_help="6 位行政区划代码"),
              "行政区划代码", public=True, required=True),
        Field("uscc", USCC, "本局统一社会信用代码：公开信息的索引号以它开头；不填则用行政区划代码",
              public=True),
        Field("example", Bool(), "true 表示这是示例数据，网站每页显示提示", public=True,
              required=True),
        Field("address", Str(), "办公地址", public=True),
        Field("regulation", Obj((
            Field("title", Str(), "实施方案名称", public=True, required=True),
            Field("number", Str(), "文号", public=True, required=True),
            Field("date", Date(), "印发日期", public=True, required=True),
        )), "本局实施方案", public=True, required=True),
        Field("departments", ListOf(Obj((
            Field("id", ID, "股室编号", public=True, required=True),
            Field("name", Str(), "股室名称", public=True, required=True),
            Field("duties", Text(), "职责", public=True),
        )), min_items=1), "股室（法律服务业务主管部门等）", public=True, required=True),
        Field("site", Obj((
            Field("host", Str(), "主办单位（页脚“主办单位”；不填则为本局全称）", public=True),
            Field("telephone", Str(pattern=r"[0-9][0-9 ()+-]{4,30}",
                                   pattern_help="电话号码，如 0421-1234567"),
                  "对外公开的联系电话（页脚“联系我们”）", public=True),
            Field("email", Str(pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+", pattern_help="电子邮箱地址"),
                  "对外公开的电子邮箱（页脚“联系我们”）", public=True),
            Field("contact_address", Str(), "来信地址与邮编（页脚“联系我们”；不填则用办公地址）",
                  public=True),
            Field("website_id", Str(), "网站标识码", public=True),
            Field("icp_record", Str(), "ICP备案号", public=True),
            Field("psb_record", Str(), "公安机关备案号", public=True),
            Field("gov_mark", Obj((
                Field("image", Str(pattern=r"static/[A-Za-z0-9._/-]+\.(?:png|gif|svg)",
                                   pattern_help="site/static/ 下的图片，如 static/dzjg.png"),
                      "标识图片：开办审核后取得的图片，放在 site/static/ 下（网站只显示本站文件）",
                      public=True, required=True),
                Field("url", Str(pattern=r"https://\S+", pattern_help="https 网址"),
                      "点击标识打开的核验地址（开办审核时给出）", public=True),
            )), "党政机关网站标识（开办审核后取得；页脚显示。示例数据不填时显示占位框）", public=True),
            Field("base_url", Str(pattern=r"https?://\S+/", pattern_help="以 / 结尾的网址"),
                  "网站的正式地址（订阅源与站点地图需要绝对地址）", public=True),
            Field("ssj_requirement", Requirement(),
                  "本局 requirements.txt 中固定的 ssj 来源；抽取页面据此告诉公众安装哪一版 ssj 来核验抽取",
                  public=True),
        )), "网站页脚信息", public=True, required=True),
        Field("policy", Obj((
            Field("team_size", Int(minimum=2), "每个检查对象选派的执法检查人员人数（二（九）：不少于 2 人）",
                  public=True, required=True, default=2),
            Field("lead_department_min", Int(minimum=0),
                  "每组中来自该行业业务主管股室的最少人数（二（四）：以业务主管部门执法人员为主；"
                  "0 表示不按组要求，只看名录库整体构成）",
                  public=True, required=True, default=1),
            Field("same_inspector_period_days", Int(minimum=1),
                  "同一检查人员不得检查同一对象的周期，天（二（九））", public=True, required=True,
                  default=730),
            Field("publication_deadline_days", Int(minimum=1),
                  "检查结束后公示结果的期限，天（三（一））", public=True, required=True,
                  default=20),
            *DRAW_POLICY_FIELDS,
            Field("draw_changes", ListOf(Obj((
                Field("from", Date(), "自该日起冻结的抽取包适用本条（不得早于作出修改之日）",
                      public=True, required=True),
                *(replace(f, required=False, default=None) for f in DRAW_POLICY_FIELDS),
                Field("reason", Text(), "修改的理由", public=True, required=True),
            )), history=True),
                "抽取规则的修改：只能在末尾追加，每条写明生效日期；已冻结的抽取仍按冻结时的规则判断",
                public=True),
            Field("onsite_min_percent", Int(minimum=0, maximum=100),
                  "每年实地检查占比下限，百分比（二（七）：以实地检查为主）", public=True,
                  required=True, default=51),
            Field("witnesses_required", Bool(), "抽取时是否须邀请监督人员到场（二（九））",
                  public=True, required=True, default=True),
            Field("publish_inspector_roster", Bool(), "是否公开执法检查人员名录", public=True,
                  required=True, default=True),
            Field("quotas_from", Date(), "自该日所在年度起考核抽查频次（二（八）），不填则自实施方案印发之年",
                  public=True),
            Field("risk_weights", Obj((
                Field("complaints", Int(minimum=1), "投诉举报多", public=True, required=True,
                      default=2),
                Field("abnormal_list", Int(minimum=1), "列入执业异常名录", public=True,
                      required=True, default=3),
                Field("blacklist", Int(minimum=1), "列入信用黑名单", public=True, required=True,
                      default=3),
                Field("serious_violation", Int(minimum=1), "有严重违法违规记录", public=True,
                      required=True, default=3),
            )), "风险对象抽取权重（抽签份数，二（八））", public=True, required=True),
            Field("sectors", ListOf(Obj((
                Field("sector", SECTOR, "行业", public=True, required=True),
                Field("lead_department", Ref(("department",)), "业务主管股室", public=True,
                      required=True),
                Field("inspections_per_year", Int(minimum=0),
                      "每年抽查次数（不得低于方案 二（八）的下限，除非写明 exemption）", public=True,
                      required=True),
                Field("min_targets", Int(minimum=0),
                      "每次至少抽取的对象数（不得低于方案 二（八）的下限，除非写明 exemption）",
                      public=True, required=True),
                Field("ratio_percent", Int(minimum=0, maximum=100), "抽查比例，百分比",
                      public=True, required=True),
                Field("targeted_count", Bool(),
                      "非随机检查（二（九）末段）是否计入该行业的年度抽查次数；不填为 false。"
                      "方案 二（八）对律师事务所、基层法律服务所规定的是“随机抽查”，"
                      "这两个行业填 true 即低于下限", public=True),
                Field("delegated_count", Bool(),
                      "受上级委托、由上级抽取对象的检查（二（三），计划写 draw.delegated）"
                      "是否计入本局该行业的年度抽查次数；不填为 false", public=True),
                Field("exemption", Text(),
                      "该行业低于方案 二（八）下限（每年 0 次、每次家数低于下限、计入非随机检查）的理由，"
                      "如“本县没有司法鉴定机构”；写明后该行业不受下限约束，理由在年度汇总中公示",
                      public=True),
            )), min_items=1), "各行业抽查频次与比例（二（八））；方案规定的五个行业都要列出",
                public=True, required=True),
        )), "抽查政策：所有政策数字都在这里，而不在代码里", public=True, required=True),
        Field("witnesses", ListOf(Obj((
            Field("id", ID, "编号，见证目录 records/draws/<计划>/witness-<编号>/ 用它",
                  public=True, required=True),
            Field("name", Str(), "见证机关名称，如 朝阳市司法局", public=True, required=True),
            Field("division_code", Str(pattern=r"[0-9]{6}", pattern_help="6 位行政区划代码"),
                  "见证机关的行政区划代码：见证记录须是它写的", public=True, required=True),
            Field("url", Str(pattern=r"https://\S+/|http://(127\.0\.0\.1|localhost)(:[0-9]+)?/(\S*/)?",
                             pattern_help="以 / 结尾的 https 网址（本机试用可用 http://127.0.0.1/…）"),
                  "该机关镜像本站的地址（与本站同样的路径在其下），它记录首次见到每个承诺值的时间",
                  public=True, required=True),
            Field("timestamp_authorities", ListOf(TIMESTAMP_AUTHORITY),
                  "见证机关固定的时间戳服务（其网站“见证记录”页列出）：ssj draw witness 取回的见证记录"
                  "只有经这里固定的证书链验证，才在计划页面写明见证时间", public=True),
        ))), "外部见证：镜像本站、以自己的时间戳记录每个抽取包何时公开的机关（如上级司法局）；"
            "抽取页面逐一链接", public=True),
        Field("timestamp_authorities", ListOf(TIMESTAMP_AUTHORITY), "可信时间戳服务（RFC 3161 / GB/T 20520）：证明抽取包在随机源产生之前已冻结",
            public=True),
    ),
)

INSTITUTION = Kind(
    "institution",
    "法律服务机构",
    "institutions",
    "检查对象名录库中的机构（方案 二（五））。文件名为 `<id>.yaml`，id 一般用统一社会信用代码。",
    fields=(
        Field("id", ID, "编号，与文件名相同", public=True, required=True),
        Field("name", Str(), "机构名称", public=True, required=True),
        Field("sector", SECTOR, "行业", public=True, required=True),
        Field("uscc", USCC, "统一社会信用代码（GB 32100）", public=True),
        Field("licence_number", Str(), "执业许可证号（无统一社会信用代码时必填）", public=True),
        Field("address", Str(), "住所（执业场所）", public=True, required=True),
        Field("responsible_person", Str(), "负责人", public=True),
        Field("founded", Date(), "成立日期", public=True),
        Field("contact_phone", Str(),
              "联系电话（不公开）：通知检查、整改回访，核实能否联系（三（三）：无法联系的列入执业异常名录）",
              public=False),
        _history(INSTITUTION_STATUS, "执业"),
        Field("risk_flags", ListOf(Obj((
            Field("kind", Enum({"complaints": "投诉举报多", "serious_violation": "严重违法违规记录"}),
                  "风险类型", public=False, required=True),
            Field("since", Date(), "起始日期", public=False, required=True),
            Field("until", Date(), "结束日期", public=False),
            Field("note", Text(), "说明", public=False),
        )), history=True), "风险标记（二（八），不公开）：抽取时给该机构加抽签份数，加大检查力度；"
            "名录与黑名单由名录记录得出", public=False),
        Field("notes", Text(), NOTES_HELP, public=False),
    ),
)

PERSON = Kind(
    "person",
    "法律服务人员",
    "personnel",
    "机构所属法律服务人员（方案 二（五））。",
    fields=(
        Field("id", ID, "编号，与文件名相同", public=True, required=True),
        Field("name", Str(), "姓名", public=True, required=True),
        Field("role", Enum(ROLES), "类别", public=True, required=True),
        Field("institution", Ref(("institution",)), "所属机构", public=True, required=True),
        Field("licence_number", Str(), "执业证号（律师、公证员、基层法律服务工作者、司法鉴定人必填）",
              public=True),
        Field("phone", Str(), "手机号码（不公开）：以该人员为检查对象时通知检查、整改回访", public=False),
        _history(PERSON_STATUS, "执业"),
    ),
)

INSPECTOR = Kind(
    "inspector",
    "执法检查人员",
    "inspectors",
    "执法检查人员名录库（方案 二（四））：必须持有行政执法证。",
    fields=(
        Field("id", ID, "编号，与文件名相同", public=True, required=True),
        Field("name", Str(), "姓名", public=True, required=True),
        Field("department", Ref(("department",)), "所在股室", public=True, required=True),
        Field("certificate", Obj((
            Field("number", Str(), "执法证号", public=True, required=True),
            Field("valid_from", Date(), "有效期起", public=True, required=True),
            Field("valid_until", Date(), "有效期至", public=True, required=True),
        )), "行政执法证", public=True, required=True),
        Field("phone", Str(), "手机号码（不公开）：抽中后通知本人参加检查", public=False),
        _history(INSPECTOR_STATUS, "在岗"),
        Field("conflicts", ListOf(Obj((
            Field("target", Ref(("institution", "person")), "有利害关系的机构或人员",
                  public=False, required=True),
            Field("declared_on", Date(), "申报日期", public=False, required=True),
            Field("detail", Text(), "利害关系说明", public=False),
        )), history=True), "申报的利害关系（二（九），不公开）：抽取时回避，并核对检查组", public=False),
    ),
)

ITEM = Kind(
    "item",
    "抽查事项",
    "items",
    "随机抽查事项清单（方案 二（六））：逐项明确依据、主体、内容、方式。",
    fields=(
        Field("id", ID, "编号，与文件名相同", public=True, required=True),
        Field("sector", SECTOR, "行业", public=True, required=True),
        Field("title", Str(), "事项名称", public=True, required=True),
        Field("content", Text(), "抽查内容", public=True, required=True),
        Field("methods", ListOf(METHOD, min_items=1), "抽查方式", public=True, required=True),
        Field("subject", Ref(("department",)), "抽查主体（具体组织落实的股室）", public=True,
              required=True),
        Field("target_kind", Enum({"institution": "机构", "person": "人员"}), "检查对象类别",
              public=True, required=True),
        Field("basis", ListOf(Obj((
            Field("law", Str(), "法律、法规或规章名称", public=True, required=True),
            Field("articles", Str(), "条款", public=True, required=True),
        ))), "抽查依据（二（二）；没有依据不得检查）", public=True, required=True),
        Field("effective_from", Date(), "列入清单日期", public=True, required=True),
        Field("effective_until", Date(), "移出清单日期（动态调整）", public=True),
        Field("published_on", Date(),
              "向社会公布日期（二（六）：清单及时向社会公布；计划所用事项须在计划公布之日或之前公布）",
              public=True, required=True),
    ),
)

SOURCE = Obj((
    Field("kind", Enum({"drand": "drand 公共随机信标", "lottery": "彩票开奖结果"}), "随机源类别",
          public=True, required=True),
    Field("chain", Enum({name: name for name in CHAINS}), "drand 链", public=True),
    Field("round", Int(minimum=1), "drand 轮次", public=True),
    Field("game", Str(), "彩票玩法，如 福彩3D", public=True),
    Field("issue", Str(pattern=r"[0-9]+", pattern_help="期号"), "彩票期号", public=True),
    Field("date", Date(), "彩票开奖日期", public=True),
    Field("time", TIME, "彩票开奖时间", public=True),
    Field("result_url", Str(pattern=r"https://\S+", pattern_help="https 网址"),
          "该期官方开奖公告的网址（抽取前补填）", public=True),
))

PLAN = Kind(
    "plan",
    "抽查计划",
    "plans",
    "随机抽查计划（方案 二（九））：范围、比例、方式、事项、时间，以及实施方式（二（三））与抽取安排。",
    fields=(
        Field("id", ID, "编号，与文件名相同", public=True, required=True),
        Field("year", Int(minimum=2000, maximum=2100), "年度", public=True, required=True),
        Field("title", Str(), "计划名称", public=True, required=True),
        Field("scope", ListOf(Obj((
            Field("sector", SECTOR, "行业", public=True, required=True),
            Field("ratio_percent", Int(minimum=0, maximum=100), "抽查比例，百分比", public=True,
                  required=True),
            Field("min_count", Int(minimum=0), "至少抽取对象数", public=True, required=True),
        )), min_items=1), "抽查范围与比例", public=True, required=True),
        Field("method", METHOD, "抽查方式", public=True, required=True),
        Field("items", ListOf(Ref(("item",)), min_items=1), "抽查事项", public=True, required=True),
        Field("pool_date", Date(), "名录库取数日期（抽取对象与人员的依据日）", public=True,
              required=True),
        Field("schedule", Obj((
            Field("start", Date(), "开始日期", public=True, required=True),
            Field("end", Date(), "结束日期", public=True, required=True),
        )), "实施时间", public=True, required=True),
        Field("mode", Enum({
            "direct": "直接检查",
            "self-then-focused": "先行自查，再实施重点检查",
            "self-and-focused": "自查和重点检查同时进行",
        }), "检查方式（二（三））", public=True, required=True),
        Field("self_inspection_deadline", Date(), "自查截止日期（有自查时填写）", public=True),
        Field("organiser", Obj((
            Field("department", Ref(("department",)), "具体组织落实的股室", public=True,
                  required=True),
            Field("delegated_by", Str(), "委托检查的上级司法行政机关（受委托时填写）",
                  public=True),
        )), "抽查主体（二（三））", public=True, required=True),
        Field("joint_departments", ListOf(Str()), "联合抽查的其他部门（二（七））", public=True),
        Field("draw", Obj((
            Field("sources", ListOf(SOURCE),
                  "事先声明的公开随机源（本局抽取时至少一个 drand 轮次；由上级抽取对象的计划写 []）",
                  public=True, required=True),
            Field("delegated", Obj((
                Field("url", Str(pattern=r"https://\S+", pattern_help="https 网址"),
                      "上级机关公布该次抽取（抽取公告与结果）的网址", public=True, required=True),
                Field("commitment", Str(pattern=r"[0-9a-f]{64}",
                                        pattern_help="64 位小写十六进制 SHA-256"),
                      "上级机关公布的抽取承诺值（ssj-draw/1 的 commitment）", public=True,
                      required=True),
                Field("authorities", ListOf(TIMESTAMP_AUTHORITY),
                      "上级机关固定的可信时间戳服务：它的时间戳按这些证书链核验", public=True),
            )), "上级机关的抽取（二（三）：受委托检查、对象由上级随机抽取时填写，本局不另行抽取；"
                "上级的抽取文件（package.json、commitment.txt、values.json、result.json、drand 轮次、"
                "时间戳）原样放在 records/draws/<本计划编号>/，按本局自己的抽取一样核验）", public=True),
            Field("held_on", Date(), "抽取日期", public=True),
            Field("place", Str(), "抽取地点", public=True),
            Field("witnesses", ListOf(Obj((
                Field("name", Str(), "姓名", public=True, required=True),
                Field("capacity", Str(), "身份，如 律师协会代表", public=True, required=True),
            ))), "现场监督人员（二（九））", public=True),
        )), "抽取安排", public=True, required=True),
        Field("withdrawal", Obj((
            Field("date", Date(), "撤回日期", public=True, required=True),
            Field("reason", Text(), "撤回的理由", public=True, required=True),
        )), "撤回计划（未冻结抽取包的已公布计划，须在首个随机源公布之前撤回并写明理由，"
            "提交到主分支；随机源公布后就只能抽取）", public=True),
        Field("revision", Obj((
            Field("supersedes", Ref(("plan",)), "被取代的计划", public=True, required=True),
            Field("reason", Text(), "重新抽取的理由", public=True, required=True),
        )), "计划修订（重新抽取须另立修订计划并说明理由）", public=True),
        Field("published_on", Date(),
              "计划公布日期（一（二）、二（九）：必须填写，不晚于抽取日期，且早于首个随机源公布之日；"
              "由规则检查，不在读取时强制，以便已冻结的计划补填）", public=True),
        Field("description", Text(), "说明", public=True),
    ),
)

TARGETED_GROUNDS = {
    "complaint": "收到投诉、申诉、举报、上级交办或其他机关移送的材料（二（九）1）",
    "violation-found": "监管中发现违法违规现象（二（九）2）",
    "blacklisted": "已被列入信用黑名单（二（九）3）",
    "abnormal-listed": "已被列入执业异常对象名单（二（九）4）",
}

FINDING = Kind(
    "finding",
    "检查结果",
    "findings",
    "一次检查的结果与处理（方案 三（一）（二）（三）），随机抽查写 plan，非随机检查写 targeted。",
    fields=(
        Field("id", ID, "编号，与文件名相同", public=True, required=True),
        Field("plan", Ref(("plan",)), "所属抽查计划（随机抽查）", public=True),
        Field("targeted", Obj((
            Field("ground", Enum(TARGETED_GROUNDS), "依据情形", public=True, required=True),
            Field("note", Text(), "说明", public=True),
            Field("basis", ListOf(Obj((
                Field("matter", Str(), "检查内容", public=True, required=True),
                Field("law", Str(), "法律、法规或规章名称", public=True, required=True),
                Field("articles", Str(), "条款", public=True, required=True),
            ))), "清单事项以外的检查内容及其法律依据（二（六）：没有依据不得检查；"
                "非随机检查不受随机抽查事项清单限制）", public=True),
        )), "非随机检查的依据（二（九）末段）", public=True),
        Field("target", Ref(("institution", "person")), "检查对象", public=True, required=True),
        Field("inspectors", ListOf(Ref(("inspector",)), min_items=1), "执法检查人员", public=True,
              required=True),
        Field("inspected", Obj((
            Field("start", Date(), "开始日期", public=True, required=True),
            Field("end", Date(), "结束日期", public=True, required=True),
        )), "抽查时间", public=True, required=True),
        Field("method", METHOD, "抽查方式", public=True, required=True),
        Field("items", ListOf(Ref(("item",)), min_items=1),
              "抽查内容（清单上的事项）：随机抽查必填；非随机检查填事项或 targeted.basis，"
              "或两者都填（由规则检查）", public=True),
        Field("outcome", Enum({
            "compliant": "未发现问题",
            "issues-found": "发现问题",
            "violation": "发现违法违规行为",
            "unreachable": "通过登记的住所无法联系",
            "not-cooperating": "不予配合",
        }), "抽查结果", public=True, required=True),
        Field("result", Text(), "抽查结果说明（公示）", public=True, required=True),
        Field("concerns", ListOf(Enum({
            "unlicensed-practice": "未取得或被吊销、注销许可，或许可期满未重新办理，擅自继续执业",
            "suspected-crime": "涉嫌犯罪",
            "serious-non-cooperation": "不予配合，情节严重",
        })), "须依法移交或公示的情形（三（三））", public=True),
        Field("handling", ListOf(Obj((
            Field("action", Enum({
                "corrected-on-site": "责令当场纠正",
                "rectification-ordered": "责令限期整改",
                "written-reminder": "书面提醒",
                "interview": "约谈负责人",
                "case-filed": "立案查处",
                "penalty": "行政处罚",
                "reported-to-licensing": "报告行政许可审批部门",
                "transferred": "移送司法机关",
                "credit-notice": "信用信息公示平台公示",
            }), "处置措施（三（三））", public=True, required=True),
            Field("date", Date(), "日期", public=True, required=True),
            Field("decision_number", Str(), "决定文号", public=True),
            Field("authority", Str(), "作出决定的机关（非本局时填写，如设区的市级司法行政部门）",
                  public=True),
            Field("detail", Text(), "说明", public=True),
        )), history=True), "违法行为查处情况", public=True),
        Field("guidance", ListOf(Obj((
            Field("kind", Enum({
                "advice": "建议",
                "reminder": "提醒",
                "dissuasion": "规劝",
                "demonstration": "示范",
                "publicity": "公示",
            }), "行政指导方式（三（二））", public=True, required=True),
            Field("date", Date(), "日期", public=True, required=True),
            Field("detail", Text(), "内容", public=True),
        )), history=True), "行政指导", public=True),
        Field("follow_ups", ListOf(Obj((
            Field("due", Date(), "回访期限", public=True, required=True),
            Field("visited_on", Date(), "回访日期", public=True),
            Field("outcome", Enum({
                "rectified": "已整改",
                "partly-rectified": "部分整改",
                "not-rectified": "未整改",
            }), "回访结果", public=True),
            Field("note", Text(), "说明", public=True),
        )), history=True), "整改回访（三（三））", public=True),
        Field("published_on", Date(), "公示日期（未公示前为草稿）", public=True),
        Field("notes", Text(), NOTES_HELP, public=False),
    ),
)

LIST_ENTRY = Kind(
    "list_entry",
    "名录记录",
    "lists",
    "执业异常名录与信用黑名单的列入与移出（方案 三（三））。",
    fields=(
        Field("id", ID, "编号，与文件名相同", public=True, required=True),
        Field("list", Enum({"abnormal": "执业异常名录", "blacklist": "信用黑名单"}), "名录",
              public=True, required=True),
        Field("institution", Ref(("institution",)), "机构", public=True, required=True),
        Field("ground", Enum({
            "unreachable": "通过登记的住所或执业场所无法联系",
            "not-corrected": "经提醒或约谈仍不纠正",
            "penalty": "受到行政处罚",
            "other": "其他",
        }), "列入情形", public=True, required=True),
        Field("reason", Text(), "列入理由", public=True, required=True),
        Field("finding", Ref(("finding",)), "依据的检查结果", public=True),
        Field("decision", Obj((
            Field("authority", Str(), "作出决定的机关", public=True, required=True),
            Field("number", Str(), "决定文号", public=True),
            Field("date", Date(), "决定日期", public=True, required=True),
        )), "列入决定", public=True, required=True),
        Field("entered_on", Date(), "列入日期", public=True, required=True),
        Field("exit", Obj((
            Field("date", Date(), "移出日期", public=True, required=True),
            Field("reason", Text(), "移出理由", public=True, required=True),
        )), "移出（仍在名录中则不填）", public=True),
    ),
)

CREDIT_NOTICE = Kind(
    "credit_notice",
    "信用平台公示",
    "credit-notices",
    "对不予配合情节严重的机构，通过信用信息公示平台公示（方案 三（三））。",
    fields=(
        Field("id", ID, "编号，与文件名相同", public=True, required=True),
        Field("institution", Ref(("institution",)), "机构", public=True, required=True),
        Field("finding", Ref(("finding",)), "依据的检查结果", public=True, required=True),
        Field("platform", Str(), "公示平台", public=True, required=True),
        Field("published_on", Date(), "公示日期", public=True, required=True),
        Field("reason", Text(), "公示内容", public=True, required=True),
    ),
)

AMENDMENT = Kind(
    "amendment",
    "更正",
    "amendments",
    "已公开记录的更正：原记录保持不变，更正说明与原记录并列公示（追加式审计）。",
    fields=(
        Field("id", ID, "编号，与文件名相同", public=True, required=True),
        Field("record", Ref(("finding", "list_entry", "credit_notice", "plan")),
              "被更正的记录", public=True, required=True),
        Field("date", Date(), "更正日期", public=True, required=True),
        Field("reason", Text(), "更正理由", public=True, required=True),
        Field("correction", Text(), "更正内容：哪一项由什么改为什么", public=True, required=True),
    ),
)

# what an irregularity notice may acknowledge, each the problem it turns into a public notice
IRREGULARITY_KINDS = {
    "late-timestamp": "可信时间戳缺失或晚于规定",
    "late-publication": "抽取包未在随机源公布前按时在主分支公开",
    "missed-freeze": "计划公布后、随机源公布前，既未冻结抽取包，也未撤回计划",
    "late-draw": "随机源公布后逾期未运行抽取",
    "misdated-commit": "主分支上的提交时间有误",
}

IRREGULARITY = Kind(
    "irregularity",
    "抽取异常说明",
    "irregularities",
    "抽取程序中已经发生、无法补救的时序问题（时间戳晚了、抽取包公开晚了、计划未冻结等）的公开说明："
    "写明原因后，ssj check 不再把它当作错误，但网站在该计划页、订阅源和年度汇总中永久标红公示"
    "（追加式审计：一经公布不得删改）。",
    fields=(
        Field("id", ID, "编号，与文件名相同", public=True, required=True),
        Field("kind", Enum(IRREGULARITY_KINDS), "异常类型", public=True, required=True),
        Field("plan", Ref(("plan",)), "所涉抽查计划（提交时间有误的，不填）", public=True),
        Field("commit", Str(pattern=r"[0-9a-f]{40}", pattern_help="40 位小写十六进制 git 提交号"),
              "提交时间有误的那次提交（misdated-commit 时填写）", public=True),
        Field("published_on", Date(), "公布日期", public=True, required=True),
        Field("reason", Text(), "发生的原因与经过，以及本局采取的措施", public=True, required=True),
    ),
)

KINDS: tuple[Kind, ...] = (
    JURISDICTION, INSTITUTION, PERSON, INSPECTOR, ITEM, PLAN, FINDING, LIST_ENTRY, CREDIT_NOTICE,
    AMENDMENT, IRREGULARITY,
)
KINDS_BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}
KINDS_BY_FOLDER: dict[str, Kind] = {k.folder: k for k in KINDS if not k.singleton}
# the kinds staff create, by their command-line names (ssj new list-entry)
NEW_KINDS: dict[str, str] = {k.name.replace("_", "-"): k.name for k in KINDS if not k.singleton}


def default_lines(obj: Obj, given: Mapping[str, str] = {}, comments: Mapping[str, str] = {},
                  indent: str = "  ") -> list[str]:
    """YAML lines for the fields of `obj` that have a default (ssj init, ssj example), in
    declaration order, with `given` (field -> YAML text) for fields whose value is the caller's
    and a `comments` entry after a line."""
    lines = []
    for f in obj.fields:
        if isinstance(f.type, Obj) and any(sub.default is not None for sub in f.type.fields):
            lines.append(f"{indent}{f.name}:" + (f"  # {comments[f.name]}" if f.name in comments
                                                   else ""))
            lines += default_lines(f.type, given, comments, indent + "  ")
            continue
        if f.name in given:
            value = given[f.name]
        elif f.default is None:
            continue
        else:
            value = ("true" if f.default else "false") if isinstance(f.default, bool) \
                else str(f.default)
        line = f"{indent}{f.name}: {value}"
        lines.append(line + (f"  # {comments[f.name]}" if f.name in comments else ""))
    return lines


def public_fields(obj: Obj) -> tuple[Field, ...]:
    """The allowlist: the fields of `obj` that may reach public output."""
    return tuple(f for f in obj.fields if f.public)


def walk_fields(obj: Obj, prefix: str = "") -> list[tuple[str, Field]]:
    """Every field under `obj` with its dotted path (`[]` marks list items)."""
    out: list[tuple[str, Field]] = []
    for f in obj.fields:
        path = f"{prefix}{f.name}"
        out.append((path, f))
        inner: FieldType = f.type
        suffix = ""
        while isinstance(inner, ListOf):
            inner, suffix = inner.item, suffix + "[]"
        if isinstance(inner, Obj):
            out.extend(walk_fields(inner, f"{path}{suffix}."))
    return out


def choices(kind: str, path: str) -> dict[str, str]:
    """The labels of the Enum at `path` (dots between fields; list items need no marker)."""
    ftype: FieldType = KINDS_BY_NAME[kind].schema
    for name in path.split("."):
        while isinstance(ftype, ListOf):
            ftype = ftype.item
        field = ftype.field_named(name) if isinstance(ftype, Obj) else None
        if field is None:
            raise KeyError(f"{kind}.{path}")
        ftype = field.type
    while isinstance(ftype, ListOf):
        ftype = ftype.item
    if not isinstance(ftype, Enum):
        raise KeyError(f"{kind}.{path} is not a choice")
    return dict(ftype.choices)
