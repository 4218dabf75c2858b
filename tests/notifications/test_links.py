"""Links in what is read later come from the routes: a job without a request builds the same path
a request would, under the path the app is mounted at (PUBLIC_URL), and e-mails carry the whole
address; a page the app does not have cannot be linked."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.routing import BuildError

from salesflow import links
from salesflow.extensions import db
from salesflow.notifications.models import Notification
from salesflow.scheduler import runner
from tests import factories as f


def test_a_path_outside_a_request_is_the_one_url_for_builds_under_the_public_url(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://crm.example.com/sales/")
    assert links.path("opportunities.detail", opportunity_id=7) == "/sales/opportunities/7"
    assert links.path("opportunities.board", team_id=3) == "/sales/pipeline?team_id=3"
    assert (
        links.absolute("/sales/opportunities/7") == "https://crm.example.com/sales/opportunities/7"
    )
    with app.test_request_context("/", base_url="http://localhost/sales"):
        assert links.path("opportunities.detail", opportunity_id=7) == "/sales/opportunities/7"
    with pytest.raises(BuildError):
        links.path("opportunities.nowhere", opportunity_id=7)


def test_a_jobs_notification_links_to_the_page_under_the_mount_path(app, monkeypatch, world, now):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://crm.example.com/sales")
    monkeypatch.setattr(links, "has_request_context", lambda: False)  # as the scheduler runs it
    f.make_interaction(
        owner=world.rep_a,
        account=world.account_a,
        next_step="Send the quote",
        next_step_due=(now - timedelta(days=3)).date(),
    )
    assert runner.run("overdue_next_steps", now=now).status == "done"
    mine = sa.select(Notification.link).where(Notification.user_id == world.rep_a.id)
    assert db.session.scalar(mine) == "/sales/"  # My day, where the overdue steps are
