"""Which column holds which import field: the fields of each kind (API.md, "Data in and out"),
the headers people write for them in English and Chinese, and the mapping last used for a set of
headers, offered again for the next file like it."""

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.imports.models import ImportKind, ImportMapping

# Every field of each kind, in the order the mapping page lists them, with its label.
FIELDS: dict[str, dict[str, Any]] = {
    "accounts": {
        "name": _l("Name"),
        "industry": _l("Industry"),
        "region": _l("Region"),
        "tier": _l("Tier"),
        "parent": _l("Parent account"),
        "team": _l("Team"),
        "website": _l("Website"),
        "address": _l("Address"),
        "notes": _l("Notes"),
        "external_id": _l("Id in the source"),
    },
    "contacts": {
        "account": _l("Account"),
        "name": _l("Name"),
        "title": _l("Title"),
        "department": _l("Department"),
        "level": _l("Level"),
        "reports_to": _l("Reports to"),
        "decision_role": _l("Decision role"),
        "influence": _l("Influence"),
        "attitude": _l("Attitude"),
        "email": _l("E-mail"),
        "phone": _l("Phone"),
        "hometown": _l("Hometown"),
        "education": _l("Education"),
        "interests": _l("Interests"),
        "background": _l("Background"),
        "preferences": _l("Preferences"),
        "notes": _l("Notes"),
        "known_by": _l("Known by (our people)"),
        "left_on": _l("Left on"),
        "external_id": _l("Id in the source"),
    },
    "interactions": {
        "account": _l("Account"),
        "occurred_at": _l("When"),
        "kind": _l("Kind"),
        "summary": _l("Summary"),
        "outcome": _l("Outcome"),
        "attendees": _l("Their people (attendees)"),
        "participants": _l("Our people"),
        "next_step": _l("Next step"),
        "next_step_due": _l("Next step due"),
        "cost": _l("Cost"),
    },
    "opportunities": {
        "account": _l("Account"),
        "name": _l("Name"),
        "amount": _l("Amount"),
        "currency": _l("Currency"),
        "expected_close": _l("Expected close"),
        "playbook": _l("Playbook"),
        "stage": _l("Stage"),
        "AR": "AR",
        "SR": "SR",
        "FR": "FR",
        "customer_need": _l("Customer need"),
        "competitors": _l("Competitors"),
        "external_id": _l("Id in the source"),
    },
}
# A column must be mapped to these (vCards into one account need no `account`).
REQUIRED = {
    "accounts": ("name",),
    "contacts": ("account", "name"),
    "interactions": ("account", "occurred_at", "summary"),
    "opportunities": ("account", "name"),
}
# What people call the fields in their sheets, in English and Chinese, beyond the field's own
# name and its label in both languages. Compared folded (case, width, spaces and punctuation).
_ACCOUNT = [
    "account",
    "account name",
    "company",
    "company name",
    "customer",
    "customer name",
    "organization",
    "organisation",
    "org",
    "client",
    "公司",
    "公司名称",
    "客户",
    "客户名称",
    "单位",
    "单位名称",
    "企业",
    "企业名称",
    "所属客户",
    "所属公司",
    "工作单位",
    "客户单位",
]
_EXTERNAL = [
    "external id",
    "id",
    "record id",
    "crm id",
    "source id",
    "编号",
    "外部编号",
    "外部id",
    "系统编号",
    "记录id",
]
SYNONYMS: dict[str, dict[str, list[str]]] = {
    "accounts": {
        "name": _ACCOUNT + ["名称"],
        "industry": ["industry", "sector", "vertical", "行业", "所属行业", "行业类别"],
        "region": [
            "region",
            "area",
            "territory",
            "province",
            "区域",
            "地区",
            "大区",
            "省份",
            "所在地区",
            "城市",
        ],
        "tier": [
            "tier",
            "grade",
            "rating",
            "class",
            "account tier",
            "客户等级",
            "等级",
            "级别",
            "分级",
            "客户分级",
            "客户级别",
        ],
        "parent": [
            "parent",
            "parent account",
            "parent company",
            "group",
            "上级单位",
            "母公司",
            "上级公司",
            "集团",
            "所属集团",
            "上级客户",
        ],
        "team": ["team", "sales team", "owner team", "团队", "销售团队", "所属团队", "部门"],
        "website": [
            "website",
            "web site",
            "web",
            "url",
            "homepage",
            "site",
            "domain",
            "网站",
            "官网",
            "网址",
            "主页",
            "域名",
        ],
        "address": ["address", "street", "地址", "公司地址", "详细地址", "办公地址"],
        "notes": [
            "notes",
            "note",
            "comments",
            "comment",
            "description",
            "remarks",
            "备注",
            "说明",
            "描述",
            "客户描述",
        ],
        "external_id": _EXTERNAL + ["account id", "customer id", "客户编号", "客户id"],
    },
    "contacts": {
        "account": _ACCOUNT,
        "name": [
            "name",
            "full name",
            "contact",
            "contact name",
            "person",
            "姓名",
            "联系人",
            "名字",
            "联系人姓名",
            "客户姓名",
        ],
        "title": [
            "title",
            "job title",
            "position",
            "job",
            "role title",
            "职务",
            "职位",
            "头衔",
            "岗位",
        ],
        "department": ["department", "dept", "division", "部门", "所在部门", "科室"],
        "level": ["level", "seniority", "层级", "级别", "职级"],
        "reports_to": [
            "reports to",
            "manager",
            "boss",
            "supervisor",
            "line manager",
            "上级",
            "汇报对象",
            "直属上级",
            "领导",
            "直接上级",
            "汇报给",
        ],
        "decision_role": [
            "decision role",
            "buying role",
            "role",
            "决策角色",
            "角色",
            "决策链角色",
            "采购角色",
        ],
        "influence": ["influence", "影响力", "影响程度"],
        "attitude": [
            "attitude",
            "support",
            "stance",
            "sentiment",
            "态度",
            "支持度",
            "支持程度",
            "对我方态度",
        ],
        "email": [
            "email",
            "e-mail",
            "mail",
            "email address",
            "work email",
            "邮箱",
            "电子邮件",
            "电子邮箱",
            "邮件",
            "邮箱地址",
        ],
        "phone": [
            "phone",
            "mobile",
            "tel",
            "telephone",
            "cell",
            "cell phone",
            "phone number",
            "mobile phone",
            "work phone",
            "手机",
            "电话",
            "手机号",
            "联系电话",
            "手机号码",
            "电话号码",
            "移动电话",
            "联系方式",
        ],
        "hometown": [
            "hometown",
            "home town",
            "native place",
            "birthplace",
            "place of origin",
            "籍贯",
            "家乡",
            "老家",
            "出生地",
        ],
        "education": [
            "education",
            "school",
            "university",
            "college",
            "alma mater",
            "教育",
            "学历",
            "毕业院校",
            "学校",
            "教育背景",
            "毕业学校",
        ],
        "interests": ["interests", "hobbies", "hobby", "爱好", "兴趣", "兴趣爱好", "个人爱好"],
        "background": [
            "background",
            "bio",
            "biography",
            "career",
            "背景",
            "履历",
            "经历",
            "个人背景",
            "工作经历",
        ],
        "preferences": [
            "preferences",
            "likes",
            "dos and donts",
            "do and dont",
            "喜好",
            "偏好",
            "禁忌",
            "饮食偏好",
        ],
        "notes": ["notes", "note", "remarks", "comments", "comment", "备注", "说明"],
        "known_by": [
            "known by",
            "relationship owner",
            "our contact",
            "contact owner",
            "account manager email",
            "对接人",
            "我方对接人",
            "关系人",
            "熟悉人",
            "认识的同事",
            "我方联系人",
        ],
        "left_on": [
            "left on",
            "left",
            "left date",
            "departure date",
            "离职日期",
            "离职时间",
            "离开日期",
        ],
        "external_id": _EXTERNAL + ["contact id", "联系人编号", "联系人id"],
    },
    "interactions": {
        "account": _ACCOUNT,
        "occurred_at": [
            "date",
            "time",
            "occurred at",
            "when",
            "date time",
            "datetime",
            "visit date",
            "activity date",
            "日期",
            "时间",
            "拜访日期",
            "接触时间",
            "拜访时间",
            "沟通时间",
            "发生时间",
            "日期时间",
        ],
        "kind": [
            "kind",
            "type",
            "activity type",
            "channel",
            "类型",
            "方式",
            "接触方式",
            "拜访类型",
            "活动类型",
            "沟通方式",
        ],
        "summary": [
            "summary",
            "subject",
            "description",
            "content",
            "details",
            "摘要",
            "内容",
            "主题",
            "拜访内容",
            "沟通内容",
            "纪要",
            "情况",
        ],
        "outcome": ["outcome", "result", "results", "结果", "成果", "拜访结果", "效果"],
        "attendees": [
            "attendees",
            "contacts",
            "customer attendees",
            "their people",
            "客户参与人",
            "对方人员",
            "客户人员",
            "参会人",
            "客户参会人",
            "接待人",
        ],
        "participants": [
            "participants",
            "our people",
            "staff",
            "owner",
            "sales rep",
            "我方人员",
            "我方参与人",
            "拜访人",
            "参与人",
            "我方参会人",
            "销售",
        ],
        "next_step": [
            "next step",
            "next action",
            "follow up",
            "follow-up",
            "下一步",
            "下一步计划",
            "后续行动",
            "后续跟进",
            "待办",
        ],
        "next_step_due": [
            "next step due",
            "due date",
            "follow up date",
            "due",
            "截止日期",
            "下一步日期",
            "到期日",
            "跟进日期",
        ],
        "cost": [
            "cost",
            "expense",
            "expenses",
            "spend",
            "amount",
            "费用",
            "花费",
            "成本",
            "招待费用",
        ],
    },
    "opportunities": {
        "account": _ACCOUNT,
        "name": [
            "name",
            "opportunity",
            "opportunity name",
            "deal",
            "deal name",
            "project",
            "project name",
            "商机",
            "商机名称",
            "项目",
            "项目名称",
            "机会名称",
        ],
        "amount": [
            "amount",
            "value",
            "deal value",
            "deal size",
            "金额",
            "预计金额",
            "合同金额",
            "商机金额",
            "项目金额",
        ],
        "currency": ["currency", "币种", "货币"],
        "expected_close": [
            "expected close",
            "close date",
            "expected close date",
            "expected closing",
            "预计成交日期",
            "预计签约日期",
            "预计签约时间",
            "成交日期",
        ],
        "playbook": ["playbook", "process", "sales process", "pipeline", "流程", "销售流程"],
        "stage": [
            "stage",
            "sales stage",
            "phase",
            "status",
            "阶段",
            "销售阶段",
            "商机阶段",
            "项目阶段",
        ],
        "AR": ["ar", "account responsible", "account manager", "客户经理", "ar邮箱"],
        "SR": ["sr", "solution responsible", "solution manager", "解决方案经理", "sr邮箱"],
        "FR": [
            "fr",
            "fulfilment responsible",
            "fulfillment responsible",
            "delivery manager",
            "交付经理",
            "fr邮箱",
        ],
        "customer_need": ["customer need", "need", "needs", "requirement", "需求", "客户需求"],
        "competitors": ["competitors", "competition", "competitor", "竞争对手", "竞争者", "友商"],
        "external_id": _EXTERNAL + ["opportunity id", "deal id", "商机编号", "项目编号"],
    },
}
_REQUIRED_MARK = re.compile(
    r"[*＊]|\((?:必填|选填|可选|required|optional)\)|（(?:必填|选填|可选)）", re.I
)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
# The columns an error file adds (reading it back, they are not data).
ERROR_COLUMNS = ("error_field", "error_message")


