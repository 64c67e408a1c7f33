"""SPEC §1 (and the rows issues added) transcribed by hand, so a change to the permission table
has to match them."""

import pytest

from core.roles import PARTNER_ROLE_PERMISSIONS, SUPPORT_STAFF_ACTIONS, Action, Role, user_can
from partners.tests.factories import SupportStaffFactory, UserFactory

G, AA, SA = "Global admin", "Admin agent", "Sales agent"
ACC, BILL, REF, MKT = "Account admin", "Billing admin", "Referral admin", "Marketing content admin"
SPEC_SECTION_1 = {
    "see customers, their software and orders": (Action.VIEW_CUSTOMERS, {G, AA, SA}),
    "create / edit customers": (Action.EDIT_CUSTOMERS, {G, AA, SA}),
    "buy software (Add products)": (Action.BUY_SOFTWARE, {G, AA, SA}),
    "get keys and downloads": (Action.GET_KEYS_AND_DOWNLOADS, {AA}),
    "cancel a purchase": (Action.CANCEL_PURCHASE, {AA}),
    "see the activity log": (Action.VIEW_ACTIVITY_LOG, {G, ACC, REF, MKT}),
    "see invoices, download invoice PDFs": (Action.VIEW_INVOICES, {G, ACC, BILL}),
    "file / follow support requests": (Action.FILE_SUPPORT_REQUESTS, {G, AA, SA, ACC, BILL}),
    "manage the partner's users and roles": (Action.MANAGE_USERS, {G}),
    "triage support requests, decide refunds": (Action.TRIAGE_SUPPORT_REQUESTS, set()),
    # Issue 19 adds a row: the dashboard's chart of spend by month and by customer.
    "see spend by month and by customer": (Action.VIEW_SPEND, {G, BILL}),
    # Issue 18 adds a row: webhook endpoints receive the partner's data, so Global admin only.
    "manage webhook endpoints and their deliveries": (Action.MANAGE_WEBHOOKS, {G}),
}


@pytest.mark.parametrize("row", SPEC_SECTION_1, ids=str)
def test_permission_table_matches_spec_section_1(row):
    action, labels = SPEC_SECTION_1[row]
    assert {str(role.label) for role in PARTNER_ROLE_PERMISSIONS[action]} == labels


def test_every_action_is_in_the_spec_table():
    assert {action for action, _ in SPEC_SECTION_1.values()} == set(Action)


def test_only_support_staff_triage_support_requests():
    assert {Action.TRIAGE_SUPPORT_REQUESTS} == SUPPORT_STAFF_ACTIONS


def test_a_global_admin_without_admin_agent_cannot_get_keys_or_cancel(db):
    admin = UserFactory(roles=[Role.GLOBAL_ADMIN.value])
    assert not user_can(admin, Action.GET_KEYS_AND_DOWNLOADS)
    assert not user_can(admin, Action.CANCEL_PURCHASE)
    both = UserFactory(roles=[Role.GLOBAL_ADMIN.value, Role.ADMIN_AGENT.value])
    assert user_can(both, Action.GET_KEYS_AND_DOWNLOADS)


def test_support_staff_hold_no_partner_action(db):
    staff = SupportStaffFactory()
    assert [a for a in Action if user_can(staff, a)] == [Action.TRIAGE_SUPPORT_REQUESTS]


def test_a_deactivated_user_can_do_nothing(db):
    user = UserFactory(roles=[r.value for r in Role], is_active=False)
    assert not any(user_can(user, action) for action in Action)
