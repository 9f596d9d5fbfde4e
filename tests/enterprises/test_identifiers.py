"""Identifiers and figures that must be right: GB/T 4754-2017 classes, GB 32100 credit codes
(with their GB/T 2260 division and GB 11714 organisation code), the report's numbers, and the
public GCJ-02 test vector."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from gridmap.accounts.models import Role
from gridmap.enterprises.credit_code import check_character, credit_code_problem, organisation_check_character
from gridmap.enterprises.industries import CLASSES, DIVISIONS, GROUPS, industry_name, industry_problem
from gridmap.enterprises.models import Enterprise
from gridmap.geo import coords
from gridmap.inspections.models import EnforcementCertificate


def _code(division: str, organisation: str, organisation_check: str | None = None) -> str:
    """A code whose 18th character is right, so that only the part under test can be wrong."""
    body = f"91{division}{organisation}{organisation_check or organisation_check_character(organisation)}"
    return body + check_character(body)


def test_the_whole_2017_class_table():
    assert (len(DIVISIONS), len(GROUPS), len(CLASSES)) == (97, 473, 1380)
    assert industry_name("7221") == "园区管理服务" and industry_name("7020") == "物业管理"
    assert (industry_name("1321"), industry_name("1329")) == ("宠物饲料加工", "其他饲料加工")
    assert industry_name("31") == "黑色金属冶炼和压延加工业" and industry_name("3443") == "阀门和旋塞制造"
    assert industry_name("1320") is None
    assert "不是 GB/T 4754-2017 的小类" in industry_problem("1320")
    assert "大类 99" in industry_problem("99") and industry_problem("3130") is None
    assert industry_problem("13A0").startswith("行业代码 '13A0' 应为")


def test_credit_codes_check_the_division_and_the_organisation_code():
    assert credit_code_problem("91110000600037341L") is None
    assert credit_code_problem(_code("120118", "MA05XKCT")) is None
    assert credit_code_problem(_code("100000", "60003734")) is None  # registered at national level
    assert "第 3–8 位 990118" in credit_code_problem(_code("990118", "MA05XKCT"))
    assert "第 3–8 位 100118" in credit_code_problem(_code("100118", "MA05XKCT"))
    wrong = "1" if organisation_check_character("MA05XKCT") != "1" else "2"
    assert "组织机构代码校验位错误：第 17 位应为 X" in credit_code_problem(_code("120118", "MA05XKCT", wrong))


@pytest.mark.django_db
def test_the_sample_is_valid_2017_classes_and_credit_codes():
    codes = set(Enterprise.objects.values_list("industry_code", flat=True))
    assert codes and not [c for c in codes if industry_problem(c)]
    assert "1320" not in codes and "7020" in codes
    assert Enterprise.objects.filter(industry_code="7020").exclude(industry_name="物业管理").count() == 0
    assert not [c for c in Enterprise.objects.values_list("credit_code", flat=True) if credit_code_problem(c)]


@pytest.mark.django_db
def test_the_reports_officers_and_certificates():
    assert get_user_model().objects.filter(groups__name=Role.GRID_OFFICER).distinct().count() == 719
    issued_2019 = EnforcementCertificate.objects.filter(issued__year=2019)
    holders = set(issued_2019.values_list("user_id", flat=True))
    renewed = {uid for uid in holders
               if EnforcementCertificate.objects.filter(user_id=uid, issued__lt=dt.date(2019, 1, 1)).exists()}
    assert (issued_2019.count(), len(holders), len(renewed), len(holders - renewed)) == (37, 37, 28, 9)


def test_the_public_gcj02_test_vector():
    lon, lat = coords.wgs84_to_gcj02(116.404, 39.915)
    assert (round(float(lon), 5), round(float(lat), 5)) == (116.41024, 39.91640)
