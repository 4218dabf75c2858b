"""Writes the real-shaped import files next to this script (run it again after changing it):

- contacts_gbk.csv: a contact sheet as Chinese Excel's "Save as CSV" writes it — GBK, no byte-order
  mark, CRLF line ends, Chinese headers; bosses named after the people who report to them, three
  rows with errors (an unknown account, a broken e-mail, an unknown boss).
- accounts_title_row.xlsx: an account list with a title and a blank row above the header, a
  parent named below its subsidiary, an Excel date and a number cell.
- crm_export_contacts.csv: another CRM's contact export (UTF-8 with BOM), its own English column
  names and ids, columns we do not import.

    .venv/bin/python tests/imports/files/make_import_files.py
"""

import csv
import io
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

GBK_HEADER = [
    "客户名称",
    "姓名",
    "职务",
    "部门",
    "手机",
    "电话",
    "邮箱",
    "上级",
    "籍贯",
    "爱好",
    "决策角色",
    "态度",
]
GBK_ROWS = [
    [
        "华东电力有限公司",
        "王磊",
        "采购经理",
        "采购部",
        "139 0100 0003",
        "",
        "wang.lei@hdpower.cn",
        "周敏",
        "",
        "",
        "采购",
        "怀疑者",
    ],
    [
        "华东电力有限公司",
        "周敏",
        "技术总监",
        "技术部",
        "13901000002",
        "",
        "zhou.min@hdpower.cn",
        "刘建国",
        "浙江杭州",
        "羽毛球",
        "技术评估者",
        "中立",
    ],
    [
        "华东电力（上海）有限公司",
        "陈静",
        "工程师",
        "技术部",
        "13901000004",
        "",
        "chen.jing@hdpower.cn",
        "zhou.min@hdpower.cn",
        "",
        "",
        "用户",
        "",
    ],
    [
        "华东电力有限公司",
        "刘建国",
        "总经理",
        "总经理办公室",
        "+86 139-0100-0001",
        "010-88880001",
        "liu.jianguo@hdpower.cn",
        "",
        "山东济南",
        "钓鱼、书法",
        "决策者",
        "支持者",
    ],
    [
        "华北能源集团",
        "赵强",
        "副总经理",
        "",
        "13901000005",
        "",
        "zhao.qiang@hbenergy.cn",
        "",
        "",
        "",
        "决策者",
        "",
    ],
    [
        "华东电力有限公司",
        "孙丽",
        "财务经理",
        "财务部",
        "13901000006",
        "",
        "sunli@hdpower",
        "刘建国",
        "",
        "",
        "",
        "",
    ],
    ["华东电力有限公司", "黄伟", "", "", "13901000007", "", "", "张三", "", "", "", ""],
]

CRM_HEADER = [
    "Contact ID",
    "Account Name",
    "Full Name",
    "Job Title",
    "Department",
    "Email Address",
    "Mobile Phone",
    "Reports To",
    "Lead Source",
    "Created Date",
]
CRM_ROWS = [
    [
        "003A0001",
        "Huadong Power Co., Ltd.",
        "Zhang Wei",
        "CIO",
        "IT",
        "zhang.wei@hdpower.cn",
        "+86 138 0000 1111",
        "",
        "Trade show",
        "2024-03-01",
    ],
    [
        "003A0002",
        "Huadong Power Co., Ltd.",
        "Li Na",
        "IT Manager",
        "IT",
        "li.na@hdpower.cn",
        "13800002222",
        "zhang.wei@hdpower.cn",
        "Web",
        "2024-03-02",
    ],
    [
        "003A0003",
        "www.hdpower.cn",
        "Guo Tao",
        "Buyer",
        "Procurement",
        "guo.tao@hdpower.cn",
        "",
        "Li Na",
        "Referral",
        "2024-03-05",
    ],
]


def gbk_csv() -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(GBK_HEADER)
    writer.writerows(GBK_ROWS)
    (HERE / "contacts_gbk.csv").write_bytes(buffer.getvalue().encode("gbk"))


def crm_csv() -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(CRM_HEADER)
    writer.writerows(CRM_ROWS)
    (HERE / "crm_export_contacts.csv").write_bytes(buffer.getvalue().encode("utf-8-sig"))


def xlsx() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "客户名单"
    sheet.append(["2026年 华东区客户名单（内部资料）"])
    sheet.merge_cells("A1:H1")
    sheet.append([])
    sheet.append(
        ["客户名称", "行业", "区域", "客户等级", "上级单位", "网站", "建档日期", "客户编号"]
    )
    sheet.append(
        [
            "华东电力（上海）有限公司",
            "电力",
            "华东",
            "A类",
            "华东电力集团有限公司",
            "www.hdpower-sh.cn",
            datetime(2023, 5, 8),
            10001,
        ]
    )
    sheet.append(
        [
            "华东电力集团有限公司",
            "电力",
            "华东",
            "重点客户",
            "",
            "https://www.hdgroup.cn",
            datetime(2020, 1, 2),
            10002,
        ]
    )
    sheet.append(
        [
            "江南钢铁股份有限公司",
            "钢铁",
            "华东",
            "B",
            "",
            "jnsteel.com",
            datetime(2024, 11, 30),
            10003,
        ]
    )
    notes = workbook.create_sheet("说明")
    notes.append(["这张表不是数据"])
    workbook.save(HERE / "accounts_title_row.xlsx")


if __name__ == "__main__":
    gbk_csv()
    crm_csv()
    xlsx()
