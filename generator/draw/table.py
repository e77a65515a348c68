"""The one table both standalone draw verifiers read: `ssj draw verify --package …` (and the
draw checks' round messages) in Python, and verify.html in the browser.

It holds the draw's file names, the exclusion reasons and source kinds, the drand chains (from
generator.records.chains), the spec's minimum margin, every message the verifiers say, and
the page's Chinese words for codes it would otherwise show (a source's label, RFC 3161
statuses), as templates with named placeholders (`{n}`, `{file}`…). The page cannot import Python, so
`python -m generator.draw.table` writes the same table as an ES module,
site/static/verify/table.js (constants, messages and a tiny `say(id, fields)`); a test fails
unless the committed file is byte for byte what this module writes. `difference()` is the
published-result comparison both sides run (site/static/verify/compare.js is its JavaScript
twin, tested against it case by case).
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from generator.draw.policy import MIN_MARGIN_HOURS
from generator.records.chains import CHAINS
from generator.records.types import ID_PATTERN

SPEC = "ssj-draw/1"
MAX_SAFE = 2**53

# ---- files ---------------------------------------------------------------------------------

PACKAGE_FILE = "package.json"
COMMITMENT_FILE = "commitment.txt"
VALUES_FILE = "values.json"
RESULT_FILE = "result.json"
DRAW_FILES = (PACKAGE_FILE, COMMITMENT_FILE, VALUES_FILE, RESULT_FILE)
ROUND_FILE = "drand-{chain}-{round}.json"
ROUND_FILE_PATTERN = rf"drand-({'|'.join(CHAINS)})-([1-9][0-9]*)\.json"
TOKEN_FILE = "timestamp-{authority}.tsr"
TOKEN_FILE_PATTERN = rf"timestamp-({ID_PATTERN})\.tsr"
CHAIN_FILE = "{authority}.pem"  # an authority's pinned chain, as a reader downloads it

# ---- the package's vocabulary --------------------------------------------------------------

REASONS = ("recusal", "recent")
SOURCE_KINDS = ("drand", "lottery")
VALUE_FORMS = {  # kind -> (pattern the whole value must match, what it should be, in words)
    "drand": (r"[0-9a-f]{64}", "64 位小写十六进制（drand 轮次的 randomness）"),
    "lottery": (r"(0|[1-9][0-9]*)( (0|[1-9][0-9]*))*",
                "按开出顺序的十进制数字，以一个空格分隔，如 \"3 7 1\""),
}

# ---- messages ------------------------------------------------------------------------------
# The same fault gets the same words wherever a verifier reports it. Placeholders are
# `{lowercase_name}`; a message never holds another brace.

MESSAGES: dict[str, str] = {
    # -- the inputs
    "package_missing": "缺少抽取包 {file}，无法核验",
    "package_invalid": "无法计算：{file} 不是符合规范的抽取包：{reason}",
    "values_missing": "缺少随机值文件 {file}",
    "values_invalid": "无法计算：{file} 不是符合规范的随机值：{reason}",
    "draw_failed": "无法计算：{reason}",
    "not_json": "{file} 不是有效的 JSON：{reason}",
    # -- the commitment
    "commitment_mismatch": "承诺值不一致（{where}）：公布的是 {claimed}，按抽取包重新计算是 {computed}："
                           "抽取包在公布承诺值之后被改动过",
    "commitment_same": "抽取包与公布的承诺值一致（{where}）",
    "commitment_none": "没有可比对的承诺值（缺少 commitment.txt 和 result.json）",
    # -- each declared source
    "round_verified": "已核验：第 {n} 个随机值（{label}）等于轮次文件（{file}）中的随机数，"
                      "该轮签名用该链的drand公钥验证有效",
    "round_missing": "第 {n} 个随机值（{label}）没有对应的轮次文件",
    "round_unverified": "未核验：{message}，只重新计算了结果",
    "round_expected": "（应为 {file}）",
    "round_invalid": "{file}：{reason}（第 {n} 个随机值，{label}）",
    "value_mismatch": "{file}：该轮的 randomness 是 {randomness}，{values} 中第 {n} 个随机值"
                      "却是 {value}，随机值不是声明的 {label}",
    "lottery_by_hand": "未核验：第 {n} 个随机值（{label}）是彩票开奖号码，无法离线核验，"
                       "须人工与{label}的官方开奖公告核对：按出球顺序应为 {value}",
    "source_unknown": "未核验：第 {n} 个随机值（{label}）不是 drand 轮次，无法核验",
    # -- a drand round file (generator/draw/drand.py says the same)
    "drand_not_hex": "drand 轮次数据的 {key} 应为小写十六进制字符串",
    "drand_unknown_chain": "未知的 drand 链 {chain}（可用：{chains}）",
    "drand_not_object": "drand 轮次数据应为 JSON 对象",
    "drand_wrong_round": "drand 轮次应为 {expected}，实为 {actual}",
    "drand_not_hash": "randomness 不等于 signature 的 SHA-256",
    "drand_bad_signature": "drand {chain} 第 {round} 轮的签名验证失败",
    # -- the result
    "result_same": "公布的抽取结果（{file}）与重新计算的结果逐字节相同",
    "result_mismatch": "{file} 与重新计算的结果不同：{where}",
    "diff_value": "{path}: 公布 {actual}，应为 {expected}",
    "diff_missing": "{path}: 公布的文件中缺少，应为 {expected}",
    "diff_extra": "{path}: 公布的文件中多出 {actual}",
    "diff_root": "（整个文件）",
    "diff_bytes": "第 {at} 字节起不同：“…{before}”之后应为“{want}”，实为“{got}”",
    "diff_end": "（文件结束）",
    "diff_not_json": "公布的文件不是有效的 JSON，只能逐字节比较，{where}",
    "diff_same_content": "内容相同，但写法不同（空白、键的顺序、转义或末尾换行），{where}",
    "seed_mismatch": "{file} 中的种子 {claimed} 与重新计算的 {computed} 不同",
    # -- ssj draw verify --package … (the command line's own lines)
    "cli_round_hint": "（用 --round 给出 drand 轮次文件）",
    "cli_round_not_declared": "{file}：不是抽取包声明的 drand 轮次（声明的是：{declared}）",
    "cli_round_twice": "{file}：与 {other} 是同一个随机源（{label}）的轮次文件，只能给一个",
    "cli_inconsistent": "不一致：{message}",
    "cli_verified": "一致，且随机值已与 drand 轮次核对：{message}",
    "cli_unverified": "结果与随机值一致，但随机值未核验（{which}，见上）：{message}",
    "cli_verified_stdout": "随机值已与 drand 轮次核对；标准输出是按它们重新计算的结果",
    "cli_unverified_stdout": "随机值未核验（{which}，见上）：标准输出只是按 {values} 重新计算的结果",
    "cli_which": "第 {n} 个",
    # -- time-stamps (verify.html): which rule, and how each token fared
    "stamp_rule_all": "固定的 {pinned} 家时间戳机构都须给出按时的时间戳（至少早于首个随机源 {margin} 小时）",
    "stamp_rule_quorum": "固定的 {pinned} 家时间戳机构中至少 {quorum} 家给出按时的时间戳"
                         "（至少早于首个随机源 {margin} 小时）",
    "stamp_rule_none": "本站没有为该计划固定时间戳机构；规范要求至少一家时间戳机构给出按时的时间戳"
                       "（至少早于首个随机源 {margin} 小时）",
    "stamp_rule_chosen": "您选择的{count}个时间戳都须有效并且按时（至少早于首个随机源 {margin} 小时，"
                         "即规范的下限；您选择的文件没有本站的规则可依）",
    "stamp_rule_chosen_none": "您选择的文件中没有时间戳；规范要求至少一家时间戳机构给出按时的时间戳"
                              "（至少早于首个随机源 {margin} 小时）",
    "stamp_rule": "规则：{rule}。",
    "stamp_floor": "本站写的时限为{site}小时低于规范的下限{floor}小时，按{floor}小时核验。",
    "stamp_first_source": "首个随机源公布于{when}。",
    "stamp_proven": "{count}个按时的时间戳证明抽取包在首个随机源公布至少{margin}小时前已冻结",
    "stamp_missing": "缺少 {names} 的有效时间戳：无法证明抽取包在随机源公布前已冻结",
    "stamp_unchecked": "{names} 的时间戳无法在本页核验（见下）：无法证明抽取包在随机源公布前已冻结",
    "stamp_none": "没有时间戳文件：无法证明抽取包在随机源公布前已冻结",
    "stamp_late": "按时的时间戳不够（按时{on_time}个，规则要求{required}个）："
                  "不能证明抽取包在随机源公布前已冻结",
    "stamp_invalid": "时间戳未通过核验（见下）",
    "stamp_no_source_time": "无法确定首个随机源的公布时间，无法判断时间戳是否按时",
    "stamp_example": "示例数据：时间戳本身有效、针对的正是该承诺值，但晚于随机源，只演示核验方法，"
                     "不能证明抽取包先于随机源冻结",
    "stamp_not_in_force": "{name} 不是本计划适用的时间戳机构，不计入规则",
    "stamp_no_chain": "缺少该机构的证书链 {file}，无法核验",
    "stamp_on_time": "时间戳时间早于首个随机源 {lead}，不少于规定的 {margin} 小时",
    "stamp_too_late": "时间戳时间{relation}首个随机源 {lead}，不足规定的 {margin} 小时",
    "root_fingerprint": "根证书“{subject}”的SHA-256指纹{fingerprint}",
    "root_compare": "请到时间戳机构公布根证书的地址{url}核对这个指纹，而不是核对名称",
    "root_compare_chosen": "请到该时间戳机构公布根证书的地址核对这个指纹，而不是核对名称",
    "root_listed": "与本站公布的指纹相同",
    "root_mismatch": "本站公布的指纹是{listed}，与证书链文件中根证书的指纹{fingerprint}不同："
                     "证书链不是本站固定的那一家机构的",
    "root_count": "证书链中应恰有一张自签名的根证书，实有{count}张",
    # -- the lottery, by hand (verify.html)
    "lottery_state": "{count}个彩票开奖号码须人工核对：本页无法核对彩票，请与官方开奖公告比对",
    "lottery_page": "官方开奖公告",
    "lottery_no_page": "本站没有给出该期的官方开奖公告地址，请到彩票机构网站查找该期公告",
    # -- each step's outcome (verify.html)
    "values_verified": "{count}个drand随机值是所声明轮次的真实随机数（签名验证通过）",
    "values_failed": "{count}个随机值未通过核对",
    "values_unverified": "{count}个drand随机值没有轮次文件，未核验：只能说明结果按这些值计算，"
                         "不能说明这些值来自 drand",
    "seed_same": "抽取结果（{file}）中的种子与重新计算的相同",
    "seed_none": "缺少抽取结果文件（{file}），没有可比对的种子",
    "result_none": "缺少抽取结果文件（{file}）：上面是重新计算的结果，没有可比对的公布结果",
    "step_blocked": "前面的步骤无法完成",
    # -- the verdict (verify.html)
    "verdict_pass": "核验通过：公布的抽取结果就是按公布的抽取包和公开随机源计算出来的，"
                    "随机值来自声明的 drand 轮次，时间戳证明抽取包在随机源公布前已冻结。",
    "verdict_fail": "核验未通过：至少有一项与公布的文件不符，详见下面标为“未通过”的步骤。",
    "verdict_incomplete": "核验未完成：没有发现不符，但还不能说这次抽取已核验。",
    "verdict_lottery": "抽取结果确实按公布的抽取包和随机值计算得出，但彩票开奖号码是本局录入的，"
                       "须人工与官方开奖公告核对（见“公开随机源”）。",
    "verdict_example": "这是示例数据：时间戳晚于随机源，只演示核验方法，不能证明抽取包先于随机源冻结。",
    "verdict_stamps": "时间戳未能证明抽取包在随机源公布前已冻结（见“可信时间戳”）。",
    "verdict_missing": "缺少文件，部分步骤无法核验（见下）。",
}

# ---- words for codes the page shows -------------------------------------------------------------
# A declared source as the page names it: the chain is in the round file's name and the folded
# details, not in the sentence (the chain's code name tells a reader nothing).
SOURCE_LABELS = {
    "drand": "drand公开随机信标第{round}轮",
    "lottery": "{game}第{issue}期",
    "unknown": "未知种类的随机源",
}
# RFC 3161 PKIStatus, by its number, as a reader is told it
TOKEN_STATUSES = ("已签发", "已签发（有修改）", "被拒绝", "等待中", "即将吊销的警告", "已吊销的通知")

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def say(message_id: str, **fields: object) -> str:
    """MESSAGES[message_id] with its placeholders filled; every one must be given."""
    return _PLACEHOLDER.sub(lambda m: str(fields[m.group(1)]), MESSAGES[message_id])


def source_label(source: dict[str, Any]) -> str:
    """A declared source as verify.html names it (site/static/verify/page.js sourceLabel):
    drand公开随机信标第1000轮, 福彩3D第2025060期."""
    kind = source.get("kind")
    number = source.get("round")
    if kind == "drand" and isinstance(source.get("chain"), str) and type(number) is int:
        return SOURCE_LABELS["drand"].replace("{round}", str(number))
    if kind == "lottery":
        return (SOURCE_LABELS["lottery"].replace("{game}", str(source.get("game", "彩票")))
                .replace("{issue}", str(source.get("issue", "?"))))
    return SOURCE_LABELS["unknown"]


def round_file(chain: str, number: int) -> str:
    return ROUND_FILE.replace("{chain}", chain).replace("{round}", str(number))


def token_file(authority: str) -> str:
    return TOKEN_FILE.replace("{authority}", authority)


# ---- the published result against the recomputed one ---------------------------------------

class _Unreadable(ValueError):
    pass


def _refuse(text: str) -> Any:
    raise _Unreadable(text)


def _int(text: str) -> int:
    value = int(text)
    if abs(value) >= MAX_SAFE:  # JavaScript cannot hold it exactly: neither side reads it
        raise _Unreadable(text)
    return value


def parse_strict(raw: bytes) -> Any:
    """JSON as both verifiers read a published file: UTF-8, integers only (below 2^53)."""
    try:
        return json.loads(raw.decode("utf-8"), parse_float=_refuse, parse_int=_int,
                          parse_constant=_refuse)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _Unreadable("not JSON") from None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return {str: "string", list: "array", dict: "object"}[type(value)]


_SURROGATE = re.compile(r"[\ud800-\udfff]")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SHOWN = 80  # characters of a value shown in a difference


def shown(value: Any) -> str:
    """A value as a difference shows it: canonical JSON, cut after SHOWN characters."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = _SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group()), text)
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def _key_path(path: str, key: str) -> str:
    if _IDENTIFIER.fullmatch(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{shown(key)}]"


