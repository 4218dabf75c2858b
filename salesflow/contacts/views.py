"""Contact pages: the profile for preparing a reception, the form, left / delete / restore."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from salesflow import clock, scope
from salesflow.accounts.models import Account
from salesflow.contacts import detail as detail_page
from salesflow.contacts import queries, services
from salesflow.contacts.forms import FIELD_LABELS, ContactForm, LeaveForm
from salesflow.contacts.models import Contact
from salesflow.contacts.vcard import vcard_response
from salesflow.errors import Forbidden
from salesflow.forms import ButtonForm, press, save_form
from salesflow.interactions import timeline
from salesflow.validation import parse_id

bp = Blueprint("contacts", __name__)


def _form_page(form: ContactForm, account: Account, contact: Contact | None, status: int = 200):
    page = render_template(
        "contacts/form.html",
        form=form,
        account=account,
        contact=contact,
        quicklog_account_id=account.id,
    )
    return page, status


@bp.route("/accounts/<int:account_id>/contacts/new", methods=["GET", "POST"])
@login_required
def new(account_id: int):
    account = scope.get_account(current_user, account_id)
    # "Add a direct report" on a contact's page pre-selects the manager.
    form = ContactForm(reports_to_id=parse_id(request.args.get("reports_to_id")))
    form.set_reports_to_choices(queries.current_contacts(account.id), None)
    if not form.validate_on_submit():
        return _form_page(form, account, None, 422 if form.is_submitted() else 200)
    data = form.service_data()
    contact, status = save_form(
        form, lambda: services.create_contact(account, data, actor=current_user, now=clock.now())
    )
    if contact is None:
        return _form_page(form, account, None, status)
    flash(_("Contact added."), "success")
    return redirect(url_for("contacts.detail", contact_id=contact.id))


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@login_required
def edit(contact_id: int):
    contact = scope.get_contact(current_user, contact_id)
    form = ContactForm(obj=contact)
    form.set_reports_to_choices(
        queries.current_contacts(contact.account_id, exclude_id=contact.id), contact
    )
    if not form.validate_on_submit():
        return _form_page(form, contact.account, contact, 422 if form.is_submitted() else 200)
    data = form.service_data()
    saved, status = save_form(
        form, lambda: services.update_contact(contact, data, actor=current_user, now=clock.now())
    )
    if saved is None:
        return _form_page(form, contact.account, contact, status)
    flash(_("Contact saved."), "success")
    return redirect(url_for("contacts.detail", contact_id=contact.id))


@bp.route("/contacts/<int:contact_id>")
@login_required
def detail(contact_id: int):
    contact = scope.get_contact(current_user, contact_id, include_deleted=True)
    return render_template(
        "contacts/detail.html",
        page=detail_page.build(contact, current_user, clock.now(), before=timeline.before_arg()),
        contact=contact,
        account=contact.account,
        field_labels=FIELD_LABELS,
        quicklog_account_id=contact.account_id,
    )


def _button(contact: Contact, form: ButtonForm, change: Callable[[], Any], done: str):
    """A POST-only button on the contact page: run the service, say what happened, go back."""
    back = url_for("contacts.detail", contact_id=contact.id)
    return press(change, back=back, done=done, form=form)


@bp.get("/contacts/<int:contact_id>/vcard")
@login_required
def vcard(contact_id: int):
    """The contact as a vCard file for a phone's address book (contacts/vcard.py)."""
    return vcard_response(scope.get_contact(current_user, contact_id))


def _leave_page(form: LeaveForm, contact: Contact, status: int = 200):
    page = render_template(
        "contacts/leave.html", form=form, contact=contact, quicklog_account_id=contact.account_id
    )
    return page, status


@bp.route("/contacts/<int:contact_id>/leave", methods=["GET", "POST"])
@login_required
def leave(contact_id: int):
    """Mark as left, once confirmed with the day (today unless changed); a refused day is the
    form again with its message."""
    contact = scope.get_contact(current_user, contact_id)
    if not scope.can_edit_contact(current_user, contact):
        raise Forbidden()
    form = LeaveForm()
    if not form.is_submitted():
        form.left_on.data, form.version.data = clock.today(clock.now()), contact.version
        return _leave_page(form, contact)
    if not form.validate():
        return _leave_page(form, contact, 422)
    data = {"left_on": form.left_on.data, "version": parse_id(form.version.data)}
    saved, status = save_form(
        form, lambda: services.update_contact(contact, data, actor=current_user, now=clock.now())
    )
    if saved is None:
        return _leave_page(form, contact, status)
    flash(_("Marked as left the customer. The history stays."), "success")
    return redirect(url_for("contacts.detail", contact_id=contact.id), 303)


@bp.post("/contacts/<int:contact_id>/rejoin")
@login_required
def rejoin(contact_id: int):
    contact = scope.get_contact(current_user, contact_id)
    form = ButtonForm()
    data = {"left_on": None, "version": parse_id(form.version.data)}
    return _button(
        contact,
        form,
        lambda: services.update_contact(contact, data, actor=current_user, now=clock.now()),
        _("Marked as back at the customer."),
    )


@bp.post("/contacts/<int:contact_id>/delete")
@login_required
def delete(contact_id: int):
    contact = scope.get_contact(current_user, contact_id)
    return _button(
        contact,
        ButtonForm(),
        lambda: services.delete_contact(contact, actor=current_user, now=clock.now()),
        _("Contact deleted. A director or admin can restore it from this page."),
    )


@bp.post("/contacts/<int:contact_id>/restore")
@login_required
def restore(contact_id: int):
    contact = scope.get_contact(current_user, contact_id, include_deleted=True)
    return _button(
        contact,
        ButtonForm(),
        lambda: services.restore_contact(contact, actor=current_user, now=clock.now()),
        _("Contact restored."),
    )
