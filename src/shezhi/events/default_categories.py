"""The default event categories a new installation starts with (admin-editable).

Urban-management classes follow GB/T 30428.2 (数字化城市管理信息系统 第2部分:
管理部件和事件); social-governance classes are those grid workers meet on
patrol. Each subcategory: code, name, English name, responsible department
code, deadline (value, unit), emergency deadline (value, unit), flags.
Department codes are those the demo district uses (城管 cg, 住建 zj, 市场监管
scjg, 公安 gaj, 应急 yjgl, 民政 mz, 卫健 wj, 水务 sw, 供电 gd, 燃气 rq); a
district with other codes edits them in the back office.
"""

from __future__ import annotations

H, D = "hours", "days"

# (code, name, English name, kind, [subcategories])
# subcategory: (code, name, English, department, (deadline), (emergency deadline),
#               grid_can_solve, allows_anonymous)
DEFAULT_CATEGORIES = [
    ("01", "市容环境", "City appearance and environment", "urban", [
        ("0101", "暴露垃圾", "Exposed rubbish", "cg", (4, H), (2, H), True, True),
        ("0102", "积存垃圾渣土", "Accumulated rubbish or spoil", "cg", (1, D), (4, H), True, True),
        ("0103", "道路不洁", "Dirty road", "cg", (4, H), (2, H), True, True),
        ("0104", "水域不洁", "Dirty waterway", "sw", (2, D), (8, H), False, True),
        ("0105", "绿地脏乱", "Neglected green space", "cg", (1, D), (4, H), True, True),
        ("0106", "焚烧垃圾树叶", "Burning rubbish or leaves", "cg", (2, H), (1, H), True, True),
    ]),
    ("02", "宣传广告", "Publicity and advertising", "urban", [
        ("0201", "违章张贴小广告", "Illegal flyers", "cg", (1, D), (4, H), True, True),
        ("0202", "违规户外广告", "Unlicensed outdoor advertising", "cg", (5, D), (1, D), False,
         True),
        ("0203", "非法散发宣传品", "Illegal leafleting", "cg", (1, D), (4, H), True, True),
    ]),
    ("03", "施工管理", "Construction management", "urban", [
        ("0301", "施工扰民", "Construction disturbing residents", "zj", (1, D), (4, H), False,
         True),
        ("0302", "工地扬尘", "Construction dust", "zj", (1, D), (4, H), False, True),
        ("0303", "违规占道施工", "Construction occupying the road", "cg", (2, D), (8, H), False,
         True),
        ("0304", "渣土撒漏", "Spilled spoil from trucks", "cg", (4, H), (2, H), False, True),
    ]),
    ("04", "街面秩序", "Street order", "urban", [
        ("0401", "无照经营游商", "Unlicensed street vending", "cg", (4, H), (2, H), True, True),
        ("0402", "店外经营", "Trading outside the shop", "cg", (4, H), (2, H), True, True),
        ("0403", "乱堆物料", "Materials piled in public space", "cg", (1, D), (4, H), True, True),
        ("0404", "非机动车乱停放", "Badly parked bicycles", "cg", (4, H), (2, H), True, True),
        ("0405", "机动车乱停放", "Badly parked cars", "gaj", (4, H), (2, H), False, True),
        ("0406", "占道废品收购", "Scrap collection on the pavement", "cg", (1, D), (4, H), True,
         True),
    ]),
    ("05", "突发事件", "Emergencies", "urban", [
        ("0501", "路面塌陷", "Road collapse", "zj", (4, H), (1, H), False, True),
        ("0502", "自来水管破裂", "Burst water main", "sw", (4, H), (1, H), False, True),
        ("0503", "燃气管道破裂", "Gas pipe leak", "rq", (2, H), (1, H), False, False),
        ("0504", "道路积水", "Flooded road", "sw", (4, H), (1, H), False, True),
        ("0505", "供电线路故障", "Power line fault", "gd", (4, H), (1, H), False, True),
    ]),
    ("11", "矛盾纠纷", "Disputes", "social", [
        ("1101", "邻里纠纷", "Neighbour dispute", "", (3, D), (1, D), True, False),
        ("1102", "婚姻家庭纠纷", "Family dispute", "mz", (5, D), (1, D), True, False),
        ("1103", "物业纠纷", "Property-management dispute", "zj", (5, D), (1, D), False, False),
        ("1104", "劳资纠纷", "Wage dispute", "", (5, D), (1, D), False, False),
    ]),
    ("12", "安全隐患", "Safety hazards", "social", [
        ("1201", "房屋安全隐患", "Unsafe building", "zj", (2, D), (4, H), False, True),
        ("1202", "燃气安全隐患", "Gas safety hazard", "rq", (1, D), (2, H), False, True),
        ("1203", "电动车违规充电", "E-bike charging indoors or in corridors", "yjgl", (1, D),
         (4, H), True, True),
        ("1204", "食品安全隐患", "Food safety hazard", "scjg", (2, D), (8, H), False, True),
        ("1205", "危险化学品", "Hazardous chemicals", "yjgl", (4, H), (1, H), False, True),
    ]),
    ("13", "治安隐患", "Public-order hazards", "social", [
        ("1301", "可疑人员物品", "Suspicious people or objects", "gaj", (4, H), (1, H), False,
         True),
        ("1302", "噪声扰民", "Noise nuisance", "gaj", (1, D), (4, H), True, True),
        ("1303", "群租房", "Overcrowded rental flat", "gaj", (3, D), (1, D), False, True),
    ]),
    ("14", "消防隐患", "Fire hazards", "social", [
        ("1401", "消防通道堵塞", "Blocked fire lane", "yjgl", (4, H), (1, H), True, True),
        ("1402", "消防设施损坏", "Broken fire equipment", "yjgl", (2, D), (4, H), False, True),
        ("1403", "楼道堆物", "Things piled in stairwells", "yjgl", (1, D), (4, H), True, True),
    ]),
    ("15", "环境卫生", "Sanitation", "social", [
        ("1501", "小区垃圾清运不及时", "Compound rubbish not collected", "cg", (1, D), (4, H),
         True, True),
        ("1502", "化粪池下水道堵塞", "Blocked drain or septic tank", "sw", (1, D), (4, H), False,
         True),
        ("1503", "病媒生物", "Rats, mosquitoes or cockroaches", "wj", (3, D), (1, D), False,
         True),
    ]),
    ("16", "群众诉求", "Residents' requests", "social", [
        ("1601", "困难帮扶", "Hardship support", "mz", (5, D), (1, D), True, False),
        ("1602", "公共设施维修", "Public facility repair", "zj", (5, D), (1, D), False, True),
        ("1603", "路灯不亮", "Street light out", "cg", (2, D), (8, H), False, True),
        ("1604", "停水停电咨询", "Water or power cut enquiry", "", (1, D), (4, H), True, True),
    ]),
    ("17", "意见建议", "Suggestions", "social", [
        ("1701", "社区治理建议", "Suggestion on community governance", "", (10, D), (5, D),
         True, True),
        ("1702", "公共服务建议", "Suggestion on public services", "", (10, D), (5, D), True,
         True),
    ]),
]  # fmt: skip

