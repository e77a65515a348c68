"""统一社会信用代码 (GB 32100-2015): the check character and the category code."""
from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 3^(i-1) mod 31 for positions 1..17


def check_character(first17: str) -> str:
    """The 18th character that GB 32100 computes from the first 17."""
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def uscc_error(code: str) -> str | None:
    """Why `code` is not a valid 统一社会信用代码, or None if it is."""
    if len(code) != 18:
        return f"应为 18 位，实为 {len(code)} 位"
    bad = sorted({c for c in code if c not in CHARSET})
    if bad:
        return f"含有不允许的字符 {'、'.join(bad)}（不使用 I、O、Z、S、V）"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"校验码应为 {expected}，实为 {code[17]}"
    return None
