"""Tiering pages: the yearly review of suggested against actual tiers, the director's decision
and the AR's yearly potential (buttons on the account page's tiering panel and on the review)."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from salesflow import clock, scope
from salesflow.errors import Forbidden
from salesflow.forms import press
from salesflow.key_accounts import tiering_pages as pages
from salesflow.key_accounts import tiering_services as services
from salesflow.validation import parse_id

bp = Blueprint("tiering", __name__)


@bp.route("/key-accounts/tiering")
@login_required
def review():
    if not scope.can_review_tiers(current_user):
        raise Forbidden()
    page = parse_id(request.args.get("page")) or 1
    return render_template(
        "key_accounts/tiering_review.html",
        review=pages.review(current_user, clock.now(), page=page),
    )


@bp.post("/accounts/<int:account_id>/tier")
@login_required
def decide(account_id: int):
    account = scope.get_account(current_user, account_id)
    form = pages.DecisionForm()
    return press(
        lambda: services.decide_tier(
            account, form.service_data(), actor=current_user, now=clock.now()
        ),
        back=url_for("accounts.detail", account_id=account.id, _anchor="tiering"),
        done=lambda change: (
            _("Tier %(tier)s kept.", tier=change.to_tier.value)
            if change.to_tier == change.from_tier
            else _("Tier changed to %(tier)s.", tier=change.to_tier.value)
        ),
        form=form,
    )


@bp.post("/accounts/<int:account_id>/potential")
@login_required
def potential(account_id: int):
    account = scope.get_account(current_user, account_id)
    form = pages.PotentialForm()
    return press(
        lambda: services.set_potential(
            account, form.service_data(), actor=current_user, now=clock.now()
        ),
        back=url_for("accounts.detail", account_id=account.id, _anchor="tiering"),
        done=_("Yearly potential saved."),
        form=form,
    )
