"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`.

The app refuses to start with an invalid playbook, or a playbook version whose content changed
since it was loaded (PLAYBOOKS.md), and says why.
"""

from salesflow import create_app
from salesflow.playbooks import check_playbooks_or_die

app = create_app()
check_playbooks_or_die(app)
