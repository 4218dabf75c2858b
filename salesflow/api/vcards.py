"""API: a contact as a vCard 3.0 file (contacts/vcard.py), for a phone's address book."""

from salesflow import scope
from salesflow.api import bp, caller, token_auth
from salesflow.contacts.vcard import vcard_response

VCARD = {
    "description": "The contact as a vCard 3.0 file in UTF-8, named `<name>.vcf`",
    "content": {"text/vcard": {"schema": {"type": "string"}}},
}


@bp.get("/contacts/<int:contact_id>/vcard")
@bp.auth_required(token_auth)
@bp.doc(
    summary="A contact as a vCard for a phone's address book: name, account and department, "
    "title, e-mail, mobile and the do / don't notes",
    responses={200: VCARD, 404: "Not found or outside your scope"},
)
def contact_vcard(contact_id: int):
    return vcard_response(scope.get_contact(caller(), contact_id))
