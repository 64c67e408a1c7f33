import re
from pathlib import Path

import pytest
from django.db import models
from django.test.utils import isolate_apps

from activity.models import Event, OperationType, ResourceType
from activity.services import event_record
from core.tenancy import (
    PartnerScopedManager,
    PartnerScopeMissing,
    current_partner,
    partner_scope,
    scoping_errors,
)
from csp_portal.celery import app
from partners.models import User
from partners.task_base import PartnerTask

REPO = Path(__file__).resolve().parent.parent
# The escape hatch may appear only here: its definition, the admin, support staff views and
# periodic sweeps. Adding a file to this list is a reviewed decision, not a convenience.
ESCAPE_HATCH_ALLOWED = {
    "core/tenancy.py",
    "support/staff_selectors.py",
    "software/sweeps.py",
    "orders/sweeps.py",
    "invoices/sweeps.py",
    "outbox/sweeps.py",
    "webhooks/sweeps.py",
}
ESCAPE_HATCH_ALLOWED_NAMES = {"admin.py"}
# Raw SQL reads and writes rows without the scoped manager; each place says why it may.
RAW_SQL_ALLOWED = {
    "software/token_sql.py": "a download token names its link; the link's partner is the scope",
    "orders/credit_sql.py": "every part filters on the partner in scope, as the managers would",
    "core/health.py": "SELECT 1, no table",
    "csp_portal/bench_urls.py": "the benchmark's SELECT 1 ceiling, no table",
    "demo/activity.py": "COPY of generated demo events, each with its partner",
    "demo/scale.py": "COPY of generated demo orders, each with its partner",
    "orders/services/idempotency.py": "INSERT ... ON CONFLICT of a key's row, its partner given",
    "orders/services/placing.py": "INSERT ... ON CONFLICT of an order's row, its partner given",
}
RAW_SQL = re.compile(r"\.(cursor|raw|extra)\(|\bRawSQL\(")
SKIPPED_DIRS = {".venv", "node_modules", "var", ".git", "tests", "migrations", "artifacts"}


def _record(partner, actor):
    return event_record(
        partner=partner,
        actor=actor,
        operation=OperationType.SIGN_IN,
        resource_type=ResourceType.USER,
    )


def test_scoped_manager_raises_without_a_partner(db):
    with pytest.raises(PartnerScopeMissing):
        Event.objects.count()
    with pytest.raises(PartnerScopeMissing):
        list(User.members.all())


def test_scoped_manager_sees_only_the_current_partners_rows(global_admin, outsider):
    _record(global_admin.partner, global_admin)
    _record(outsider.partner, outsider)
    with partner_scope(global_admin.partner):
        assert [e.actor_email for e in Event.objects.all()] == [global_admin.email]
        assert outsider not in User.members.all()
        assert global_admin in User.members.all()
    with partner_scope(outsider.partner):
        assert [e.actor_email for e in Event.objects.all()] == [outsider.email]


def test_the_escape_hatch_sees_every_partner(global_admin, outsider):
    _record(global_admin.partner, global_admin)
    _record(outsider.partner, outsider)
    assert Event.objects.all_partners().count() == 2


def test_scope_is_restored_after_the_block(global_admin):
    with partner_scope(global_admin.partner):
        assert current_partner() == global_admin.partner
    assert current_partner() is None


def _portal_sources():
    for path in REPO.rglob("*.py"):
        relative = path.relative_to(REPO)
        if SKIPPED_DIRS.intersection(relative.parts[:-1]) or relative.parts[0] in SKIPPED_DIRS:
            continue
        if relative.parts[0] == "scripts":
            continue
        yield str(relative), path.read_text()


def test_escape_hatch_is_used_only_by_support_views_sweeps_and_admin():
    offenders = [
        relative
        for relative, text in _portal_sources()
        if re.search(r"\ball_partners\(", text)
        and relative not in ESCAPE_HATCH_ALLOWED
        and Path(relative).name not in ESCAPE_HATCH_ALLOWED_NAMES
    ]
    assert offenders == [], f"all_partners() used outside the allowed places: {offenders}"


def test_raw_sql_that_bypasses_the_scoped_manager_is_only_where_it_is_justified():
    offenders = [
        relative
        for relative, text in _portal_sources()
        if RAW_SQL.search(text) and relative not in RAW_SQL_ALLOWED
    ]
    assert offenders == [], f"connection.cursor(), raw() or extra() outside the list: {offenders}"


@isolate_apps("activity")
def test_system_check_fails_a_partner_model_without_the_scoped_manager():
    class Leaky(models.Model):
        partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE)

        class Meta:
            app_label = "activity"

    class Scoped(models.Model):
        partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE)
        objects = PartnerScopedManager()

        class Meta:
            app_label = "activity"

    errors = scoping_errors([Leaky, Scoped])
    assert [(e.obj, e.id) for e in errors] == [(Leaky, "tenancy.E001")]


def test_the_project_passes_its_own_scoping_check():
    from django.apps import apps

    assert scoping_errors(apps.get_models()) == []


@app.task(base=PartnerTask, name="tests.count_scoped_events", bind=True)
def count_scoped_events_task(self, *, partner_id):
    return Event.objects.count(), current_partner().pk


def test_partner_task_runs_its_body_in_the_partners_scope(global_admin, outsider):
    _record(global_admin.partner, global_admin)
    _record(global_admin.partner, global_admin)
    _record(outsider.partner, outsider)
    result = count_scoped_events_task.apply(kwargs={"partner_id": global_admin.partner_id}).get()
    assert result == (2, global_admin.partner_id)
    assert current_partner() is None


def test_partner_task_refuses_to_run_without_a_partner(db):
    outcome = count_scoped_events_task.apply(kwargs={})
    assert isinstance(outcome.result, TypeError)
