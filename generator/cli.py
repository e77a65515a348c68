"""The `ssj` command line: thin commands that call library functions and format their results.

Heavy modules are imported inside the commands so that `ssj --help` stays instant.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from generator.records.chains import CHAINS
from generator.records.kinds import NEW_KINDS

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
MAX_TIMEOUT = 3600.0  # seconds: more than any service needs; a huge one overflows the socket's


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
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "codeclimate"]),
              default="text", show_default=True,
              help="输出格式：text 给人看，json 给程序，github 给 CI 注释，codeclimate 给 GitLab 代码质量报告")
@click.option("--strict", is_flag=True, help="警告也视为失败（CI 用）")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="按此日期评估与时间有关的规则（默认今天），YYYY-MM-DD")
@click.option("--base", metavar="REV", help="与此 git 版本比较：已公开的记录不得删改（CI 传入拉取请求的基准）")
@click.option("--site", "site_dir", type=click.Path(path_type=Path),
              help="网站目录（默认为记录目录旁的 site/）：检查实施方案页面与页脚信息；没有时只检查记录")
def check(records_dir: Path, fmt: str, strict: bool, as_of, base: str | None,  # type: ignore[no-untyped-def]
          site_dir: Path | None) -> None:
    """检查记录：严格读取每个文件并校验数据完整性。退出码 0 通过，1 有错误，2 用法错误。"""
    from generator.checks.run import check_records
    from generator.checks.output import as_codeclimate, as_github, as_json, as_text
    from generator.records.kinds import KINDS_BY_NAME

    from generator.checks.audit import BaseUnavailable

    _require_dir(records_dir)
    site_dir = site_dir or records_dir.parent / "site"
    try:
        result = check_records(records_dir, as_of.date() if as_of else None, base, site_dir)
    except BaseUnavailable as e:
        _fail(f"无法读取基准版本 {base}：{e}", EXIT_USAGE)
    counts = result.records.counts()
    failed = result.errors > 0 or (strict and result.warnings > 0)
    real = result.records.jurisdiction is not None and \
        result.records.jurisdiction.fields.get("example") is False
    unchecked = (f"未检查网站：找不到网站目录 {site_dir}（用 --site 指定），实施方案页面与页脚信息没有检查"
                 if real and not site_dir.is_dir() else None)
    if fmt == "json":
        summary = {"records": counts, "errors": result.errors, "warnings": result.warnings,
                   "ok": not failed, **({"unchecked": unchecked} if unchecked else {})}
        click.echo(as_json(result.problems, summary))
    elif fmt == "codeclimate":  # the report alone: the job's log gets `ssj check`'s text
        click.echo(as_codeclimate(result.problems))
    else:
        line = as_github if fmt == "github" else as_text
        for problem in result.problems:
            click.echo(line(problem))
        if unchecked:
            click.echo(unchecked)
        parts = "，".join(f"{KINDS_BY_NAME[k].title} {n}" for k, n in counts.items())
        verdict = "未通过" if failed else "通过"
        summary = f"ssj check {verdict}：{parts}；错误 {result.errors}，警告 {result.warnings}"
        click.echo(summary)
        if fmt == "github":
            _write_job_summary(summary, result.problems)
    sys.exit(EXIT_ERRORS if failed else EXIT_OK)


def _write_job_summary(summary: str, problems) -> None:  # type: ignore[no-untyped-def]
    """The full list for the job summary: GitHub shows only the first annotations of a step."""
    import os

    from generator.checks.output import as_markdown

    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(as_markdown(summary, problems))


# Errors about when a package existed or how it was derived: they must not stop the draw
# itself from being stamped or run, since a package whose randomness is public is drawn and
# kept whatever else is wrong with it (spec: no silent redraw); `ssj check` still reports them.
_DRAW_EVIDENCE_RULES = frozenset({
    "draw.timestamp", "draw.timestamp-late", "draw.timestamp-missing", "draw.timestamp-quorum",
    "draw.publication-late", "draw.witness", "draw.witness-late", "draw.commit-date",
    "draw.unfrozen", "draw.derivation", "draw.derivation-inspectors", "draw.derivation-weight",
    "draw.derivation-team", "draw.silent-redraw", "draw.undrawn"})


def _load_clean(records_dir: Path, as_of=None,  # type: ignore[no-untyped-def]
                allow: frozenset[str] = frozenset()):
    """Records for a command that writes or reports: refuse while `ssj check` (as of `as_of`,
    default today) reports errors other than those of the rules in `allow` (a draw step allows
    those about a package's evidence; freezing, an owed draw's missing package)."""
    from generator.checks.run import check_records
    from generator.checks.output import as_text

    _require_dir(records_dir)
    result = check_records(records_dir, as_of)
    errors = [p for p in result.problems if p.severity == "error"
              and p.rule not in allow]
    if errors:
        _fail(f"记录有 {len(errors)} 个错误，先运行 ssj check 修正。第一个：{as_text(errors[0])}")
    return result.records


def _require_output_folder(out: Path) -> None:
    """Refuse an --out that is a file, or lies under one, before anything is built or written."""
    existing = next((p for p in (out, *out.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        _fail(f"--out {out}：{existing} 是文件，不是目录；未写入任何文件", EXIT_USAGE)


def _require_site_folder(out: Path, repository: Path) -> None:
    """Refuse an --out for a site that is a file, or holds what a build would publish without
    having written it (files git tracks in `repository`'s repository, symbolic links)."""
    from generator.filewrite import foreign_output

    _require_output_folder(out)
    if problem := foreign_output(out, repository):
        _fail(f"--out {out}：{problem}，生成的网站会连它一起发布；请换一个输出目录"
              "（CI 写入运行器的临时目录）；未写入任何文件", EXIT_USAGE)


def _fail(message: str, code: int = EXIT_ERRORS) -> None:
    click.echo(f"ssj: {message}", err=True)
    sys.exit(code)


def _read_json_file(path: Path):  # type: ignore[no-untyped-def]
    from generator.records.jsonread import read_json
    from generator.records.yamlread import YamlProblem

    try:
        return read_json(path.read_bytes())
    except OSError as e:
        _fail(f"{path}: 无法读取：{e.strerror}", EXIT_USAGE)
    except YamlProblem as e:
        _fail(f"{path}:{e.line}: {e.message}")


def _site_options(func):  # type: ignore[no-untyped-def]
    func = click.option("--site", "site_dir", default="site", show_default=True,
                        type=click.Path(path_type=Path), help="模板、静态文件与页面（site/）")(func)
    func = click.option("--base-url", help="网站部署在子路径时的完整地址，以 / 结尾；"
                        "给出时所有链接都用绝对地址")(func)
    return _records_option(func)


def _build_once(records_dir: Path, site_dir: Path, out: Path, base_url: str | None,  # type: ignore[no-untyped-def]
                jobs: int = 0, verify: bool = False):
    """Load and check the records as of the site's date, then build; refused, the records'
    errors are printed as `ssj check` prints them."""
    import hashlib

    from generator.checks.run import check_loaded
    from generator.checks.output import as_text
    from generator.records.load import load_records
    from generator.records.parsecache import cache_folder
    from generator.site.build import BuildRefused, Clock, build, read_source
    from generator.site.renderpass import default_jobs

    _require_dir(records_dir)
    if not (site_dir / "templates").is_dir():
        _fail(f"找不到模板目录 {site_dir / 'templates'}（用 --site 指定）", EXIT_USAGE)
    if base_url is not None and not base_url.endswith("/"):
        _fail("--base-url 须以 / 结尾", EXIT_USAGE)
    _require_site_folder(out, records_dir)
    clock = Clock()
    source = read_source(records_dir)
    records, problems = load_records(records_dir)
    clock.lap("load")
    checked = check_loaded(records, problems, source.day, purpose="site-checks")
    clock.lap("check")
    # what the last build into `out` rendered, kept beside the records' parse cache
    cache = cache_folder(records_dir)
    state = None if cache is None else cache / (
        "site-" + hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16] + ".json")
    try:
        return build(checked, site_dir, out, source, base_url, jobs=jobs or default_jobs(),
                     state_file=state, clock=clock, verify=verify)
    except (BuildRefused, FileExistsError) as e:
        for problem in getattr(e, "problems", ()):  # as ssj check prints them, on stderr
            click.echo(as_text(problem), err=True)
        _fail(f"未生成网站：{e}")


