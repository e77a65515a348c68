"""The rule catalogue as a Markdown document (docs/rules.md is generated from it)."""
from __future__ import annotations

from generator.rules.catalogue import CATALOGUE


def rules_markdown() -> str:
    lines = ["# 规则目录", "",
             "`ssj check` 在数据完整性检查之后逐条运行以下规则。严重程度为“错误”的规则未通过时"
             "CI 拒绝合并；“警告”仅作提示（`--strict` 时也算失败）。由 `ssj rules --format markdown` 生成。",
             "", "| 编号 | 方案条款 | 要求 | 严重程度 | 修改提示 |", "| --- | --- | --- | --- | --- |"]
    for r in CATALOGUE:
        label = "错误" if r.severity == "error" else "警告"
        lines.append(f"| `{r.id}` | {r.clause} | {r.statement} | {label} | {r.hint} |")
    return "\n".join(lines) + "\n"
