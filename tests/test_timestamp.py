"""RFC 3161 time-stamps on a commitment: the shared vectors, tokens from a throwaway authority
(tests/tsa_authority.py: openssl signs, nothing leaves 127.0.0.1), every refusal (the ESS
signing-certificate attribute judged exactly as `openssl ts -verify` judges it), requests to a
local TSA, and the openssl command a citizen runs."""
from __future__ import annotations

import datetime
import hashlib
import subprocess
from pathlib import Path

import pytest
from asn1crypto import cms, core, tsp
from cryptography.hazmat.primitives.serialization import Encoding
from rfc3161_client import decode_timestamp_response

from generator.draw.timestamp import (
    Stamp,
    TimestampError,
    build_request,
    load_chain,
    openssl_command,
    request_stamp,
    verify_stamp,
)
from tests.tsa_authority import (
    Authority,
    closed_url,
    make_authority,
    serve,
    signing_certificate,
    with_ess,
)

VECTORS = Path(__file__).resolve().parent / "vectors" / "tsa"
SHARED_VECTORS = Path(__file__).resolve().parents[2] / "shared" / "spec" / "vectors" / "tsa"
EXAMPLE_DRAWS = Path(__file__).resolve().parent.parent / "records" / "draws"
VECTOR_COMMITMENT = "4b9ac04fef7515818520d24e1fb83f7f52702f2cc50b63a34e05218e14432105"

MESSAGE = b'{"canonical":"package"}'
COMMITMENT = hashlib.sha256(MESSAGE).hexdigest()
OTHER = hashlib.sha256(b"another package").hexdigest()
PAST = datetime.datetime(2023, 1, 1, tzinfo=datetime.timezone.utc)
NO_ESS = ("时间戳没有 ESS 签名证书属性（signingCertificate 或 signingCertificateV2，RFC 5035/5816），"
          "无法确认签名者；openssl ts -verify 同样拒绝")


@pytest.fixture(scope="session")
def authorities(tmp_path_factory: pytest.TempPathFactory):
    """Authorities made once per session, on demand, by the options of make_authority."""
    made: dict[tuple, Authority] = {}

    def get(**options: object) -> Authority:
        key = tuple(sorted(options.items()))
        if key not in made:
            made[key] = make_authority(tmp_path_factory.mktemp("tsa"), **options)
        return made[key]
    return get


@pytest.fixture(scope="session")
def tsa(authorities) -> Authority:
    return authorities()


@pytest.fixture(scope="session")
def tsa_ca(authorities) -> Authority:
    """An authority whose TSA certificate comes from an intermediate CA."""
    return authorities(intermediate=True)


def refusal(data: bytes, commitment: str, chain) -> str:
    with pytest.raises(TimestampError) as caught:
        verify_stamp(data, commitment, chain)
    message = str(caught.value)
    assert "\n" not in message
    return message


def embedded_certificates(data: bytes) -> list:
    return list(tsp.TimeStampResp.load(data)["time_stamp_token"]["content"]["certificates"])


# ---- the shared vectors


@pytest.mark.parametrize("pins", [["root-ca.pem"], ["root-ca.pem", "tsa.pem"]])
def test_the_vector_verifies_with_the_pinned_root(pins):
    chain = load_chain(b"".join((VECTORS / name).read_bytes() for name in pins))
    stamp = verify_stamp((VECTORS / "draw-basic.tsr").read_bytes(), VECTOR_COMMITMENT, chain)
    assert stamp == Stamp(
        gen_time=datetime.datetime(2026, 12, 1, 3, 50, 43, tzinfo=datetime.timezone.utc),
        serial=2, signer="Example TSA (test only)", policy="1.2.3.4.1", form="response")


def test_the_vector_over_another_commitment_is_refused():
    chain = load_chain((VECTORS / "root-ca.pem").read_bytes())
    message = refusal((VECTORS / "other-commitment.tsr").read_bytes(), VECTOR_COMMITMENT, chain)
    assert message == (f"时间戳针对的是另一个承诺值 {hashlib.sha256(b'another package').hexdigest()}，"
                       f"不是本抽取包的 {VECTOR_COMMITMENT}")