@cli.command("build")
@_site_options
@click.option("--out", default="_site", show_default=True, type=click.Path(path_type=Path),
              help="输出目录（网站只写这里；供下次只重新生成改动页面的记录存于用户缓存目录，"
                   "设 SSJ_CACHE=0 或在 CI 中则不存）")
@click.option("--jobs", default=0, type=click.IntRange(0, 256),
              help="渲染页面的进程数（默认 0：全部 CPU 核心）")
@click.option("--timings", is_flag=True, help="另外列出各阶段（读取、检查、组装、渲染、索引、写入）用时")
@click.option("--verify-output", is_flag=True,
              help="逐一读回上次生成留下的文件核对内容（默认只比对大小与修改时间）")
def build_command(records_dir: Path, site_dir: Path, base_url: str | None, out: Path,
                  jobs: int, timings: bool, verify_output: bool) -> None:
    """生成公示网站：检查记录后，把页面、开放数据与抽取文件写入 --out。"""
    result = _build_once(records_dir, site_dir, out, base_url, jobs, verify_output)
    click.echo(f"ssj build：{result.pages} 个页面（渲染 {result.rendered}），{result.files} 个文件"
               f"（写入 {result.written}，删除 {result.removed}），用时 {result.seconds:.2f} 秒 -> {out}")
    if timings:
        for phase, seconds in result.phases:
            click.echo(f"  {phase:<9}{seconds:7.2f} 秒")


@cli.command()
@_site_options
@click.option("--out", default="_site", show_default=True, type=click.Path(path_type=Path))
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
def serve(records_dir: Path, site_dir: Path, base_url: str | None, out: Path, port: int) -> None:
    """本地预览：生成网站并在 http://127.0.0.1:PORT/ 提供，记录或模板改动后自动重新生成。"""
    from generator.site.serve import serve_forever

    _build_once(records_dir, site_dir, out, base_url)
    serve_forever(out, port, lambda: _build_once(records_dir, site_dir, out, base_url),
                  (records_dir, site_dir), click.echo)


@cli.command()
@_records_option
@click.option("--port", default=0, type=click.IntRange(0, 65535),
              help="表单页面的端口（默认 0：任一空闲端口）")
def edit(records_dir: Path, port: int) -> None:
    """在浏览器中用表单新建、修改记录（Decap CMS）：每次保存提交到本仓库的一个新分支。"""
    import time

    from generator.editor.serve import EditorError, running_editor

    try:
        with running_editor(records_dir, port=port) as editor:
            click.echo(f"记录表单：{editor.url}（在浏览器中打开，点“登录”；Ctrl-C 结束）")
            click.echo(f"本地仓库服务（decap-server）：{editor.api}，"
                       f"保存的记录提交到从 {editor.repository.branch} 分出的 cms/… 分支")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                click.echo("已停止记录表单与本地仓库服务")
    except EditorError as e:
        _fail(f"无法打开记录表单：{e}", EXIT_USAGE)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True)
