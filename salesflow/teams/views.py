"""Admin pages: users and teams. Admins only (scope.can_manage_users); everyone else gets 403."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from salesflow import clock, scope
from salesflow.auth import services as user_services
from salesflow.auth.models import User
from salesflow.errors import Forbidden
from salesflow.extensions import login_manager
from salesflow.forms import save_form
from salesflow.teams import departure, queries
from salesflow.teams import services as team_services
from salesflow.teams.forms import TeamForm, UserForm
from salesflow.teams.models import Team
from salesflow.validation import parse_id

bp = Blueprint("teams", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only():
    """Every page here is for admins: log in first, then 403 for anyone else."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not scope.can_manage_users(current_user):
        raise Forbidden()
    return None


@bp.route("/users")
def users():
    team_id = parse_id(request.args.get("team"))
    after_id, after_name = parse_id(request.args.get("after")), request.args.get("after_name")
    after = (after_name, after_id) if after_id is not None and after_name is not None else None
    rows, more = queries.list_users(team_id=team_id, after=after)
    next_url = None
    if more:
        last = rows[-1]
        next_url = url_for("teams.users", team=team_id, after=last.id, after_name=last.name)
    return render_template(
        "teams/users.html",
        users=rows,
        teams=queries.all_teams(),
        team_id=team_id,
        next_url=next_url,
    )


def _user_page(form: UserForm, user: User | None, status: int = 200):
    return render_template("teams/user_form.html", form=form, user=user), status


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    form.set_team_choices(queries.all_teams())
    if not form.validate_on_submit():
        return _user_page(form, None, 422 if form.is_submitted() else 200)
    data = form.service_data(creating=True)
    user, status = save_form(
        form, lambda: user_services.create_user(data, actor=current_user, now=clock.now())
    )
    if user is None:
        return _user_page(form, None, status)
    flash(_("User %(email)s created.", email=user.email), "success")
    return redirect(url_for("teams.users"))


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = queries.get(User, user_id)
    form = UserForm(obj=user)
    form.set_team_choices(queries.all_teams())
    if not form.validate_on_submit():
        return _user_page(form, user, 422 if form.is_submitted() else 200)
    data = form.service_data(creating=False)
    was_active, now = user.active, clock.now()
    saved, status = save_form(
        form, lambda: user_services.update_user(user, data, actor=current_user, now=now)
    )
    if saved is None:
        return _user_page(form, user, status)
    if user.id == current_user.id:
        login_user(user)  # a new password of your own ends your other sessions, not this one
    if was_active and not user.active:
        done = departure.departure(user, actor=current_user, now=now)
        flash(departure.message(done), "success")
    else:
        flash(_("User %(email)s saved.", email=user.email), "success")
    return redirect(url_for("teams.users"))


@bp.route("/teams")
def teams():
    return render_template("teams/teams.html", teams=queries.teams_with_sizes())


def _team_form(team: Team | None) -> TeamForm:
    form = TeamForm(obj=team)
    candidates = queries.director_candidates()
    # A director who has since been deactivated stays selectable, so saving unchanged works.
    if team is not None and team.director is not None and team.director not in candidates:
        candidates.append(team.director)
    form.set_director_choices(candidates)
    return form


def _team_page(form: TeamForm, team: Team | None, status: int = 200):
    return render_template("teams/team_form.html", form=form, team=team), status


@bp.route("/teams/new", methods=["GET", "POST"])
def new_team():
    form = _team_form(None)
    if not form.validate_on_submit():
        return _team_page(form, None, 422 if form.is_submitted() else 200)
    data = form.service_data()
    team, status = save_form(
        form, lambda: team_services.create_team(data, actor=current_user, now=clock.now())
    )
    if team is None:
        return _team_page(form, None, status)
    flash(_("Team %(name)s created.", name=team.name), "success")
    return redirect(url_for("teams.teams"))


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
def edit_team(team_id: int):
    team = queries.get(Team, team_id)
    form = _team_form(team)
    if not form.validate_on_submit():
        return _team_page(form, team, 422 if form.is_submitted() else 200)
    data = form.service_data()
    saved, status = save_form(
        form, lambda: team_services.update_team(team, data, actor=current_user, now=clock.now())
    )
    if saved is None:
        return _team_page(form, team, status)
    flash(_("Team %(name)s saved.", name=team.name), "success")
    return redirect(url_for("teams.teams"))
