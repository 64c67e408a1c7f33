"""JSON log lines with the correlation id, which travels from a request into the worker's task."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.db import transaction
from django.test import Client

from core.background import task_enqueue_on_commit
from core.logging import CorrelationFilter, JsonFormatter, SecretRedactingFilter
from core.request_context import RequestContext, request_context
from csp_portal.celery import app
from tests.waiting import wait_until

LOGGER = "tests.correlation"


@app.task(name="tests.log_a_line")
def log_a_line_task() -> None:
    logging.getLogger(LOGGER).warning("the task ran")


@pytest.fixture
def json_lines():
    """The root logger's lines as the production handler writes them, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretRedactingFilter())
    handler.addFilter(CorrelationFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_a_task_logs_under_the_correlation_id_of_the_request_that_enqueued_it(
    celery_worker, json_lines
):
    with request_context(RequestContext(correlation_id="corr-7f3a", request_id="req-1")):
        log_a_line_task.delay()
    lines = wait_until(
        lambda: [line for line in json_lines() if line["logger"] == LOGGER], timeout=30
    )
    (line,) = lines
    assert line["message"] == "the task ran"
    assert line["correlation_id"] == "corr-7f3a" and line["request_id"] == "req-1"
    assert line["task_name"] == "tests.log_a_line" and line["task_id"]


def test_a_task_a_service_enqueues_by_name_after_commit_carries_the_correlation_id(
    celery_worker, json_lines
):
    # The services' way (core.background): Celery's send_task once the transaction commits.
    context = RequestContext(correlation_id="corr-by-name", request_id="req-2")
    with request_context(context), transaction.atomic():
        task_enqueue_on_commit("tests.log_a_line")
    (line,) = wait_until(
        lambda: [line for line in json_lines() if line["logger"] == LOGGER], timeout=30
    )
    assert line["correlation_id"] == "corr-by-name" and line["request_id"] == "req-2"
    assert line["task_name"] == "tests.log_a_line"


def test_a_task_enqueued_outside_any_request_logs_no_correlation_id(celery_worker, json_lines):
    log_a_line_task.delay()
    (line,) = wait_until(
        lambda: [line for line in json_lines() if line["logger"] == LOGGER], timeout=30
    )
    assert "correlation_id" not in line and line["task_name"] == "tests.log_a_line"


def test_a_request_logs_its_correlation_id_and_no_download_token_in_any_field(db, json_lines):
    token = "A" * 43
    response = Client().get(f"/downloads/{token}", HTTP_MS_CORRELATIONID="corr-req-42")
    assert response.status_code in (404, 410)
    lines = [line for line in json_lines() if line.get("correlation_id") == "corr-req-42"]
    assert lines, "the request logged its answer under its correlation id"
    assert all(token not in json.dumps(line) for line in json_lines())