def test_the_spec_vector_is_the_one_tested_here():
    if not SHARED_VECTORS.is_dir():
        pytest.skip(f"no steering repository beside this one ({SHARED_VECTORS} is absent)")
    for name in ("draw-basic.tsr", "other-commitment.tsr", "root-ca.pem", "tsa.pem"):
        assert (SHARED_VECTORS / name).read_bytes() == (VECTORS / name).read_bytes(), name


def test_the_vector_as_a_bare_token_verifies():
    response = tsp.TimeStampResp.load((VECTORS / "draw-basic.tsr").read_bytes())
    token = response["time_stamp_token"].dump()
    chain = load_chain((VECTORS / "root-ca.pem").read_bytes())
    assert verify_stamp(token, VECTOR_COMMITMENT, chain).form == "token"


# ---- good tokens


@pytest.mark.parametrize("token", [False, True], ids=["response", "token"])
@pytest.mark.parametrize("full_chain", [False, True], ids=["signer-only", "full-chain"])
def test_a_good_stamp_verifies(tsa_ca, token, full_chain):
    data = tsa_ca.reply(MESSAGE, full_chain=full_chain, token=token)
    before = datetime.datetime.now(datetime.timezone.utc)
    stamp = verify_stamp(data, COMMITMENT, load_chain(tsa_ca.chain_pem))
    assert stamp.form == ("token" if token else "response")
    assert stamp.signer == "Test TSA" and stamp.policy == "1.2.3.4.1" and stamp.serial > 0
    assert stamp.gen_time.tzinfo is not None
    assert abs(stamp.gen_time - before) < datetime.timedelta(seconds=5)


def test_several_certificates_out_of_der_order_are_verified_from_the_stored_bytes(tsa_ca):
    data = tsa_ca.reply(MESSAGE, full_chain=True)
    with pytest.raises(ValueError, match="InvalidSetOrdering"):
        decode_timestamp_response(data)  # the case: rfc3161-client alone refuses this file
    stored = bytes(data)
    assert verify_stamp(data, COMMITMENT, load_chain(tsa_ca.chain_pem)).form == "response"
    assert data == stored


def test_the_root_alone_may_be_pinned_when_the_token_carries_the_rest(tsa_ca):
    data = tsa_ca.reply(MESSAGE, full_chain=True)
    root_only = load_chain(tsa_ca.chain_pem)[:1]
    assert verify_stamp(data, COMMITMENT, root_only).signer == "Test TSA"


def test_a_token_without_certificates_verifies_with_the_pinned_signer(tsa):
    data = tsa.reply(MESSAGE, cert_req=False)
    assert verify_stamp(data, COMMITMENT, load_chain(tsa.chain_pem)).signer == "Test TSA"


# ---- refusals


