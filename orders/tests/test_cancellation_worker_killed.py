"""A real worker process killed in the middle of completing a cancellation."""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.tenancy import partner_scope
from csp_portal.celery import app
from customers.tests.factories import CustomerFactory
from orders.models import Credit, Purchase, PurchaseStatus
from orders.services.cancellation import purchase_cancel
from orders.sweeps import cancellations_reconcile
from orders.tasks import purchase_cancellation_complete_task
from orders.tests.factories import order_for
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only("holds a row lock from another connection, seen in pg_stat_activity"),
]
REPO = Path(__file__).resolve().parents[2]


def _worker_env() -> dict:
    database = settings.DATABASES["default"]
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "csp_portal.settings.test",
            "DATABASE_URL": url, "REDIS_URL": settings.REDIS_URL}


def _blocked_on_our_lock(database: dict) -> bool:
    with psycopg.connect(host=database["HOST"], port=database["PORT"], user=database["USER"],
                         dbname=database["NAME"], autocommit=True) as probe:
        waiting = probe.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query ILIKE '%%orders_orderline%%'"
        ).fetchone()[0]
    return waiting > 0


def test_a_worker_killed_mid_completion_leaves_work_the_reconciler_finishes(owner_partner):
    customer = CustomerFactory(partner=owner_partner, country="IT")
    purchase = order_for(customer).lines.model.objects.all_partners().get(customer=customer)
    with partner_scope(owner_partner):
        purchase_cancel(partner=owner_partner, actor=None, purchase_id=purchase.pk,
                        acknowledged=True, at=timezone.now() - timedelta(hours=1))
    app.control.purge()
    database = settings.DATABASES["default"]
    # Hold the purchase's row lock so the worker stops inside its completion transaction.
    holder = psycopg.connect(host=database["HOST"], port=database["PORT"],
                             user=database["USER"], dbname=database["NAME"])
    holder.execute("SELECT id FROM orders_orderline WHERE id = %s FOR UPDATE", [purchase.pk])
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "csp_portal", "worker", "-P", "solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=REPO, env=_worker_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        purchase_cancellation_complete_task.delay(partner_id=owner_partner.pk,
                                                  purchase_id=purchase.pk)
        wait_until(lambda: _blocked_on_our_lock(database), timeout=60, interval=0.2)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
        holder.rollback()
        holder.close()
    connection.close()
    line = Purchase.objects.all_partners().get(pk=purchase.pk)
    assert line.status == PurchaseStatus.PENDING_CANCELLATION
    assert not Credit.objects.all_partners().exists()
    assert cancellations_reconcile(at=timezone.now()) == 1
    assert cancellations_reconcile(at=timezone.now()) == 0
    assert Credit.objects.all_partners().filter(purchase_id=purchase.pk).count() == 1
    app.control.purge()
