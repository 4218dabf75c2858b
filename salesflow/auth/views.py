from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from salesflow import clock
from salesflow.auth import services
from salesflow.auth.forms import EmptyForm, LanguageForm, LoginForm
from salesflow.auth.models import User
from salesflow.extensions import db

bp = Blueprint("auth", __name__)


def load_user(user_id: str) -> User | None:
    """Sessions name the user and their session generation; a raised generation ends them."""
    try:
        uid, generation = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or not user.active or user.session_generation != generation:
        return None
    return user


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("interactions.my_day")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("interactions.my_day"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.email.data, form.password.data, ip=request.remote_addr or "", now=clock.now()
            )
        except (services.BadCredentials, services.TooManyAttempts) as error:
            db.session.commit()  # keep the failed attempt: it is what throttles the next one
            form.password.errors.append(error.message)
            return render_template("auth/login.html", form=form), error.status
        db.session.commit()
        session.clear()
        login_user(user)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, language_form=LanguageForm())


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        services.end_sessions(current_user)
        db.session.commit()
        logout_user()
        session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language():
    """Switch the UI language; a logged-in user keeps it as their setting."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            services.update_user(
                current_user, {"locale": form.locale.data}, actor=current_user, now=clock.now()
            )
            db.session.commit()
        flash(_("Language changed."), "success")
    return redirect(_safe_next(request.form.get("next")))
