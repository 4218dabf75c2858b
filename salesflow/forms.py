"""What every HTML form view does with a service: call it, commit once, or show why not."""

from collections.abc import Callable, Iterable
from typing import TypeVar

from flask_wtf import FlaskForm
from wtforms import FieldList

from salesflow.errors import Conflict, ValidationFailed
from salesflow.extensions import db

T = TypeVar("T")


def save_form(
    form: FlaskForm, save: Callable[[], T], *, on_top: Iterable[str] = ()
) -> tuple[T | None, int]:
    """Run one service and commit (STYLE.md rule 5). On refusal, put each message on its field
    (or above the form, for fields the form does not show, lists, and `on_top`) and give the
    status to re-render with; the user's input stays in the form."""
    try:
        result = save()
    except ValidationFailed as error:
        for name, messages in error.fields.items():
            field = getattr(form, name, None)
            if field is None or isinstance(field, FieldList) or name in on_top:
                form.form_errors.extend(messages)
            else:
                field.errors = [*field.errors, *messages]
        return None, error.status
    except Conflict as error:
        form.form_errors.append(error.message)
        return None, error.status
    db.session.commit()
    return result, 200
