"""A throwaway RFC 3161 time-stamping authority for tests: no network; /usr/bin/openssl signs,
or `cryptography` for the tokens openssl will not make.

make_authority(folder, *, intermediate=False, eku="critical", validity="current",
               valid_from=None) -> Authority
    Writes into `folder` a root CA, optionally an intermediate CA, and a TSA certificate (EC
    P-256 keys, made with `cryptography`), plus the openssl configuration `openssl ts -reply`
    needs. eku: "critical" (as RFC 3161 requires), "non-critical" or "none". validity of the
    TSA certificate: "current", "expired" or "not-yet-valid" (about a day either way).
    valid_from (an aware datetime, with validity="current"): every certificate is valid from
    then, so tokens with a genTime that far back verify (say, on time for a real past round).

Authority.chain_pem: the PEM a bureau pins: root, intermediate if any, TSA certificate.
Authority.reply(message=None, *, digest=None, algorithm="sha256", full_chain=False,
                token=False, cert_req=True, gen_time=None, ess=True) -> bytes
    A DER TimeStampResp (a bare TimeStampToken with token=True), no nonce, over
    algorithm(message) or over the given digest. algorithm: "sha256", "sha1" (the authority
    grants both) or "sha512" (outside its policy: the answer is a rejection). full_chain embeds the
    whole chain, listed signer first and then in descending DER order, so that with an
    intermediate the certificate set is never in DER order (the case strict parsers refuse);
    otherwise the signer's certificate only (none with cert_req=False). gen_time: the token's
    genTime (an aware datetime; None = now, to the second). ess=False leaves out the ESS
    signingCertificateV2 attribute RFC 3161 requires (`openssl ts -verify` then fails).
    Made by `openssl ts -reply` (which names the signer by SHA-256 alone), except with a
    gen_time, with ess=False, or for an authority whose certificate lacks a proper extended key
    usage (`openssl ts -reply` refuses to sign with it): then built here with asn1crypto and
    signed with the TSA key by `cryptography`, with the fields, accuracy and certificates
    openssl gives, signed attributes contentType, signingTime, messageDigest and (ess=True)
    signingCertificateV2 naming the TSA certificate by SHA-256 and issuerSerial, and every
    algorithm granted.
Authority.answer(request, full_chain=False, ess=True) -> bytes: the TimeStampResp answering a
    DER TimeStampReq, nonce included (by `openssl ts -reply` when it can; built here, as
    above, with ess=False).
Authority.resign(data, edit) -> bytes: the response or bare token `data` (from this authority)
    with its signed attributes replaced by edit(attributes) (a list of cms.CMSAttribute in,
    a list of them or of their dicts out), signed again with the TSA key: a genuine signature
    over whatever ESS attribute a test wants.
signing_certificate(*certs, version=2, algorithm="sha256", issuer_serial=True)
        -> cms.CMSAttribute
    An ESS attribute naming `certs` (the signer's first; none for an empty list):
    signingCertificateV2 by `algorithm` or, version=1, signingCertificate (SHA-1); each
    issuerSerial names the certificate's issuer and serial number unless issuer_serial=False.
with_ess(*attributes) -> edit: for resign, the signed attributes without their ESS ones, plus
    `attributes` (none: a token without ESS).

serve(authority, mode="ok", full_chain=False, port=0): context manager running a TSA over HTTP
    on 127.0.0.1 (the port, or a free one); yields its URL. mode: "ok" answers each POSTed
    request; "http-500" fails; "garbage" answers 200 with bytes that are no time-stamp;
    "wrong-nonce" answers a valid stamp over the same imprint but for another nonce; "slow"
    waits 2 s before answering (for client time-outs); "no-ess" answers each request with a
    valid token, nonce and all, but without the ESS signing-certificate attribute.
closed_url() -> str: a URL on 127.0.0.1 where nothing listens.
"""
from __future__ import annotations

import contextlib
import datetime
import hashlib
import itertools
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.localhost import QuietHandler, local_server
from tests.localhost import closed_url as localhost_closed_url

