"""The `ssj` command line: thin commands that call library functions and format their results.

Heavy modules are imported inside the commands so that `ssj --help` stays instant.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _records_option(func):  # type: ignore[no-untyped-def]
    return click.option(
        "--records", "records_dir", default="records", show_default=True,
        type=click.Path(path_type=Path), help="记录目录（records/）",
    )(func)


def _require_dir(path: Path) -> None:
    if not path.is_dir():
        click.echo(f"ssj: 找不到记录目录 {path}（用 --records 指定）", err=True)
        sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ssj")
def cli() -> None:
    """双随机一公开：法律服务监管记录的检查、随机抽取与公示网站。"""


@cli.command()
@_records_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="输出格式：text 给人看，json 给程序，github 给 CI 注释")
@click.option("--strict", is_flag=True, help="警告也视为失败（CI 用）")
def check(records_dir: Path, fmt: str, strict: bool) -> None:
    """检查记录：严格读取每个文件并校验数据完整性。退出码 0 通过，1 有错误，2 用法错误。"""
    from generator.checking import check_records
    from generator.problem_format import as_github, as_json, as_text
    from generator.records.kinds import KINDS_BY_NAME

    _require_dir(records_dir)
    result = check_records(records_dir)
    counts = result.records.counts()
    failed = result.errors > 0 or (strict and result.warnings > 0)
    if fmt == "json":
        summary = {"records": counts, "errors": result.errors, "warnings": result.warnings,
                   "ok": not failed}
        click.echo(as_json(result.problems, summary))
    else:
        line = as_github if fmt == "github" else as_text
        for problem in result.problems:
            click.echo(line(problem))
        parts = "，".join(f"{KINDS_BY_NAME[k].title} {n}" for k, n in counts.items())
        verdict = "未通过" if failed else "通过"
        click.echo(f"ssj check {verdict}：{parts}；错误 {result.errors}，警告 {result.warnings}")
    sys.exit(EXIT_ERRORS if failed else EXIT_OK)


@cli.group()
def schema() -> None:
    """记录格式：由记录类型声明生成的说明。"""


@schema.command("markdown")
def schema_markdown() -> None:
    """打印记录字段说明（Markdown），即 records/README.md 中的字段表。"""
    from generator.records.reference import field_reference_markdown

    click.echo(field_reference_markdown(), nl=False)


def main() -> None:
    """Entry point: never shows a traceback, whatever the input."""
    try:
        cli.main(prog_name="ssj")
    except Exception as e:  # a bug of ours: say so in one line instead of a traceback
        click.echo(f"ssj: 内部错误 {type(e).__name__}: {e}（请报告此问题）", err=True)
        sys.exit(EXIT_ERRORS)
