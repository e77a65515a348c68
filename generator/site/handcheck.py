"""The commands on a plan page that let a citizen check a draw by hand, each with the exact
value it must print.

Every command runs as written, in one folder holding the files the page links (the draw's files
and each time-stamping authority's chain), with a POSIX shell, coreutils, openssl and python3
alone; `ssj draw verify` is the one that needs ssj. tests/test_hand_commands.py runs them all on
the example site. The shell text is built here, once: the template only prints it (autoescaped,
so the page shows and a reader copies exactly this text).
"""
from __future__ import annotations

import datetime as dt
import shlex
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from generator.draw.canon import canon
from generator.draw.drand import CHAINS
from generator.draw.spec import source_label
from generator.records.timing import BEIJING, round_time

# the last line `ssj draw verify --result` prints (generator/cli.py), by whether every value was
# checked against a drand round
SSJ_VERIFIED = "一致，且随机值已与 drand 轮次核对"
SSJ_UNVERIFIED = "结果与随机值一致，但随机值未核验"
TS_OK = "Verification: OK"

# spec ssj-draw/1's canon(), spelled out for python3 -c: the reader sees the whole rule
_COMMITMENT = ('import hashlib, json; x = json.load(open("package.json", encoding="utf-8")); '
               'print(hashlib.sha256(json.dumps(x, ensure_ascii=False, sort_keys=True, '
               'separators=(",", ":")).encode()).hexdigest())')
_SIGNATURE = ('import json, sys; sys.stdout.buffer.write(bytes.fromhex(json.load(open("{name}"))'
              '["signature"]))')


def quoted(text: str) -> str:
    """`text` as one single-quoted shell word, whatever it holds (never left bare)."""
    return "'" + text.replace("'", "'\\''") + "'"


def _hmac(message: str, key: str) -> str:
    return (f"printf '%s' {quoted(message)} | openssl dgst -sha256 -mac HMAC "
            f"-macopt hexkey:{key}")


def _beijing(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, BEIJING).strftime("%Y-%m-%d %H:%M:%S 北京时间")


def _round_view(n: int, source: dict[str, Any], value: str | None) -> dict[str, Any] | None:
    """One declared drand round: the command giving SHA-256 of its signature, and what ties the
    round file to the drand network (chain, public key, the round's time, a relay's address)."""
    declared, number = source.get("chain"), source.get("round")
    chain = CHAINS.get(declared) if isinstance(declared, str) else None
    if chain is None or type(number) is not int:
        return None
    name = f"drand-{chain.name}-{number}.json"
    at = round_time(chain.name, number)
    return {
        "n": n, "label": source_label(source), "file": name,
        "chain": chain.name, "scheme": chain.scheme, "public_key": chain.public_key,
        "chain_hash": chain.chain_hash, "genesis": chain.genesis_time,
        "genesis_at": _beijing(chain.genesis_time), "period": chain.period, "round": number,
        "time": at, "time_at": _beijing(at),
        "relay": f"https://api.drand.sh/{chain.chain_hash}/public/{number}",
        "command": f"python3 -c {quoted(_SIGNATURE.format(name=name))} | sha256sum",
        "expect": value,
    }


def ssj_version() -> str:
    try:
        return version("ssj")
    except PackageNotFoundError:
        return "（版本未知）"


def hand_checks(package: dict[str, Any], commitment: str, stamps: list[dict[str, Any]],
                result: dict[str, Any] | None, key_example: dict[str, str] | None,
                requirement: str | None) -> dict[str, Any]:
    """The section's commands. Before the draw (no result), only what exists then: the
    commitment and its time-stamps."""
    view: dict[str, Any] = {
        "commitment": {"command": f"python3 -c {quoted(_COMMITMENT)}", "expect": commitment},
        "stamps": [{"authority": s["authority"], "chain": s["chain"],
                    "chain_file": s["chain"].rsplit("/", 1)[-1],
                    "root": s["root"], "root_file": s["root"].rsplit("/", 1)[-1],
                    "root_url": s["root_url"],
                    "fingerprint": {"command": shlex.join(
                        ["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
                         s["root"].rsplit("/", 1)[-1]]),
                        "expect": f"Fingerprint={s['fingerprint']}"},
                    "command": s["command"], "expect": TS_OK} for s in stamps],
        "requirement": requirement, "version": ssj_version(),
        "rounds": [], "lotteries": [], "seed": None, "key": None, "ssj": None,
    }
    if result is None:
        return view
    values = result["values"]
    rounds = []
    for n, (source, value) in enumerate(zip(package["sources"], values), start=1):
        if source.get("kind") == "drand":
            shown = _round_view(n, source, value)
            if shown is not None:
                rounds.append(shown)
        elif source.get("kind") == "lottery":
            view["lotteries"].append({"n": n, "value": value, "label": source_label(source)})
    view["rounds"] = rounds
    message = canon(values).decode()
    view["seed"] = {"message": message, "command": _hmac(message, commitment),
                    "expect": result["seed"]}
    if key_example is not None:
        view["key"] = {**key_example, "command": _hmac(key_example["message"],
                                                       key_example["seed"]),
                       "expect": next(e["key"] for s in result["strata"] for e in s["ranking"]
                                      if s["id"] == key_example["stratum"]
                                      and e["id"] == key_example["target"])}
    words = ["ssj", "draw", "verify", "--package", "package.json", "--values", "values.json"]
    for r in rounds:
        words += ["--round", r["file"]]
    words += ["--result", "result.json"]
    checked_all = len(rounds) == len(values)
    view["ssj"] = {"command": shlex.join(words),
                   "expect": SSJ_VERIFIED if checked_all else SSJ_UNVERIFIED,
                   "install": ["python3 -m venv ssj-venv", ". ssj-venv/bin/activate",
                               f"python3 -m pip install {quoted(requirement)}"]
                   if requirement else None}
    return view