POLICY = "1.2.3.4.1"
TSTINFO_TYPE = "1.2.840.113549.1.9.16.1.4"  # id-ct-TSTInfo
DAY = datetime.timedelta(days=1)
_CONFIG = """\
[ tsa ]
default_tsa = tsa_config

[ tsa_config ]
serial = {folder}/serial
crypto_device = builtin
signer_digest = sha256
default_policy = {policy}
other_policies = 1.2.3.4.2
digests = sha1, sha256
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""
_serials = itertools.count(1000)  # TSTInfo serials of the tokens built here, not by openssl


@dataclass(frozen=True)
class Authority:
    folder: Path
    root: x509.Certificate
    intermediate: x509.Certificate | None
    tsa: x509.Certificate
    eku: str

    @property
    def chain_pem(self) -> bytes:
        return b"".join(_pem(c) for c in (self.root, self.intermediate, self.tsa) if c)

    def reply(self, message: bytes | None = None, *, digest: bytes | None = None,
              algorithm: str = "sha256", full_chain: bool = False, token: bool = False,
              cert_req: bool = True, gen_time: datetime.datetime | None = None,
              ess: bool = True) -> bytes:
        if digest is None:
            assert message is not None, "reply over a message or a digest"
            digest = hashlib.new(algorithm, message).digest()
        if gen_time is not None or not ess or self.eku != "critical":
            return self._built(digest, algorithm, full_chain=full_chain, token=token,
                               cert_req=cert_req, gen_time=gen_time, ess=ess)
        query = ["-digest", digest.hex(), f"-{algorithm}", "-no_nonce"] + (["-cert"] if cert_req else [])
        with self._file(_openssl("ts", "-query", *query)) as request:
            return self._ts_reply(request, full_chain, token)

    def answer(self, request: bytes, full_chain: bool = False, ess: bool = True) -> bytes:
        if not ess:
            asked = tsp.TimeStampReq.load(request)
            imprint = asked["message_imprint"]
            return self._built(imprint["hashed_message"].native,
                               imprint["hash_algorithm"]["algorithm"].native,
                               full_chain=full_chain, token=False,
                               cert_req=bool(asked["cert_req"].native), gen_time=None,
                               ess=False, nonce=asked["nonce"].native)
        with self._file(request) as path:
            return self._ts_reply(path, full_chain, token=False)

    def resign(self, data: bytes, edit: Callable[[list[cms.CMSAttribute]], list[Any]]) -> bytes:
        try:
            info = cms.ContentInfo.load(data)
            bare = info["content_type"].native == "signed_data"
        except ValueError:  # a TimeStampResp starts with its status, not a content type
            bare = False
        if not bare:
            info = tsp.TimeStampResp.load(data)["time_stamp_token"]
        signer_info = info["content"]["signer_infos"][0]
        attrs = cms.CMSAttributes(edit(list(signer_info["signed_attrs"])))
        signer_info["signed_attrs"] = attrs
        signer_info["signature"] = self._sign(attrs.dump())
        if bare:
            return info.dump()
        return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": info}).dump()

    def _ts_reply(self, request: Path, full_chain: bool, token: bool) -> bytes:
        chain = ["-chain", str(self._chain_file())] if full_chain else []
        return _openssl("ts", "-reply", "-config", str(self.folder / "tsa.cnf"),
                        "-queryfile", str(request), "-signer", str(self.folder / "tsa.pem"),
                        "-inkey", str(self.folder / "tsa.key"), *chain,
                        *(["-token_out"] if token else []))

    def _built(self, digest: bytes, algorithm: str, *, full_chain: bool, token: bool,
               cert_req: bool, gen_time: datetime.datetime | None, ess: bool,
               nonce: int | None = None) -> bytes:
        """The token `openssl ts -reply` would make (accuracy 1 s, ordering false), built here."""
        when = gen_time or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        fields: dict[str, Any] = {
            "version": "v1", "policy": POLICY,
            "message_imprint": {"hash_algorithm": {"algorithm": algorithm},
                                "hashed_message": digest},
            "serial_number": next(_serials), "gen_time": when, "accuracy": {"seconds": 1},
        }
        if nonce is not None:
            fields["nonce"] = nonce
        content = tsp.TSTInfo(fields).dump()
        # signingTime is a UTCTime until 2050 (RFC 5652 11.3), as openssl writes it
        signing_time = cms.Time({"utc_time" if when.year < 2050 else "general_time": when})
        attrs = [
            {"type": "content_type", "values": ["tst_info"]},
            {"type": "signing_time", "values": [signing_time]},
            {"type": "message_digest", "values": [hashlib.sha256(content).digest()]},
        ] + ([signing_certificate(self.tsa)] if ess else [])
        signed_attrs = cms.CMSAttributes(attrs)
        tsa = asn1_x509.Certificate.load(_der(self.tsa))
        signer_info = cms.SignerInfo({
            "version": "v1",
            "sid": {"issuer_and_serial_number": {"issuer": tsa.issuer,
                                                 "serial_number": tsa.serial_number}},
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": signed_attrs,
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature": self._sign(signed_attrs.dump()),
        })
        signed: dict[str, Any] = {
            "version": "v3", "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "tst_info",
                                   "content": cms.ParsableOctetString(content)},
            "signer_infos": [signer_info],
        }
        if cert_req:
            certs = [self.tsa] + (self._issuers() if full_chain else [])
            body = b"".join(_der(c) for c in certs)
            # loaded, not built: asn1crypto would sort a SET OF it builds, and the order here
            # must stay signer first, then descending (see _chain_file)
            signed["certificates"] = cms.CertificateSet.load(
                b"\x31" + _der_length(len(body)) + body)
        info = cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(signed)})
        if token:
            return info.dump()
        return tsp.TimeStampResp({"status": {"status": "granted"},
                                  "time_stamp_token": info}).dump()

    def _sign(self, signed_attrs: bytes) -> bytes:
        # RFC 5652 5.4: the signature covers the DER of the attributes as a SET OF
        key = serialization.load_pem_private_key((self.folder / "tsa.key").read_bytes(), None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return key.sign(signed_attrs, ec.ECDSA(hashes.SHA256()))

    def _issuers(self) -> list[x509.Certificate]:
        # descending DER order: with an intermediate, the set is never DER-sorted
        return sorted((c for c in (self.intermediate, self.root) if c), key=_der, reverse=True)

    def _chain_file(self) -> Path:
        # signer first (openssl puts it there), then descending DER order: never DER-sorted
        path = self.folder / "embedded-chain.pem"
        path.write_bytes(b"".join(_pem(c) for c in self._issuers()))
        return path

    @contextlib.contextmanager
    def _file(self, data: bytes) -> Iterator[Path]:
        # one file per call: the server may answer several requests at once
        with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".der") as handle:
            handle.write(data)
            handle.flush()
            yield Path(handle.name)


def make_authority(folder: Path, *, intermediate: bool = False, eku: str = "critical",
                   validity: str = "current",
                   valid_from: datetime.datetime | None = None) -> Authority:
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert valid_from is None or validity == "current", "valid_from is for a current certificate"
    since = now - DAY if valid_from is None else min(valid_from, now - DAY)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _certificate("Test Root CA", root_key, "Test Root CA", root_key, ca=True,
                        start=since, end=now + 365 * DAY)
    issuer_name, issuer_key, middle = "Test Root CA", root_key, None
    if intermediate:
        middle_key = ec.generate_private_key(ec.SECP256R1())
        middle = _certificate("Test Intermediate CA", middle_key, issuer_name, issuer_key,
                              ca=True, start=since, end=now + 365 * DAY)
        issuer_name, issuer_key = "Test Intermediate CA", middle_key
    start, end = {"current": (since, now + 30 * DAY), "expired": (now - 3 * DAY, now - DAY),
                  "not-yet-valid": (now + DAY, now + 3 * DAY)}[validity]
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa_cert = _certificate("Test TSA", tsa_key, issuer_name, issuer_key, ca=False,
                            start=start, end=end, eku=eku)
    (folder / "tsa.pem").write_bytes(_pem(tsa_cert))
    (folder / "tsa.key").write_bytes(tsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (folder / "serial").write_text("01\n")
    (folder / "tsa.cnf").write_text(_CONFIG.format(folder=folder, policy=POLICY))
    return Authority(folder, root, middle, tsa_cert, eku)


def _certificate(subject: str, key: ec.EllipticCurvePrivateKey, issuer: str,
                 issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool, start: datetime.datetime,
                 end: datetime.datetime, eku: str = "none") -> x509.Certificate:
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(end)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(
                   digital_signature=not ca, content_commitment=False, key_encipherment=False,
                   data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                   encipher_only=False, decipher_only=False), critical=True))
    if eku != "none":
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                                        critical=eku == "critical")
    return builder.sign(issuer_key, hashes.SHA256())


def signing_certificate(*certs: x509.Certificate, version: int = 2, algorithm: str = "sha256",
                        issuer_serial: bool = True) -> cms.CMSAttribute:
    """The ESS attribute naming `certs` (the signer's first): signingCertificateV2, whose
    ESSCertIDv2 leaves out hashAlgorithm when it is the default SHA-256, or with version=1
    signingCertificate (ESSCertID, always SHA-1)."""
    cert_ids = []
    for cert in certs:
        der = _der(cert)
        cert_id: dict[str, Any] = {
            "cert_hash": hashlib.new(algorithm if version == 2 else "sha1", der).digest()}
        if version == 2 and algorithm != "sha256":
            cert_id["hash_algorithm"] = {"algorithm": algorithm}
        if issuer_serial:
            parsed = asn1_x509.Certificate.load(der)
            cert_id["issuer_serial"] = {
                "issuer": [asn1_x509.GeneralName(name="directory_name", value=parsed.issuer)],
                "serial_number": parsed.serial_number}
        cert_ids.append(cert_id)
    kind = "signing_certificate_v2" if version == 2 else "signing_certificate"
    return cms.CMSAttribute({"type": kind, "values": [{"certs": cert_ids}]})


def with_ess(*attributes: cms.CMSAttribute) -> Callable[[list[cms.CMSAttribute]], list[Any]]:
    """An edit for Authority.resign: the signed attributes without their ESS ones, plus
    `attributes`."""
    def edit(signed: list[cms.CMSAttribute]) -> list[Any]:
        kept = [a for a in signed
                if a["type"].native not in ("signing_certificate", "signing_certificate_v2")]
        return kept + list(attributes)
    return edit


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    size = (n.bit_length() + 7) // 8
    return bytes([0x80 | size]) + n.to_bytes(size, "big")


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _openssl(*args: str) -> bytes:
    done = subprocess.run(["openssl", *args], capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout


@contextlib.contextmanager
def serve(authority: Authority, mode: str = "ok", full_chain: bool = False,
          port: int = 0) -> Iterator[str]:
    leaving = threading.Event()

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            request = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if mode == "http-500":
                self.send_error(500, "TSA broken")
                return
            if mode == "garbage":
                body = b"this is not a time-stamp response"
            elif mode == "wrong-nonce":
                # the same imprint, but answering a request of its own with a fresh nonce
                imprint = tsp.TimeStampReq.load(request)["message_imprint"]
                query = _openssl("ts", "-query", "-digest", imprint["hashed_message"].native.hex(),
                                 "-sha256", "-cert")
                body = authority.answer(query)
            elif mode == "no-ess":
                body = authority.answer(request, full_chain, ess=False)
            else:
                if mode == "slow" and leaving.wait(2):
                    return
                body = authority.answer(request, full_chain)
            self.reply(200, body, "application/timestamp-reply")

    with local_server(Handler, port, release=leaving) as url:
        yield url + "/tsa"


def closed_url() -> str:
    return localhost_closed_url("/tsa")
