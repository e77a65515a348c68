"""drand rounds verified offline against the pinned League of Entropy chains (shared vectors)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from generator.draw.drand import CHAINS, DrandError, verify_round
from generator.records.timing import round_time

# the spec's drand vectors, bundled with the tests (see test_vectors.py)
VECTORS = Path(__file__).resolve().parent / "vectors" / "drand"

ROUNDS = json.loads((VECTORS / "rounds.json").read_text(encoding="utf-8"))
CHAIN_VECTORS = json.loads((VECTORS / "chains.json").read_text(encoding="utf-8"))


def relay_json(entry: dict) -> dict:
    """A round as a relay serves it (the vector's `chain` label is not part of it)."""
    return {k: v for k, v in entry.items() if k != "chain"}


def label(entry: dict) -> str:
    return f"{entry['chain']}-{entry['round']}"


def flip_hex(text: str, at: int) -> str:
    """`text` (lowercase hex) with the byte at `at` changed."""
    raw = bytearray(bytes.fromhex(text))
    raw[at] ^= 0x01
    return raw.hex()


def with_signature(data: dict, signature: bytes) -> dict:
    """`data` with another signature and the randomness that matches it (so only the signature
    check can refuse it)."""
    return {**data, "signature": signature.hex(),
            "randomness": hashlib.sha256(signature).hexdigest()}


def test_vectors_cover_both_chains() -> None:
    assert {e["chain"] for e in ROUNDS} == {"quicknet", "default"}


@pytest.mark.parametrize("name", sorted(CHAIN_VECTORS))
def test_pinned_chains_match_the_shared_vectors(name: str) -> None:
    chain, vector = CHAINS[name], CHAIN_VECTORS[name]
    assert (chain.scheme, chain.period, chain.genesis_time, chain.public_key, chain.chain_hash) == (
        vector["scheme"], vector["period"], vector["genesis_time"], vector["public_key"],
        vector["chain_hash"])


@pytest.mark.parametrize("entry", ROUNDS, ids=label)
def test_real_round_verifies_and_returns_its_randomness(entry: dict) -> None:
    assert verify_round(entry["chain"], entry["round"], relay_json(entry)) == entry["randomness"]


@pytest.mark.parametrize("entry", ROUNDS, ids=label)
@pytest.mark.parametrize("at", [0, 17, -1])
def test_one_changed_signature_byte_fails(entry: dict, at: int) -> None:
    data = relay_json(entry)
    tampered = {**data, "signature": flip_hex(data["signature"], at)}
    with pytest.raises(DrandError):
        verify_round(entry["chain"], entry["round"], tampered)


@pytest.mark.parametrize("entry", ROUNDS, ids=label)
@pytest.mark.parametrize("at", [0, 17, -1])
def test_changed_signature_with_matching_randomness_fails_the_signature_check(
        entry: dict, at: int) -> None:
    data = relay_json(entry)
    signature = bytes.fromhex(flip_hex(data["signature"], at))
    with pytest.raises(DrandError, match="签名验证失败"):
        verify_round(entry["chain"], entry["round"], with_signature(data, signature))


@pytest.mark.parametrize("entry", ROUNDS, ids=label)
def test_verifying_as_the_next_round_fails(entry: dict) -> None:
    data = relay_json(entry)
    # relabelled: the signature is for another message
    with pytest.raises(DrandError, match="签名验证失败"):
        verify_round(entry["chain"], entry["round"] + 1, {**data, "round": entry["round"] + 1})
    # as served, but expected to be the next round
    with pytest.raises(DrandError, match=str(entry["round"] + 1)):
        verify_round(entry["chain"], entry["round"] + 1, data)


@pytest.mark.parametrize("entry", [e for e in ROUNDS if e["chain"] == "default"], ids=label)
def test_chained_round_with_another_previous_signature_fails(entry: dict) -> None:
    data = relay_json(entry)
    tampered = {**data, "previous_signature": flip_hex(data["previous_signature"], 5)}
    with pytest.raises(DrandError, match="签名验证失败"):
        verify_round(entry["chain"], entry["round"], tampered)


@pytest.mark.parametrize("entry", ROUNDS, ids=label)
def test_randomness_not_sha256_of_signature_fails(entry: dict) -> None:
    data = relay_json(entry)
    with pytest.raises(DrandError, match="SHA-256"):
        verify_round(entry["chain"], entry["round"],
                     {**data, "randomness": flip_hex(data["randomness"], 31)})
    # the randomness of another round
    other = next(e for e in ROUNDS if e["randomness"] != entry["randomness"])
    with pytest.raises(DrandError):
        verify_round(entry["chain"], entry["round"], {**data, "randomness": other["randomness"]})


def test_round_of_one_chain_fails_on_the_other() -> None:
    quick = next(e for e in ROUNDS if e["chain"] == "quicknet" and e["round"] == 1000)
    chained = next(e for e in ROUNDS if e["chain"] == "default" and e["round"] == 1000)
    with pytest.raises(DrandError):
        verify_round("default", 1000, relay_json(quick))
    with pytest.raises(DrandError):
        verify_round("quicknet", 1000, relay_json(chained))


NOT_POINTS_G1 = {
    "zeros": b"\0" * 48,
    "infinity": b"\xc0" + b"\0" * 47,
    "all-ones": b"\xff" * 48,
    "x-not-on-curve": b"\xa0" + b"\x01" * 47,
    "x-too-large": b"\x9f" + b"\xff" * 47,
    "too-short": b"\x12" * 10,
    "G2-length": b"\x80" * 96,
}
NOT_POINTS_G2 = {
    "zeros": b"\0" * 96,
    "infinity": b"\xc0" + b"\0" * 95,
    "all-ones": b"\xff" * 96,
    "x-not-on-curve": b"\xa0" + b"\x01" * 95,
    "too-short": b"\x12" * 48,
}


@pytest.mark.parametrize("signature", NOT_POINTS_G1.values(), ids=NOT_POINTS_G1.keys())
def test_quicknet_non_point_signature_fails_cleanly(signature: bytes) -> None:
    entry = next(e for e in ROUNDS if e["chain"] == "quicknet")
    with pytest.raises(DrandError):
        verify_round("quicknet", entry["round"], with_signature(relay_json(entry), signature))


@pytest.mark.parametrize("signature", NOT_POINTS_G2.values(), ids=NOT_POINTS_G2.keys())
def test_default_non_point_signature_fails_cleanly(signature: bytes) -> None:
    entry = next(e for e in ROUNDS if e["chain"] == "default")
    with pytest.raises(DrandError):
        verify_round("default", entry["round"], with_signature(relay_json(entry), signature))


def test_default_non_point_previous_signature_fails_cleanly() -> None:
    entry = next(e for e in ROUNDS if e["chain"] == "default" and e["round"] == 1000)
    for previous in ("", "c0" + "00" * 95, "ff" * 96):
        with pytest.raises(DrandError):
            verify_round("default", 1000, {**relay_json(entry), "previous_signature": previous})


@pytest.mark.parametrize("data", [
    None, [], "round", 1000,
    {"round": 1000},
    {"round": True, "signature": "00", "randomness": "00"},
    {"round": "1000", "signature": "00", "randomness": "00"},
], ids=repr)
def test_malformed_round_json_fails_cleanly(data: object) -> None:
    with pytest.raises(DrandError):
        verify_round("quicknet", 1000, data)


@pytest.mark.parametrize("field", ["signature", "randomness"])
@pytest.mark.parametrize("bad", ["", "ABCD", "abc", "0x12", "zz", 12, None])
def test_malformed_hex_field_fails_cleanly(field: str, bad: object) -> None:
    entry = next(e for e in ROUNDS if e["chain"] == "quicknet")
    data = relay_json(entry)
    if bad == "ABCD":
        bad = data[field].upper()
    with pytest.raises(DrandError):
        verify_round("quicknet", entry["round"], {**data, field: bad})


def test_unknown_chain_fails_cleanly() -> None:
    entry = next(e for e in ROUNDS if e["chain"] == "quicknet")
    with pytest.raises(DrandError, match="未知"):
        verify_round("testnet", entry["round"], relay_json(entry))


def test_round_time() -> None:
    assert round_time("quicknet", 1) == 1692803367
    assert round_time("quicknet", 1000) == 1692803367 + 999 * 3
    assert round_time("default", 1) == 1595431050
    assert round_time("default", 1337) == 1595431050 + 1336 * 30
    for name, chain in CHAIN_VECTORS.items():
        assert round_time(name, 101) == chain["genesis_time"] + 100 * chain["period"]