def test_garbage_and_truncated_files_are_refused(tsa):
    chain = load_chain(tsa.chain_pem)
    good = tsa.reply(MESSAGE)
    for data in (b"", b"not a time-stamp", good[: len(good) // 2], good + b"\x00"):
        assert refusal(data, COMMITMENT, chain).startswith("文件已损坏或不是 RFC 3161 时间戳：")


def test_a_rejection_is_refused(tsa):
    data = tsa.reply(MESSAGE, algorithm="sha512")
    message = refusal(data, COMMITMENT, load_chain(tsa.chain_pem))
    assert message.startswith("时间戳服务没有批准（状态 2 REJECTION")
    assert "文件中没有时间戳" in message


def test_a_sha1_imprint_is_refused_by_name(tsa):
    data = tsa.reply(MESSAGE, algorithm="sha1")
    assert refusal(data, COMMITMENT, load_chain(tsa.chain_pem)) == (
        "时间戳的消息摘要算法是 SHA-1，应为 SHA-256")


def test_a_stamp_over_another_commitment_is_refused(tsa):
    message = refusal(tsa.reply(MESSAGE), OTHER, load_chain(tsa.chain_pem))
    assert message == f"时间戳针对的是另一个承诺值 {COMMITMENT}，不是本抽取包的 {OTHER}"


def test_a_malformed_commitment_is_refused(tsa):
    message = refusal(tsa.reply(MESSAGE), COMMITMENT.upper(), load_chain(tsa.chain_pem))
    assert message.startswith("承诺值应为 64 位小写十六进制")


@pytest.mark.parametrize("token", [False, True], ids=["response", "token"])
def test_a_changed_signature_is_refused(tsa, token):
    data = bytearray(tsa.reply(MESSAGE, token=token))
    data[-1] ^= 0x01  # the last bytes of the file are the signature value
    assert refusal(bytes(data), COMMITMENT, load_chain(tsa.chain_pem)) == (
        "时间戳的 CMS 签名无效：签名或签名所覆盖的内容被改动过")


def test_a_changed_time_breaks_the_signature(tsa):
    data = tsa.reply(MESSAGE)
    gen_time = decode_timestamp_response(data).tst_info.gen_time
    signed = gen_time.strftime("%Y%m%d%H%M%SZ").encode()
    assert data.count(signed) == 1  # in the TSTInfo (openssl's signingTime is a UTCTime)
    earlier = (gen_time - datetime.timedelta(hours=1)).strftime("%Y%m%d%H%M%SZ").encode()
    assert refusal(data.replace(signed, earlier), COMMITMENT, load_chain(tsa.chain_pem)) == (
        "时间戳的 CMS 签名无效：签名或签名所覆盖的内容被改动过")


def test_a_signer_outside_the_pinned_chain_is_refused(tsa, authorities):
    stranger = authorities(intermediate=True)
    message = refusal(tsa.reply(MESSAGE), COMMITMENT, load_chain(stranger.chain_pem))
    assert message == "签名证书不在 jurisdiction.yaml 固定的证书链中（签名者 Test TSA，签发者 Test Root CA）"


def test_a_token_without_certificates_from_an_unpinned_signer_is_refused(tsa, tsa_ca):
    message = refusal(tsa.reply(MESSAGE, cert_req=False), COMMITMENT, load_chain(tsa_ca.chain_pem))
    assert message.startswith("签名证书不在 jurisdiction.yaml 固定的证书链中，时间戳也没有附带它")


def test_a_pinned_chain_without_its_root_is_refused(tsa_ca):
    root, intermediate, signer = load_chain(tsa_ca.chain_pem)
    message = refusal(tsa_ca.reply(MESSAGE), COMMITMENT, [intermediate, signer])
    assert message == ("jurisdiction.yaml 固定的证书链不完整：缺少“Test Root CA”的证书，"
                       "应一直固定到自签名的根证书")


@pytest.mark.parametrize("eku, reason", [
    ("none", "签名证书“Test TSA”没有 timeStamping 扩展密钥用途"),
    ("non-critical", "签名证书“Test TSA”的扩展密钥用途（timeStamping）没有标为关键扩展（critical）"),
], ids=["no-eku", "non-critical"])
@pytest.mark.parametrize("token", [False, True], ids=["response", "token"])
def test_a_signer_without_a_critical_timestamping_usage_is_refused(authorities, eku, reason, token):
    authority = authorities(eku=eku)
    data = authority.reply(MESSAGE, token=token)
    assert refusal(data, COMMITMENT, load_chain(authority.chain_pem)) == reason


@pytest.mark.parametrize("validity, words", [("expired", "已过期（有效期至"),
                                             ("not-yet-valid", "尚未生效（有效期自")],
                         ids=["expired", "not-yet-valid"])
def test_a_certificate_invalid_at_the_stamp_time_is_refused(authorities, validity, words):
    authority = authorities(validity=validity)
    message = refusal(authority.reply(MESSAGE), COMMITMENT, load_chain(authority.chain_pem))
    assert message.startswith("证书“Test TSA”在时间戳时间 ") and words in message


def test_a_certificate_set_that_stays_unreadable_once_ordered_is_refused(tsa_ca):
    # Out of DER order, and with a signer named by key identifier, which rfc3161-client
    # cannot read at all: ordering the set cannot help, and the message says so.
    response = tsp.TimeStampResp.load(tsa_ca.reply(MESSAGE, full_chain=True))
    signer_info = response["time_stamp_token"]["content"]["signer_infos"][0]
    signer_info["sid"] = {"subject_key_identifier": b"\x01" * 20}
    data = response.dump()
    message = refusal(data, COMMITMENT, load_chain(tsa_ca.chain_pem))
    assert message.startswith("时间戳附带的证书集合不是 DER 顺序，重新排序后仍无法读取：")


# ---- the ESS signing-certificate attribute (RFC 3161 2.4.1, RFC 5816)


def ess_attributes(data: bytes) -> list[str]:
    token = tsp.TimeStampResp.load(data)["time_stamp_token"]
    attrs = token["content"]["signer_infos"][0]["signed_attrs"]
    return [a["type"].native for a in attrs if a["type"].native.startswith("signing_certificate")]


def test_every_stored_example_token_carries_the_ess_attribute():
    tokens = sorted(EXAMPLE_DRAWS.glob("*/timestamp-example-tsa.tsr"))
    assert len(tokens) >= 4
    for path in [VECTORS / "draw-basic.tsr", *tokens]:
        assert ess_attributes(path.read_bytes()) == ["signing_certificate_v2"], path


@pytest.mark.parametrize("token", [False, True], ids=["response", "token"])
def test_a_stamp_without_the_ess_attribute_is_refused(tsa_ca, token):
    data = tsa_ca.reply(MESSAGE, ess=False, token=token)
    assert refusal(data, COMMITMENT, load_chain(tsa_ca.chain_pem)) == NO_ESS


def test_the_same_stamp_with_the_ess_attribute_verifies(tsa_ca):
    """The token the no-ESS tests use differs only by that attribute: it is what they refuse."""
    without = tsa_ca.reply(MESSAGE, ess=False)
    data = tsa_ca.resign(without, with_ess(signing_certificate(tsa_ca.tsa)))
    assert ess_attributes(without) == [] and ess_attributes(data) == ["signing_certificate_v2"]
    assert verify_stamp(data, COMMITMENT, load_chain(tsa_ca.chain_pem)).signer == "Test TSA"


@pytest.mark.parametrize("case, words", [
    ("another certificate", "指向另一张证书，不是签名者“Test TSA”"),
    ("the intermediate first", "指向另一张证书，不是签名者“Test TSA”"),
    ("another issuerSerial", "中的签发者和序列号（issuerSerial）与签名者“Test TSA”不符"),
    ("SHA-1 id of another certificate", "指向另一张证书，不是签名者“Test TSA”"),
    ("a good v1 beside a v2 naming another", "指向另一张证书，不是签名者“Test TSA”"),
    ("a second id outside the chain", "中第 2 个证书标识不是签名证书链上签名者之上的证书"),
    ("the signer named twice", "中第 2 个证书标识不是签名证书链上签名者之上的证书"),
    ("no cert id at all", "中没有任何证书标识（ESSCertID），无法确认签名者"),
])
def test_an_ess_attribute_that_does_not_name_the_signer_is_refused(authorities, tmp_path, case,
                                                                    words):
    ca = authorities(intermediate=True)
    stranger = authorities().tsa  # also "Test TSA", but another certificate
    serial_of = signing_certificate(ca.tsa)
    serial_of["values"][0]["certs"][0]["issuer_serial"]["serial_number"] = ca.tsa.serial_number + 1
    attributes = {
        "another certificate": [signing_certificate(stranger)],
        "the intermediate first": [signing_certificate(ca.intermediate)],
        "another issuerSerial": [serial_of],
        "SHA-1 id of another certificate": [signing_certificate(stranger, version=1)],
        "a good v1 beside a v2 naming another": [signing_certificate(ca.tsa, version=1),
                                                 signing_certificate(stranger)],
        "a second id outside the chain": [signing_certificate(ca.tsa, stranger)],
        "the signer named twice": [signing_certificate(ca.tsa, ca.tsa)],
        "no cert id at all": [signing_certificate()],
    }[case]
    data = ca.resign(ca.reply(MESSAGE, full_chain=True), with_ess(*attributes))
    assert refusal(data, COMMITMENT, load_chain(ca.chain_pem)) == f"时间戳的 ESS 签名证书属性{words}"
    # OpenSSL refuses each of them too
    stamp = Stamp(gen_time=datetime.datetime.now(datetime.timezone.utc), serial=1, signer="x",
                  policy=POLICY_ID, form="response")
    done = run_citizen_command(tmp_path, data, COMMITMENT, ca.chain_pem, stamp)
    assert "Verification: FAILED" in done.stdout and "ess" in done.stderr.lower(), done.stderr


@pytest.mark.parametrize("case", [
    "SHA-1 signingCertificate", "without issuerSerial", "SHA-512 hash",
    "both attributes", "the whole chain",
])
def test_every_ess_form_openssl_accepts_verifies(tsa_ca, tmp_path, case):
    attributes = {
        "SHA-1 signingCertificate": [signing_certificate(tsa_ca.tsa, version=1)],
        "without issuerSerial": [signing_certificate(tsa_ca.tsa, issuer_serial=False)],
        "SHA-512 hash": [signing_certificate(tsa_ca.tsa, algorithm="sha512")],
        "both attributes": [signing_certificate(tsa_ca.tsa, version=1),
                            signing_certificate(tsa_ca.tsa)],
        "the whole chain": [signing_certificate(tsa_ca.tsa, tsa_ca.intermediate, tsa_ca.root)],
    }[case]
    data = tsa_ca.resign(tsa_ca.reply(MESSAGE), with_ess(*attributes))
    stamp = verify_stamp(data, COMMITMENT, load_chain(tsa_ca.chain_pem))
    done = run_citizen_command(tmp_path, data, COMMITMENT, tsa_ca.chain_pem, stamp)
    assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stderr


def test_an_ess_hash_algorithm_nobody_knows_is_refused(tsa):
    attribute = signing_certificate(tsa.tsa, algorithm="sha384")
    attribute["values"][0]["certs"][0]["hash_algorithm"] = {"algorithm": "1.2.3.4.5"}
    data = tsa.resign(tsa.reply(MESSAGE), with_ess(attribute))
    assert refusal(data, COMMITMENT, load_chain(tsa.chain_pem)) == (
        "时间戳的 ESS 签名证书属性使用了无法识别的摘要算法 1.2.3.4.5")


def test_an_unreadable_ess_attribute_counts_as_none(tsa, tmp_path):
    """As OpenSSL reads it: a value that does not parse is no attribute."""
    value = core.OctetString(b"not a SigningCertificateV2").dump()
    content = core.ObjectIdentifier("1.2.840.113549.1.9.16.2.47").dump() + b"\x31" + \
        bytes([len(value)]) + value
    broken = cms.CMSAttribute.load(b"\x30" + bytes([len(content)]) + content)
    data = tsa.resign(tsa.reply(MESSAGE), with_ess(broken))
    assert refusal(data, COMMITMENT, load_chain(tsa.chain_pem)) == NO_ESS
    stamp = Stamp(gen_time=datetime.datetime.now(datetime.timezone.utc), serial=1, signer="x",
                  policy=POLICY_ID, form="response")
    done = run_citizen_command(tmp_path, data, COMMITMENT, tsa.chain_pem, stamp)
    assert "missing signing certificate attribute" in done.stderr, done.stderr


def test_an_eku_fault_is_named_before_a_missing_ess_attribute(authorities):
    """OpenSSL checks the chain (and so the key usage) before ESS; the message says the first."""
    authority = authorities(eku="none")
    data = authority.reply(MESSAGE, ess=False)
    assert refusal(data, COMMITMENT, load_chain(authority.chain_pem)) == (
        "签名证书“Test TSA”没有 timeStamping 扩展密钥用途")


def test_request_stamp_refuses_an_answer_without_the_ess_attribute(tsa):
    with serve(tsa, "no-ess") as url:
        with pytest.raises(TimestampError) as caught:
            request_stamp(url, MESSAGE, COMMITMENT, load_chain(tsa.chain_pem))
    assert str(caught.value) == f"时间戳服务 {url} 的回答未通过验证：{NO_ESS}"


# ---- tokens with a chosen genTime


@pytest.mark.parametrize("token", [False, True], ids=["response", "token"])
@pytest.mark.parametrize("full_chain", [False, True], ids=["signer-only", "full-chain"])
def test_a_stamp_made_in_the_past_verifies_here_and_in_openssl(authorities, tmp_path, token,
                                                               full_chain):
    authority = authorities(intermediate=True, valid_from=PAST - datetime.timedelta(days=1))
    data = authority.reply(MESSAGE, gen_time=PAST, full_chain=full_chain, token=token)
    stamp = verify_stamp(data, COMMITMENT, load_chain(authority.chain_pem))
    assert stamp.gen_time == PAST and stamp.signer == "Test TSA" and stamp.policy == "1.2.3.4.1"
    assert ess_attributes(data if not token else _wrapped(data)) == ["signing_certificate_v2"]
    done = run_citizen_command(tmp_path, data, COMMITMENT, authority.chain_pem, stamp)
    assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stderr
    assert f"-attime {int(PAST.timestamp())}" in openssl_command("x", COMMITMENT, "y", stamp)


def test_a_stamp_made_in_the_past_without_ess_fails_here_and_in_openssl(authorities, tmp_path):
    authority = authorities(valid_from=PAST - datetime.timedelta(days=1))
    data = authority.reply(MESSAGE, gen_time=PAST, ess=False)
    assert refusal(data, COMMITMENT, load_chain(authority.chain_pem)) == NO_ESS
    stamp = Stamp(gen_time=PAST, serial=1, signer="x", policy=POLICY_ID, form="response")
    done = run_citizen_command(tmp_path, data, COMMITMENT, authority.chain_pem, stamp)
    assert "Verification: FAILED" in done.stdout, done.stdout


def test_a_stamp_made_before_its_certificate_is_refused(tsa):
    message = refusal(tsa.reply(MESSAGE, gen_time=PAST), COMMITMENT, load_chain(tsa.chain_pem))
    assert message.startswith("证书“Test TSA”在时间戳时间 2023-01-01T00:00:00Z 尚未生效")


def _wrapped(token: bytes) -> bytes:
    return tsp.TimeStampResp({"status": {"status": "granted"},
                              "time_stamp_token": cms.ContentInfo.load(token)}).dump()


# ---- the pinned chain file


def test_load_chain_reads_every_certificate(tsa_ca):
    assert [c.subject.rfc4514_string() for c in load_chain(tsa_ca.chain_pem)] == [
        "CN=Test Root CA", "CN=Test Intermediate CA", "CN=Test TSA"]


@pytest.mark.parametrize("data, reason", [
    (b"", "证书链文件是空的"),
    (b"  \n", "证书链文件是空的"),
    (b"\x30\x82\x01\x00garbage", "不是 PEM 格式的证书链（应为 -----BEGIN CERTIFICATE----- 开头的文本）"),
    (b"hello", "不是 PEM 格式的证书链（应为 -----BEGIN CERTIFICATE----- 开头的文本）"),
], ids=["empty", "blank", "binary", "text"])
def test_load_chain_refuses_what_is_not_a_pem_chain(data, reason):
    with pytest.raises(TimestampError) as caught:
        load_chain(data)
    assert str(caught.value) == reason


def test_load_chain_refuses_der_and_foreign_blocks(tsa):
    der = load_chain(tsa.chain_pem)[0].public_bytes(Encoding.DER)
    with pytest.raises(TimestampError, match="不是 PEM 格式的证书链"):
        load_chain(der)
    key = (tsa.folder / "tsa.key").read_bytes()
    with pytest.raises(TimestampError) as caught:
        load_chain(tsa.chain_pem + key)
    assert str(caught.value) == ("证书链中有不是证书的 PEM 块（BEGIN PRIVATE KEY），只应放 CERTIFICATE；"
                                 "私钥绝不能放进仓库")
    broken = tsa.chain_pem.replace(b"\n", b"\nAAAA", 1)
    with pytest.raises(TimestampError, match="^证书链中的证书无法读取："):
        load_chain(broken)


# ---- asking a time-stamping service


def test_build_request_asks_sha256_with_a_nonce_and_the_certificate():
    der, nonce = build_request(MESSAGE)
    request = tsp.TimeStampReq.load(der)
    assert request["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"
    assert request["message_imprint"]["hashed_message"].native == bytes.fromhex(COMMITMENT)
    assert request["nonce"].native == nonce and request["cert_req"].native is True
    assert build_request(MESSAGE)[1] != nonce


@pytest.mark.parametrize("full_chain", [False, True], ids=["signer-only", "full-chain"])
def test_request_stamp_keeps_the_answer_as_received(tsa_ca, full_chain):
    chain = load_chain(tsa_ca.chain_pem)
    with serve(tsa_ca, full_chain=full_chain) as url:
        body, stamp = request_stamp(url, MESSAGE, COMMITMENT, chain)
    assert stamp.signer == "Test TSA" and stamp.form == "response"
    assert verify_stamp(body, COMMITMENT, chain) == stamp
    assert len(embedded_certificates(body)) == (3 if full_chain else 1)


@pytest.mark.parametrize("mode, words", [
    ("http-500", "回答 HTTP 500"),
    ("garbage", "的回答未通过验证：文件已损坏或不是 RFC 3161 时间戳"),
    ("wrong-nonce", "的回答未通过验证：回答的 nonce 与请求不一致"),
], ids=["http-500", "garbage", "wrong-nonce"])
def test_request_stamp_refuses_a_bad_service(tsa, mode, words):
    with serve(tsa, mode) as url:
        with pytest.raises(TimestampError) as caught:
            request_stamp(url, MESSAGE, COMMITMENT, load_chain(tsa.chain_pem))
    assert str(caught.value).startswith(f"时间戳服务 {url} ") and words in str(caught.value)


def test_request_stamp_refuses_a_stamp_from_an_unpinned_authority(tsa, tsa_ca):
    with serve(tsa) as url:
        with pytest.raises(TimestampError, match="未通过验证：签名证书不在 jurisdiction.yaml"):
            request_stamp(url, MESSAGE, COMMITMENT, load_chain(tsa_ca.chain_pem))


def test_request_stamp_reports_an_unreachable_service(tsa):
    url = closed_url()
    with pytest.raises(TimestampError) as caught:
        request_stamp(url, MESSAGE, COMMITMENT, load_chain(tsa.chain_pem))
    assert str(caught.value) == f"无法连接时间戳服务 {url}：连接被拒绝"


def test_request_stamp_reports_a_timeout(tsa):
    with serve(tsa, "slow") as url:
        with pytest.raises(TimestampError) as caught:
            request_stamp(url, MESSAGE, COMMITMENT, load_chain(tsa.chain_pem), timeout=0.2)
    assert str(caught.value) == f"无法连接时间戳服务 {url}：0.2 秒内没有回答"


# ---- what a citizen runs

POLICY_ID = "1.2.3.4.1"


def test_openssl_command_forms():
    gen_time = datetime.datetime(2026, 12, 1, 3, 50, 43, tzinfo=datetime.timezone.utc)
    stamp = Stamp(gen_time=gen_time, serial=1, signer="x", policy="1.2", form="response")
    assert openssl_command("draw.tsr", COMMITMENT, "tsa chain.pem", stamp) == (
        f"openssl ts -verify -in draw.tsr -digest {COMMITMENT} -CAfile 'tsa chain.pem' "
        "-attime 1796097043")
    token = Stamp(gen_time=gen_time, serial=1, signer="x", policy="1.2", form="token")
    assert openssl_command("draw.tst", COMMITMENT, "chain.pem", token) == (
        f"openssl ts -verify -token_in -in draw.tst -digest {COMMITMENT} -CAfile chain.pem "
        "-attime 1796097043")


def run_citizen_command(folder: Path, data: bytes, commitment: str, chain_pem: bytes,
                        stamp: Stamp) -> subprocess.CompletedProcess:
    token_file = "draw.tsr" if stamp.form == "response" else "draw.tst"
    (folder / token_file).write_bytes(data)
    (folder / "tsa-chain.pem").write_bytes(chain_pem)
    command = openssl_command(token_file, commitment, "tsa-chain.pem", stamp)
    return subprocess.run(command, shell=True, cwd=folder, capture_output=True, text=True)


@pytest.mark.parametrize("token", [False, True], ids=["response", "token"])
@pytest.mark.parametrize("full_chain", [False, True], ids=["signer-only", "full-chain"])
def test_the_citizen_command_verifies_a_good_stamp(tsa_ca, tmp_path, token, full_chain):
    data = tsa_ca.reply(MESSAGE, full_chain=full_chain, token=token)
    stamp = verify_stamp(data, COMMITMENT, load_chain(tsa_ca.chain_pem))
    done = run_citizen_command(tmp_path, data, COMMITMENT, tsa_ca.chain_pem, stamp)
    assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stderr


def test_the_citizen_command_verifies_the_vector(tmp_path):
    chain_pem = (VECTORS / "root-ca.pem").read_bytes() + (VECTORS / "tsa.pem").read_bytes()
    data = (VECTORS / "draw-basic.tsr").read_bytes()
    stamp = verify_stamp(data, VECTOR_COMMITMENT, load_chain(chain_pem))
    done = run_citizen_command(tmp_path, data, VECTOR_COMMITMENT, chain_pem, stamp)
    assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stderr


def test_the_citizen_command_fails_for_another_commitment(tsa_ca, tmp_path):
    data = tsa_ca.reply(MESSAGE)
    stamp = verify_stamp(data, COMMITMENT, load_chain(tsa_ca.chain_pem))
    done = run_citizen_command(tmp_path, data, OTHER, tsa_ca.chain_pem, stamp)
    assert done.returncode != 0 and "Verification: OK" not in done.stdout
