"""The notification page's POST-only buttons: a form for the CSRF token only."""

from flask_wtf import FlaskForm


class ButtonForm(FlaskForm):
    """Open, mark as read, mark all as read."""
