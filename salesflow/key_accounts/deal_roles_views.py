"""The deal page's buying roles: one button adds, changes or removes a contact's role in a deal."""

from flask import Blueprint, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from salesflow import clock, scope
from salesflow.forms import press
from salesflow.key_accounts import deal_roles
from salesflow.key_accounts.deal_roles_pages import DealContactForm

bp = Blueprint("deal_roles", __name__)


@bp.post("/opportunities/<int:opportunity_id>/contacts")
@login_required
def change(opportunity_id: int):
    opportunity = scope.get_opportunity(current_user, opportunity_id)
    form = DealContactForm()
    return press(
        lambda: deal_roles.change_deal_contact(
            opportunity, form.service_data(), actor=current_user, now=clock.now()
        ),
        back=url_for("opportunities.detail", opportunity_id=opportunity.id, _anchor="buying-roles"),
        done=_("Buying roles saved."),
        form=form,
    )
