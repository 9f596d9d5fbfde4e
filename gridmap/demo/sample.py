"""The sample district: the real outline and township names, generated cells and people."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from gridmap.accounts.models import Role
from gridmap.enterprises.importer import enterprises_import, risk_points_import
from gridmap.flood.loader import flood_data_import
from gridmap.flood.services import rivers_import
from gridmap.grids.conf import app_settings as grid_settings
from gridmap.grids.loader import import_grids
from gridmap.grids.models import FIRST_GENERATION
from gridmap.grids.roster import import_roster

from .accounts import sample_enterprise_accounts_load, sample_role_accounts_load
from .conf import app_settings
from .inspections import sample_inspections_load
from .lekima import sample_lekima_load
from .self_checks import sample_self_checks_load
from .storm import sample_storm_load

SAMPLE_DIR = settings.BASE_DIR / "data"
SHAPEFILES = SAMPLE_DIR / "shapefiles"
DEMO_ACCOUNTS = (
    ("admin", "系统管理员", Role.ADMINISTRATOR),
    ("supervisor", "区应急管理局监管人员", Role.BUREAU_STAFF),
    ("flood", "区防汛指挥部", Role.FLOOD_COMMAND),
)


class DemoDataRefused(Exception):
    pass


def sample_load(*, data_dir: Path = SAMPLE_DIR, log=print) -> None:
    """Load (or refresh) the sample district; idempotent, one transaction."""
    if not app_settings.ALLOW_DEMO_DATA:
        raise DemoDataRefused("此环境（生产配置）不允许加载演示数据和演示账户")
    shapefiles = data_dir / "shapefiles"
    password = make_password(app_settings.DEMO_PASSWORD)
    with transaction.atomic():
        for name in ("district", "grids_level1", "grids_level2"):
            # The sample's grids are the first generation of boundaries.
            report = import_grids(shapefiles / f"{name}.shp", valid_from=FIRST_GENERATION)
            log(f"{name}: {report.summary()}")
        count = rivers_import(path=shapefiles / "rivers.shp",
                              district_code=grid_settings.DISTRICT_CODE)
        log(f"rivers: {count} 条河流")
        # One hash for every demo account: hashing 700+ passwords one by one takes minutes.
        log(import_roster(data_dir / "officers.csv", password_hash=password).summary())
        user_model = get_user_model()
        for username, full_name, role in DEMO_ACCOUNTS:
            user, created = user_model.objects.get_or_create(
                username=username, defaults={"full_name": full_name, "password": password})
            if username == "admin" and not user.is_superuser:
                user.is_superuser = user.is_staff = True
                user.save(update_fields=["is_superuser", "is_staff"])
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        log(enterprises_import(path=data_dir / "enterprises.csv").summary())
        log(risk_points_import(path=data_dir / "risk_points.csv").summary())
        flood_data_import(data_dir=data_dir / "flood", district_code=grid_settings.DISTRICT_CODE, log=log)
        sample_inspections_load(password_hash=password, log=log)
        sample_storm_load(password_hash=password, log=log)
        sample_lekima_load(log=log)
        sample_role_accounts_load(password_hash=password)
        log(f"企业账户: {sample_enterprise_accounts_load(password_hash=password)} 个（用户名为统一社会信用代码）")
        sample_self_checks_load(log=log)
