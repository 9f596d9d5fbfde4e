"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), kind of entity (2), the registering authority's
administrative division code (3–8, GB/T 2260), the entity's organisation code (9–17,
GB 11714: eight characters and its own check character) and the check character (18).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

# GB 32100-2015 leaves out I, O, S, V and Z, which read like digits.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714-1997: weights of the organisation code's eight characters (letters count A=10 … Z=35).
ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# GB/T 2260 provincial-level prefixes; 10 is the national level (a code registered in Beijing by a
# central authority carries 100000). Only the form is checked: division codes change over time
# (静海县 120223 became 静海区 120118 in 2015) and a code keeps the division it was issued under.
PROVINCES = frozenset((
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
))


def check_character(body: str) -> str:
    """The 18th character for the first 17."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def organisation_check_character(body: str) -> str:
    """GB 11714's check character for the organisation code's first eight characters."""
    total = sum((int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10) * w
                for ch, w in zip(body, ORGANISATION_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def division_problem(division: str) -> str | None:
    if not division.isdigit():
        return f"统一社会信用代码第 3–8 位应为 6 位数字的行政区划代码，实为 {division}"
    if division == "100000" or division[:2] in PROVINCES:
        return None
    return f"统一社会信用代码第 3–8 位 {division} 不是有效的行政区划代码（省级代码 {division[:2]} 不存在）"


def credit_code_problem(code: str) -> str | None:
    """Why a code is not a valid credit code, in Chinese; None when it is valid."""
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，收到 {len(code)} 位"
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        return f"统一社会信用代码含非法字符 {''.join(bad)}（不使用 I、O、S、V、Z 和小写字母）"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：第 18 位应为 {expected}，实为 {code[17]}"
    problem = division_problem(code[2:8])
    if problem:
        return problem
    organisation = organisation_check_character(code[8:16])
    if code[16] != organisation:
        return (f"统一社会信用代码第 9–17 位的组织机构代码校验位错误："
                f"第 17 位应为 {organisation}，实为 {code[16]}")
    return None


def normalise_credit_code(code: str) -> str:
    return (code or "").strip().upper()


def validate_credit_code(value: str) -> None:
    problem = credit_code_problem(value)
    if problem:
        raise ValidationError(problem, code="credit_code")
