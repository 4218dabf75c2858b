"""Mark as left: asked for confirmation with the day (today unless changed); a bad day is the
form again with its message, and nothing is saved."""

from datetime import date

import pytest

from tests.conftest import login


def test_the_contact_page_asks_before_marking_as_left(client, now, world):
    contact = world.contact_a
    page = login(client, world.rep_a).get(f"/contacts/{contact.id}").text
    ask = page.split('id="mark-left"', 1)[1].split("</details>", 1)[0]
    assert "Mark as left…" in ask and "Yes, mark as left" in ask
    assert 'type="date"' in ask and 'value="2026-11-20"' in ask  # today, in Shanghai
    assert contact.left_on is None  # showing it changed nothing


def test_the_confirmation_page_and_its_day(client, now, world):
    contact = world.contact_a
    login(client, world.rep_a)
    page = client.get(f"/contacts/{contact.id}/leave").text
    assert "Mark Zhang Wei as left the customer?" in page and 'value="2026-11-20"' in page
    response = client.post(
        f"/contacts/{contact.id}/leave",
        data={"left_on": "2026-11-02", "version": str(contact.version)},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/contacts/{contact.id}")
    assert contact.left_on == date(2026, 11, 2)


@pytest.mark.parametrize(
    ("left_on", "message"),
    [
        ("", "Enter the day they left."),
        ("2026-13-01", "Enter the date as YYYY-MM-DD."),
        ("yesterday", "Enter the date as YYYY-MM-DD."),
        ("2026-11-21", "The date cannot be in the future."),
    ],
)
def test_a_bad_day_is_refused_with_the_forms_message(client, now, world, left_on, message):
    contact = world.contact_a
    login(client, world.rep_a)
    response = client.post(
        f"/contacts/{contact.id}/leave", data={"left_on": left_on, "version": str(contact.version)}
    )
    assert response.status_code == 422
    page = response.text
    assert message in page.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'class="form-control is-invalid"' in page and "Yes, mark as left" in page
    assert contact.left_on is None


def test_another_teams_rep_gets_404(client, now, world):
    login(client, world.rep_b)
    assert client.get(f"/contacts/{world.contact_a.id}/leave").status_code == 404
    response = client.post(f"/contacts/{world.contact_a.id}/leave", data={"left_on": "2026-11-01"})
    assert response.status_code == 404
    assert world.contact_a.left_on is None
