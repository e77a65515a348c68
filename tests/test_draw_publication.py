"""Issue 20, through the CLI: no lever left to the bureau. A real bureau's honest draw on a past
timeline (tests/timeline.py: real drand rounds, git dated to fit, tokens with the genTime each
step needs) passes clean; each way a hostile bureau was found to steer a draw is refused with a
message that names the fault, and a past fault, once disclosed, is a notice."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.test_draw_commands import (REPO, edit, firm_id, git, inspector_id, problem_lines,
                                      ssj, write)
from tests.timeline import (
    DAY,
    DRAWS,
    HOUR,
    JURISDICTION_FILE,
    ROUND_TIME,
    TSA_ID,
    TSA_NAME,
    at,
    authority_lines,
    bureau,
    commit,
    freeze,
    honest,
    jurisdiction_text,
    pinning,
    root_fingerprint,
    run,
    stamp,
)
from tests.tsa_authority import Authority, make_authority
from tests.sitecheck import plain, shown

PACKAGE = f"{DRAWS}/package.json"
BACKDATED = 978307200  # 2001-01-01


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return make_authority(tmp_path_factory.mktemp("tsa"), valid_from=at(ROUND_TIME - 60 * DAY))


@pytest.fixture(scope="module")
def second(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return make_authority(tmp_path_factory.mktemp("tsa2"), intermediate=True,
                          valid_from=at(ROUND_TIME - 60 * DAY))


def errors(out, rule: str) -> list[str]:  # noqa: ANN001 (the CLI's Out)
    return [line for line in problem_lines(out.stdout, rule) if " 错误 " in line]


def only_error(root: Path, rule: str, *words: str) -> str:
    """`ssj check` exits 1 with exactly one error, of `rule`, naming `words`."""
    out = ssj(root, "check")
    assert out.exit_code == 1, out.output
    assert "错误 1，" in out.stdout, out.stdout
    (line,) = errors(out, rule)
    for word in words:
        assert word in line, (word, line)
    return line


def frozen_stamped(root: Path, authority: Authority, pins: str | None = None) -> None:
    bureau(root, pins if pins is not None else pinning((TSA_ID, TSA_NAME, authority)))
    freeze(root)
    stamp(root, authority, ROUND_TIME - 3 * DAY)


def drawn_after(root: Path) -> None:
    """The draw run and inspected, committed two days after the round: whatever else went
    wrong, a package whose round is public is drawn and kept."""
    run(root)
    commit(root, ROUND_TIME + 2 * DAY, "draw")


# --- the honest path --------------------------------------------------------------------------

def test_an_honest_real_bureau_passes_clean(tmp_path: Path, authority: Authority) -> None:
    honest(tmp_path, authority)
    out = ssj(tmp_path, "check")
    assert out.exit_code == 0, out.output
    assert "错误 0，警告 0" in out.stdout, out.stdout
    assert ssj(tmp_path, "draw", "verify").exit_code == 0
    # the page: proven by the rule it states, published on main beside the token, the cap
    page = (built(tmp_path) / "plans/2025-01.html").read_text(encoding="utf-8")
    publication = git_output(tmp_path, "log", "--format=%H", "-1", "--", PACKAGE)
    assert shown("可信时间戳证明：抽取包在首个随机源公布前已冻结（规则：固定的 1 家时间戳机构都须给出") in plain(page)
    # when it was first published on main; the commit is the records' business, not the reader's
    assert "抽取包首次在本局记录库主分支公开" in page and publication[:12] not in page
    assert "可信时间戳机构证明：全部候选对象和检查人员的名单（抽取包）在" in page
    assert "每个计划最多修订（重新抽取）1次" in plain(page) and "不足规定" not in page


def test_a_later_commit_of_other_records_does_not_move_the_publication(
        tmp_path: Path, authority: Authority) -> None:
    honest(tmp_path, authority)
    path = tmp_path / DRAWS / "commitment.txt"
    path.write_bytes(path.read_bytes())  # touched, unchanged
    write(tmp_path, {"records/items/lf-01.yaml": (tmp_path / "records/items/lf-01.yaml")
                     .read_text(encoding="utf-8") + "effective_until: 2030-01-01\n"})
    commit(tmp_path, ROUND_TIME + 2 * DAY, "later")
    out = ssj(tmp_path, "check")
    assert out.exit_code == 0 and "错误 0，警告 0" in out.stdout, out.output


# --- 1. several candidates stamped, one published after the round ----------------------------

def test_a_package_published_after_the_round_is_refused_though_its_token_is_on_time(
        tmp_path: Path, authority: Authority) -> None:
    frozen_stamped(tmp_path, authority)
    commit(tmp_path, ROUND_TIME + HOUR, "freeze, published an hour after the round")
    drawn_after(tmp_path)
    line = only_error(tmp_path, "draw.publication-late", "晚于规定", "不能证明它是唯一的")
    assert line.startswith(f"{PACKAGE}:1: 错误 [draw.publication-late] "), line


def test_a_package_published_inside_the_margin_is_refused(tmp_path: Path,
                                                          authority: Authority) -> None:
    frozen_stamped(tmp_path, authority)
    commit(tmp_path, ROUND_TIME - 23 * HOUR, "freeze, 23 hours before")
    drawn_after(tmp_path)
    only_error(tmp_path, "draw.publication-late", "24 小时", "1.0 小时")


def test_in_example_data_a_late_publication_is_a_notice(tmp_path: Path,
                                                        authority: Authority) -> None:
    frozen_stamped(tmp_path, authority)
    write(tmp_path, {JURISDICTION_FILE: edit(jurisdiction_text(tmp_path), "example: false",
                                             "example: true")})
    commit(tmp_path, ROUND_TIME + HOUR, "freeze, late")
    drawn_after(tmp_path)
    out = ssj(tmp_path, "check")
    assert out.exit_code == 0, out.output
    (line,) = problem_lines(out.stdout, "draw.publication-late")
    assert " 提示 " in line and "示例数据" in line


@pytest.mark.parametrize("merged_late", [False, True], ids=["merged-on-time", "merged-late"])
def test_a_package_merged_into_main_counts_from_the_merge(tmp_path: Path, authority: Authority,
                                                          merged_late: bool) -> None:
    """The branch commit is on time either way; what counts is when main got the package."""
    frozen_stamped(tmp_path, authority)
    git(tmp_path, "checkout", "-q", "-b", "draw")
    commit(tmp_path, ROUND_TIME - 3 * DAY, "freeze on a branch")
    git(tmp_path, "checkout", "-q", "main")
    write(tmp_path, {"records/items/lf-01.yaml": (tmp_path / "records/items/lf-01.yaml")
                     .read_text(encoding="utf-8") + "effective_until: 2030-01-01\n"})
    commit(tmp_path, ROUND_TIME - 2 * DAY - HOUR, "meanwhile on main")
    git(tmp_path, "merge", "-q", "--no-ff", "-m", "merge the draw", "draw",
        when=ROUND_TIME + HOUR if merged_late else ROUND_TIME - 2 * DAY)
    drawn_after(tmp_path)
    if merged_late:
        only_error(tmp_path, "draw.publication-late", "晚于规定")
    else:
        out = ssj(tmp_path, "check")
        assert out.exit_code == 0 and not problem_lines(out.stdout, "draw.publication-late"), \
            out.output


# --- 7. git's severities ------------------------------------------------------------------------

def test_one_commit_dated_in_the_future_is_one_error_and_blocks_nothing_else(
        tmp_path: Path, authority: Authority) -> None:
    bureau(tmp_path, pinning((TSA_ID, TSA_NAME, authority)))
    write(tmp_path, {"records/items/lf-01.yaml": (tmp_path / "records/items/lf-01.yaml")
                     .read_text(encoding="utf-8") + "effective_until: 2030-01-01\n"})
    commit(tmp_path, 1893456000, "dated 2030")  # 2030-01-01
    future = (git_output(tmp_path, "rev-parse", "HEAD"))
    freeze(tmp_path)
    stamp(tmp_path, authority, ROUND_TIME - 3 * DAY)
    commit(tmp_path, ROUND_TIME - 2 * DAY, "freeze")
    run(tmp_path)
    commit(tmp_path, ROUND_TIME + DAY, "draw")
    line = only_error(tmp_path, "draw.commit-date", future[:12], "晚于现在")
    assert line.startswith("records/draws:1: 错误 "), line


def test_a_backdated_commit_of_a_package_is_named_and_counts_from_the_commit_before_it(
        tmp_path: Path, authority: Authority) -> None:
    frozen_stamped(tmp_path, authority)
    commit(tmp_path, ROUND_TIME + HOUR, "freeze, late")
    package = (tmp_path / PACKAGE).read_bytes()
    (tmp_path / PACKAGE).unlink()
    commit(tmp_path, ROUND_TIME + 2 * HOUR, "remove")
    write(tmp_path, {PACKAGE: package})
    commit(tmp_path, BACKDATED, "re-add, backdated to 2001")
    backdated = git_output(tmp_path, "rev-parse", "HEAD")
    drawn_after(tmp_path)
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1, out.output
    (dated,) = errors(out, "draw.commit-date")
    assert backdated[:12] in dated and "提交时间系手工填写" in dated
    (late,) = errors(out, "draw.publication-late")
    assert "晚于规定" in late


def test_a_shallow_clone_of_a_real_bureau_is_an_error_with_the_fix(
        tmp_path: Path, authority: Authority) -> None:
    source = honest(tmp_path / "source", authority)
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{source}", "shallow")
    only_error(tmp_path / "shallow", "draw.publication-late", "浅克隆", "fetch-depth: 0")


def git_output(root: Path, *args: str) -> str:
    import subprocess
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip()


# --- 3. any root could wear any name; every authority counts ---------------------------------

def test_a_homemade_root_under_the_true_fingerprint_is_refused(tmp_path: Path,
                                                               authority: Authority,
                                                               tmp_path_factory) -> None:  # noqa: ANN001
    """The name identifies nothing; the fingerprint, checked against the PEM, does."""
    impostor = make_authority(tmp_path_factory.mktemp("impostor"),
                              valid_from=at(ROUND_TIME - 60 * DAY))
    honest(tmp_path, impostor, pinning((TSA_ID, TSA_NAME, impostor)))
    out = ssj(tmp_path, "check")  # consistent with itself: ssj cannot know who made a root
    assert out.exit_code == 0, out.output
    # ...so every page names the root by its fingerprint, for the reader to compare
    site = built(tmp_path)
    page = (site / "plans/2025-01.html").read_text(encoding="utf-8")
    assert colon(root_fingerprint(impostor)) in page and "tsa.invalid/test-tsa-root.pem" in page
    # claiming the true authority's fingerprint over the homemade chain is refused
    pins = "timestamp_authorities:\n" + "\n".join(authority_lines(
        TSA_ID, TSA_NAME, impostor.chain_pem, root_fingerprint(authority))) + "\n"
    text = jurisdiction_text(tmp_path)
    write(tmp_path, {JURISDICTION_FILE: text[:text.index("timestamp_authorities:")] + pins})
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1, out.output
    (line,) = errors(out, "draw.timestamp-authority")
    assert line.startswith(f"{JURISDICTION_FILE}:") and "root_sha256" in line and "不符" in line
    assert colon(root_fingerprint(impostor)) in line


def colon(digest: str) -> str:
    return ":".join(digest[i:i + 2] for i in range(0, 64, 2)).upper()


def built(root: Path) -> Path:
    shutil.copytree(REPO / "site", root / "site")
    out = ssj(root, "build", "--out", str(root / "_site"))
    assert out.exit_code == 0, out.output
    return root / "_site"


def test_with_two_authorities_pinned_one_token_is_not_enough(tmp_path: Path, authority: Authority,
                                                             second: Authority) -> None:
    pins = pinning((TSA_ID, TSA_NAME, authority), ("second", "第二家时间戳机构", second))
    frozen_stamped(tmp_path, authority, pins)
    commit(tmp_path, ROUND_TIME - 2 * DAY, "freeze")
    drawn_after(tmp_path)
    only_error(tmp_path, "draw.timestamp-quorum", "固定的 2 家时间戳机构都须给出按时的时间戳",
               "缺少 第二家时间戳机构")
    # a late token from the second counts no more than none
    stamp(tmp_path, second, ROUND_TIME + HOUR, "second")
    commit(tmp_path, ROUND_TIME + 3 * DAY, "a late token")
    only_error(tmp_path, "draw.timestamp-quorum", "缺少 第二家时间戳机构")
    # both on time: clean
    stamp(tmp_path, second, ROUND_TIME - 3 * DAY, "second")
    write(tmp_path, {})
    out = ssj(tmp_path, "check")
    assert out.exit_code == 0 and "错误 0，警告 0" in out.stdout, out.output


def test_a_stated_quorum_is_the_rule_and_is_said(tmp_path: Path, authority: Authority,
                                                 second: Authority) -> None:
    pins = pinning((TSA_ID, TSA_NAME, authority), ("second", "第二家时间戳机构", second))
    bureau(tmp_path, pins)
    write(tmp_path, {JURISDICTION_FILE: edit(jurisdiction_text(tmp_path),
                                             "  draw_margin_hours: 24\n",
                                             "  draw_margin_hours: 24\n  timestamp_quorum: 1\n")})
    commit(tmp_path, ROUND_TIME - 9 * DAY, "a quorum of one")
    freeze(tmp_path)
    stamp(tmp_path, authority, ROUND_TIME - 3 * DAY)
    commit(tmp_path, ROUND_TIME - 2 * DAY, "freeze")
    drawn_after(tmp_path)
    out = ssj(tmp_path, "check")
    assert out.exit_code == 0 and "错误 0，警告 0" in out.stdout, out.output


# --- 6. a token without the ESS signing-certificate attribute ----------------------------------

def test_a_token_without_the_signing_certificate_attribute_proves_nothing(
        tmp_path: Path, authority: Authority) -> None:
    bureau(tmp_path, pinning((TSA_ID, TSA_NAME, authority)))
    freeze(tmp_path)
    stamp(tmp_path, authority, ROUND_TIME - 3 * DAY, ess=False)
    commit(tmp_path, ROUND_TIME - 2 * DAY, "freeze")
    drawn_after(tmp_path)
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1, out.output
    (line,) = errors(out, "draw.timestamp")
    assert "ESS" in line and "openssl ts -verify 同样拒绝" in line


# --- 8. the knobs have floors, and a later change never re-judges a draw ----------------------

@pytest.mark.parametrize("line, words", [
    ("  draw_margin_hours: 0\n", ("policy.draw_margin_hours", "1")),
    ("  draw_margin_hours: 24\n  max_revisions: 99999\n", ("policy.max_revisions", "3")),
])
def test_a_margin_below_the_floor_or_a_cap_above_the_ceiling_is_refused(
        tmp_path: Path, authority: Authority, line: str, words: tuple[str, ...]) -> None:
    honest(tmp_path, authority)
    write(tmp_path, {JURISDICTION_FILE: edit(jurisdiction_text(tmp_path),
                                             "  draw_margin_hours: 24\n", line)})
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1, out.output
    (error,) = [e for e in out.stdout.splitlines() if " 错误 " in e]
    assert error.startswith(f"{JURISDICTION_FILE}:"), error
    for word in words:
        assert word in error, (word, error)


def test_a_later_policy_change_does_not_re_judge_an_earlier_draw(tmp_path: Path,
                                                                 authority: Authority) -> None:
    honest(tmp_path, authority)  # published two days ahead, under a 24-hour margin
    change = ("  draw_changes:\n    - from: 2024-01-01\n      draw_margin_hours: 72\n"
              "      reason: 改为提前三天公开\n")
    text = jurisdiction_text(tmp_path)
    write(tmp_path, {JURISDICTION_FILE: edit(text, "  draw_margin_hours: 24\n",
                                             "  draw_margin_hours: 24\n" + change)})
    out = ssj(tmp_path, "check")
    assert out.exit_code == 0 and "错误 0，警告 0" in out.stdout, out.output
    # the same change dated before the freeze is the rule that judges it: now it is late
    write(tmp_path, {JURISDICTION_FILE: edit(text, "  draw_margin_hours: 24\n",
                                             "  draw_margin_hours: 24\n"
                                             + change.replace("2024-01-01", "2023-01-01"))})
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1, out.output
    assert errors(out, "draw.publication-late") and "72 小时" in errors(out, "draw.publication-late")[0]


# --- irregularities: disclosed, never silenced -------------------------------------------------

def notice(plan: str = "2025-01", kind: str = "late-publication", commit: str = "") -> str:
    about = f"commit: {commit}\n" if commit else f"plan: {plan}\n"
    return (f"id: n-{kind}\nkind: {kind}\n{about}published_on: 2023-08-25\n"
            "reason: 负责冻结的工作人员在随机源公布后才合并抽取包；已改为冻结当日合并，并由法治督察股核对。\n")


def test_a_disclosed_late_publication_is_a_notice_and_a_red_mark(tmp_path: Path,
                                                                 authority: Authority) -> None:
    frozen_stamped(tmp_path, authority)
    commit(tmp_path, ROUND_TIME + HOUR, "freeze, late")
    drawn_after(tmp_path)
    only_error(tmp_path, "draw.publication-late", "晚于规定")
    # a notice of another kind, or about another plan, discloses nothing
    write(tmp_path, {"records/irregularities/n-late-timestamp.yaml": notice(kind="late-timestamp")})
    only_error(tmp_path, "draw.publication-late", "晚于规定")
    write(tmp_path, {"records/irregularities/n-late-publication.yaml": notice()})
    out = ssj(tmp_path, "check")
    assert out.exit_code == 0, out.output
    (line,) = problem_lines(out.stdout, "draw.publication-late")
    assert " 提示 " in line and "已公开说明（n-late-publication）" in line
    commit(tmp_path, ROUND_TIME + 3 * DAY, "notices")
    page = (built(tmp_path) / "plans/2025-01.html").read_text(encoding="utf-8")
    assert 'class="irregular"' in page and "负责冻结的工作人员在随机源公布后才合并抽取包" in page


def test_a_disclosed_misdated_commit_is_a_notice(tmp_path: Path, authority: Authority) -> None:
    bureau(tmp_path, pinning((TSA_ID, TSA_NAME, authority)))
    commit(tmp_path, 1893456000, "dated 2030")
    future = git_output(tmp_path, "rev-parse", "HEAD")
    freeze(tmp_path)
    stamp(tmp_path, authority, ROUND_TIME - 3 * DAY)
    commit(tmp_path, ROUND_TIME - 2 * DAY, "freeze")
    drawn_after(tmp_path)
    only_error(tmp_path, "draw.commit-date", future[:12])
    write(tmp_path, {"records/irregularities/n-misdated-commit.yaml":
                     notice(kind="misdated-commit", commit=future)})
    out = ssj(tmp_path, "check")
    assert out.exit_code == 0, out.output
    (line,) = problem_lines(out.stdout, "draw.commit-date")
    assert " 提示 " in line and future[:12] in line


def test_a_damaged_pinned_certificate_is_one_located_error(tmp_path: Path,
                                                           authority: Authority) -> None:
    honest(tmp_path, authority)
    text = jurisdiction_text(tmp_path)
    body = text.index("MII", text.index("chain: |"))
    damaged = text[:body + 40] + ("A" if text[body + 40] != "A" else "B") + text[body + 41:]
    write(tmp_path, {JURISDICTION_FILE: damaged})
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1 and "Traceback" not in out.output and "内部错误" not in out.output, \
        out.output
    assert errors(out, "draw.timestamp-authority")[0].startswith(f"{JURISDICTION_FILE}:")


# --- 2. no plan vanishes ------------------------------------------------------------------------

WITHDRAWAL = "withdrawal:\n  date: 2023-08-20\n  reason: 上级部署调整，本次抽查并入下半年的联合抽查。\n"
PLAN = "records/plans/2025-01.yaml"


def plan_text(root: Path) -> str:
    return (root / PLAN).read_text(encoding="utf-8")


def test_a_published_plan_never_frozen_is_an_error_once_its_round_is_public(
        tmp_path: Path, authority: Authority) -> None:
    bureau(tmp_path, pinning((TSA_ID, TSA_NAME, authority)))  # published 2023-08-01, never frozen
    line = only_error(tmp_path, "draw.unfrozen", "不能就此消失", "ssj draw freeze 2025-01")
    assert line.startswith(f"{PLAN}:"), line


def test_a_withdrawal_published_before_the_round_is_enough(tmp_path: Path,
                                                           authority: Authority) -> None:
    bureau(tmp_path, pinning((TSA_ID, TSA_NAME, authority)))
    write(tmp_path, {PLAN: plan_text(tmp_path) + WITHDRAWAL})
    commit(tmp_path, ROUND_TIME - 3 * DAY, "withdrawn in time")
    out = ssj(tmp_path, "check")
    assert not problem_lines(out.stdout, "draw.unfrozen"), out.output


def test_a_withdrawal_after_the_round_is_refused(tmp_path: Path, authority: Authority) -> None:
    bureau(tmp_path, pinning((TSA_ID, TSA_NAME, authority)))
    write(tmp_path, {PLAN: plan_text(tmp_path) + WITHDRAWAL})
    commit(tmp_path, ROUND_TIME + HOUR, "withdrawn once the round was known")
    only_error(tmp_path, "draw.unfrozen", "撤回", "晚于首个随机源")


def test_an_owed_draw_comes_from_the_records_before_the_round(tmp_path: Path,
                                                              authority: Authority) -> None:
    """After the round the bureau suspends, backdated, a firm it would rather not see drawn,
    then freezes:
    the package is still what the records gave before the round, and a package made from the
    edited records is refused."""
    bureau(tmp_path, pinning((TSA_ID, TSA_NAME, authority)))
    honest_package = freeze(tmp_path)  # what the records gave before the round
    shutil.rmtree(tmp_path / DRAWS)
    firm = tmp_path / f"records/institutions/{firm_id(3)}.yaml"
    write(tmp_path, {firm.relative_to(tmp_path).as_posix(): firm.read_text(encoding="utf-8")
                     + "  - since: 2025-02-01\n    status: suspended\n"})
    commit(tmp_path, ROUND_TIME + HOUR, "a firm dropped after the round")
    out = ssj(tmp_path, "draw", "freeze", "2025-01")
    assert out.exit_code == 0, out.output
    assert "按随机源公布前主分支上的记录补做" in out.stderr
    assert (tmp_path / DRAWS / "commitment.txt").read_text().strip() == honest_package
    commit(tmp_path, ROUND_TIME + 2 * HOUR, "the owed package")
    drawn_after(tmp_path)
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1, out.output
    assert not errors(out, "draw.derivation") and not errors(out, "draw.unfrozen")
    assert errors(out, "draw.publication-late") and errors(out, "draw.timestamp-missing")
    # disclosed: the draw stands, in red
    write(tmp_path, {"records/irregularities/n-missed-freeze.yaml": notice(kind="missed-freeze")})
    out = ssj(tmp_path, "check")
    assert not [e for e in out.stdout.splitlines() if " 错误 [draw." in e], out.output
    # the suspended firm was drawn all the same, and inspecting it now breaks a rule: the
    # backdated edit gained the bureau nothing
    assert [e.split("]")[0] for e in out.stdout.splitlines() if " 错误 " in e] == [
        "records/findings/2025-01-01.yaml:3: 错误 [finding.target-scope"], out.output
    # the package made from the edited records instead is refused, disclosed or not
    shutil.rmtree(tmp_path / DRAWS)
    shutil.rmtree(tmp_path / "records/findings")
    assert freeze(tmp_path) != honest_package
    commit(tmp_path, ROUND_TIME + 3 * DAY, "a package from the edited records")
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1, out.output
    (line,) = errors(out, "draw.derivation")
    assert "随机源公布前主分支上的记录" in line


# --- 9. a plan drawn by the higher bureau is verified like our own ------------------------------

def delegated_plan(commitment: str, pins: str) -> str:
    """Plan 2025-01 of the county, its targets drawn by the city bureau (二（三））."""
    authorities = "\n".join("    " + line for line in pins.splitlines()[1:])
    return (plan_text_of_tree()
            .replace("  department: lawyer\n", "  department: lawyer\n  delegated_by: 朝阳市司法局\n")
            .replace("  sources:\n    - kind: drand\n      chain: quicknet\n      round: 1000\n",
                     "  sources: []\n  delegated:\n    url: https://sfj.example.gov.cn/ssj/2025-01.html\n"
                     f"    commitment: {commitment}\n    authorities:\n{authorities}\n"))


def plan_text_of_tree() -> str:
    from tests.records_tree import PLAN as TREE_PLAN
    return TREE_PLAN


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory, second: Authority) -> Path:
    """The city bureau's honest draw of the same firms, under its own authority."""
    return honest(tmp_path_factory.mktemp("city"), second,
                  pinning((TSA_ID, "市局时间戳机构", second)))


def delegated_county(root: Path, city: Path, authority: Authority, second: Authority,
                     files: bool = True) -> str:
    """The county's records, its plan delegated, the city's draw files copied in (unless not
    `files`) with the county's findings of the drawn targets; returns the commitment."""
    commitment = (city / DRAWS / "commitment.txt").read_text().strip()
    pins = pinning((TSA_ID, "市局时间戳机构", second))
    bureau(root, pinning((TSA_ID, TSA_NAME, authority)))
    write(root, {PLAN: delegated_plan(commitment, pins)})
    if files:
        shutil.copytree(city / DRAWS, root / DRAWS)
        shutil.copytree(city / "records/findings", root / "records/findings", dirs_exist_ok=True)
    commit(root, ROUND_TIME + 5 * DAY, "the city's draw")
    return commitment


def test_a_delegated_plan_with_the_higher_bureaus_files_passes(tmp_path: Path, city: Path,
                                                                authority: Authority,
                                                                second: Authority) -> None:
    delegated_county(tmp_path, city, authority, second)
    out = ssj(tmp_path, "check")
    assert out.exit_code == 0 and "错误 0，警告 0" in out.stdout, out.output


def test_a_delegated_plan_without_the_files_cannot_be_verified(tmp_path: Path, city: Path,
                                                               authority: Authority,
                                                               second: Authority) -> None:
    delegated_county(tmp_path, city, authority, second, files=False)
    only_error(tmp_path, "draw.delegated", "上级抽取结果未随附，无法核验")
    # the page says so too (as example data, which builds with the notice)
    write(tmp_path, {JURISDICTION_FILE: edit(jurisdiction_text(tmp_path), "example: false",
                                             "example: true")})
    commit(tmp_path, ROUND_TIME + 6 * DAY, "publish")
    page = (built(tmp_path) / "plans/2025-01.html").read_text(encoding="utf-8")
    assert "上级抽取结果未随附，无法核验" in page


def test_a_made_up_delegated_draw_is_refused(tmp_path: Path, city: Path, authority: Authority,
                                             second: Authority) -> None:
    """Hand-picked targets under a made-up commitment; then the city's files with teams of
    the county's choosing; then a token from an authority the city never pinned."""
    delegated_county(tmp_path, city, authority, second)
    text = plan_text(tmp_path)
    commitment = (city / DRAWS / "commitment.txt").read_text().strip()
    write(tmp_path, {PLAN: text.replace(commitment, "0" * 64)})
    only_error(tmp_path, "draw.delegated", "0" * 64)
    write(tmp_path, {PLAN: text})
    finding = next((tmp_path / "records/findings").iterdir())
    body = finding.read_text(encoding="utf-8")
    teams = body[body.index("inspectors: ["):].split("\n", 1)[0]
    write(tmp_path, {finding.relative_to(tmp_path).as_posix():
                     body.replace(teams, f'inspectors: ["{inspector_id(1)}", "{inspector_id(4)}"]')
                     if inspector_id(1) not in teams or inspector_id(4) not in teams else
                     body.replace(teams, f'inspectors: ["{inspector_id(2)}", "{inspector_id(3)}"]')})
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1 and errors(out, "draw.finding-team"), out.output
    write(tmp_path, {finding.relative_to(tmp_path).as_posix(): body})
    stamp(tmp_path, authority, ROUND_TIME - 3 * DAY, "county-tsa")
    out = ssj(tmp_path, "check")
    assert out.exit_code == 1, out.output
    (line,) = errors(out, "draw.timestamp")
    assert "county-tsa" in line and "draw.delegated.authorities" in line


def test_the_browser_verifies_a_delegated_draw_under_the_higher_bureaus_pins(
        tmp_path: Path, city: Path, authority: Authority, second: Authority, browser) -> None:  # noqa: ANN001
    """The county's own authority is pinned under the same id as the city's: the page must
    check the city's token against the city's chain, published under the plan."""
    from tests.browser import open_page, screenshot, serve_site
    delegated_county(tmp_path, city, authority, second)
    site = built(tmp_path)
    page = (site / "plans/2025-01.html").read_text(encoding="utf-8")
    assert "上级机关的抽取文件" in page and colon(root_fingerprint(second)) in page
    assert (site / "timestamp-authorities/2025-01/test-tsa.pem").read_bytes() == second.chain_pem
    with serve_site(site) as served, open_page(browser, served, "/verify.html?plan=2025-01",
                                               width=375) as opened:
        opened.page.wait_for_selector("main[data-verdict=pass], main[data-verdict=fail], "
                                      "main[data-verdict=incomplete]", timeout=30_000)
        verdict = opened.page.get_attribute("main", "data-verdict")
        text = opened.page.inner_text('[data-step="timestamp"]')
        screenshot(opened.page, "verify-delegated-375")
    assert verdict == "pass", text
    assert colon(root_fingerprint(second)) in text


def test_the_plan_page_links_each_witness_that_mirrors_the_site(tmp_path: Path,
                                                                authority: Authority) -> None:
    honest(tmp_path, authority)
    witnesses = ("witnesses:\n  - id: city\n    name: 朝阳市司法局\n    division_code: \"211300\"\n"
                 "    url: https://sfj.chaoyang.example/mirror/kazuo/\n"
                 "  - id: province\n    name: 辽宁省司法厅\n    division_code: \"210000\"\n"
                 "    url: https://sft.ln.example/mirror/kazuo/\n")
    text = jurisdiction_text(tmp_path)
    write(tmp_path, {JURISDICTION_FILE: text.replace("timestamp_authorities:",
                                                     witnesses + "timestamp_authorities:")})
    commit(tmp_path, ROUND_TIME + 3 * DAY, "witnesses")
    page = (built(tmp_path) / "plans/2025-01.html").read_text(encoding="utf-8")
    for mirror in ("https://sfj.chaoyang.example/mirror/kazuo/plans/2025-01.html",
                   "https://sft.ln.example/mirror/kazuo/plans/2025-01.html"):
        assert f'href="{mirror}"' in page
    assert "外部见证" in page and "朝阳市司法局" in page