def rules(fmt: str) -> None:
    """列出 ssj check 可能报告的每个编号：类别、方案条款、严重程度与要求。"""
    import json

    from generator.rules.catalogue import LISTED
    from generator.rules.checks import NO_CLAUSE
    from generator.rules.reference import rules_markdown, severity_label

    if fmt == "json":
        click.echo(json.dumps([r.as_dict() for r in LISTED], ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        click.echo(rules_markdown(), nl=False)
    else:
        for r in LISTED:
            clause = f"方案 {r.clause}" if r.clause else NO_CLAUSE
            click.echo(f"{r.id}\t{r.category}\t{clause}\t{severity_label(r.severity)}\t{r.statement}")


@cli.command()
@click.argument("year", type=int, required=False)
@_records_option
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "csv", "json"]),
              default="table", show_default=True)
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="统计截止日期（默认今天）")
def report(year: int | None, records_dir: Path, fmt: str, as_of) -> None:  # type: ignore[no-untyped-def]
    """年度汇总（方案 四（三））：各行业名录数、抽查数与比例、实地检查、结果、整改、名录变动、规则检查。"""
    import datetime as dt

    from generator.rules import report as yearly

    if year is not None and not dt.MINYEAR <= year <= dt.MAXYEAR:
        _fail(f"年度 {year} 无效：应为 {dt.MINYEAR} 到 {dt.MAXYEAR} 之间的公历年份", EXIT_USAGE)
    from generator.checks.output import as_text
    from generator.checks.run import check_records

    day = as_of.date() if as_of else dt.date.today()
    year = day.year if year is None else year
    _require_dir(records_dir)
    # the records as they stand, errors and all: a year that missed its floor is what the
    # summary must show; only records that cannot be read at all give none
    # the rules as of the year's end; the counts as of `day`, so that a campaign of the year
    # inspecting after New Year is counted with the year it belongs to (二（八）)
    end = min(day, dt.date(year, 12, 31))
    result = check_records(records_dir, end)
    if result.records.jurisdiction is None or result.records.policy is None:
        unreadable = next((p for p in result.problems if p.severity == "error"), None)
        _fail("无法读取本局信息，不能汇总" + (f"：{as_text(unreadable)}" if unreadable else ""))
    summary = yearly.with_problems(
        yearly.yearly_report(result.records, year, day, result.rule_problems or ()),
        result.rule_problems, [p for p in result.problems if p.severity == "error"])
    render = {"table": yearly.as_table, "markdown": yearly.as_markdown, "csv": yearly.as_csv,
              "json": yearly.as_json}[fmt]
    click.echo(render(summary), nl=False)


@cli.group()
def draw() -> None:
    """随机抽取（ssj-draw/1）：冻结、抽取、核验。"""


@draw.command("freeze")
@click.argument("plan")
@_records_option
def draw_freeze(plan: str, records_dir: Path) -> None:
    """冻结计划 PLAN 的抽取包：按取数日期的名录库计算对象、人员与回避，写入 records/draws/PLAN/。"""
    import time

    from generator.draw.spec import DrawError
    from generator.draw.store import freeze_plan

    records = _load_clean(records_dir, allow=frozenset({"draw.unfrozen"}))
    try:
        outcome = freeze_plan(records_dir, records, plan, time.time())
    except (DrawError, FileExistsError) as e:
        _fail(f"未冻结：{e}")
    for warning in outcome.warnings:
        click.echo(f"警告：{warning}", err=True)
    for stratum in outcome.package["strata"]:
        click.echo(f"{stratum['id']}：{len(stratum['targets'])} 个对象，抽取 {stratum['k']} 个")
    click.echo(f"执法检查人员 {len(outcome.package['inspectors'])} 名，"
               f"回避 {len(outcome.package['exclusions'])} 对")
    click.echo(f"承诺值 {outcome.commitment}")
    _report_stamps(plan, outcome.stamps)
    click.echo("下一步：提交并公开抽取包，待随机源公布后运行 ssj draw run")


def _report_stamps(plan: str, outcome) -> None:  # type: ignore[no-untyped-def]
    for authority, gen_time in outcome.written.items():
        click.echo(f"可信时间戳：{authority} {gen_time} UTC，已写入 timestamp-{authority}.tsr")
    for authority in outcome.late:
        click.echo(f"警告：{authority} 的时间戳晚于规定（须早于首个随机源公布至少政策规定的小时数），"
                   "不能证明抽取包早于随机源；它仍保留在记录中", err=True)
    for authority, why in outcome.failed.items():
        click.echo(f"警告：时间戳机构 {authority} 未给出时间戳：{why}；抽取包已写出，请运行 "
                   f"ssj draw stamp {plan} 重试（时间戳须早于首个随机源公布至少政策规定的小时数）",
                   err=True)


def _timeout_option(each: str):  # type: ignore[no-untyped-def]
    return click.option("--timeout", type=click.FloatRange(min=1, max=MAX_TIMEOUT), default=20.0,
                        show_default=True, help=f"每个{each}的等待秒数")


@draw.command("stamp")
@click.argument("plan")
@_timeout_option("时间戳服务")
@_records_option
def draw_stamp(plan: str, timeout: float, records_dir: Path) -> None:
    """为计划 PLAN 的抽取包申请可信时间戳（RFC 3161），每个已固定的时间戳机构一个文件。"""
    from generator.draw.spec import DrawError
    from generator.draw.store import stamp_plan

    records = _load_clean(records_dir, allow=_DRAW_EVIDENCE_RULES)
    try:
        outcome = stamp_plan(records_dir, records, plan, timeout)
    except (DrawError, FileExistsError) as e:
        _fail(f"未取得时间戳：{e}")
    _report_stamps(plan, outcome)


@draw.command("witness")
@click.argument("plan")
@_timeout_option("见证机关网站")
@_records_option
def draw_witness(plan: str, timeout: float, records_dir: Path) -> None:
    """从 jurisdiction.yaml 所列每个见证机关的网站取回它首次看到计划 PLAN 承诺值的记录。

    \b
    记录（镜像记录与其时间戳）经与 ssj check 相同的核验后写入
    records/draws/PLAN/witness-<见证机关>/；计划页面据此写明“见证：某机关于……首次看到该承诺值”。
    尚未看到的见证机关只作说明；取不回或核验不通过时退出码为 1，不写任何文件。
    """
    from generator.draw.evidence import witness_pins
    from generator.draw.store import draw_folder
    from generator.federation.county import take_home

    records = _load_clean(records_dir, allow=_DRAW_EVIDENCE_RULES)
    folder = records.draws.get(plan)
    stored = folder.get("commitment.txt") if folder else None
    if stored is None:
        _fail(f"计划 {plan} 还没有冻结的抽取包（records/draws/{plan}/commitment.txt）：先运行 ssj draw freeze")
    pins, _ = witness_pins(records)
    if not pins:
        _fail("jurisdiction.yaml 没有列出见证机关（witnesses）：见 README“Federation”一节")
    taken = take_home(draw_folder(records_dir, plan), records.jurisdiction.division_code, plan,
                      stored.data, pins, timeout)
    for outcome in taken:
        click.echo(f"{outcome.witness.name}：{outcome.message}", err=outcome.failed)
    if any(outcome.failed for outcome in taken):
        sys.exit(1)


