"""The rule catalogue as a Markdown document (docs/rules.md is generated from it)."""
from __future__ import annotations

from generator.rules.catalogue import LISTED
from generator.rules.checks import NO_CLAUSE


def severity_label(severity: str) -> str:
    return {"error": "错误", "warning": "警告"}.get(severity, "提示")


def rules_markdown() -> str:
    lines = ["# 规则目录", "",
             "`ssj check` 先读取记录、核对完整性、核验抽取（有 `--base` 时还做追加式审计），再逐条运行"
             "实施方案的规则；下表列出它可能报告的每一个编号。严重程度为“错误”的未通过时 CI 拒绝合并；"
             "“警告”仅作提示（`--strict` 时也算失败）；示例数据的抽取时间问题降为“提示”。"
             "由 `ssj rules --format markdown` 生成。",
             "", "| 编号 | 类别 | 方案条款 | 要求 | 严重程度 | 修改提示 |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in LISTED:
        lines.append(f"| `{r.id}` | {r.category} | {r.clause or NO_CLAUSE} | {r.statement} | "
                     f"{severity_label(r.severity)} | {r.hint} |")
    return "\n".join(lines) + "\n"
