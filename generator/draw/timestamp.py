"""RFC 3161 time-stamps on a draw package's commitment: reading, offline verification, requests.

A token proves that `commitment = sha256(canon(package))` existed at its `genTime`: its message
imprint is SHA-256 and equals the commitment's 32 bytes, and it is signed by a time-stamping
authority whose certificate chain the bureau pins. rfc3161-client (OpenSSL underneath) is the
final judge of the signature and the chain; the checks before it exist to say in plain words
why a token is refused, except one it does not make at all: that the ESS signing-certificate
attribute names the signer, as `openssl ts -verify` demands (spec: a token must carry it). The
stored file is never rewritten: any re-encoding happens in memory.
"""
from __future__ import annotations

import datetime
import hashlib
import http.client
import re
import shlex
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

from asn1crypto import cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

_SHA256 = x509.ObjectIdentifier("2.16.840.1.101.3.4.2.1")
# Names for the imprint algorithms a refusal may have to name; others are shown as their OID.
_HASH_NAMES = {
    "1.3.14.3.2.26": "SHA-1",
    "2.16.840.1.101.3.4.2.2": "SHA-384",
    "2.16.840.1.101.3.4.2.3": "SHA-512",
    "1.2.156.10197.1.401": "SM3",
}
_PEM_LABEL = re.compile(rb"^-----BEGIN ([^-]*)-----", re.MULTILINE)
_COMMITMENT = re.compile(r"[0-9a-f]{64}")
_MAX_ANSWER = 1 << 20  # a time-stamp response is a few KiB; more is not a TSA talking
_PINNED = "jurisdiction.yaml 固定的证书链"
# hashlib's names for an ESSCertIDv2's hash algorithm (OpenSSL, which `openssl ts -verify` runs,
# knows these too); any other algorithm is refused, as OpenSSL refuses one it does not know
_ESS_HASHES = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.4": "sha224",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
    "2.16.840.1.101.3.4.2.7": "sha3_224",
    "2.16.840.1.101.3.4.2.8": "sha3_256",
    "2.16.840.1.101.3.4.2.9": "sha3_384",
    "2.16.840.1.101.3.4.2.10": "sha3_512",
    "1.2.156.10197.1.401": "sm3",  # where this Python's OpenSSL has it
}


class TimestampError(ValueError):
    """A token, pinned chain or time-stamping service that cannot be trusted, with the reason."""


@dataclass(frozen=True)
class Stamp:
    gen_time: datetime.datetime  # UTC, aware; whole seconds (rfc3161-client drops fractions)
    serial: int
    signer: str
    policy: str
    form: str  # "response" (TimeStampResp) or "token" (bare TimeStampToken)


def load_chain(pem: bytes) -> tuple[x509.Certificate, ...]:
    """The pinned certificates from a PEM file holding one or more of them."""
    if not pem.strip():
        raise TimestampError("证书链文件是空的")
    labels = _PEM_LABEL.findall(pem)
    if not labels:
        raise TimestampError("不是 PEM 格式的证书链（应为 -----BEGIN CERTIFICATE----- 开头的文本）")
    for label in labels:
        if label != b"CERTIFICATE":
            # cryptography would skip such a block silently; a key here must not go unnoticed
            warning = "；私钥绝不能放进仓库" if b"PRIVATE KEY" in label else ""
            raise TimestampError(
                f"证书链中有不是证书的 PEM 块（BEGIN {label.decode('ascii', 'replace')}），"
                f"只应放 CERTIFICATE{warning}")
    try:
        return tuple(x509.load_pem_x509_certificates(pem))
    except ValueError as error:
        raise TimestampError(f"证书链中的证书无法读取：{_one_line(error)}") from None


def verify_stamp(data: bytes, commitment: str,
                 chain: Sequence[x509.Certificate]) -> Stamp:
    """Verify a stored token (TimeStampResp or bare TimeStampToken) offline against the
    commitment and the pinned chain; every pinned certificate is a trust anchor."""
    return _verify(*_decode(data), commitment, chain)


