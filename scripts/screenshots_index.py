"""Write docs/screenshots/README.md: the gallery of `make screenshots`, one section per role.

tests/browser/test_every_page.py lists each PNG with its role and URL in pages.tsv."""

import sys
from pathlib import Path

ROLES = {
    "grid_officer": "网格员（手机）", "grid_head": "一级网格负责人", "bureau_staff": "区应急管理局监管人员",
    "flood_command": "防汛指挥", "administrator": "系统管理员", "law_enforcement": "执法人员",
    "gauge_feed": "水雨情数据接入", "enterprise": "企业用户",
}


def main(folder: Path) -> None:
    rows = [line.split("\t") for line in (folder / "pages.tsv").read_text(encoding="utf-8").splitlines()]
    lines = ["# 页面截图", "", "由 `make screenshots` 生成：每个角色的每个页面（页面清单见 "
             "`tests/browser/pages.py`）。", ""]
    for role, title in ROLES.items():
        mine = [(url, name) for who, url, name in rows if who == role]
        if not mine:
            continue
        lines += [f"## {title}（`{role}`）", ""]
        for url, name in mine:
            lines += [f"### `{url}`", "", f"![{title} {url}]({name})", ""]
    (folder / "README.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
