"""Forms for the admin pages (users and teams): shape only; the rules live in the services."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from salesflow.auth.forms import PASSWORD_HINT
from salesflow.auth.models import Role, User
from salesflow.forms import STRIP, fits
from salesflow.labels import choices
from salesflow.teams.models import Team
from salesflow.validation import coerce_id


class UserForm(FlaskForm):
    """Create or change a user. The password is required when creating (the service says so)
    and optional when editing: blank keeps the current one."""

    name = StringField(_l("Name"), validators=[DataRequired(), fits(User.name)], filters=STRIP)
    email = EmailField(
        _l("E-mail"), validators=[DataRequired(), Email(), fits(User.email)], filters=STRIP
    )
    role = SelectField(_l("Role"), choices=choices(Role), default=Role.rep.value)
    team_id = SelectField(_l("Team"), coerce=coerce_id)
    active = BooleanField(_l("Active (may log in)"), default=True)
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(max=200)],
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password"},
    )
    # The person's background for the visit briefing (on edit; the rules are auth.services').
    hometown = StringField(_l("Hometown"))
    education = StringField(_l("Schools"))

    def set_team_choices(self, teams: list[Team]) -> None:
        self.team_id.choices = [SelectChoice("", _l("No team"))] + [
            SelectChoice(team.id, team.name) for team in teams
        ]

    def service_data(self, *, creating: bool) -> dict[str, Any]:
        """The fields as auth.services expects them; a blank password on edit is left out."""
        data = {
            "name": self.name.data,
            "email": self.email.data,
            "role": Role(self.role.data),
            "team_id": self.team_id.data,
            "active": bool(self.active.data),
        }
        if creating or self.password.data:
            data["password"] = self.password.data or ""
        if not creating:
            data.update(hometown=self.hometown.data, education=self.education.data)
        return data


class TeamForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), fits(Team.name)], filters=STRIP)
    director_id = SelectField(_l("Director"), coerce=coerce_id)

    def set_director_choices(self, candidates: list[User]) -> None:
        self.director_id.choices = [SelectChoice("", _l("No director yet"))] + [
            SelectChoice(user.id, f"{user.name} · {user.email}") for user in candidates
        ]

    def service_data(self) -> dict[str, Any]:
        return {"name": self.name.data, "director_id": self.director_id.data}