@draw.command("run")
@click.argument("plan")
@click.option("--value", "values", multiple=True, help="随机值，按声明顺序每个随机源一个（可重复）")
@click.option("--drand-round", "round_files", multiple=True, type=click.Path(path_type=Path),
              help="drand 轮次的 JSON 文件（可重复）")
@_records_option
def draw_run(plan: str, values: tuple[str, ...], round_files: tuple[Path, ...],
             records_dir: Path) -> None:
    """用公布的随机值抽取计划 PLAN，写出 values.json 与 result.json（不覆盖已有结果）。"""
    from generator.draw.spec import DrawError
    from generator.draw.store import run_plan

    records = _load_clean(records_dir, allow=_DRAW_EVIDENCE_RULES)
    rounds = [_read_json_file(path) for path in round_files]
    try:
        outcome = run_plan(records_dir, records, plan, list(values), rounds)
    except (DrawError, FileExistsError) as e:
        _fail(f"未抽取：{e}")
    result = outcome.result
    click.echo(f"种子 {result['seed']}")
    teams = {t["target"]: t["inspectors"] for t in result["teams"]}

    def name(record_id: str) -> str:
        record = records.get(record_id)
        return f"{record.name}（{record_id}）" if record else record_id

    for stratum in result["strata"]:
        click.echo(f"{stratum['id']}：抽中 {stratum['k']} 个")
        for entry in stratum["ranking"][:stratum["k"]]:
            click.echo(f"  {name(entry['id'])}：{'、'.join(name(i) for i in teams[entry['id']])}")


@draw.command("verify")
@click.argument("plans", nargs=-1)
@click.option("--package", "package_file", type=click.Path(path_type=Path),
              help="抽取包文件（不读记录目录，供公众核验）")
@click.option("--values", "values_file", type=click.Path(path_type=Path), help="随机值文件")
@click.option("--round", "round_files", multiple=True, type=click.Path(path_type=Path),
              help="drand 轮次文件（可重复，每个声明的 drand 轮次一个）；不给时，使用随机值文件所在"
                   "目录中按 drand-<链>-<轮次>.json 命名的文件（如有）")
@click.option("--result", "result_file", type=click.Path(path_type=Path),
              help="要比对的抽取结果文件；省略则把结果写到标准输出")
@_records_option
def draw_verify(plans: tuple[str, ...], package_file: Path | None, values_file: Path | None,
                round_files: tuple[Path, ...], result_file: Path | None, records_dir: Path) -> None:
    """核验抽取：按抽取包与随机值重新计算结果，逐字节比对。

    \b
    不带计划编号、给出 --package 与 --values 时为独立核验（不读记录目录）：
    每个 drand 随机值须等于其轮次文件的 randomness，且该轮签名在固定的 drand 公钥下有效；
    彩票号码无法离线核验，须与抽取包声明的那一期官方开奖公告核对。

    \b
    独立核验的退出码：
      0  结果一致，且每个随机值都已与 drand 轮次核对
      3  结果与随机值一致，但有随机值未核验（缺少轮次文件，或是彩票号码）
      1  不一致、轮次文件不符或验签失败、无法计算
      2  用法错误，或文件无法读取
    """
    if package_file or values_file or result_file or round_files:
        if not (package_file and values_file) or plans:
            _fail("独立核验须同时给出 --package 与 --values（--round、--result 可选），不带计划编号",
                  EXIT_USAGE)
        _verify_files(package_file, values_file, result_file, round_files)
        return
    from generator.draw.verify import verify_draws
    from generator.checks.output import as_text
    from generator.records.load import load_records

    _require_dir(records_dir)
    records, loaded = load_records(records_dir)
    if records.jurisdiction is None:  # the policy and the pinned authorities are read from it
        _fail(f"{records_dir / 'jurisdiction.yaml'} 缺少或无法读取，无法核验抽取；运行 ssj check 查看原因")
    unknown = [p for p in plans if p not in records.draws]
    if unknown:
        _fail(f"计划 {'、'.join(unknown)} 没有抽取记录", EXIT_USAGE)
    folders = [d.folder + "/" for plan_id, d in records.draws.items() if not plans or plan_id in plans]
    unreadable = [p for p in loaded if any(p.file.startswith(f) for f in folders)]
    problems = unreadable + verify_draws(records, plans)
    for problem in problems:
        click.echo(as_text(problem))
    errors = sum(1 for p in problems if p.severity == "error")
    checked = len(plans) or len(records.draws)
    click.echo(f"核验了 {checked} 个抽取目录：{'未通过' if errors else '通过'}，错误 {errors}")
    sys.exit(EXIT_ERRORS if errors else EXIT_OK)