URGENT_CLASSES = {"05"}

# 当场处置: small routine matters a grid worker fixes with their own hands there and
# then (rubbish, flyers, vending, piled materials, bicycles, a blocked fire lane …).
# Nothing that needs a department, a dispute or a hardship case.
SPOT_HANDLING_CODES = frozenset({
    "0101", "0103", "0105", "0106", "0201", "0203", "0401", "0402", "0403", "0404", "0406",
    "1203", "1401", "1403",
})  # fmt: skip


def load(category_model) -> int:
    """Create the default categories that do not exist yet; returns how many it made."""
    made = 0
    # The historical model of an early migration has no spot-handling flag yet.
    spot_flag = any(f.name == "allows_spot_handling" for f in category_model._meta.fields)
    for order, (code, name, name_en, kind, subs) in enumerate(DEFAULT_CATEGORIES):
        parent, created = category_model.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "kind": kind, "sort_order": order},
        )
        made += int(created)
        for sub_order, (scode, sname, sname_en, dept, dl, edl, grid, anon) in enumerate(subs):
            spot = {"allows_spot_handling": scode in SPOT_HANDLING_CODES} if spot_flag else {}
            _, created = category_model.objects.get_or_create(
                code=scode,
                defaults={
                    **spot,
                    "parent": parent,
                    "name": sname,
                    "name_en": sname_en,
                    "kind": kind,
                    "department_code": dept,
                    "deadline_value": dl[0],
                    "deadline_unit": dl[1],
                    "emergency_deadline_value": edl[0],
                    "emergency_deadline_unit": edl[1],
                    "grid_can_solve": grid,
                    "allows_anonymous": anon,
                    "sort_order": sub_order,
                    "register_conditions": (
                        "位于责任区内、属实、属于本类别处置范围；紧急情况立即立案。"
                        if code in URGENT_CLASSES
                        else "位于责任区内、属实、属于本类别处置范围。"
                    ),
                    "close_conditions": "问题已处置并有处置后照片，经核查属实。",
                },
            )
            made += int(created)
    return made
