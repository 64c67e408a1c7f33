"""Preferences: cancellation reminders are off by default, offered to the users who see
customers' purchases, and kept when the footer's language switch saves the language."""

import pytest

from core.roles import Role

URL = "/settings/preferences/"


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_reminders_are_off_by_default_and_offered_to_who_sees_customers(
    role, role_users, client_for
):
    user = role_users[role]
    assert user.cancellation_reminders is False
    html = client_for(user).get(URL).content.decode()
    offered = role in (Role.GLOBAL_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT)
    assert ('name="cancellation_reminders"' in html) is offered


def test_turning_reminders_on_and_off(role_users, client_for):
    agent = role_users[Role.SALES_AGENT]
    client = client_for(agent)
    form = {"language": "", "time_zone": "Europe/Rome"}
    assert client.post(URL, {**form, "cancellation_reminders": "on"}).status_code == 302
    agent.refresh_from_db()
    assert agent.cancellation_reminders is True
    assert 'name="cancellation_reminders" id="id_cancellation_reminders" checked' in (
        client.get(URL).content.decode()
    )
    # The footer's language switch sends the language and the current choices with it.
    footer = client.get("/customers/").content.decode().split('class="language-switch"')[1]
    assert 'name="cancellation_reminders" value="on"' in footer.split("</form>")[0]
    assert client.post(URL, {**form, "language": "it", "cancellation_reminders": "on",
                             "next": "/customers/"}).status_code == 302
    agent.refresh_from_db()
    assert (agent.language, agent.cancellation_reminders) == ("it", True)
    assert client.post(URL, form).status_code == 302
    agent.refresh_from_db()
    assert agent.cancellation_reminders is False


def test_a_billing_admin_cannot_turn_them_on_by_posting_the_field(role_users, client_for):
    billing = role_users[Role.BILLING_ADMIN]
    response = client_for(billing).post(
        URL, {"language": "", "time_zone": "UTC", "cancellation_reminders": "on"}
    )
    assert response.status_code == 302
    billing.refresh_from_db()
    assert (billing.cancellation_reminders, billing.time_zone) == (False, "UTC")


def test_the_api_turns_them_on_for_who_sees_customers_and_refuses_the_others(
    role_users, api_client_for
):
    agent, billing = role_users[Role.ADMIN_AGENT], role_users[Role.BILLING_ADMIN]
    body = {"language": "", "timeZone": "UTC", "cancellationReminders": True}
    response = api_client_for(agent).patch("/v1/me", body, format="json")
    assert response.status_code == 200
    assert response.json()["user"]["cancellationReminders"] is True
    refused = api_client_for(billing).patch("/v1/me", body, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "role_required"
    billing.refresh_from_db()
    assert (billing.cancellation_reminders, billing.time_zone) == (False, "Europe/Rome")
    unchanged = api_client_for(agent).patch(
        "/v1/me", {"language": "it", "timeZone": "UTC"}, format="json"
    )
    assert unchanged.json()["user"]["cancellationReminders"] is True