def fold(header: str) -> str:
    """A header as it is compared: width and case folded, marks such as * or (必填) and all
    spaces and punctuation gone ("E-mail *" and "email" agree)."""
    text = unicodedata.normalize("NFKC", header or "").casefold()
    return _NOT_WORD.sub("", _REQUIRED_MARK.sub("", text))


def _lookup(kind: str) -> dict[str, str]:
    """Folded header → field for one kind: the synonyms, the field's own name, its label in
    English and Chinese."""
    from flask_babel import force_locale

    table: dict[str, str] = {}
    for name, words in SYNONYMS[kind].items():
        for word in words:
            table.setdefault(fold(word), name)
    for name, label in FIELDS[kind].items():
        table[fold(name)] = name
        for locale in ("en", "zh_Hans"):
            with force_locale(locale):
                table.setdefault(fold(str(label)), name)
    return table


def known_headers(cells: Iterable[str]) -> int:
    """How many of `cells` name a field of some kind (to find the header row)."""
    words = {fold(w) for kind in SYNONYMS.values() for names in kind.values() for w in names}
    return sum(1 for cell in cells if fold(cell) in words)


def auto_mapping(kind: str, columns: list[str]) -> dict[str, str]:
    """Each column whose header names a field, mapped to it; a field takes the first column
    that names it, so a second "Phone" stays unmapped for the person to decide."""
    table = _lookup(kind)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        name = table.get(fold(column))
        if name and name not in taken and column not in ERROR_COLUMNS:
            mapping[column] = name
            taken.add(name)
    return mapping


