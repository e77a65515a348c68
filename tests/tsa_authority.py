"""A throwaway RFC 3161 time-stamping authority for tests: no network; /usr/bin/openssl signs.

make_authority(folder, *, intermediate=False, eku="critical", validity="current") -> Authority
    Writes into `folder` a root CA, optionally an intermediate CA, and a TSA certificate (EC
    P-256 keys, made with `cryptography`), plus the openssl configuration `openssl ts -reply`
    needs. eku: "critical" (as RFC 3161 requires), "non-critical" or "none". validity of the
    TSA certificate: "current", "expired" or "not-yet-valid" (about a day either way).

Authority.chain_pem: the PEM a bureau pins: root, intermediate if any, TSA certificate.
Authority.reply(message=None, *, digest=None, algorithm="sha256", full_chain=False,
                token=False, cert_req=True) -> bytes
    A DER TimeStampResp (a bare TimeStampToken with token=True), no nonce, over
    algorithm(message) or over the given digest. algorithm: "sha256", "sha1" (the authority
    grants both) or "sha512" (outside its policy: the answer is a rejection). full_chain embeds the
    whole chain, listed signer first and then in descending DER order, so that with an
    intermediate the certificate set is never in DER order (the case strict parsers refuse);
    otherwise the signer's certificate only (none with cert_req=False). Made by
    `openssl ts -reply`; a TSA certificate without a proper extended key usage is refused by
    it, so such an authority signs a TSTInfo (built with asn1crypto) with `openssl cms -sign`
    instead, which always embeds the signer's certificate.
Authority.answer(request, full_chain=False) -> bytes: the TimeStampResp answering a DER
    TimeStampReq (for an authority whose certificate openssl accepts).

serve(authority, mode="ok", full_chain=False, port=0): context manager running a TSA over HTTP
    on 127.0.0.1 (the port, or a free one); yields its URL. mode: "ok" answers each POSTed
    request; "http-500" fails; "garbage" answers 200 with bytes that are no time-stamp;
    "wrong-nonce" answers a valid stamp over the same imprint but for another nonce; "slow"
    waits 2 s before answering (for client time-outs).
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
from typing import Iterator

from asn1crypto import cms, tsp
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
_serials = itertools.count(1000)  # TSTInfo serials of the tokens made with `openssl cms`


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
              cert_req: bool = True) -> bytes:
        if digest is None:
            assert message is not None, "reply over a message or a digest"
            digest = hashlib.new(algorithm, message).digest()
        if self.eku != "critical":
            return self._cms_token(digest, algorithm, full_chain, token)
        query = ["-digest", digest.hex(), f"-{algorithm}", "-no_nonce"] + (["-cert"] if cert_req else [])
        with self._file(_openssl("ts", "-query", *query)) as request:
            return self._ts_reply(request, full_chain, token)

    def answer(self, request: bytes, full_chain: bool = False) -> bytes:
        with self._file(request) as path:
            return self._ts_reply(path, full_chain, token=False)

    def _ts_reply(self, request: Path, full_chain: bool, token: bool) -> bytes:
        chain = ["-chain", str(self._chain_file())] if full_chain else []
        return _openssl("ts", "-reply", "-config", str(self.folder / "tsa.cnf"),
                        "-queryfile", str(request), "-signer", str(self.folder / "tsa.pem"),
                        "-inkey", str(self.folder / "tsa.key"), *chain,
                        *(["-token_out"] if token else []))

    def _cms_token(self, digest: bytes, algorithm: str, full_chain: bool, token: bool) -> bytes:
        info = tsp.TSTInfo({
            "version": "v1", "policy": POLICY,
            "message_imprint": {"hash_algorithm": {"algorithm": algorithm},
                                "hashed_message": digest},
            "serial_number": next(_serials),
            "gen_time": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0),
        }).dump()
        chain = ["-certfile", str(self._chain_file())] if full_chain else []
        with self._file(info) as content:
            der = _openssl("cms", "-sign", "-binary", "-nodetach", "-nosmimecap", "-md", "sha256",
                           "-econtent_type", TSTINFO_TYPE, "-in", str(content),
                           "-signer", str(self.folder / "tsa.pem"),
                           "-inkey", str(self.folder / "tsa.key"), *chain, "-outform", "DER")
        if token:
            return der
        response = tsp.TimeStampResp({"status": {"status": "granted"},
                                      "time_stamp_token": cms.ContentInfo.load(der)})
        return response.dump()

    def _chain_file(self) -> Path:
        # signer first (openssl puts it there), then descending DER order: never DER-sorted
        issuers = sorted((c for c in (self.intermediate, self.root) if c),
                         key=lambda c: c.public_bytes(serialization.Encoding.DER), reverse=True)
        path = self.folder / "embedded-chain.pem"
        path.write_bytes(b"".join(_pem(c) for c in issuers))
        return path

    @contextlib.contextmanager
    def _file(self, data: bytes) -> Iterator[Path]:
        # one file per call: the server may answer several requests at once
        with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".der") as handle:
            handle.write(data)
            handle.flush()
            yield Path(handle.name)


def make_authority(folder: Path, *, intermediate: bool = False, eku: str = "critical",
                   validity: str = "current") -> Authority:
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _certificate("Test Root CA", root_key, "Test Root CA", root_key, ca=True,
                        start=now - DAY, end=now + 365 * DAY)
    issuer_name, issuer_key, middle = "Test Root CA", root_key, None
    if intermediate:
        middle_key = ec.generate_private_key(ec.SECP256R1())
        middle = _certificate("Test Intermediate CA", middle_key, issuer_name, issuer_key,
                              ca=True, start=now - DAY, end=now + 365 * DAY)
        issuer_name, issuer_key = "Test Intermediate CA", middle_key
    start, end = {"current": (now - DAY, now + 30 * DAY), "expired": (now - 3 * DAY, now - DAY),
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
            else:
                if mode == "slow" and leaving.wait(2):
                    return
                body = authority.answer(request, full_chain)
            self.reply(200, body, "application/timestamp-reply")

    with local_server(Handler, port, release=leaving) as url:
        yield url + "/tsa"


def closed_url() -> str:
    return localhost_closed_url("/tsa")