def _verify_files(package_file: Path, values_file: Path, result_file: Path | None,
                  round_files: tuple[Path, ...] = ()) -> None:
    """The public verifier (generator.draw.standalone, which a higher bureau's mirror runs too):
    recompute the result, and check each drand value against its round and the commitment.txt
    beside the package, if any. Lines go to standard output when comparing with --result, else
    to standard error (standard output then holds the result, byte for byte). Every line is
    generator.draw.table's, the words verify.html says for the same fault."""
    from generator.draw.standalone import INCOMPLETE, Names, verify_files
    from generator.draw.table import COMMITMENT_FILE, ROUND_FILE_PATTERN, say

    def read(path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as e:
            _fail(f"{path}: 无法读取：{e.strerror}", EXIT_USAGE)

    package, values = read(package_file), read(values_file)
    if round_files:
        rounds = [(str(path), read(path)) for path in round_files]
    else:  # drand-<chain>-<round>.json beside the values, as a draw folder publishes them
        rounds = []
        for path in sorted(values_file.parent.iterdir()):
            if re.fullmatch(ROUND_FILE_PATTERN, path.name) and path.is_file():
                try:
                    rounds.append((str(path), path.read_bytes()))
                except OSError:
                    continue
    claimed_file = package_file.parent / COMMITMENT_FILE
    claimed = None
    if claimed_file.is_file():
        try:
            claimed = claimed_file.read_bytes()
        except OSError:
            claimed = b"\xff"  # said as unreadable: a commitment that cannot be confirmed
    outcome = verify_files(package, values, result=read(result_file) if result_file else None,
                           commitment_file=claimed, rounds=rounds, chosen=bool(round_files),
                           names=Names(str(package_file), str(values_file), str(result_file),
                                       str(claimed_file)))
    failure = outcome.failure
    if failure is not None:
        mismatch = failure.name == "result" and outcome.result is not None
        _fail(say("cli_inconsistent", message=failure.message) if mismatch else failure.message)
    say_line = click.echo if result_file else (lambda line: click.echo(line, err=True))
    if result_file is None:
        sys.stdout.buffer.write(outcome.result or b"")
        sys.stdout.flush()
    for step in outcome.of("source"):
        hint = say("cli_round_hint") if step.status == INCOMPLETE and step.kind == "drand" else ""
        say_line(step.message + hint)
    which = "、".join(say("cli_which", n=n) for n in outcome.unverified)
    if result_file is not None and not which:
        say_line(say("cli_verified", message=say("result_same", file=result_file)))
    elif result_file is not None:
        say_line(say("cli_unverified", which=which, message=say("result_same", file=result_file)))
    elif not which:
        say_line(say("cli_verified_stdout"))
    else:
        say_line(say("cli_unverified_stdout", which=which, values=values_file))
    sys.exit(EXIT_UNVERIFIED if which else EXIT_OK)


EXIT_UNVERIFIED = 3  # the public verifier: consistent, but some value was not checked


@draw.command("round")
@click.option("--at", "at", required=True, metavar="'YYYY-MM-DD HH:MM'",
              help="抽取时间（北京时间），如 '2026-03-13 10:00'")
@click.option("--chain", type=click.Choice(list(CHAINS)), default="quicknet",
              show_default=True)
@_records_option
def draw_round(at: str, chain: str, records_dir: Path) -> None:
    """算出在抽取时间当时或之后第一个公布的 drand 轮次、它的公布时间，以及抽取包最迟的冻结时间。"""
    import time

    from generator.draw.rounds import DEFAULT_MARGIN_HOURS, beijing, margin_hours, parse_beijing
    from generator.draw.rounds import round_for

    try:
        when = parse_beijing(at)
    except ValueError as e:
        _fail(f"--at：{e}", EXIT_USAGE)
    policy, whose = None, f"未找到 {records_dir}，按规范默认 {DEFAULT_MARGIN_HOURS} 小时"
    if records_dir.is_dir():
        from generator.records.load import load_records

        policy = load_records(records_dir)[0].policy
        if policy is not None:
            whose = "本局政策 policy.draw_margin_hours，不少于规范的 1 小时"
    margin = margin_hours(policy, time.time())
    choice = round_for(chain, when.timestamp(), margin)
    click.echo(f"drand {chain} 第 {choice.round} 轮：北京时间 {beijing(choice.published)} 公布")
    click.echo(f"抽取包最迟须在北京时间 {beijing(choice.freeze_by)} 前冻结（取得可信时间戳）并公布"
               f"（提前 {margin} 小时：{whose}）")
    click.echo("计划中写（draw.sources）：")
    click.echo(f"    - kind: drand\n      chain: {chain}\n      round: {choice.round}")


@draw.group("seed")
def draw_seed() -> None:
    """获取并核验公开随机源。"""


@draw_seed.command("drand")
@click.option("--round", "round_number", type=click.IntRange(min=1), required=True, help="轮次")
@click.option("--chain", type=click.Choice(list(CHAINS)), default="quicknet",
              show_default=True)
@click.option("--relay", "relays", multiple=True, help="drand HTTP 中继地址（可重复，依次尝试）")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=MAX_TIMEOUT), default=10.0,
              show_default=True, help="每个中继的超时，秒")
@click.option("--out", type=click.Path(path_type=Path), help="保存到此文件"
              "（默认 drand-<链>-<轮次>.json）")
def draw_seed_drand(round_number: int, chain: str, relays: tuple[str, ...], timeout: float,
                    out: Path | None) -> None:
    """从 drand 中继获取一轮随机数，离线核验签名后保存，供 ssj draw run --drand-round 使用。"""
    from generator.draw.drand import DEFAULT_RELAYS, DrandError, fetch_round
    from generator.draw.store import pretty_json
    from generator.filewrite import write_new

    try:
        data = fetch_round(chain, round_number, relays or DEFAULT_RELAYS, timeout)
    except DrandError as e:
        _fail(str(e))
    target = out or Path(f"drand-{chain}-{round_number}.json")
    try:
        write_new({target: pretty_json(data)})
    except FileExistsError:
        _fail(f"{target} 已存在，未覆盖")
    click.echo(f"已核验并保存 {target}：randomness {data['randomness']}")


