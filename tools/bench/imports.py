"""The import case of the benchmark (`make bench`): a dry run and a commit of 100,000 contacts
whose accounts are given by name — the issue's speed target is 20 s for each, on SQLite and on
PostgreSQL — and the undo that puts the database back as it was (timed too, not a target).

The file is what a company's sheet looks like: every contact on an account of the data set by
its name (with a legal form, as people write it), a title, an e-mail and a mobile, and one in
five the boss of the four after it (named by name), so the decision chain is built in two levels.
"""

import csv
import io
import time
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask

from salesflow import clock
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.imports import runner, services
from salesflow.imports.undo import undo_import
from salesflow.matching import company_key

ADMIN = "admin@example.com"
ROWS = 100_000
TITLES = ("总经理", "技术总监", "采购经理", "工程师", "财务经理")


@dataclass
class Timing:
    what: str
    seconds: float
    note: str = ""


def contacts_file(names: list[str], rows: int = ROWS) -> bytes:
    """The sheet as Chinese Excel saves it (GBK), `rows` contacts spread over the accounts."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["客户名称", "姓名", "职务", "邮箱", "手机", "上级"])
    for i in range(rows):
        account = names[(i // 5) % len(names)]
        boss = "" if i % 5 == 0 else f"导入{i - i % 5:06d}"
        phone = f"13{i % 10}{i:08d}"[:11]
        writer.writerow(
            [account, f"导入{i:06d}", TITLES[i % 5], f"bench.import.{i}@example.com", phone, boss]
        )
    return buffer.getvalue().encode("gb18030")


def _names() -> list[str]:
    """The accounts' names as a company's sheet writes them: only names that identify one account
    (the data set has "X Corporation" and "X Co., Ltd."; a sheet naming those is asked for the
    website), with the Chinese legal form added where the name has none."""
    names = list(
        db.session.scalars(
            sa.select(Account.name).where(Account.deleted_at.is_(None)).order_by(Account.id)
        )
    )
    keys = Counter(company_key(name) for name in names)
    return [
        name if company_key(name + "有限公司") != company_key(name) else name + "有限公司"
        for name in names
        if keys[company_key(name)] == 1
    ]


def run(app: Flask, rows: int = ROWS, email: str = ADMIN) -> list[Timing]:
    """Time the dry run, the commit and the undo of the file, as the admin (every account)."""
    timings: list[Timing] = []
    with app.test_request_context(method="POST"):
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            return [Timing("imports", 0.0, f"skipped: no user {email}")]
        data = contacts_file(_names(), rows)
        db.session.commit()
        started = time.perf_counter()
        imp = services.start_import(
            data, "bench.csv", {"kind": "contacts"}, actor=user, now=clock.now()
        )
        db.session.commit()
        timings.append(
            Timing(
                f"import dry run, {rows:,} contacts",
                time.perf_counter() - started,
                _counts(imp.counts),
            )
        )
        started = time.perf_counter()
        services.claim_commit(imp, actor=user, now=clock.now())
        db.session.commit()
        services.commit_import(
            imp, actor=user, now=clock.now(), checkpoint=runner.checkpoint(imp.id)
        )
        db.session.commit()
        timings.append(
            Timing(
                f"import commit, {rows:,} contacts",
                time.perf_counter() - started,
                _counts(imp.counts),
            )
        )
        started = time.perf_counter()
        counts = undo_import(imp, actor=user, now=clock.now(), checkpoint=runner.checkpoint(imp.id))
        db.session.commit()
        timings.append(
            Timing(
                f"import undo, {rows:,} contacts",
                time.perf_counter() - started,
                ", ".join(f"{k} {v:,}" for k, v in counts.items()),
            )
        )
        db.session.remove()
    return timings


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in counts.items() if v)


def report(timings: list[Timing]) -> str:
    lines = ["", "| import | seconds | target | note |", "| --- | ---: | ---: | --- |"]
    for t in timings:
        target = "–" if "undo" in t.what else "20"
        lines.append(f"| {t.what} | {t.seconds:.1f} | {target} | {t.note} |")
    return "\n".join(lines) + "\n"
