"""`flask demo load`: bilingual demo data for a first look, or the large set for benchmarks."""

import unicodedata
from datetime import datetime, timedelta

import click
from flask.cli import AppGroup

from salesflow import clock
from salesflow.demo import loader
from salesflow.demo.people import DemoLogin
from salesflow.dependency import snapshots as dependency_snapshots
from salesflow.extensions import db
from salesflow.labels import label
from salesflow.pipeline import aggregate
from salesflow.pipeline import snapshots as pipeline_snapshots

demo_cli = AppGroup("demo", help="Demo and large data sets.")


@demo_cli.command("load")
@click.option(
    "--accounts",
    default=60,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Number of accounts; 10000 makes the large set (~100,000 opportunities, "
    "~1,000,000 interactions).",
)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@click.option("--seed", default=loader.DEFAULT_SEED, show_default=True, type=int)
def load(accounts: int, if_empty: bool, seed: int) -> None:
    """Load demo data into an empty database and print the demo logins."""
    exists = loader.has_users()
    db.session.remove()  # the bulk load writes on its own connections
    if exists:
        if if_empty:
            click.echo("The database already has users; no demo data loaded.")
            return
        raise click.ClickException(
            "The database already has users. Demo data goes into an empty database."
        )
    click.echo(f"Loading demo data: {accounts} accounts ...")
    now = clock.now()
    result = loader.load(accounts, now=now, seed=seed, progress=click.echo)
    counts = ", ".join(f"{n:,} {name}" for name, n in result.counts.items())
    click.echo(f"Loaded {counts} in {result.seconds:.1f} s.")
    take_snapshots(now, weeks=TREND_WEEKS if accounts <= 1000 else 0)
    click.echo(login_table(result.logins))


TREND_WEEKS = 12


def take_snapshots(now: datetime, *, weeks: int) -> None:
    """Today's snapshots and the review's daily moves, as the scheduler takes them daily; for a
    small demo also one a week back `weeks` weeks, so the dependency trend has a history to show
    on day one."""
    for weeks_ago in range(weeks, -1, -1):
        dependency_snapshots.take(now=now - timedelta(weeks=weeks_ago))
    pipeline_snapshots.take(now=now)
    aggregate.rebuild(now=now)
    db.session.commit()


def login_table(logins: list[DemoLogin]) -> str:
    """The demo logins as a Markdown table (every rep of a role shares its password)."""
    rows = [(x.email, x.password, label(x.role), x.team or "-", x.name) for x in logins]
    header = ("e-mail", "password", "role", "team", "name")
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells) -> str:
        padded = (c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True))
        return "| " + " | ".join(padded) + " |"

    out = ["", "Demo logins:", line(header), line("-" * w for w in widths)]
    out += [line(row) for row in rows]
    out.append("Other reps: ar|sr|fr.<region>.<n>@example.com, password demo-rep-1.")
    return "\n".join(out)


def _width(text: str) -> int:
    """Columns a string takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
