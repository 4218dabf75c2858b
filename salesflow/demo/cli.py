import click
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo and large data sets.")


@demo_cli.command("load")
@click.option("--accounts", default=60, show_default=True)
def load(accounts: int) -> None:
    """Load demo data (placeholder until the generator lands)."""
    raise click.ClickException("not yet")