@cli.command("rfc3797")
@click.argument("pool_file", type=click.Path(path_type=Path))
@click.argument("sources_file", type=click.Path(path_type=Path))
@click.option("-n", "count", type=int, help="选取数（默认全部排序）")
def rfc3797_command(pool_file: Path, sources_file: Path, count: int | None) -> None:
    """按 RFC 3797（IETF 公开可验证随机选取）从名单中选取：每行输出 序号、名单位置、名称。"""
    from generator.draw.rfc3797 import (
        Rfc3797Error,
        format_selection,
        parse_pool,
        parse_sources,
        select,
    )

    texts = []
    for path in (pool_file, sources_file):
        try:
            texts.append(path.read_bytes().decode("utf-8"))
        except OSError as e:
            _fail(f"{path}: 无法读取：{e.strerror}", EXIT_USAGE)
        except UnicodeDecodeError:
            _fail(f"{path}: 不是有效的 UTF-8 编码")
    try:
        sources = parse_sources(texts[1])
        rows = select(parse_pool(texts[0]), sources, count)
    except Rfc3797Error as e:
        where = sources_file if str(e).startswith("line ") else pool_file
        _fail(f"{where}: {e}")
    click.echo(format_selection(rows), nl=False)


@cli.command()
@click.argument("kind", type=click.Choice(list(NEW_KINDS)))
@click.option("--set", "pairs", multiple=True, metavar="字段=值",
              help="字段值（可重复；嵌套字段用点，如 certificate.valid_until=2029-12-31；列表用逗号；"
              "可选项写中文名称或代码，如 role=律师）")
@click.option("--plan", metavar="计划编号",
              help="检查结果所属的抽查计划（同 --set plan=…）：列出抽中的对象，检查组按抽取结果填写")
@click.option("--ask/--no-ask", default=None,
              help="逐项询问缺少的字段（默认：在终端中询问，否则列出缺少的字段）")
@_records_option
def new(kind: str, pairs: tuple[str, ...], plan: str | None, ask: bool | None,
        records_dir: Path) -> None:
    """新建一条带注释的记录，自动取新编号，写入对应目录（在终端中逐项询问必填字段）。"""
    import datetime as dt
    import time

    from generator.authoring.scaffold import Asker, ScaffoldError, open_problems, scaffold
    from generator.filewrite import write_new
    from generator.records.load import load_records

    _require_dir(records_dir)
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            _fail(f"--set 应写成 字段=值，而不是 {pair!r}", EXIT_USAGE)
        values[key.strip()] = value.strip()
    if plan is not None:
        values["plan"] = plan.strip()
    records, _ = load_records(records_dir)
    asker = Asker(lambda text: click.prompt(text, default="", show_default=False), click.echo) \
        if (sys.stdin.isatty() if ask is None else ask) else None
    try:
        path, text = scaffold(records, records_dir, kind, values, asker, dt.date.today(),
                              time.time())
        write_new({path: text.encode()})
    except ScaffoldError as e:
        _fail(f"未新建：{e}", e.code)
    except (click.Abort, EOFError):
        click.echo()  # end the question's line
        _fail("未新建：输入已结束，未写入任何文件")
    except FileExistsError:
        _fail("未新建：同名文件已存在")
    missing = open_problems(records_dir, path)
    if missing:
        click.echo(f"已新建 {path}，但 ssj check 还会报告以下 {len(missing)} 处，请补全或修改：")
        for line in missing:
            click.echo(line)
    else:
        click.echo(f"已新建 {path}（ssj check 通过）；可选字段带 # 写在文件里，需要时补全")


def _repository_options(func):  # type: ignore[no-untyped-def]
    """What `ssj init` and `ssj federate init` both ask: who the repository is for, how its CI
    installs ssj, and who reviews it."""
    for option in reversed((
            click.argument("target", type=click.Path(path_type=Path)),
            click.option("--name", required=True, help="机关全称，如 某某县司法局"),
            click.option("--division-code", required=True, help="6 位行政区划代码"),
            click.option("--requirement",
                         help="CI 安装 ssj 所用的固定来源：ssj @ git+https://…@<40 位提交号>，或提交进新仓库的 "
                              "wheel 文件路径 --hash=sha256:<哈希>；不填则用正在运行的 ssj 所在的提交"),
            click.option("--code-owner", "code_owners", multiple=True, metavar="@账号",
                         help="审核本仓库改动的 GitHub 账号或团队（可多次给出）"))):
        func = option(func)
    return func


def _repository_settings(division_code: str, requirement: str | None,
                         code_owners: tuple[str, ...]) -> str:
    """The requirement a new repository's CI installs, after refusing what cannot be used."""
    import re

    from generator.authoring.bureau import Unpinned, owner_problem, pinned_requirement
    from generator.records.types import requirement_problem

    if not re.fullmatch(r"[0-9]{6}", division_code):
        _fail("--division-code 应为 6 位数字", EXIT_USAGE)
    for owner in code_owners:
        if problem := owner_problem(owner):
            _fail(f"--code-owner {owner!r}：{problem}", EXIT_USAGE)
    if requirement is None:
        try:
            return pinned_requirement()
        except Unpinned as e:
            _fail(f"未新建：{e}；请用 --requirement 'ssj @ git+https://…@<40 位提交号>'"
                  "（或提交进新仓库的 wheel 文件路径与哈希）指定 CI 安装的 ssj", EXIT_USAGE)
    if problem := requirement_problem(requirement):
        _fail(f"--requirement {requirement!r}：{problem}", EXIT_USAGE)
    return requirement


def _write_repository(write) -> int:  # type: ignore[no-untyped-def]
    try:
        return write()
    except FileExistsError as e:
        _fail(f"未新建：{e}")
    except OSError as e:  # a folder we may not write to, say
        _fail(f"未新建：{e.filename}：{e.strerror}")


@cli.command("init")
@_repository_options
@click.option("--short-name", required=True, help="简称")
@click.option("--forge", type=click.Choice(["github", "gitea", "forgejo", "gitlab"]),
              help="本局的代码托管平台：写入它的 CI（gitea、forgejo：Actions 工作流，gitlab："
                   ".gitlab-ci.yml，用 rsync 经 SSH 发布，见 README.md）和浏览器中的记录表单 editor/"
                   "（Decap CMS，开通步骤见 editor/README.md）")
