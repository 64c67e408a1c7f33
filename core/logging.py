"""Keep secrets out of logs: download tokens, invitation and reset keys, API tokens, product keys
and fields named for a secret (password, secret, token...).

Django logs the path of every 4xx answer ("Gone: /downloads/<token>") and gunicorn's access log
writes each request line and referrer, so a working link would otherwise sit in plain text in
every log store it reaches. The filter rewrites a record's message before it is written.

With LOG_FORMAT=json each line is one JSON object carrying the correlation id of the request (or
of the request that caused the task) and, in a worker, the task's id and name: what an operator
follows across web and worker nodes (the production default).
"""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import UTC, datetime

from celery import current_task
from gunicorn.glogging import Logger as GunicornLogger

from .request_context import RequestContext, current_request_context, request_context

REDACTED = "[redacted]"
# A path segment or query value: up to the next separator.
_VALUE = r"[^/\s?#&\"'<>]+"
# software.keys.KEY_ALPHABET; not imported, since LOGGING is configured before apps load.
_KEY_CHARS = "[BCDFGHJKMPQRTVWXY2346789]"
_SECRET_FIELD = r"""["'][\w-]*(?i:secret|seed|password\d?|token|key|code)["']"""

_SECRETS = [
    # Public download links, issued in the keys page and the API.
    (re.compile(rf"(/downloads/){_VALUE}"), rf"\g<1>{REDACTED}"),
    # Invitation links carry a password-setting token after the user id.
    (re.compile(rf"(/invitation/{_VALUE}/){_VALUE}"), rf"\g<1>{REDACTED}"),
    # allauth's password-reset and e-mail confirmation keys.
    (re.compile(rf"(/password/reset/key/){_VALUE}"), rf"\g<1>{REDACTED}"),
    (re.compile(rf"(/confirm-email/){_VALUE}"), rf"\g<1>{REDACTED}"),
    # Personal API tokens (partners.models.API_TOKEN_PREFIX): the lookup id may stay, to trace.
    (re.compile(r"\b(cspp_[0-9a-f]+_)[A-Za-z0-9_-]+"), rf"\g<1>{REDACTED}"),
    (re.compile(r"(?i)\b(bearer\s+)[^\s\"',]+"), rf"\g<1>{REDACTED}"),
    # Activation keys, wherever they turn up.
    (re.compile(rf"\b{_KEY_CHARS}{{5}}(?:-{_KEY_CHARS}{{5}}){{4}}\b"), REDACTED),
    # Fields named for what they hold, in logged JSON or dict reprs (SQL parameters with DEBUG
    # on: allauth stores the TOTP secret as {"secret": ...}). A value ends at its quote before
    # a separator; a repr cut short ("'GT5T... (46 chars)") loses its quote: up to a space.
    (
        re.compile(rf"""({_SECRET_FIELD}\s*:\s*)("|')(?:(?!\2).)*\2(?=\s*[,}}\])]|\s*$)"""),
        rf"\g<1>\g<2>{REDACTED}\g<2>",
    ),
    (
        re.compile(rf"""({_SECRET_FIELD}\s*:\s*["'])(?!\[redacted\])[^\s"']+"""),
        rf"\g<1>{REDACTED}",
    ),
    # Query parameters named for what they carry.
    (
        re.compile(rf"(?i)([?&](?:token|key|code|secret|password|signature)=){_VALUE}"),
        rf"\g<1>{REDACTED}",
    ),
]


def redact(text: str) -> str:
    """Return the text with every secret the portal hands out replaced by a marker."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class SecretRedactingFilter(logging.Filter):
    """Rewrite a record's message without its secrets; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a badly formatted record is the handler's to report
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            # Formatters cache the traceback text here; an exception's message may quote a path.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def redact_handlers(logger: logging.Logger, **_kwargs) -> None:
    """Add the filter to each of the logger's handlers (Celery replaces Django's on start)."""
    for handler in logger.handlers:
        if not any(isinstance(f, SecretRedactingFilter) for f in handler.filters):
            handler.addFilter(SecretRedactingFilter())


# What LogRecord carries anyway; everything else on a record is an `extra` worth keeping.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class CorrelationFilter(logging.Filter):
    """Put the current correlation and request ids, and the running task, on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current_request_context()
        # Django logs a 4xx or 5xx answer once the middleware has left: the request has the ids.
        request = getattr(record, "request", None)
        record.correlation_id = getattr(request, "correlation_id", context.correlation_id)
        record.request_id = getattr(request, "request_id", context.request_id)
        task = _current_task()
        record.task_id = task.request.id if task is not None else ""
        record.task_name = task.name if task is not None else ""
        return True


def _current_task():
    task = current_task._get_current_object() if current_task else None
    return task if task is not None and task.request.id else None


class JsonFormatter(logging.Formatter):
    """A JSON line per record, redacted whole: a record's extras (Django's `request`) print
    paths that the redacting filter, which sees only the message, does not."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_") and value not in ("", None):
                line[key] = value if isinstance(value, (str, int, float, bool)) else str(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return redact(json.dumps(line, ensure_ascii=False))


class RedactingGunicornLogger(GunicornLogger):
    """Gunicorn's logger with the filter on its access and error logs (`--logger-class`), and
    with LOG_FORMAT=json in the environment, JSON lines that name each request's correlation id."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, SecretRedactingFilter) for f in log.filters):
                log.addFilter(SecretRedactingFilter())
            if os.environ.get("LOG_FORMAT") == "json":
                log.addFilter(CorrelationFilter())
                for handler in log.handlers:
                    handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time) -> None:
        headers = {name.lower(): value for name, value in resp.headers}
        context = RequestContext(
            correlation_id=headers.get("ms-correlationid", ""),
            request_id=headers.get("ms-requestid", ""),
        )
        with request_context(context):
            super().access(resp, req, environ, request_time)
