"""PostgreSQL stopped and started under a running web process (gunicorn), on a private cluster.

While the database is down, pages answer a 503 page and the API a 503 problem+json, both with
Retry-After, and /healthz says the database is down; nothing answers 500. When it is back the
same web process serves again, and an order whose transaction the outage cut off is not there:
retried with its Idempotency-Key it is placed once.
"""

from __future__ import annotations

import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client

from catalog.tests.factories import priced_sku
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from partners.services import api_token_issue
from partners.tests.factories import PartnerFactory, UserFactory
from tests.faults import servers
from tests.waiting import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]
# Generous for a loaded CI machine; a passing run waits only as long as the server needs.
TIMEOUT = 60
# The connections the web process keeps open, so a restart leaves that many broken ones behind.
# The pool backs off between two failed checks (1 s, then 2 s ...), so more of them than this
# would outlast the short pool timeout below, which keeps each request in the outage short.
POOL_SIZE = 2
POOL_TIMEOUT_SECONDS = 5


def _copy_suite_database(cluster: servers.PrivatePostgres, dbname: str) -> None:
    """The suite's migrated test database, with this test's rows, copied into the cluster."""
    database = settings.DATABASES["default"]
    dump = cluster.root.parent / f"{cluster.root.name}.dump"
    try:
        subprocess.run(
            [
                str(cluster.bindir / "pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--file={dump}",
                f"--host={database['HOST']}",
                f"--port={database['PORT']}",
                f"--username={database['USER']}",
                database["NAME"],
            ],
            check=True,
            capture_output=True,
            timeout=TIMEOUT,
        )
        with cluster.connect(autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{dbname}"')
        subprocess.run(
            [
                str(cluster.bindir / "pg_restore"),
                "--no-owner",
                "--exit-on-error",
                f"--dbname={cluster.url(dbname)}",
                str(dump),
            ],
            check=True,
            capture_output=True,
            timeout=TIMEOUT,
        )
    finally:
        dump.unlink(missing_ok=True)


def _waiting_on(cluster, dbname: str, table: str) -> bool:
    with cluster.connect(dbname, autocommit=True) as probe:
        return (
            probe.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND wait_event_type = 'Lock' AND query ILIKE %s",
                [dbname, f"%{table}%"],
            ).fetchone()[0]
            > 0
        )


def _assert_unavailable(response, *, problem: bool) -> None:
    assert response.status_code == 503, response.text[:500]
    assert int(response.headers["Retry-After"]) > 0
    if problem:
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "database_unavailable"
    else:
        assert response.headers["Content-Type"].startswith("text/html")
        assert "The portal is briefly unavailable" in response.text


def test_the_web_process_answers_503_while_postgresql_is_down_and_recovers_after(
    processes, tmp_path
):
    partner = PartnerFactory(name="Outage Test")
    user = UserFactory(partner=partner, email="admin@outage.example")
    customer = CustomerFactory(partner=partner, country="IT")
    offer = priced_sku(countries=("IT",)).availabilities.get(market_id="IT").catalog_item_id
    with partner_scope(partner):
        _token, token = api_token_issue(actor=user, name="fault test")
    signed_in = Client()
    signed_in.force_login(user)
    connection.close()

    with servers.private_postgres() as cluster:
        _copy_suite_database(cluster, "portal")
        web = processes.web(
            servers.portal_env(
                database_url=cluster.url("portal"),
                redis_url=settings.REDIS_URL,
                var_dir=tmp_path / "var",
                DATABASE_POOL_MIN=str(POOL_SIZE),
                DATABASE_POOL_TIMEOUT=str(POOL_TIMEOUT_SECONDS),
            )
        )
        browser = requests.Session()
        browser.cookies.set(
            settings.SESSION_COOKIE_NAME, signed_in.cookies[settings.SESSION_COOKIE_NAME].value
        )
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {token}"
        page_url, api_url = f"{web.base_url}/customers/", f"{web.base_url}/v1/customers"
        orders_url = f"{api_url}/{customer.entra_tenant_id}/orders"
        order = {"lineItems": [{"lineItemNumber": 0, "offerId": offer, "quantity": 1}]}
        key = {"Idempotency-Key": str(uuid.uuid4())}

        def all_served(rounds: int) -> None:
            for _ in range(rounds):
                assert browser.get(page_url, timeout=TIMEOUT).status_code == 200
                assert api.get(api_url, timeout=TIMEOUT).status_code == 200

        # The first requests open the pool: slow on a busy machine, and not what is tested.
        wait_until(lambda: api.get(api_url, timeout=TIMEOUT).status_code == 200, timeout=TIMEOUT)
        all_served(1)

        # A restart between two requests: the pool's connections all broke, and not one
        # request may fail for it.
        cluster.stop("fast")
        cluster.start()
        all_served(POOL_SIZE)

        # An order in flight when the database goes: it waits for its activity event, held
        # back by this lock, with its order rows written but not committed.
        holder = cluster.connect("portal")
        holder.execute("LOCK TABLE activity_event IN SHARE MODE")
        with ThreadPoolExecutor(max_workers=3) as background:
            interrupted = background.submit(
                requests.post,
                orders_url,
                json=order,
                timeout=TIMEOUT,
                headers={**api.headers, **key},
            )
            wait_until(
                lambda: _waiting_on(cluster, "portal", "activity_event"),
                timeout=TIMEOUT,
                interval=0.1,
            )
            cluster.stop("immediate")
            _assert_unavailable(interrupted.result(), problem=True)
            holder.close()

            # Each waits out the pool's timeout for a connection, so they wait together.
            page = background.submit(browser.get, page_url, timeout=TIMEOUT)
            listing = background.submit(api.get, api_url, timeout=TIMEOUT)
            health = background.submit(requests.get, f"{web.base_url}/healthz", timeout=TIMEOUT)
            _assert_unavailable(page.result(), problem=False)
            _assert_unavailable(listing.result(), problem=True)
            assert health.result().status_code == 503
            assert health.result().json()["checks"]["database"]["ok"] is False

        cluster.start()
        wait_until(
            lambda: api.get(api_url, timeout=TIMEOUT).status_code == 200,
            timeout=TIMEOUT,
            interval=0.5,
        )
        all_served(POOL_SIZE)
        health = requests.get(f"{web.base_url}/healthz", timeout=TIMEOUT)
        assert health.json()["checks"]["database"]["ok"] is True

        assert api.get(orders_url, timeout=TIMEOUT).json()["totalCount"] == 0, (
            "the interrupted order was not committed, in part or in whole"
        )
        placed = api.post(orders_url, json=order, headers=key, timeout=TIMEOUT)
        assert placed.status_code == 201, placed.text[:500]
        replayed = api.post(orders_url, json=order, headers=key, timeout=TIMEOUT)
        assert replayed.headers.get("Idempotency-Replayed") == "true"
        assert replayed.json()["id"] == placed.json()["id"]
        orders = api.get(orders_url, timeout=TIMEOUT).json()
        assert [o["id"] for o in orders["items"]] == [placed.json()["id"]]
        assert len(orders["items"][0]["lineItems"]) == 1