def init_command(target: Path, name: str, short_name: str, division_code: str,
                 requirement: str | None, code_owners: tuple[str, ...],
                 forge: str | None) -> None:
    """新建一个司法局的记录仓库：记录骨架（政策取自方案 二（八））、site/、CI 工作流与说明。"""
    import datetime as dt

    from generator.authoring.bureau import Bureau, init_files, write_repository

    requirement = _repository_settings(division_code, requirement, code_owners)
    files = init_files(Bureau(name, short_name, division_code, requirement, code_owners),
                       dt.date.today(), forge)
    if forge:
        from generator.editor.forge import editor_files

        files.update(editor_files(forge))
    count = _write_repository(lambda: write_repository(target, files))
    click.echo(f"已在 {target} 新建 {count} 个文件，CI 安装 {requirement}。"
               f"下一步：cd {target} && git init && ssj check；仓库须设为私有（见 README.md）")
    if forge:
        click.echo(f"记录表单在 {target}/editor/：按 editor/README.md 在 {forge} 上登记 OAuth 应用")
        if forge != "github":
            click.echo(f"{forge} 的 CI 已写入：按 README.md 设置发布用的密钥和变量（SSJ_DEPLOY_…）")


@cli.group()
def federate() -> None:
    """见证机关（上级司法局）：镜像所属各局的公示网站，记录首次看到每个抽取承诺值的时间。"""


@federate.command("init")
@_repository_options
def federate_init(target: Path, name: str, division_code: str, requirement: str | None,
                  code_owners: tuple[str, ...]) -> None:
    """新建见证机关的仓库：federation.yaml、members.yaml、定时镜像与见证的工作流与说明。"""
    from generator.federation.repository import FederationRepo, init_federation

    requirement = _repository_settings(division_code, requirement, code_owners)
    count = _write_repository(lambda: init_federation(
        target, FederationRepo(name, division_code, requirement, code_owners)))
    click.echo(f"已在 {target} 新建 {count} 个文件，CI 安装 {requirement}。下一步：在 members.yaml "
               f"列出成员、在 federation.yaml 固定时间戳机构，然后 cd {target} && git init && "
               "ssj federate check")


def _federation_option(func):  # type: ignore[no-untyped-def]
    return click.option("--root", "root", default=".", show_default=True,
                        type=click.Path(path_type=Path), help="见证机关仓库的目录")(func)


def _load_federation(root: Path):  # type: ignore[no-untyped-def]
    from generator.checks.output import as_text
    from generator.federation.config import load_federation

    federation, problems = load_federation(root)
    for problem in problems:
        click.echo(as_text(problem), err=True)
    if federation is None:
        _fail(f"未通过：federation.yaml 与 members.yaml 共 {len(problems)} 个错误")
    return federation


@federate.command("check")
@_federation_option
@click.option("--base", help="与这个 git 版本比较：见证记录只能追加")
def federate_check(root: Path, base: str | None) -> None:
    """检查 federation.yaml 与 members.yaml；给出 --base 时，确认见证记录只有追加。"""
    from generator.federation.witness import rewrites

    federation = _load_federation(root)
    found = rewrites(root, base) if base else []
    for reason in found:
        click.echo(f"ssj: {reason}", err=True)
    if found:
        _fail(f"见证记录被改写：{len(found)} 处")
    click.echo(f"ssj federate check 通过：{federation.name}，成员 {len(federation.members)}，"
               f"固定时间戳机构 {len(federation.authorities)}")


@federate.command("fetch")
@_federation_option
@click.option("--timeout", default=20.0, show_default=True, type=click.FloatRange(1, 300),
              help="连接或两次读取之间最多等待的秒数")
def federate_fetch(root: Path, timeout: float) -> None:
    """镜像每个成员网站（只下载 manifest 标明改动的文件），把首次看到的承诺值追加到见证记录，
    并向固定的时间戳机构申请时间戳。成员无法访问时保留上次的完好副本并标出，不影响其他成员。"""
    import datetime as dt

    from generator.federation import witness
    from generator.federation.fetch import fetch_members
    from generator.federation.mirror import last_good

    federation = _load_federation(root)
    if not federation.authorities:
        click.echo("ssj: 警告：federation.yaml 没有固定时间戳机构：见证记录没有时间戳，"
                   "不能向他人证明何时看到", err=True)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    mirror = root / "mirror"
    fetched = fetch_members([(m.name, m.division_code, m.url) for m in federation.members],
                            mirror, now, concurrency=federation.fetch_concurrency,
                            timeout=timeout, max_bytes=federation.max_file_bytes)
    sightings, statuses = [], {}
    for result in fetched:
        statuses[result.division_code] = {
            "status": result.status, "flags": [flag.kind for flag in result.flags]}
        manifest = last_good(mirror, result.division_code)
        for plan, commitment in (manifest.commitments if manifest else ()):
            sightings.append(witness.Sighting(result.division_code, plan, commitment))
        flags = "；".join(f.message for f in result.flags)
        click.echo(f"{result.name}（{result.division_code}）：{result.status}，下载 "
                   f"{result.files_fetched} 个文件" + (f"；{flags}" if flags else ""))
    record = witness.record_run(root, federation.division_code, now, sightings, statuses,
                                federation.authorities, timeout)
    for authority, why in record.failed.items():
        click.echo(f"ssj: 警告：时间戳机构 {authority} 未给出时间戳：{why}", err=True)
    click.echo(f"见证记录 {record.file}：首次看到 {len(record.new)} 个承诺值，"
               f"时间戳 {len(record.tokens)}/{len(federation.authorities)}")


@federate.command("verify")
@_federation_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--jobs", default=0, type=click.IntRange(0, 256),
              help="并行核验的进程数（默认 0：全部 CPU 核心）")