def build_request(message: bytes) -> tuple[bytes, int]:
    """A DER TimeStampReq over SHA-256(message) with a nonce, asking for the signer's
    certificate; returns (der, nonce)."""
    if not message:
        raise TimestampError("要加时间戳的内容是空的")
    request = (TimestampRequestBuilder().data(message).hash_algorithm(HashAlgorithm.SHA256)
               .nonce(nonce=True).cert_request(cert_request=True).build())
    return request.as_bytes(), request.nonce


def request_stamp(url: str, message: bytes, commitment: str,
                  chain: Sequence[x509.Certificate],
                  timeout: float = 20.0) -> tuple[bytes, Stamp]:
    """Ask the authority at `url` to time-stamp `message`; returns the answer exactly as
    received (that is the file to store) and what it proves."""
    der, nonce = build_request(message)
    request = urllib.request.Request(
        url, data=der, method="POST",
        headers={"Content-Type": "application/timestamp-query",
                 "Accept": "application/timestamp-reply"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = answer.read(_MAX_ANSWER + 1)
    except urllib.error.HTTPError as error:
        raise TimestampError(f"时间戳服务 {url} 回答 HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise TimestampError(f"无法连接时间戳服务 {url}：{_why(error.reason, timeout)}") from None
    except (OSError, http.client.HTTPException) as error:  # e.g. a timeout while reading
        raise TimestampError(f"无法连接时间戳服务 {url}：{_why(error, timeout)}") from None
    if len(body) > _MAX_ANSWER:
        raise TimestampError(f"时间戳服务 {url} 的回答超过 {_MAX_ANSWER} 字节，不是时间戳响应")
    try:
        response, form = _decode(body)
        _check_granted(response)
        # the nonce ties the answer to this request: an old or someone else's answer fails here
        if response.tst_info.nonce != nonce:
            raise TimestampError("回答的 nonce 与请求不一致，不是对本次请求的回答")
        return body, _verify(response, form, commitment, chain)
    except TimestampError as error:
        raise TimestampError(f"时间戳服务 {url} 的回答未通过验证：{error}") from None


def openssl_command(token_file: str, commitment: str, chain_file: str, stamp: Stamp) -> str:
    """The command a citizen runs, in the folder of the downloaded files, to check a token
    with OpenSSL alone; it prints `Verification: OK`. `-attime` makes OpenSSL judge the
    certificates at genTime, as RFC 3161 does, so the command still works once they expire."""
    words = ["openssl", "ts", "-verify"]
    if stamp.form == "token":
        words.append("-token_in")
    words += ["-in", token_file, "-digest", commitment, "-CAfile", chain_file,
              "-attime", str(int(stamp.gen_time.timestamp()))]
    return shlex.join(words)


def _decode(data: bytes) -> tuple[TimeStampResponse, str]:
    """The stored bytes as a parsed TimeStampResp, and which form they came in."""
    response, form = _as_response(data)
    try:
        return decode_timestamp_response(response), form
    except ValueError as error:
        if "InvalidSetOrdering" not in str(error):
            raise TimestampError(
                f"文件已损坏或不是 RFC 3161 时间戳：{_one_line(error)}") from None
    # Many authorities list their certificates in chain order, which strict DER forbids
    # in a SET OF and rfc3161-client refuses; sorting them is harmless (see _der_ordered).
    try:
        return decode_timestamp_response(_der_ordered(response)), form
    except (ValueError, TypeError, KeyError) as error:
        raise TimestampError(
            f"时间戳附带的证书集合不是 DER 顺序，重新排序后仍无法读取：{_one_line(error)}") from None


def _as_response(data: bytes) -> tuple[bytes, str]:
    """A bare TimeStampToken wrapped, in memory, in a granted TimeStampResp; a response as is."""
    try:
        token = cms.ContentInfo.load(data, strict=True)
        is_token = token["content_type"].native == "signed_data"
    except (ValueError, TypeError):
        is_token = False
    if not is_token:
        return data, "response"
    wrapped = tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token})
    return wrapped.dump(), "token"


def _der_ordered(response: bytes) -> bytes:
    """The same response with its certificate set in DER order (X.690 11.6). The certificates
    field lies outside what the authority signed, so the signature still covers the same bytes."""
    parsed = tsp.TimeStampResp.load(response)
    signed_data = parsed["time_stamp_token"]["content"]
    # asn1crypto writes a SET OF sorted; every other field keeps its bytes as received
    signed_data["certificates"] = cms.CertificateSet(list(signed_data["certificates"]))
    return parsed.dump()


def _check_granted(response: TimeStampResponse) -> None:
    if response.status != PKIStatus.GRANTED:
        try:
            name = PKIStatus(response.status).name
        except ValueError:
            name = "未知"
        said = "；".join(response.status_string)
        raise TimestampError(f"时间戳服务没有批准（状态 {response.status} {name}"
                             f"{'：' + said if said else ''}），文件中没有时间戳")


def _verify(response: TimeStampResponse, form: str, commitment: str,
            chain: Sequence[x509.Certificate]) -> Stamp:
    if not _COMMITMENT.fullmatch(commitment):
        raise TimestampError(f"承诺值应为 64 位小写十六进制，实为 {commitment!r}")
    _check_granted(response)
    info = response.tst_info
    imprint = info.message_imprint
    if imprint.hash_algorithm != _SHA256:
        dotted = imprint.hash_algorithm.dotted_string
        raise TimestampError(
            f"时间戳的消息摘要算法是 {_HASH_NAMES.get(dotted, dotted)}，应为 SHA-256")
    if imprint.message != bytes.fromhex(commitment):
        raise TimestampError(
            f"时间戳针对的是另一个承诺值 {imprint.message.hex()}，不是本抽取包的 {commitment}")
    pinned = list(dict.fromkeys(chain))
    try:
        embedded = [x509.load_der_x509_certificate(der)
                    for der in response.signed_data.certificates]
    except ValueError as error:
        raise TimestampError(f"时间戳附带的证书无法读取：{_one_line(error)}") from None
    signer = _signer(response, embedded, pinned)
    path = _path_to_root(signer, embedded, pinned)
    for cert in path:
        _check_valid_at(cert, info.gen_time)
    _check_eku(signer)
    # after the chain, as OpenSSL orders it; rfc3161-client below does not look at it at all
    _check_ess(response, path)

    builder = VerifierBuilder()
    if not embedded:  # a token without certificates: its signer comes from the pinned chain
        builder = builder.tsa_certificate(signer)
    for cert in pinned:
        builder = builder.add_root_certificate(cert)
    try:
        builder.build().verify(response, bytes.fromhex(commitment))
    except VerificationError as error:
        raise TimestampError(_library_refusal(error)) from None
    return Stamp(gen_time=info.gen_time, serial=info.serial_number, signer=_name(signer.subject),
                 policy=info.policy.dotted_string, form=form)


def _signer(response: TimeStampResponse, embedded: list[x509.Certificate],
            pinned: list[x509.Certificate]) -> x509.Certificate:
    """The certificate the SignerInfo names (issuer and serial), from the token or the pins."""
    signer_infos = response.signed_data.signer_infos
    if len(signer_infos) != 1:
        raise TimestampError(f"时间戳应只有一个签名者，实有 {len(signer_infos)} 个")
    (info,) = signer_infos
    for cert in embedded + pinned:
        if cert.issuer == info.issuer and cert.serial_number == info.serial_number:
            return cert
    raise TimestampError(f"签名证书不在 {_PINNED}中，时间戳也没有附带它"
                         f"（签发者 {_name(info.issuer)}，序列号 {info.serial_number:x}）")


def _path_to_root(signer: x509.Certificate, embedded: list[x509.Certificate],
                  pinned: list[x509.Certificate]) -> list[x509.Certificate]:
    """The chain from the signer up to a self-signed root, as OpenSSL will build it: pinned
    issuers first, the token's own certificates only below the first pinned one."""
    path = [signer]
    anchored = signer in pinned
    while not _issued_by(path[-1], path[-1]):
        pool = pinned if anchored else pinned + embedded
        issuer = next((c for c in pool if c not in path and _issued_by(path[-1], c)), None)
        if issuer is None:
            break
        path.append(issuer)
        anchored = anchored or issuer in pinned
    if not anchored:
        raise TimestampError(f"签名证书不在 {_PINNED}中（签名者 {_name(signer.subject)}，"
                             f"签发者 {_name(signer.issuer)}）")
    if not _issued_by(path[-1], path[-1]):
        # OpenSSL, and so `openssl ts -verify` too, needs the chain up to a self-signed root
        raise TimestampError(f"{_PINNED}不完整：缺少“{_name(path[-1].issuer)}”的证书，"
                             "应一直固定到自签名的根证书")
    return path


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _check_valid_at(cert: x509.Certificate, when: datetime.datetime) -> None:
    # RFC 3161: what counts is the certificate's validity when the token was made, not today
    if when < cert.not_valid_before_utc:
        raise TimestampError(f"证书“{_name(cert.subject)}”在时间戳时间 {_iso(when)} 尚未生效"
                             f"（有效期自 {_iso(cert.not_valid_before_utc)} 起）")
    if when > cert.not_valid_after_utc:
        raise TimestampError(f"证书“{_name(cert.subject)}”在时间戳时间 {_iso(when)} 已过期"
                             f"（有效期至 {_iso(cert.not_valid_after_utc)}）")


def _check_eku(signer: x509.Certificate) -> None:
    """RFC 3161 2.3: the key is reserved for time-stamping: one critical extended key usage,
    timeStamping alone (OpenSSL refuses anything else too)."""
    who = _name(signer.subject)
    try:
        eku = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        raise TimestampError(f"签名证书“{who}”没有 timeStamping 扩展密钥用途") from None
    if list(eku.value) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        usages = "、".join(oid.dotted_string for oid in eku.value)
        raise TimestampError(f"签名证书“{who}”的扩展密钥用途应只有 timeStamping，实为 {usages}")
    if not eku.critical:
        raise TimestampError(f"签名证书“{who}”的扩展密钥用途（timeStamping）没有标为关键扩展（critical）")


def _check_ess(response: TimeStampResponse, path: list[x509.Certificate]) -> None:
    """RFC 3161 2.4.1 / RFC 5816: the signed attributes name the signer's certificate
    (signingCertificate, ESSCertID with a SHA-1 hash, or signingCertificateV2), so that no other
    certificate with the same key can stand in for it. As OpenSSL (OSSL_ESS_check_signing_certs):
    each attribute present is judged on its own; its first cert id is the signer, any further
    one a certificate above it in `path` (the chain, signer first)."""
    attrs = tsp.TimeStampResp.load(response.as_bytes())[
        "time_stamp_token"]["content"]["signer_infos"][0]["signed_attrs"]
    found = [ids for ids in (_ess_cert_ids(attrs, "signing_certificate"),
                             _ess_cert_ids(attrs, "signing_certificate_v2")) if ids is not None]
    if not found:
        raise TimestampError("时间戳没有 ESS 签名证书属性（signingCertificate 或 signingCertificateV2，"
                             "RFC 5035/5816），无法确认签名者；openssl ts -verify 同样拒绝")
    ders = [cert.public_bytes(Encoding.DER) for cert in path]
    who = _name(path[0].subject)
    for ids in found:
        if not ids:
            raise TimestampError("时间戳的 ESS 签名证书属性中没有任何证书标识（ESSCertID），无法确认签名者")
        for index, (algorithm, cert_hash, issuer_serial) in enumerate(ids):
            try:
                hashes = [hashlib.new(_ESS_HASHES[algorithm], der).digest() for der in ders]
            except (KeyError, ValueError):
                raise TimestampError(f"时间戳的 ESS 签名证书属性使用了无法识别的摘要算法 "
                                     f"{_HASH_NAMES.get(algorithm, algorithm)}") from None
            at = hashes.index(cert_hash) if cert_hash in hashes else None
            if index == 0 and at == 0 and not _names_cert(issuer_serial, ders[0]):
                raise TimestampError(f"时间戳的 ESS 签名证书属性中的签发者和序列号（issuerSerial）"
                                     f"与签名者“{who}”不符")
            if index == 0 and at != 0:
                raise TimestampError(f"时间戳的 ESS 签名证书属性指向另一张证书，不是签名者“{who}”")
            if index > 0 and (not at or not _names_cert(issuer_serial, ders[at])):
                raise TimestampError(f"时间戳的 ESS 签名证书属性中第 {index + 1} 个证书标识"
                                     "不是签名证书链上签名者之上的证书")


def _ess_cert_ids(attrs: cms.CMSAttributes | None, kind: str
                  ) -> list[tuple[str, bytes, tsp.IssuerSerial | None]] | None:
    """(hash algorithm OID, certHash, issuerSerial) of each cert id in the first `kind`
    attribute; None when there is none or, as OpenSSL reads it, when it cannot be read."""
    if attrs is None or isinstance(attrs, core.Void):
        return None
    attribute = next((a for a in attrs if a["type"].native == kind), None)
    if attribute is None:
        return None
    try:
        ids = []
        for cert_id in attribute["values"][0]["certs"]:
            parsed = cert_id.native  # read whole: a malformed cert id fails here, not later
            # ESSCertID is always SHA-1; ESSCertIDv2's hashAlgorithm defaults to SHA-256
            algorithm = (cert_id["hash_algorithm"]["algorithm"].dotted
                         if kind == "signing_certificate_v2" else "1.3.14.3.2.26")
            ids.append((algorithm, parsed["cert_hash"],
                        None if parsed["issuer_serial"] is None else cert_id["issuer_serial"]))
        return ids
    except (ValueError, TypeError, KeyError, IndexError):
        return None


def _names_cert(issuer_serial: tsp.IssuerSerial | None, der: bytes) -> bool:
    """An absent issuerSerial names any certificate; a present one, as OpenSSL compares it,
    exactly one directoryName equal to the certificate's issuer, and its serial number."""
    if issuer_serial is None:
        return True
    cert = asn1_x509.Certificate.load(der)
    names = issuer_serial["issuer"]
    return (len(names) == 1 and names[0].name == "directory_name"
            and names[0].chosen == cert.issuer
            and issuer_serial["serial_number"].native == cert.serial_number)


def _library_refusal(error: VerificationError) -> str:
    """rfc3161-client's refusal in words; the checks before it leave mostly a bad signature."""
    text = _one_line(error)
    if "signature failure" in text or "digest failure" in text:
        return "时间戳的 CMS 签名无效：签名或签名所覆盖的内容被改动过"
    verify_error = re.search(r"Verify error: ?([^\"]+)", text)
    if verify_error:
        return f"证书链验证失败（OpenSSL：{verify_error.group(1)}）"
    return f"时间戳验证失败：{text}"


def _name(name: x509.Name) -> str:
    common_names = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(common_names[0].value) if common_names else name.rfc4514_string()


def _iso(when: datetime.datetime) -> str:
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _why(reason: object, timeout: float) -> str:
    if isinstance(reason, TimeoutError):
        return f"{timeout:g} 秒内没有回答"
    if isinstance(reason, ConnectionRefusedError):
        return "连接被拒绝"
    return _one_line(reason)


def _one_line(error: object) -> str:
    return " ".join(str(error).split())
