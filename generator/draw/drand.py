"""drand rounds: the pinned chains, round times, offline verification and fetching from a relay.

A round is trusted only after three checks: it is the declared round, its `randomness` is
SHA-256 of its signature, and the signature verifies against the chain's pinned public key.
"""
from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.request
from typing import Any

from py_arkworks_bls12381 import GT, G1Point, G2Point

from generator.records.chains import CHAINS, Chain


DST_G1 = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"
DST_G2 = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_"
DEFAULT_RELAYS = ("https://api.drand.sh", "https://api2.drand.sh", "https://drand.cloudflare.com")
_HEX = re.compile(r"[0-9a-f]+")


class DrandError(ValueError):
    """A round that is malformed, not the declared one, or does not verify."""


def _hex_field(data: dict[str, Any], key: str) -> bytes:
    value = data.get(key)
    if not isinstance(value, str) or not _HEX.fullmatch(value) or len(value) % 2:
        raise DrandError(f"drand 轮次数据的 {key} 应为小写十六进制字符串")
    return bytes.fromhex(value)


def _signature_valid(chain: Chain, round_number: int, signature: bytes,
                     previous: bytes) -> bool:
    try:
        if chain.scheme == "bls-unchained-g1-rfc9380":
            # signature in G1, key in G2: e(sig, g2) == e(H(m), pk)
            message = hashlib.sha256(round_number.to_bytes(8, "big")).digest()
            point = G1Point.hash_to_curve(message, DST_G1)
            sig = G1Point.from_compressed_bytes(signature)
            key = G2Point.from_compressed_bytes(bytes.fromhex(chain.public_key))
            return GT.pairing_check([sig, -point], [G2Point(), key])
        # pedersen-bls-chained: signature in G2 over the previous signature, key in G1
        message = hashlib.sha256(previous + round_number.to_bytes(8, "big")).digest()
        point = G2Point.hash_to_curve(message, DST_G2)
        sig = G2Point.from_compressed_bytes(signature)
        key = G1Point.from_compressed_bytes(bytes.fromhex(chain.public_key))
        return GT.pairing_check([G1Point(), -key], [sig, point])
    except (ValueError, TypeError, OverflowError):
        return False  # not a point on the curve: certainly not a valid signature


def verify_round(chain_name: str, expected_round: int, data: Any) -> str:
    """Check a round's JSON as a relay serves it; return its randomness (hex)."""
    chain = CHAINS.get(chain_name)
    if chain is None:
        raise DrandError(f"未知的 drand 链 {chain_name}（可用：{'、'.join(CHAINS)}）")
    if not isinstance(data, dict):
        raise DrandError("drand 轮次数据应为 JSON 对象")
    if type(data.get("round")) is not int or data["round"] != expected_round:
        raise DrandError(f"drand 轮次应为 {expected_round}，实为 {data.get('round')!r}")
    signature = _hex_field(data, "signature")
    randomness = _hex_field(data, "randomness")
    if hashlib.sha256(signature).digest() != randomness:
        raise DrandError("randomness 不等于 signature 的 SHA-256")
    previous = b""
    if chain.scheme == "pedersen-bls-chained":
        previous = _hex_field(data, "previous_signature")
    if not _signature_valid(chain, expected_round, signature, previous):
        raise DrandError(f"drand {chain_name} 第 {expected_round} 轮的签名验证失败")
    return randomness.hex()


def round_fields(data: dict[str, Any]) -> dict[str, Any]:
    """What is kept of a relay's round JSON: the fields verification reads, nothing else."""
    keys = ("round", "randomness", "signature", "previous_signature")
    return {k: data[k] for k in keys if k in data}


def fetch_round(chain_name: str, round_number: int, relays: tuple[str, ...] = DEFAULT_RELAYS,
                timeout: float = 10.0) -> dict[str, Any]:
    """Fetch a round from the first relay that answers with a round that verifies."""
    chain = CHAINS.get(chain_name)
    if chain is None:
        raise DrandError(f"未知的 drand 链 {chain_name}")
    failures = []
    for relay in relays:
        url = f"{relay.rstrip('/')}/{chain.chain_hash}/public/{round_number}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                data = json.loads(response.read(65536))
            verify_round(chain_name, round_number, data)
            return round_fields(data)
        except (OSError, urllib.error.URLError, ValueError) as e:
            failures.append(f"{relay}: {e}")
    raise DrandError("没有可用的 drand 中继：" + "；".join(failures))
