"""A real bureau's draw on a past timeline: real drand rounds (tests/vectors), git history dated
to fit them, and time-stamp tokens from a throwaway authority with the genTime each step needs.

Quicknet round 1000 was published at 2023-08-23 15:59:24 UTC (ROUND_TIME). An honest bureau
freezes and stamps days before it, publishes (commits to main) at least the margin before it,
then runs the draw and records the findings after it. Each test moves one step to where an
attacker would put it. `ssj draw freeze` refuses sources already public for a real bureau, so
the package is computed with the tree marked as example data and the flag then restored: the
package does not depend on it.
"""
from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding

from tests.test_draw_commands import (
    PLAN_ID,
    edit,
    git,
    inspected,
    round_json,
    ssj,
    tree,
    write,
)
from tests.tsa_authority import Authority, closed_url

ROUND = 1000
ROUND_TIME = 1692803367 + (ROUND - 1) * 3
HOUR = 3600
DAY = 24 * HOUR
JURISDICTION_FILE = "records/jurisdiction.yaml"
DRAWS = f"records/draws/{PLAN_ID}"
TSA_ID = "test-tsa"
TSA_NAME = "测试时间戳机构"


def authority_lines(authority_id: str, name: str, pem: bytes, fingerprint: str,
                    extra: str = "") -> list[str]:
    lines = [f"  - id: {authority_id}", f"    name: {name}",
             "    url: https://tsa.invalid/tsr", f'    root_sha256: "{fingerprint}"',
             f"    root_url: https://tsa.invalid/{authority_id}-root.pem", *extra.splitlines(),
             "    chain: |"]
    return lines + [f"      {line}" if line else "" for line in pem.decode().splitlines()]


def root_fingerprint(authority: Authority) -> str:
    return hashlib.sha256(authority.root.public_bytes(Encoding.DER)).hexdigest()


def pinning(*entries: tuple[str, str, Authority]) -> str:
    """timestamp_authorities pinning each (id, name, authority) by its true root fingerprint."""
    lines = ["timestamp_authorities:"]
    for authority_id, name, authority in entries:
        lines += authority_lines(authority_id, name, authority.chain_pem, root_fingerprint(authority))
    return "\n".join(lines) + "\n"


def jurisdiction_text(root: Path) -> str:
    return (root / JURISDICTION_FILE).read_text(encoding="utf-8")


def at(seconds: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def commit(root: Path, when: int, message: str = "records") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message, when=when)


def bureau(root: Path, pins: str, files: dict | None = None) -> Path:
    """A real bureau's records with `pins`, in a repository whose first commit is ten days
    before the round."""
    written = files if files is not None else tree(example=False, round_number=ROUND)
    written[JURISDICTION_FILE] = written[JURISDICTION_FILE] + pins
    write(root, written)
    git(root, "init", "-q", "-b", "main")
    commit(root, ROUND_TIME - 10 * DAY, "records")
    return root


def freeze(root: Path, plan: str = PLAN_ID) -> str:
    """The package and commitment written (not committed); returns the commitment."""
    real = jurisdiction_text(root)
    # no authority answers: the tokens come from stamp(), with the genTime the test needs
    offline = real.replace("url: https://tsa.invalid/tsr", f"url: {closed_url()}")
    write(root, {JURISDICTION_FILE: edit(offline, "example: false", "example: true")})
    out = ssj(root, "draw", "freeze", plan)
    write(root, {JURISDICTION_FILE: real})
    assert out.exit_code == 0, out.output
    return (root / f"records/draws/{plan}/commitment.txt").read_text().strip()


def stamp(root: Path, authority: Authority, when: int, authority_id: str = TSA_ID,
          plan: str = PLAN_ID, **options: object) -> None:
    """A token from `authority` over the plan's commitment, made at `when`."""
    commitment = (root / f"records/draws/{plan}/commitment.txt").read_text().strip()
    token = authority.reply(digest=bytes.fromhex(commitment), gen_time=at(when), **options)
    write(root, {f"records/draws/{plan}/timestamp-{authority_id}.tsr": token})


def run(root: Path, plan: str = PLAN_ID) -> dict:
    """The draw run with the real round, and every drawn target inspected (not committed)."""
    (root / "round.json").write_text(json.dumps(round_json("quicknet", ROUND)), encoding="utf-8")
    out = ssj(root, "draw", "run", plan, "--drand-round", "round.json")
    (root / "round.json").unlink()
    assert out.exit_code == 0, out.output
    result = json.loads((root / f"records/draws/{plan}/result.json").read_bytes())
    inspected(root, result)
    return result


def honest(root: Path, authority: Authority, pins: str | None = None) -> Path:
    """Frozen and stamped three days before the round, published two days before it, drawn
    and inspected after it: everything as it should be."""
    bureau(root, pins if pins is not None else pinning((TSA_ID, TSA_NAME, authority)))
    freeze(root)
    stamp(root, authority, ROUND_TIME - 3 * DAY)
    commit(root, ROUND_TIME - 2 * DAY, "freeze")
    run(root)
    commit(root, ROUND_TIME + DAY, "draw")
    return root
