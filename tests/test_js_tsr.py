"""The browser's RFC 3161 checker (site/static/verify/tsr.js) judges tokens as the Python verifier does.

Throwaway authorities (tests/tsa_authority.py: EC P-256, with or without an intermediate, bad key
usages, certificates outside their validity, tokens made in the past, ESS signing-certificate
attributes in every form OpenSSL accepts or refuses) stamp a commitment in every form the verifier meets;
each case says which of the JS checks must pass, fail or skip, and generator.draw.timestamp's
verify_stamp confirms the overall verdict (JS never accepts what Python refuses, and where JS can
make every check, Python accepts exactly when none fails) before `node --test
tests/js/tsr.test.mjs` runs them all.
"""
from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from generator.draw.timestamp import TimestampError, load_chain, verify_stamp
from tests.jsrun import run_node_tests
from tests.tsa_authority import Authority, make_authority, signing_certificate, with_ess

MESSAGE = b'{"canonical":"package"}'
COMMITMENT = hashlib.sha256(MESSAGE).hexdigest()
OTHER = hashlib.sha256(b"another package").hexdigest()
CHECKS = ("status", "imprint", "signature", "chain", "eku", "validity", "ess")
PAST = datetime.datetime(2023, 1, 1, tzinfo=datetime.timezone.utc)
GOOD = dict.fromkeys(CHECKS, "pass")


def but(**changed: str) -> dict[str, str]:
    return {**GOOD, **changed}


