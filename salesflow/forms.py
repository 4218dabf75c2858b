"""What every HTML form shares: the date fields held to the app's date range, the one form of a
POST-only button, and what a view does with a service — a form shows why not with its fields
(save_form), a button says why not in a flash and goes back (press). Neither commits: the unit of
work does, once, at the end of the request (salesflow/unit_of_work.py)."""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import wtforms
from flask import flash, redirect, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from werkzeug.wrappers import Response
from wtforms import FieldList, HiddenField
from wtforms.validators import Length

from salesflow import validation
from salesflow.errors import Conflict, Forbidden, GatesUnmet, ValidationFailed
from salesflow.unit_of_work import refuse

T = TypeVar("T")

# The filter of every free-text field: the spaces around what was typed are not kept.
STRIP = [lambda value: value.strip() if isinstance(value, str) else value]


def fits(column: Any) -> Length:
    """The length check of a text field bound for `column`: the column says how long (one place
    for every limit, validation.max_length)."""
    return Length(max=validation.max_length(column))


class DateField(wtforms.DateField):
    """A date input (YYYY-MM-DD), parsed by the app's one date parser: a date out of range is the
    field's message (with the right words), never an overflow further on."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = " ".join(valuelist).strip() if valuelist else ""
        self.data = None
        if raw:
            self.data = validation.parse_day(raw)  # its ValueError is the field's error


class DateTimeLocalField(wtforms.DateTimeLocalField):
    """A date and time input (the browser's local time), held to the app's date range."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and (problem := validation.day_problem(self.data.date())):
            self.data = None
            raise ValueError(str(problem))


def save_form(
    form: FlaskForm, save: Callable[[], T], *, on_top: Iterable[str] = ()
) -> tuple[T | None, int]:
    """Run one service (the unit of work commits it). On refusal, put each message on its field
    (or above the form, for fields the form does not show or hides, lists, and `on_top`) and
    give the status to re-render with (422 or 409: nothing is kept); the user's input stays in
    the form."""
    try:
        result = save()
    except ValidationFailed as error:
        for name, messages in error.fields.items():
            field = getattr(form, name, None)
            hidden = field is not None and field.type == "HiddenField"  # e.g. the version read
            if field is None or isinstance(field, FieldList) or hidden or name in on_top:
                form.form_errors.extend(messages)
            else:
                field.errors = [*field.errors, *messages]
        return None, error.status
    except Conflict as error:
        form.form_errors.append(error.message)
        return None, error.status
    return result, 200


class ButtonForm(FlaskForm):
    """Every POST-only button (delete, restore, done, transfer, mark as read, log out...): the
    CSRF token, where to go back to (`next`, a local path) and the version of the record the
    page showed (for the services that check it)."""

    next = HiddenField()
    version = HiddenField()


# What a button may be refused with: said in a flash, never an error page. NotFound is not here:
# a record outside the user's scope stays a 404 that does not tell it exists.
REFUSALS = (ValidationFailed, GatesUnmet, Conflict, Forbidden)


def local_path(target: str | None) -> str | None:
    """`target` when it is a path on this site (never another site, never `//host`)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


def refusal_message(error: Exception) -> Markup:
    """Why a button was refused, in words: each unmet exit criterion, each field's message, or
    the error's message."""
    if isinstance(error, GatesUnmet):
        items = Markup("").join(Markup("<li>{}</li>").format(u["message"]) for u in error.unmet)
        return Markup("{}<ul class='mb-0'>{}</ul>").format(
            _("Not yet: these exit criteria are unmet."), items
        )
    fields = getattr(error, "fields", None) or {}
    return escape(
        " ".join(m for ms in fields.values() for m in ms) or getattr(error, "message", "")
    )


def press(
    change: Callable[[], T],
    *,
    back: str,
    done: str | Callable[[T], str] | None = None,
    form: FlaskForm | None = None,
    refused_back: str | None = None,
) -> Response:
    """A POST-only button: check its form (CSRF), run one service, say what happened and go back
    (303) to the form's `next` when it is local, else to `back`. A refusal (REFUSALS, or a form
    that does not validate) is rolled back and said in a flash on the way back (to
    `refused_back` when given: the page that shows what to do about it)."""
    form = form or ButtonForm()
    target = local_path(request.form.get("next")) or back
    if not form.validate_on_submit():
        refuse()
        messages = [str(m) for ms in form.errors.values() for m in ms]
        flash(" ".join(messages) or _("The form has expired; try again."), "danger")
        return redirect(refused_back or target, 303)
    try:
        result = change()
    except REFUSALS as error:
        refuse()
        flash(refusal_message(error), "danger")
        return redirect(refused_back or target, 303)
    if done is not None:
        flash(done(result) if callable(done) else done, "success")
    return redirect(target, 303)
