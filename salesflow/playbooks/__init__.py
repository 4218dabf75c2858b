"""Playbooks: the company's way of working a deal, as data files (PLAYBOOKS.md).

`load_playbooks(folder)` and `load_file(path)` read and validate files; the objects of `schema`
are what the rest of the app uses. Nothing here touches the database.
"""

from pathlib import Path

from flask import Flask

from salesflow.extensions import db
from salesflow.playbooks.loader import default_folder, load_file, load_playbooks
from salesflow.playbooks.reader import _
from salesflow.playbooks.schema import ChecklistItem, Playbook, Stage, text

__all__ = [
    "ChecklistItem",
    "Playbook",
    "Stage",
    "check_playbooks_or_die",
    "load_file",
    "load_playbooks",
    "playbooks_folder",
    "text",
]


def playbooks_folder(app: Flask) -> Path:
    """`PLAYBOOKS_FOLDER` from the config, else the repository's top-level `playbooks/`."""
    configured = app.config.get("PLAYBOOKS_FOLDER")
    return Path(configured) if configured else default_folder(app.root_path)


def check_playbooks_or_die(app: Flask) -> list[Playbook]:
    """The app's playbooks; with any problem, log each and exit, naming file and line.

    PLAYBOOKS.md: "The app refuses to start with an invalid playbook and says why" — an invalid
    file, or a version stored before with other content. Meant for the WSGI entry point, never
    for create_app, which only wires; it only reads the database. Raises SystemExit (status 1)
    whose message lists every problem.
    """
    from salesflow.playbooks import registry

    playbooks, problems = load_playbooks(playbooks_folder(app))
    if not problems:
        with app.app_context():
            problems = registry.clashes(app)
            db.session.remove()
    if not problems:
        return playbooks
    for problem in problems:
        app.logger.critical("invalid playbook: %s", problem)
    raise SystemExit(_("Invalid playbooks; the app will not start:") + "\n" + "\n".join(problems))