def header_key(kind: str, columns: list[str]) -> str:
    """The set of headers, as a short key (an error file's two extra columns left out, so a
    fixed error file finds the mapping of the file it came from)."""
    names = sorted(fold(c) for c in columns if c not in ERROR_COLUMNS)
    return hashlib.sha256("\x1f".join([kind, *names]).encode()).hexdigest()[:32]


def remembered(kind: str, columns: list[str]) -> dict[str, str] | None:
    """The mapping used last time for this set of headers (columns that are gone dropped)."""
    row = db.session.scalar(
        sa.select(ImportMapping).where(
            ImportMapping.kind == kind, ImportMapping.header_key == header_key(kind, columns)
        )
    )
    if row is None:
        return None
    return {c: f for c, f in row.mapping.items() if c in columns and f in FIELDS[kind]}


def remember(kind: str, columns: list[str], mapping: dict[str, str], *, now: datetime) -> None:
    """Keep `mapping` for the next file with these headers (flushes; the entry point commits)."""
    key = header_key(kind, columns)
    row = db.session.scalar(
        sa.select(ImportMapping).where(ImportMapping.kind == kind, ImportMapping.header_key == key)
    )
    if row is None:
        row = ImportMapping(kind=kind, header_key=key)
        db.session.add(row)
    row.mapping, row.updated_at = dict(mapping), now
    db.session.flush()


