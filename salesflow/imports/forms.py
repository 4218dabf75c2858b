"""Forms of the import pages: shape only; the rules live in imports.services."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Optional

from salesflow.forms import fits
from salesflow.imports.mapping import FIELDS
from salesflow.imports.models import Import
from salesflow.validation import parse_id

KIND_LABELS = {
    "accounts": _l("Accounts"),
    "contacts": _l("Contacts"),
    "interactions": _l("Contact history (interactions)"),
    "opportunities": _l("Opportunities"),
}
MODE_LABELS = {
    "fill": _l("Fill blank fields of records already in salesflow"),
    "overwrite": _l("Overwrite records already in salesflow with the file's values"),
    "create": _l("Only add new records; leave existing ones alone"),
}
OUTCOME_LABELS = {
    "create": _l("New"),
    "update": _l("Changed"),
    "unchanged": _l("Unchanged"),
    "skip": _l("Skipped"),
    "error": _l("Errors"),
}
STATUS_LABELS = {
    "previewed": _l("Dry run"),
    "running": _l("Running"),
    "committed": _l("Imported"),
    "undone": _l("Undone"),
    "failed": _l("Stopped"),
}
UNDO_LABELS = {
    "reversed": _l("Reversed"),
    "kept": _l("Kept (changed since)"),
    "failed": _l("Could not be reversed"),
}
HEADER_ROWS = [SelectChoice("", _l("Find it"))] + [
    SelectChoice(str(n), str(n)) for n in range(1, 11)
]


def _choices(labels: dict[str, Any]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class UploadForm(FlaskForm):
    file = FileField(
        _l("File (CSV, Excel .xlsx or vCard .vcf)"), validators=[FileRequired(_l("Choose a file."))]
    )
    kind = SelectField(
        _l("What the rows are"), choices=_choices(KIND_LABELS), validators=[DataRequired()]
    )
    mode = SelectField(
        _l("Records already in salesflow"), choices=_choices(MODE_LABELS), default="fill"
    )
    header_row = SelectField(
        _l("Header row"),
        choices=HEADER_ROWS,
        validators=[Optional()],
        description=_l("A title above the header is fine: the header row is found by itself."),
    )
    source = StringField(
        _l("Source (optional)"),
        validators=[Optional(), fits(Import.source)],
        description=_l(
            "The system the file comes from, e.g. the old CRM: its ids are "
            "remembered so its next file updates the same records."
        ),
    )
    account_id = HiddenField()
    continues = HiddenField()

    def service_params(self) -> dict[str, Any]:
        return {
            "kind": self.kind.data,
            "mode": self.mode.data,
            "source": self.source.data or None,
            "header_row": self.header_row.data or None,
            "account_id": parse_id(self.account_id.data),
            "continues": parse_id(self.continues.data),
        }


class MappingForm(FlaskForm):
    """The column → field selects are added per import (mapping_form)."""

    mode = SelectField(_l("Records already in salesflow"), choices=_choices(MODE_LABELS))
    sheet = SelectField(_l("Sheet"), validate_choice=False)
    header_row = SelectField(_l("Header row"), choices=HEADER_ROWS[1:], validate_choice=False)

    def columns(self) -> list[Any]:
        return [field for field in self if field.name.startswith("column_")]


def mapping_form(imp: Import, formdata: Any = None) -> MappingForm:
    """A form with one select per column of the file, offering the kind's fields."""
    choices = [SelectChoice("", _l("— not imported —"))] + [
        SelectChoice(name, label) for name, label in FIELDS[imp.kind.value].items()
    ]

    class Form(MappingForm):
        pass

    for i, column in enumerate(imp.columns):
        setattr(
            Form,
            f"column_{i}",
            SelectField(
                column, choices=choices, validate_choice=True, default=imp.mapping.get(column, "")
            ),
        )
    form = Form(formdata=formdata)
    form.sheet.choices = [SelectChoice(s, s) for s in imp.sheets] or [SelectChoice("", "—")]
    if formdata is None:
        form.mode.data, form.sheet.data = imp.mode.value, imp.sheet or ""
        form.header_row.data = str(imp.header_row)
    return form


def mapping_of(imp: Import, form: MappingForm) -> dict[str, str]:
    return {
        column: form[f"column_{i}"].data
        for i, column in enumerate(imp.columns)
        if form[f"column_{i}"].data
    }


class UndoForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, undo this import"), validators=[DataRequired(_l("Tick the box to confirm."))]
    )