def _first(expected: Any, actual: Any, path: str) -> str | None:
    """The first place (keys in code-point order, array items in order) where they differ."""
    where = path or MESSAGES["diff_root"]
    if _kind(expected) != _kind(actual):
        return say("diff_value", path=where, actual=shown(actual), expected=shown(expected))
    if isinstance(expected, dict):
        for key in sorted(set(expected) | set(actual)):
            at = _key_path(path, key)
            if key not in actual:
                return say("diff_missing", path=at, expected=shown(expected[key]))
            if key not in expected:
                return say("diff_extra", path=at, actual=shown(actual[key]))
            found = _first(expected[key], actual[key], at)
            if found:
                return found
        return None
    if isinstance(expected, list):
        for n, (e, a) in enumerate(zip(expected, actual)):
            found = _first(e, a, f"{path}[{n}]")
            if found:
                return found
        if len(actual) < len(expected):
            return say("diff_missing", path=f"{path}[{len(actual)}]",
                       expected=shown(expected[len(actual)]))
        if len(actual) > len(expected):
            return say("diff_extra", path=f"{path}[{len(expected)}]",
                       actual=shown(actual[len(expected)]))
        return None
    if expected != actual:
        return say("diff_value", path=where, actual=shown(actual), expected=shown(expected))
    return None


