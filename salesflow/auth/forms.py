from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length

from salesflow.auth.services import MIN_PASSWORD_LENGTH

# Shown under every field that sets a password (the rule itself is services.password_problems).
PASSWORD_HINT = _l("At least %(n)d characters, and not a common password.", n=MIN_PASSWORD_LENGTH)


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[lambda value: value.strip() if value else value],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PasswordChangeForm(FlaskForm):
    """Your own new password, proven by the current one; the policy is auth.services'."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), Length(max=200)],  # spaces only: the policy's own message
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            InputRequired(),
            EqualTo("password", message=_l("The two new passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class LanguageForm(FlaskForm):
    locale = SelectField(
        _l("Language"), choices=[SelectChoice("en", "English"), SelectChoice("zh", "简体中文")]
    )


class ProfileForm(FlaskForm):
    """Your own hometown and schools: the visit briefing suggests you as the host of a customer
    who shares them. The length and text rules are auth.services'."""

    hometown = StringField(
        _l("Hometown"), description=_l("As you would say it, e.g. 湖南长沙 or Changsha, Hunan.")
    )
    education = StringField(
        _l("Schools"), description=_l("Each school you went to, separated by commas.")
    )
