"""The load benchmark's mix (scripts/bench_load.py runs it; not meant to be started by hand).

Each virtual user is one partner's pair of staff: a Sales agent signed in to the pages and an
Admin agent's API token. It browses and searches customers, reads the Software page and the
catalogue, issues a download link and downloads the file, and places orders, at the mean pace
the runner sets. BENCH_LOAD_DATA names the JSON file of sessions, tokens and ids the runner wrote.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from locust import FastHttpUser, task

DATA = json.loads(Path(os.environ["BENCH_LOAD_DATA"]).read_text(encoding="utf-8"))
_actors = itertools.cycle(DATA["actors"])
# Task weights; the runner reads the same table to size the mix from each endpoint's peak.
WEIGHTS = DATA["mix_weights"]


class PartnerStaff(FastHttpUser):
    # Random pauses with the runner's mean rate: users that all waited the same time would fall
    # into step behind the first slow page and arrive in bursts, as no real staff do.
    def wait_time(self) -> float:
        return random.expovariate(DATA["tasks_per_user_per_second"])

    def on_start(self):
        self.actor = next(_actors)
        self.page_headers = {"Cookie": self.actor["cookie"]}
        self.api_headers = {"Authorization": f"Bearer {self.actor['token']}"}

    def _customer(self) -> dict:
        return random.choice(self.actor["customers"])

    @task(WEIGHTS["customer_list"])
    def customer_list(self):
        page = random.randint(1, 10)
        self.client.get(f"/customers/?page={page}", headers=self.page_headers, name="customer_list")

    @task(WEIGHTS["customer_search"])
    def customer_search(self):
        word = random.choice(DATA["search_words"])
        self.client.get(f"/customers/?q={word}", headers=self.page_headers, name="customer_search")

    @task(WEIGHTS["software_page"])
    def software_page(self):
        customer = self._customer()["id"]
        self.client.get(
            f"/customers/{customer}/software/", headers=self.page_headers, name="software_page"
        )

    @task(WEIGHTS["catalogue_page"])
    def catalogue_page(self):
        self.client.get("/catalogue/", headers=self.page_headers, name="catalogue_page")

    @task(WEIGHTS["api_customers"])
    def api_customers(self):
        self.client.get("/v1/customers", headers=self.api_headers, name="api_customers")

    @task(WEIGHTS["api_customer_search"])
    def api_customer_search(self):
        value = random.choice(DATA["search_words"])
        self.client.get(
            "/v1/customers",
            params={"filter": json.dumps({"Field": "CompanyName", "Value": value})},
            headers=self.api_headers,
            name="api_customer_search",
        )

    @task(WEIGHTS["issue_and_download"])
    def issue_and_download(self):
        customer = self._customer()
        purchase = random.choice(customer["purchases"])
        version, language, file_type = random.choice(purchase["variants"])
        with self.client.post(
            f"/v1/customers/{customer['id']}/entitlements/{purchase['id']}/keysanddownloads",
            json={"version": version, "language": language, "fileType": file_type},
            headers=self.api_headers,
            name="keys_and_downloads",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
            uri = response.json()["downloadLink"]["uri"]
        # The customer downloads it without signing in.
        self.client.get(urlsplit(uri).path, name="download")

    @task(WEIGHTS["order_place"])
    def order_place(self):
        customer = self._customer()
        body = {"lineItems": [{"lineItemNumber": 0, "offerId": customer["offer"], "quantity": 1}]}
        self.client.post(
            f"/v1/customers/{customer['id']}/orders",
            json=body,
            headers={**self.api_headers, "Idempotency-Key": str(uuid.uuid4())},
            name="order_place",
        )
