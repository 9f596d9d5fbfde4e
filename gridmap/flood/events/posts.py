"""The district's departments on emergency duty (应急值守) that a roll call calls besides the
level-I grids: the members of the district flood-control headquarters (区防汛抗旱指挥部) as a
district of Tianjin names them. Data, not code: loaded into DutyPost once, then edited there."""

DISTRICT_DEPARTMENTS = (
    "区应急管理局", "区水务局", "区气象局", "区住房和城乡建设委员会", "区城市管理委员会",
    "区交通运输局", "区公安分局", "区消防救援支队", "区农业农村委员会", "区卫生健康委员会",
    "区民政局", "区教育局", "区规划和自然资源局", "区生态环境局", "区商务局",
    "国网静海供电公司", "区人民武装部",
)
