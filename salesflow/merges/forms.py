"""Forms of the merge pages: shape only; the rules live in merges.services."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice

from salesflow.validation import parse_id

PREFIX = "f_"  # a chosen field's form name: f_<field> (never clashes with the form's own names)


class ChooserForm(FlaskForm):
    """Which record survives, per differing field whose value it keeps, and the versions the
    page showed. The radio fields are added per page (chooser_form)."""

    survivor = RadioField(_l("Keep"))
    versions = HiddenField()

    def chosen_fields(self) -> list[RadioField]:
        return [f for f in self if f.name.startswith(PREFIX)]

    def service_data(self) -> dict[str, Any]:
        """The merge request: survivor, the others, the chosen fields and the versions read."""
        versions = {}
        for pair in (self.versions.data or "").split(","):
            record_id, _sep, version = pair.partition(":")
            if parse_id(record_id) and parse_id(version):
                versions[parse_id(record_id)] = parse_id(version)
        survivor = parse_id(self.survivor.data)
        return {
            "survivor": survivor,
            "other_ids": [i for i in versions if i != survivor],
            "fields": {f.name.removeprefix(PREFIX): parse_id(f.data) for f in self.chosen_fields()},
            "version": versions.get(survivor),
            "other_versions": {i: v for i, v in versions.items() if i != survivor},
        }


def chooser_form(
    records: list[Any], fields: dict[str, Any], sources: dict[str, int], shown: dict[Any, str]
) -> ChooserForm:
    """The chooser for these records: a radio per record for the survivor, and per field that
    differs (`fields`: name → label) a radio per record labelled with its value (`shown`:
    (field, record id) → text), defaulting to `sources` (field → record id)."""
    attributes = {
        PREFIX + name: RadioField(
            label,
            choices=[SelectChoice(str(r.id), shown[(name, r.id)]) for r in records],
            default=str(sources[name]),
        )
        for name, label in fields.items()
    }
    form_class = type("Chooser", (ChooserForm,), attributes)
    form = form_class()
    form.survivor.choices = [SelectChoice(str(r.id), r.name) for r in records]
    if not form.is_submitted():
        form.survivor.data = str(records[0].id)
        form.versions.data = ",".join(f"{r.id}:{r.version}" for r in records)
    return form
