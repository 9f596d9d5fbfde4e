"""Credit codes (GB 32100) and risk scoring against the published tables, bounds included."""

import csv
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings

from gridmap.enterprises.conf import app_settings
from gridmap.enterprises.credit_code import check_character, credit_code_problem
from gridmap.enterprises.risk import ScoringError, control_tiers, level_for, score


def test_published_example_is_valid():
    assert credit_code_problem("91110000600037341L") is None
    assert check_character("91110000600037341") == "L"


@pytest.mark.parametrize("code, fragment", [
    ("91110000600037341M", "校验位错误：第 18 位应为 L"),
    ("91110000600037341", "应为 18 位"),
    ("9111000060003734IL", "非法字符 I"),
    ("91110000600037341l", "非法字符 l"),
])
def test_bad_codes_say_why(code, fragment):
    assert fragment in credit_code_problem(code)


def test_every_sample_credit_code_is_valid():
    with (settings.BASE_DIR / "data" / "enterprises.csv").open(encoding="utf-8") as handle:
        codes = [row["credit_code"] for row in csv.DictReader(handle)]
    assert len(codes) == len(set(codes)) >= 5000
    assert [c for c in codes if credit_code_problem(c)] == []


# LEC, domain.md §3: D > 320 重大; 160–320 较大; 70–160 一般; < 70 低. 320 is not > 320,
# 70 is not < 70, and the shared bound 160 goes to the higher level.
@pytest.mark.parametrize("value, level", [
    ("1500", "major"), ("320.001", "major"), ("320", "large"), ("240", "large"),
    ("160", "large"), ("159.999", "general"), ("126", "general"), ("70", "general"),
    ("69.999", "low"), ("0.001", "low"),
])
def test_lec_bands_at_every_bound(value, level):
    assert level_for("LEC", Decimal(value)) == level


@pytest.mark.parametrize("factors, value, level", [
    ((10, 6, 100), "6000", "major"), ((6, 6, 15), "540", "major"), ((3, 6, 40), "720", "major"),
    ((1, 6, 40), "240", "large"), ((6, 3, 15), "270", "large"), ((3, 6, 7), "126", "general"),
    ((10, 1, 7), "70", "general"), ((1, 10, 7), "70", "general"), ((3, 3, 7), "63", "low"),
    ((0.5, 0.5, 1), "0.25", "low"), ((0.1, 0.5, 1), "0.05", "low"),
])
def test_lec_scores_from_the_factor_tables(factors, value, level):
    result = score("lec", dict(zip("LEC", factors, strict=True)))
    assert result.value == Decimal(value) and result.level == level


# LS, R = L × S: 20–25 重大; 15–16 较大; 9–12 一般; 1–8 低, over the whole 5 × 5 matrix.
LS_EXPECTED = {1: "low", 2: "low", 3: "low", 4: "low", 5: "low", 6: "low", 8: "low",
               9: "general", 10: "general", 12: "general", 15: "large", 16: "large",
               20: "major", 25: "major"}


@pytest.mark.parametrize("likelihood", range(1, 6))
@pytest.mark.parametrize("severity", range(1, 6))
def test_ls_matrix(likelihood, severity):
    result = score("LS", {"L": likelihood, "S": severity})
    assert result.value == likelihood * severity
    assert result.level == LS_EXPECTED[likelihood * severity]


@pytest.mark.parametrize("method, factors, field", [
    ("LEC", {"L": 4, "E": 6, "C": 15}, "L"),
    ("LEC", {"L": 3, "E": 6}, "C"),
    ("LS", {"L": 3, "S": 6}, "S"),
    ("LS", {"L": "x", "S": 1}, "L"),
    ("HAZOP", {}, "method"),
])
def test_bad_factors_name_the_field(method, factors, field):
    with pytest.raises(ScoringError) as error:
        score(method, factors)
    assert error.value.field == field


def test_thresholds_are_data():
    methods = {**app_settings.RISK_METHODS}
    methods["LEC"] = {**methods["LEC"], "bands": (("major", ">", "160"), ("general", ">=", "70"))}
    with override_settings(GRIDMAP_RISK_METHODS=methods):
        assert score("LEC", {"L": 1, "E": 6, "C": 40}).level == "major"


def test_control_tiers_follow_the_level():
    assert control_tiers("major") == ("company", "workshop", "team", "post")
    assert control_tiers("large") == ("company", "workshop", "team", "post")
    assert control_tiers("general") == ("workshop", "team", "post")
    assert control_tiers("low") == ("team", "post")


@pytest.mark.django_db
def test_risk_order_is_one_order_in_the_orm_and_in_sql():
    from django.db import connection

    from gridmap.enterprises.models import Enterprise
    from gridmap.enterprises.risk import LEVEL_ORDER, RISK_ORDER, risk_order_sql

    assert LEVEL_ORDER == ("major", "large", "general", "low")
    orm = list(Enterprise.objects.order_by(RISK_ORDER, "id").values_list("id", "risk_level"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, risk_level FROM enterprises_enterprise "
                       f"ORDER BY {risk_order_sql('risk_level')}, id")
        assert cursor.fetchall() == [tuple(row) for row in orm]
    positions = [LEVEL_ORDER.index(level) if level else len(LEVEL_ORDER) for _, level in orm]
    assert positions == sorted(positions) and {level for _, level in orm} >= {"major", "", "low"}