def federate_verify(root: Path, fmt: str, jobs: int) -> None:
    """只凭镜像中各成员公开的文件重新核验每个抽取（承诺值、drand 签名、时间戳、结果、时限、见证），
    并核对已公开的记录有无被改动或删除。退出码：0 全部合格，1 有不合格，3 有待核（无不合格）。"""
    import datetime as dt

    from generator.federation.verify import as_json, verify_federation

    federation = _load_federation(root)
    verdicts = verify_federation(root, federation, dt.datetime.now(dt.timezone.utc), jobs)
    if fmt == "json":
        sys.stdout.buffer.write(as_json(verdicts))
        sys.stdout.flush()
    else:
        words = {"pass": "合格", "incomplete": "待核", "fail": "不合格"}
        for v in verdicts:
            failing = [d.plan for d in v.draws if d.status == "fail"]
            click.echo(f"{v.name}（{v.division_code}）：{words[v.status]}；抽取 {len(v.draws)}"
                       + (f"，不合格 {'、'.join(failing)}" if failing else "")
                       + (f"；已公开记录被改动 {len(v.rewrites)} 处" if v.rewrites else "")
                       + ("；从未镜像成功" if v.fetch_status == "never-fetched" else ""))
            for d in v.draws:
                for c in d.checks:
                    if c.status == "fail":
                        click.echo(f"  {d.plan} {c.name}：{c.message}")
            for r in v.rewrites:
                click.echo(f"  {r.message}")
    statuses = {v.status for v in verdicts}
    sys.exit(EXIT_ERRORS if "fail" in statuses else EXIT_UNVERIFIED if "incomplete" in statuses
             else EXIT_OK)


@federate.command("build")
@_federation_option
@click.option("--site", "site_dir", default=None, type=click.Path(path_type=Path),
              help="模板与静态文件（默认：ssj 自带的 site/）")
@click.option("--out", default="_site", show_default=True, type=click.Path(path_type=Path),
              help="输出目录")
@click.option("--jobs", default=0, type=click.IntRange(0, 256),
              help="并行核验的进程数（默认 0：全部 CPU 核心）")
def federate_build(root: Path, site_dir: Path | None, out: Path, jobs: int) -> None:
    """核验全部成员后生成见证机关的公示网站：各局核验结果、名录与信用公示、见证记录。"""
    import datetime as dt

    from generator.authoring.bureau import PROJECT
    from generator.federation.site import build_federation_site
    from generator.federation.verify import verify_federation
    from generator.site.build import BuildRefused

    federation = _load_federation(root)
    _require_site_folder(out, root)
    now = dt.datetime.now(dt.timezone.utc)
    verdicts = verify_federation(root, federation, now, jobs)
    try:
        result = build_federation_site(root, federation, verdicts, site_dir or PROJECT / "site",
                                       out, now.astimezone(dt.timezone(dt.timedelta(hours=8))).date())
    except (BuildRefused, FileExistsError) as e:
        _fail(f"未生成网站：{e}")
    click.echo(f"ssj federate build：{len(verdicts)} 个成员，{result.pages} 个页面，"
               f"{result.files} 个文件（写入 {result.written}，删除 {result.removed}） -> {out}")


@cli.command("example")
@click.option("--scale", type=click.Choice(["county", "city", "province"]), default="county",
              show_default=True, help="规模：county 约 30 家机构，city 1,000 家，province 5,000 家")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="写入记录的目录（须不存在或为空），即 ssj check --records 的目录")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0),
              help="伪随机数种子：同样的参数写出逐字节相同的记录")
def example_command(scale: str, out: Path, seed: int) -> None:
    """写出一个虚构的示例司法行政机关：五年（2022–2026）的名录、计划、抽取、检查结果与名录记录，
    能通过 ssj check，供演示与性能测试。"""
    import time

    from generator.records.kinds import KINDS_BY_NAME
    from generator.authoring.synthetic import SyntheticError, write_example

    _require_output_folder(out)
    if out.exists() and any(out.iterdir()):
        _fail(f"--out {out} 不是空目录；未写入任何文件", EXIT_USAGE)
    start = time.perf_counter()
    try:
        summary = write_example(out, scale, seed)
    except SyntheticError as e:
        _fail(f"未写出：{e}")
    parts = "，".join(f"{KINDS_BY_NAME[k].title} {n}" for k, n in summary.counts.items())
    click.echo(f"ssj example（{scale}，种子 {seed}）：{parts}；抽取目录 {summary.draws}，"
               f"文件 {summary.files}，用时 {time.perf_counter() - start:.1f} 秒 -> {out}")


@cli.group()
def schema() -> None:
    """记录格式：由记录类型声明生成的说明。"""


@schema.command("markdown")
def schema_markdown() -> None:
    """打印记录字段说明（Markdown），即 records/README.md 中的字段表。"""
    from generator.records.reference import field_reference_markdown

    click.echo(field_reference_markdown(), nl=False)


@schema.command("json")
@click.option("--out", default="records/.schemas", show_default=True,
              type=click.Path(path_type=Path), help="写入 JSON Schema 的目录")
@click.option("--check", "only_check", is_flag=True, help="只检查目录中的文件是否最新，不写入")
def schema_json(out: Path, only_check: bool) -> None:
    """为每类记录生成 JSON Schema，供编辑器（YAML 语言服务器）补全和提示。"""
    from generator.filewrite import write_changed
    from generator.records.jsonschema import schema_files

    files = schema_files()
    if only_check:
        stale = [n for n, data in files.items()
                 if not (out / n).is_file() or (out / n).read_bytes() != data]
        if stale:
            _fail(f"{out} 中的 JSON Schema 不是最新的：{'、'.join(stale)}；运行 ssj schema json")
        click.echo(f"{out}：{len(files)} 个 JSON Schema 都是最新的")
        return
    _require_output_folder(out)
    written, _ = write_changed(out, files)
    click.echo(f"{out}：{len(files)} 个 JSON Schema（更新 {written} 个）")


def main() -> None:
    """Entry point: never shows a traceback, whatever the input."""
    try:
        cli.main(prog_name="ssj")
    except OSError as e:  # the system refused a read or write (permissions, a full disk)
        where = f"{e.filename}：" if e.filename else ""
        click.echo(f"ssj: 无法读写 {where}{e.strerror or e}", err=True)
        sys.exit(EXIT_ERRORS)
    except Exception as e:  # a bug of ours: say so in one line instead of a traceback
        click.echo(f"ssj: 内部错误 {type(e).__name__}: {e}（请报告此问题）", err=True)
        sys.exit(EXIT_ERRORS)