BYTES_BEFORE, BYTES_SHOWN = 30, 20


def _continues(data: bytes, at: int) -> bool:
    return at < len(data) and 0x80 <= data[at] < 0xC0


def _text(data: bytes) -> str:
    return json.dumps(data.decode("utf-8", "replace"), ensure_ascii=False)[1:-1]


def byte_difference(expected: bytes, actual: bytes) -> str:
    """Where two byte strings part, with a little of each around it."""
    at = next((i for i, (a, b) in enumerate(zip(expected, actual)) if a != b),
              min(len(expected), len(actual)))
    while at > 0 and _continues(expected, at):  # the bytes before are the same in both
        at -= 1
    start = max(0, at - BYTES_BEFORE)
    while start < at and _continues(expected, start):
        start += 1

    def part(data: bytes) -> str:
        end = min(len(data), at + BYTES_SHOWN)
        while end > at and _continues(data, end):
            end -= 1
        return _text(data[at:end]) or MESSAGES["diff_end"]
    return say("diff_bytes", at=at + 1, before=_text(expected[start:at]), want=part(expected),
               got=part(actual))


def difference(expected: bytes, actual: bytes) -> str:
    """Where a published result departs from the recomputed one (`expected`, canonical): the
    first differing field and its JSON path, or, when the published file does not parse or
    says the same in other bytes, where the bytes part."""
    try:
        published = parse_strict(actual)
    except _Unreadable:
        return say("diff_not_json", where=byte_difference(expected, actual))
    found = _first(parse_strict(expected), published, "")
    return found or say("diff_same_content", where=byte_difference(expected, actual))


