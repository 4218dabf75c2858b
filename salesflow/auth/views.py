from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from salesflow import clock
from salesflow.auth import devices, queries, services
from salesflow.auth.forms import LanguageForm, LoginForm, PasswordChangeForm, ProfileForm
from salesflow.auth.login import check_credentials
from salesflow.auth.models import ApiToken, User
from salesflow.forms import ButtonForm, press, save_form

bp = Blueprint("auth", __name__)


@bp.after_app_request
def _whole_page_for_htmx(response: Response) -> Response:
    """A part of a page asked for in place (htmx) is never answered with another page swapped
    into it: a redirect (the session ended: the login page) becomes htmx's HX-Redirect, and a
    form too old to accept (its CSRF token expired with the session) reloads the page."""
    if not request.headers.get("HX-Request"):
        return response
    if 300 <= response.status_code < 400 and response.location:
        whole = Response(status=204)
        whole.headers["HX-Redirect"] = response.location
        for cookie in response.headers.getlist("Set-Cookie"):
            whole.headers.add("Set-Cookie", cookie)
        return whole
    if response.status_code in (400, 401):
        response.headers["HX-Refresh"] = "true"
    return response


def load_user(user_id: str) -> User | None:
    """Sessions name the user and their session generation; a raised generation ends them."""
    try:
        uid, generation = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    return queries.session_user(uid, generation)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("interactions.my_day")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("interactions.my_day"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    now, device_cookie = clock.now(), request.cookies.get(devices.COOKIE)
    try:
        user = check_credentials(
            form.email.data,
            form.password.data,
            address=request.remote_addr or "",
            device_cookie=device_cookie,
            now=now,
        )
    except (services.BadCredentials, services.TooManyAttempts) as error:
        form.password.errors.append(error.message)
        return render_template("auth/login.html", form=form), error.status, error.headers
    session.clear()
    login_user(user)
    response = redirect(_safe_next(request.args.get("next")))
    devices.remember(response, device_cookie, user.email, now)  # this browser is trusted now
    return response


@bp.post("/logout")
@login_required
def logout():
    def end() -> None:
        services.end_sessions(current_user)
        logout_user()
        session.clear()

    return press(end, back=url_for("auth.login"))


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
        flash(_("Language changed."), "success")
    return redirect(_safe_next(request.form.get("next")))


def _account_page(
    password_form: PasswordChangeForm,
    status: int = 200,
    headers=None,
    calendar_url=None,
    profile_form: ProfileForm | None = None,
):
    """Your account: your password, your API tokens (the newest 50) and your calendar address
    (`calendar_url` right after a new one was made: the only time it is shown)."""
    from salesflow.calendar.views import account_section

    tokens = queries.newest_tokens(current_user)
    page = render_template(
        "auth/account.html",
        password_form=password_form,
        profile_form=profile_form or ProfileForm(obj=current_user),
        tokens=[_token_row(token, clock.now()) for token in tokens],
        revoke_form=ButtonForm(),
        calendar=account_section(current_user, calendar_url),
    )
    return page, status, headers or {}


def _token_row(token: ApiToken, now) -> dict:
    live = token.revoked_at is None and token.expires_at > now
    state = _("Active") if live else _("Revoked") if token.revoked_at else _("Expired")
    return {
        "id": token.id,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "live": live,
        "state": state,
    }


@bp.get("/me")
@login_required
def account():
    return _account_page(PasswordChangeForm())


@bp.post("/me/password")
@login_required
def change_password():
    """Change your own password, proving the current one (throttled like a login). Every other
    session and every API token of yours ends; this browser stays logged in."""
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return _account_page(form, 422)
    user, now = current_user._get_current_object(), clock.now()
    try:
        check_credentials(
            user.email,
            form.current_password.data,
            address=request.remote_addr or "",
            device_cookie=request.cookies.get(devices.COOKIE),
            now=now,
        )
    except services.BadCredentials:
        form.current_password.errors.append(_("This is not your current password."))
        return _account_page(form, 422)
    except services.TooManyAttempts as error:
        form.current_password.errors.append(error.message)
        return _account_page(form, error.status, error.headers)
    data = {"password": form.password.data}
    saved, status = save_form(form, lambda: services.update_user(user, data, actor=user, now=now))
    if saved is None:
        return _account_page(form, status)
    login_user(user)  # the session generation was raised: this browser carries the new one
    flash(_("Password changed. You were logged out everywhere else."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/me/profile")
@login_required
def update_profile():
    """Your own hometown and schools (matched by the visit briefing)."""
    form = ProfileForm()
    if not form.validate_on_submit():
        return _account_page(PasswordChangeForm(), 422, profile_form=form)
    user, now = current_user._get_current_object(), clock.now()
    data = {"hometown": form.hometown.data, "education": form.education.data}
    saved, status = save_form(form, lambda: services.update_user(user, data, actor=user, now=now))
    if saved is None:
        return _account_page(PasswordChangeForm(), status, profile_form=form)
    flash(_("Profile saved."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/me/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    user = current_user._get_current_object()
    return press(
        lambda: services.revoke_token(
            services.get_own_token(user, token_id), actor=user, now=clock.now()
        ),
        back=url_for("auth.account"),
        done=_("API token revoked."),
    )