def suggested(kind: str, columns: list[str]) -> dict[str, str]:
    """The mapping offered for a new file: the remembered one, else one from the headers."""
    found = remembered(kind, columns)
    return found if found else auto_mapping(kind, columns)


def _column_problem(kind: str, columns: list[str], column: Any, name: Any, clean: dict) -> str:
    """Why one (column, field) pair of a mapping cannot be taken; "" when it can or is blank."""
    if not isinstance(column, str) or not isinstance(name, str | None):
        return str(_l("Give the mapping as an object: column → field."))
    if column not in columns:
        return str(_l("The file has no column called %(name)s.", name=column))
    if not name:
        return ""
    if name not in FIELDS[kind]:
        return str(_l("%(field)s is not a field of this import.", field=name))
    if name in clean.values():
        return str(_l("Only one column can be %(field)s.", field=FIELDS[kind][name]))
    return ""


def _missing_required(kind: str, clean: dict[str, str], *, fixed_account: bool) -> list[str]:
    """The required fields no column holds (the account is given when the import fixes it)."""
    return [
        str(_l("Choose the column that holds %(field)s.", field=FIELDS[kind][name]))
        for name in REQUIRED[kind]
        if not (name == "account" and fixed_account) and name not in clean.values()
    ]


def check_mapping(
    kind: ImportKind | str, columns: list[str], mapping: Any, *, fixed_account: bool = False
) -> dict[str, str]:
    """A mapping given by a person or a client: every column it names is in the file, every
    field belongs to the kind, no field twice, and the required fields are there. Blank fields
    mean "not imported". Raises ValidationFailed on `mapping` with every problem."""
    kind = str(kind)
    if not isinstance(mapping, dict):
        raise ValidationFailed(
            fields={"mapping": [str(_l("Give the mapping as an object: column → field."))]}
        )
    problems: list[str] = []
    clean: dict[str, str] = {}
    for column, name in mapping.items():
        problem = _column_problem(kind, columns, column, name, clean)
        if problem:
            problems.append(problem)
        elif name:
            clean[column] = name
    problems += _missing_required(kind, clean, fixed_account=fixed_account)
    if problems:
        raise ValidationFailed(fields={"mapping": list(dict.fromkeys(problems))})
    return clean
