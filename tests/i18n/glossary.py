"""The product's vocabulary in Chinese: one term per concept (tests/i18n/test_glossary.py).

Each entry: the English term as it appears in a message (a pattern, matched without the
message's placeholders), the one Chinese term every translation of such a message uses, the
variants no translation may use, and the messages where the English word means something else.
When translating a new message, use the term listed here."""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    english: str  # a regular expression, case-insensitive
    chinese: str
    banned: tuple[str, ...] = ()  # other translations of the concept, never used
    unless: str | None = None  # messages where the English word is another concept

    def other_sense(self, msgid: str) -> bool:
        return bool(self.unless and re.search(self.unless, msgid, re.I))

    def names(self, msgid: str) -> bool:
        return not self.other_sense(msgid) and re.search(self.english, msgid, re.I) is not None


GLOSSARY: dict[str, Term] = {
    # the reader is addressed as 您, never 你 (the pronoun itself may be left out)
    "you": Term(r"\byou", "", banned=("你",)),
    # the deals in flight, on the board and the review; 漏斗 is the funnel chart's only
    "pipeline": Term(r"\bpipeline", "销售管道", banned=("销售漏斗", "管线")),
    "funnel": Term(r"\bfunnel", "漏斗"),
    # a director letting a deal pass unmet exit criteria, with a reason
    "override": Term(r"\boverrid", "特批", banned=("越过", "强制推进", "强行")),
    # how many people an account could not lose (dependency pages); explained where shown
    "bus factor": Term(r"\bbus factor", "关键人依赖度", banned=("巴士",)),
    "rep dependency": Term(r"\brep dependency", "人员依赖度"),
    "playbook": Term(r"\bplaybook", "作战手册", banned=("剧本", "打法")),
    "exit criteria": Term(r"\bgates?\b|\bexit criteri", "出口条件", banned=("关卡", "门槛")),
    "approve": Term(r"\bapprov", "批准", banned=("审批",)),
    "reject": Term(r"\breject", "驳回", banned=("否决",)),
    "won": Term(r"\bwon\b", "赢单"),
    "lost": Term(r"\blost\b", "丢单", banned=("输单",)),
    # a SWOT's opportunities (an account plan's) are 机会, not deals
    "opportunity": Term(
        r"\bopportunit|\bdeals?\b", "商机", banned=("交易",), unless=r"relationship opportunities"
    ),
    "open deal": Term(
        r"\bopen (deals?|opportunit)", "在途商机", banned=("进行中的商机", "进行中商机")
    ),
    "account": Term(r"\baccounts?\b", "客户", banned=("账户", "帐户"), unless=r"your account\b"),
    "contact log": Term(
        r"\bcontact logs?\b|\binteractions?\b|\bcontact history", "接触记录", banned=("互动",)
    ),
    "handover": Term(r"\bhandovers?\b", "交接"),
    "checklist": Term(r"\bchecklist", "检查项", banned=("清单",)),
    "decision point": Term(r"\bdecision points?\b", "决策点"),
    "iron triangle": Term(r"\biron triangle", "铁三角"),
    "decision maker": Term(r"\bdecision.makers?\b", "决策者", banned=("决策人",)),
    "key contact": Term(r"\bkey contacts?\b", "关键联系人"),
    "next step": Term(r"\bnext steps?\b", "下一步"),
    "director": Term(r"\bdirectors?\b", "总监"),
    "rep": Term(r"\breps?\b", "销售代表", unless=r"\brep dependency"),
    "weighted": Term(r"\bweighted\b", "加权"),
    "overdue": Term(r"\boverdue\b", "逾期"),  # 过期 is something else: a token that expired
    "effective holders": Term(r"\beffective holders?\b", "有效关系人"),
    "multi-threaded": Term(r"\bmulti-threaded", "多线覆盖"),
    "successor": Term(r"\bsuccessors?\b", "接任"),
    "stage": Term(r"\bstages?\b", "阶段"),
    # how long a deal may stay in its stage; past it, the deal is "over the time limit"
    "time limit": Term(r"\blimit\b", "时限"),
    # the departing person and the successor meeting a key contact together (a handover)
    "joint contact": Term(r"\bjoint contacts?\b", "联合拜访"),
    # a tie is live while one of ours met the person recently (its strength fades with age)
    "live tie": Term(r"\blive ties?\b", "有效关系", banned=("活跃关系",)),
    # what one of our people asks of another (内部客户 requests) and the time it leaves them
    "request": Term(r"\brequests?\b", "请求"),
    "lead time": Term(r"\blead time", "提前量"),
    "rush": Term(r"\brush(es)?\b", "加急"),
    "working day": Term(r"\bworking days?\b", "工作日"),
    # key accounts: what the customer expects, how satisfied it is, the relationship budget
    "expectation": Term(r"\bexpectations?\b", "期望"),
    "satisfaction": Term(r"\bsatisfaction\b", "满意度"),
    "budget": Term(r"\bbudgets?\b", "预算"),
    "spend": Term(r"\bspen[dt]\b", "支出"),
}

PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sdf]|\{\w*\}")


def plain(msgid: str) -> str:
    """A message without its placeholders (`%(stage)s` names no stage)."""
    return PLACEHOLDER.sub(" ", msgid)
