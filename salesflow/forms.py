"""What every HTML form shares: the date fields held to the app's date range, and what a form view
does with a service (call it, commit once, or show why not)."""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import wtforms
from flask_wtf import FlaskForm
from wtforms import FieldList
from wtforms.validators import Length

from salesflow import validation
from salesflow.errors import Conflict, ValidationFailed
from salesflow.extensions import db

T = TypeVar("T")


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
    """Run one service and commit (STYLE.md rule 5). On refusal, put each message on its field
    (or above the form, for fields the form does not show or hides, lists, and `on_top`) and
    give the status to re-render with; the user's input stays in the form."""
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
    db.session.commit()
    return result, 200