# ---- the page's copy -------------------------------------------------------------------------

JS_PATH = Path(__file__).resolve().parents[2] / "site" / "static" / "verify" / "table.js"

_JS_SAY = """\
/** MESSAGES[id] with its placeholders filled; every one must be given. */
export function say(id, fields = {}) {
  if (!Object.hasOwn(MESSAGES, id)) throw new Error(`no message ${id}`);
  return MESSAGES[id].replace(/\\{([a-z_]+)\\}/g, (_, name) => {
    if (!Object.hasOwn(fields, name)) throw new Error(`message ${id} needs ${name}`);
    return String(fields[name]);
  });
}

/** A declared source as the page names it (table.py source_label says the same). */
export function sourceLabel(source) {
  if (source.kind === "drand" && typeof source.chain === "string" && Number.isInteger(source.round)) {
    return SOURCE_LABELS.drand.replace("{round}", String(source.round));
  }
  if (source.kind === "lottery") {
    return SOURCE_LABELS.lottery.replace("{game}", String(source.game ?? "彩票")).replace("{issue}", String(source.issue ?? "?"));
  }
  return SOURCE_LABELS.unknown;
}

export const roundFile = (chain, round) => ROUND_FILE.replace("{chain}", chain).replace("{round}", String(round));
export const tokenFile = (authority) => TOKEN_FILE.replace("{authority}", authority);
"""


