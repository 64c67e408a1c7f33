"""The activity log reads from a real streaming replica (pg_basebackup from a private cluster),
everything else from the primary; a replica that lags too far or stops is passed over.

Two web nodes share the primary and the replica: one tolerates an hour of lag, the other one
second. Pausing the replica's replay shows where each read comes from: the log on the tolerant
node stays as the replica has it, the customers list shows what was just written.
"""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
import requests

from tests.faults import servers
from tests.faults.visitor import TIMEOUT
from tests.waiting import wait_until

pytestmark = pytest.mark.fleet
# Generous for a loaded CI machine: migrations, two gunicorn start-ups, a replica's catch-up.
WORK_TIMEOUT = 120
SET_UP = """
from core.tenancy import partner_scope
from core.roles import Role
from partners.services import api_token_issue
from partners.tests.factories import PartnerFactory, UserFactory
partner = PartnerFactory(name="Replica Readers")
user = UserFactory(partner=partner, email="admin@replica.example", roles=[Role.GLOBAL_ADMIN.value])
with partner_scope(partner):
    print(api_token_issue(actor=user, name="replica test")[1])
"""


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=servers.REPO, env=env,
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _customer(number: int) -> dict:
    return {
        "companyProfile": {
            "tenantId": str(uuid.uuid4()),
            "domain": f"replica{number}.onmicrosoft.com",
            "companyName": f"Replica Customer {number}",
            "email": f"it@replica{number}.example",
            "address": {"country": "DE", "city": "Berlin", "postalCode": "10115",
                        "addressLine1": "Unter den Linden 1"},
        },
        "billingProfile": {"contactName": "Anna Schmidt", "phone": "+49 30 123456"},
    }


class Node:
    def __init__(self, web, token: str):
        self.web, self.headers = web, {"Authorization": f"Bearer {token}"}
        self.statuses: list[int] = []

    def get(self, path: str) -> dict | None:
        response = requests.get(self.web.base_url + path, headers=self.headers, timeout=TIMEOUT)
        self.statuses.append(response.status_code)
        return response.json() if response.status_code == 200 else None

    def customers_created_in_the_log(self) -> int | None:
        body = self.get("/v1/auditrecords?size=100")
        if body is None:
            return None
        return sum(item["operationType"] == "create_customer" for item in body["items"])

    def customer_names(self) -> set[str]:
        body = self.get("/v1/customers?size=100")
        return {item["companyProfile"]["companyName"] for item in body["items"]}

    def create_customer(self, number: int) -> None:
        response = requests.post(
            self.web.base_url + "/v1/customers", json=_customer(number), headers=self.headers,
            timeout=TIMEOUT,
        )
        assert response.status_code == 201, response.text


def test_the_log_reads_the_replica_until_it_lags_or_stops_and_the_rest_reads_the_primary(
    tmp_path,
):
    processes = servers.Processes(tmp_path)
    with (
        servers.private_postgres() as primary,
        servers.private_redis() as redis_server,
    ):
        primary.sql("CREATE DATABASE portal")
        base = servers.portal_env(
            database_url=primary.url("portal"),
            redis_url=redis_server.url,
            var_dir=tmp_path / "var",
            PORTAL_TEST_DB="postgresql",
        )
        _manage(base, "migrate", "--noinput")
        token = _manage(base, "shell", "-c", SET_UP).strip().splitlines()[-1]
        with servers.private_standby(primary) as standby:
            try:
                replicated = {**base, "DATABASE_REPLICA_URL": standby.url("portal")}
                tolerant = Node(
                    processes.web(
                        {**replicated, "DATABASE_REPLICA_MAX_LAG_SECONDS": "3600"}, "tolerant"
                    ),
                    token,
                )
                strict = Node(
                    processes.web(
                        {**replicated, "DATABASE_REPLICA_MAX_LAG_SECONDS": "1"}, "strict"
                    ),
                    token,
                )
                tolerant.create_customer(1)
                wait_until(
                    lambda: tolerant.customers_created_in_the_log() == 1, timeout=WORK_TIMEOUT
                )

                standby.sql("SELECT pg_wal_replay_pause()", dbname="portal")
                tolerant.create_customer(2)
                assert "Replica Customer 2" in tolerant.customer_names(), "from the primary"
                assert tolerant.customers_created_in_the_log() == 1, "from the paused replica"
                # Behind by more than a second: the strict node reads the log from the primary.
                wait_until(
                    lambda: strict.customers_created_in_the_log() == 2, timeout=WORK_TIMEOUT
                )
                assert tolerant.customers_created_in_the_log() == 1

                standby.stop("fast")
                wait_until(
                    lambda: tolerant.customers_created_in_the_log() == 2, timeout=WORK_TIMEOUT
                )
            finally:
                processes.stop_all()
                processes.report()
    # A request that met the replica as it stopped may have been told to retry; none failed.
    assert set(tolerant.statuses + strict.statuses) <= {200, 503}
    assert tolerant.statuses[-1] == 200
