"""The drand chains a plan may declare: the one table their names, round times, keys and hashes
come from (the records' field choices, `ssj draw seed drand --chain`, round checks, the site's
verifier). Plain data, so the command line can read it without loading anything else."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chain:
    name: str
    scheme: str
    period: int
    genesis_time: int
    public_key: str
    chain_hash: str


# The League of Entropy mainnet chains (as published by drand; see shared/spec/vectors/drand).
CHAINS: dict[str, Chain] = {
    "quicknet": Chain(
        "quicknet", "bls-unchained-g1-rfc9380", 3, 1692803367,
        "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a"
        "2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76e"
        "ae8991ef5ece45a",
        "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    ),
    "default": Chain(
        "default", "pedersen-bls-chained", 30, 1595431050,
        "868f005eb8e6e4ca0a47c8a77ceaa5309a47978a7c71bc5cce96366b5d7a569937c529eeda66c7293784a9402"
        "801af31",
        "8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce",
    ),
}