def _js(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def _regex(pattern: str) -> str:
    return "/^(?:" + pattern.replace("/", "\\/") + ")$/"


def javascript() -> str:
    """site/static/verify/table.js: this table as an ES module for the page."""
    forms = ",\n".join(f"  {kind}: Object.freeze([{_regex(p)}, {json.dumps(words, ensure_ascii=False)}])"
                       for kind, (p, words) in VALUE_FORMS.items())
    chains = {name: asdict(chain) for name, chain in CHAINS.items()}
    lines = [
        "// Generated by `python -m generator.draw.table` from generator/draw/table.py: do not edit.",
        "// The draw verifiers' one table: file names, the package's vocabulary, the drand chains,",
        "// the spec's minimum margin and every message, as the Python verifier has them.",
        "",
        f"export const SPEC = {json.dumps(SPEC)};",
        f"export const MIN_MARGIN_HOURS = {MIN_MARGIN_HOURS};",
        f"export const DRAW_FILES = Object.freeze({_js(list(DRAW_FILES))});",
        "export const [PACKAGE_FILE, COMMITMENT_FILE, VALUES_FILE, RESULT_FILE] = DRAW_FILES;",
        f"export const ROUND_FILE = {json.dumps(ROUND_FILE)};",
        f"export const ROUND_FILE_PATTERN = {_regex(ROUND_FILE_PATTERN)};",
        f"export const TOKEN_FILE = {json.dumps(TOKEN_FILE)};",
        f"export const TOKEN_FILE_PATTERN = {_regex(TOKEN_FILE_PATTERN)};",
        f"export const CHAIN_FILE = {json.dumps(CHAIN_FILE)};",
        f"export const REASONS = Object.freeze({_js(list(REASONS))});",
        f"export const SOURCE_KINDS = Object.freeze({_js(list(SOURCE_KINDS))});",
        f"export const VALUE_FORMS = Object.freeze({{\n{forms},\n}});",
        "export const CHAINS = Object.freeze(Object.fromEntries(Object.entries("
        f"{_js(chains)}).map(([k, v]) => [k, Object.freeze(v)])));",
        f"export const SOURCE_LABELS = Object.freeze({_js(SOURCE_LABELS)});",
        f"export const TOKEN_STATUSES = Object.freeze({_js(list(TOKEN_STATUSES))});",
        f"export const MESSAGES = Object.freeze({_js(MESSAGES)});",
        "",
        _JS_SAY,
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Write table.js; with --check, only say whether it is up to date (exit 1 if not)."""
    text = javascript()
    if "--check" in argv:
        current = JS_PATH.read_text(encoding="utf-8") if JS_PATH.is_file() else None
        if current != text:
            print(f"{JS_PATH} is out of date: run python -m generator.draw.table", file=sys.stderr)
            return 1
        return 0
    JS_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {JS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