def flipped(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 0x01
    return bytes(changed)


def root_pem(authority: Authority) -> bytes:
    return authority.root.public_bytes(serialization.Encoding.PEM)


def python_refusal(data: bytes, commitment: str, pinned: bytes) -> str | None:
    """Why verify_stamp refuses the token, or None when it accepts it."""
    try:
        verify_stamp(data, commitment, load_chain(pinned))
    except TimestampError as error:
        return str(error)
    return None


def changed_serial(data: bytes) -> bytes:
    """The response with the TSTInfo's serial number changed: the signed content, not the signature."""
    marker = bytes.fromhex("0420") + hashlib.sha256(MESSAGE).digest() + b"\x02"
    at = data.index(marker) + len(marker) + 1  # after the serial's INTEGER tag and length
    return flipped(data, at)


def sha224_named(data: bytes) -> bytes:
    """The response with its SignerInfo's signatureAlgorithm (outside what is signed) renamed from
    ecdsa-with-SHA256 to ecdsa-with-SHA224, an algorithm WebCrypto cannot check."""
    sha256 = bytes.fromhex("06082a8648ce3d040302")
    at = data.rindex(sha256)  # after the certificates' own signature algorithms
    return data[:at] + bytes.fromhex("06082a8648ce3d040301") + data[at + len(sha256):]


def cases(folder: Path) -> list[dict[str, Any]]:
    def authority(name: str, **options: Any) -> Authority:
        return make_authority(folder / name, **options)

    tsa, ca, stranger = authority("tsa"), authority("ca", intermediate=True), authority("stranger")
    non_critical, no_eku = authority("non-critical", eku="non-critical"), authority("no-eku", eku="none")
    expired, future = authority("expired", validity="expired"), authority("future", validity="not-yet-valid")
    old = authority("old", intermediate=True, valid_from=PAST - datetime.timedelta(days=1))
    good = tsa.reply(MESSAGE)

    def ess(authority: Authority, *attributes: Any, **options: Any) -> bytes:
        """A token from `authority` whose ESS attributes are `attributes`, genuinely signed."""
        return authority.resign(authority.reply(MESSAGE, **options), with_ess(*attributes))

    other_serial = signing_certificate(ca.tsa)
    other_serial["values"][0]["certs"][0]["issuer_serial"]["serial_number"] = ca.tsa.serial_number + 1
    skipped = dict.fromkeys(CHECKS[1:], "skip")
    # (name, token, commitment, pinned chain, expected states or None for "unreadable")
    table: list[tuple[str, bytes, str, bytes, dict[str, str] | None]] = [
        ("plain", good, COMMITMENT, tsa.chain_pem, GOOD),
        ("intermediate", ca.reply(MESSAGE), COMMITMENT, ca.chain_pem, GOOD),
        ("full chain, not in DER order", ca.reply(MESSAGE, full_chain=True), COMMITMENT, ca.chain_pem, GOOD),
        ("full chain, only the root pinned", ca.reply(MESSAGE, full_chain=True), COMMITMENT, root_pem(ca), GOOD),
        ("signer only, only the root pinned", ca.reply(MESSAGE), COMMITMENT, root_pem(ca), but(chain="fail")),
        ("bare token", tsa.reply(MESSAGE, token=True), COMMITMENT, tsa.chain_pem, GOOD),
        ("bare token, full chain", ca.reply(MESSAGE, token=True, full_chain=True), COMMITMENT, ca.chain_pem, GOOD),
        ("no embedded certificate", tsa.reply(MESSAGE, cert_req=False), COMMITMENT, tsa.chain_pem, GOOD),
        ("non-critical EKU", non_critical.reply(MESSAGE), COMMITMENT, non_critical.chain_pem, but(eku="fail")),
        ("non-critical EKU, bare token", non_critical.reply(MESSAGE, token=True), COMMITMENT,
         non_critical.chain_pem, but(eku="fail")),
        ("no EKU", no_eku.reply(MESSAGE), COMMITMENT, no_eku.chain_pem, but(eku="fail")),
        ("expired TSA certificate", expired.reply(MESSAGE), COMMITMENT, expired.chain_pem, but(validity="fail")),
        ("not-yet-valid TSA certificate", future.reply(MESSAGE), COMMITMENT, future.chain_pem, but(validity="fail")),
        ("wrong commitment", good, OTHER, tsa.chain_pem, but(imprint="fail")),
        ("malformed commitment", good, COMMITMENT.upper(), tsa.chain_pem, but(imprint="fail")),
        ("another authority's chain", good, COMMITMENT, stranger.chain_pem, but(chain="fail")),
        ("another authority's chain, no embedded certificate", tsa.reply(MESSAGE, cert_req=False), COMMITMENT,
         stranger.chain_pem, but(signature="fail", chain="fail", eku="skip", validity="skip", ess="skip")),
        ("SHA-1 imprint", tsa.reply(MESSAGE, algorithm="sha1"), COMMITMENT, tsa.chain_pem, but(imprint="fail")),
        ("rejection", tsa.reply(MESSAGE, algorithm="sha512"), COMMITMENT, tsa.chain_pem,
         {"status": "fail", **skipped}),
        ("changed signature", flipped(good, -1), COMMITMENT, tsa.chain_pem, but(signature="fail")),
        ("changed bare token signature", flipped(tsa.reply(MESSAGE, token=True), -1), COMMITMENT,
         tsa.chain_pem, but(signature="fail")),
        ("changed TSTInfo serial", changed_serial(good), COMMITMENT, tsa.chain_pem, but(signature="fail")),
        # OpenSSL takes the hash from digestAlgorithm and accepts this; WebCrypto has no SHA-224
        ("ecdsa-with-SHA224 signature algorithm", sha224_named(good), COMMITMENT, tsa.chain_pem,
         but(signature="skip")),
        # the ESS signing-certificate attribute, as `openssl ts -verify` judges it
        ("no ESS attribute", tsa.reply(MESSAGE, ess=False), COMMITMENT, tsa.chain_pem, but(ess="fail")),
        ("no ESS attribute, bare token", tsa.reply(MESSAGE, ess=False, token=True), COMMITMENT, tsa.chain_pem,
         but(ess="fail")),
        ("no ESS attribute, full chain", ca.reply(MESSAGE, ess=False, full_chain=True), COMMITMENT, ca.chain_pem,
         but(ess="fail")),
        ("no ESS attribute, no EKU", no_eku.reply(MESSAGE, ess=False), COMMITMENT, no_eku.chain_pem,
         but(eku="fail", ess="fail")),
        ("ESS names another certificate", ess(ca, signing_certificate(tsa.tsa)), COMMITMENT, ca.chain_pem,
         but(ess="fail")),
        ("ESS names the intermediate first", ess(ca, signing_certificate(ca.intermediate), full_chain=True),
         COMMITMENT, ca.chain_pem, but(ess="fail")),
        ("ESS issuerSerial names another serial", ess(ca, other_serial), COMMITMENT, ca.chain_pem, but(ess="fail")),
        ("ESS v1 names another certificate", ess(ca, signing_certificate(tsa.tsa, version=1)), COMMITMENT,
         ca.chain_pem, but(ess="fail")),
        ("ESS v1 good, v2 names another", ess(ca, signing_certificate(ca.tsa, version=1), signing_certificate(tsa.tsa)),
         COMMITMENT, ca.chain_pem, but(ess="fail")),
        ("ESS second id outside the chain", ess(ca, signing_certificate(ca.tsa, tsa.tsa)), COMMITMENT, ca.chain_pem,
         but(ess="fail")),
        ("ESS signer named twice", ess(ca, signing_certificate(ca.tsa, ca.tsa)), COMMITMENT, ca.chain_pem,
         but(ess="fail")),
        ("ESS without cert ids", ess(ca, signing_certificate()), COMMITMENT, ca.chain_pem, but(ess="fail")),
        ("ESS v1 (SHA-1)", ess(ca, signing_certificate(ca.tsa, version=1)), COMMITMENT, ca.chain_pem, GOOD),
        ("ESS v2 without issuerSerial", ess(ca, signing_certificate(ca.tsa, issuer_serial=False)), COMMITMENT,
         ca.chain_pem, GOOD),
        ("ESS v2 by SHA-512", ess(ca, signing_certificate(ca.tsa, algorithm="sha512")), COMMITMENT, ca.chain_pem,
         GOOD),
        ("ESS v1 and v2", ess(ca, signing_certificate(ca.tsa, version=1), signing_certificate(ca.tsa)), COMMITMENT,
         ca.chain_pem, GOOD),
        ("ESS ids for the whole chain", ess(ca, signing_certificate(ca.tsa, ca.intermediate, ca.root)), COMMITMENT,
         ca.chain_pem, GOOD),
        ("ESS ids for the whole chain, only the root pinned",
         ess(ca, signing_certificate(ca.tsa, ca.intermediate, ca.root), full_chain=True), COMMITMENT, root_pem(ca),
         GOOD),
        # OpenSSL knows SHA-224; WebCrypto does not
        ("ESS v2 by SHA-224", ess(ca, signing_certificate(ca.tsa, algorithm="sha224")), COMMITMENT, ca.chain_pem,
         but(ess="skip")),
        # tokens made in the past, for a certificate valid then (on time for a real past round)
        ("genTime 2023-01-01", old.reply(MESSAGE, gen_time=PAST), COMMITMENT, old.chain_pem, GOOD),
        ("genTime 2023-01-01, bare token, full chain", old.reply(MESSAGE, gen_time=PAST, token=True, full_chain=True),
         COMMITMENT, old.chain_pem, GOOD),
        ("genTime 2023-01-01, no ESS", old.reply(MESSAGE, gen_time=PAST, ess=False), COMMITMENT, old.chain_pem,
         but(ess="fail")),
        ("genTime 2023-01-01, certificate not yet valid", tsa.reply(MESSAGE, gen_time=PAST), COMMITMENT,
         tsa.chain_pem, but(validity="fail")),
        ("truncated", good[: len(good) // 2], COMMITMENT, tsa.chain_pem, None),
        ("trailing byte", good + b"\x00", COMMITMENT, tsa.chain_pem, None),
        ("not a time-stamp", b"not a time-stamp", COMMITMENT, tsa.chain_pem, None),
    ]
    out = []
    for name, data, commitment, pinned, expect in table:
        refused = python_refusal(data, commitment, pinned)
        accepted = refused is None
        case: dict[str, Any] = {"name": name, "token_hex": data.hex(), "commitment": commitment,
                                "pinned_pem": pinned.decode("ascii")}
        if expect is None:
            assert not accepted, f"{name}: Python accepts it"
            case["error"] = True
        else:
            # JS accepts only what passes every check it can make, and then Python accepts it too;
            # where JS could make them all, Python accepts exactly when none fails
            js_ok = "fail" not in expect.values() and expect["signature"] == expect["chain"] == expect["ess"] == "pass"
            assert accepted >= js_ok, f"{name}: JS accepts what Python refuses"
            if "skip" not in expect.values():
                assert accepted == js_ok, f"{name}: Python accepted={accepted}"
            case["expect"] = {**expect, "ok": js_ok}
            if refused and "ESS" in refused:
                # the same fault in the same words: JS's ess message is Python's refusal
                assert expect["ess"] == "fail", f"{name}: Python refuses for ESS: {refused}"
                case["ess_message"] = refused
        out.append(case)
    return out


def test_js_tsr_matches_python(tmp_path: Path) -> None:
    generated = cases(tmp_path / "authorities")
    assert len(generated) >= 12
    assert sum("ess_message" in case for case in generated) >= 10
    path = tmp_path / "tsr-cases.json"
    path.write_text(json.dumps(generated, ensure_ascii=False), encoding="utf-8")
    output = run_node_tests("tsr.test.mjs", env={"SSJ_TSR_CASES": str(path)})
    assert f"# tsr cases: {len(generated)}" in output, output
