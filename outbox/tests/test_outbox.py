"""The outbox: one message per event and recipient, queued with the change, delivered at most
once, retried after a failure, given up when it may already have gone."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core.tenancy import PartnerScopeMissing, partner_scope
from outbox import sweeps
from outbox.models import Message
from outbox.services import MAX_ATTEMPTS, email_queue, message_send
from outbox.sweeps import CLAIM_TIMEOUT, messages_sweep


def _queue(partner, *, event_key="tests.event:1", recipient="ada@owner.example", subject="Hi"):
    with partner_scope(partner):
        return email_queue(
            partner=partner, event_key=event_key, recipient=recipient, subject=subject,
            body=f"Body of {event_key}",
        )


def _message(partner, **filters) -> Message:
    with partner_scope(partner):
        return Message.objects.get(**filters)


def _send(partner, message_id) -> bool:
    with partner_scope(partner):
        return message_send(message_id=message_id)


def test_an_event_queues_one_message_per_recipient_whatever_the_retries(
    owner_partner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        assert _queue(owner_partner) is True
        assert _queue(owner_partner, recipient=" Ada@Owner.example ", subject="Again") is False
        assert _queue(owner_partner, recipient="bob@owner.example") is True
    with partner_scope(owner_partner):
        queued = sorted(Message.objects.values_list("recipient", "payload__subject"))
    assert queued == [("ada@owner.example", "Hi"), ("bob@owner.example", "Hi")]
    assert len(callbacks) == 2, "a send task per new message, none for the repeat"


def test_the_message_is_written_in_the_changes_transaction_and_rolls_back_with_it(
    owner_partner, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _queue(owner_partner)
        raise RuntimeError("the change failed after queueing its e-mail")
    with partner_scope(owner_partner):
        assert not Message.objects.exists()
    assert callbacks == []


def test_messages_belong_to_their_partner(owner_partner, outsider_partner):
    _queue(owner_partner)
    with partner_scope(outsider_partner):
        assert not Message.objects.exists()
    with pytest.raises(PartnerScopeMissing):
        Message.objects.count()


def test_a_message_is_sent_once_however_often_it_is_delivered(owner_partner, mailoutbox):
    _queue(owner_partner)
    message = _message(owner_partner)
    assert _send(owner_partner, message.pk) is True
    assert _send(owner_partner, message.pk) is False
    assert messages_sweep(at=timezone.now() + timedelta(days=1)) == 0
    [mail] = mailoutbox
    assert (mail.to, mail.subject) == (["ada@owner.example"], "Hi")
    assert mail.body == "Body of tests.event:1"
    sent = _message(owner_partner)
    assert sent.sent_at is not None and sent.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_message_at_once_send_it_once(owner_partner, mailoutbox):
    _queue(owner_partner)
    message_id = _message(owner_partner).pk
    start = threading.Barrier(4)
    results = []

    def deliver():
        try:
            start.wait()
            results.append(_send(owner_partner, message_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    assert len(mailoutbox) == 1


def test_a_refused_delivery_is_retried_after_a_backoff_and_others_are_not_resent(
    owner_partner, refused_addresses, mailoutbox, caplog
):
    refused_addresses.add("bob@owner.example")
    _queue(owner_partner)
    _queue(owner_partner, recipient="bob@owner.example")
    ada, bob = (_message(owner_partner, recipient=r)
                for r in ("ada@owner.example", "bob@owner.example"))
    before = timezone.now()
    assert _send(owner_partner, ada.pk) is True
    assert _send(owner_partner, bob.pk) is False

    waiting = _message(owner_partner, pk=bob.pk)
    assert waiting.sent_at is None and waiting.claimed_at is None and waiting.attempts == 1
    assert "SMTPRecipientsRefused" in waiting.last_error
    assert waiting.due_at >= before + timedelta(minutes=1)
    assert any(f"Outbox message {bob.pk} " in r.getMessage() for r in caplog.records)
    assert messages_sweep(at=timezone.now()) == 0, "not before the backoff ends"

    refused_addresses.clear()
    assert messages_sweep(at=waiting.due_at) == 1
    assert sorted(mail.to[0] for mail in mailoutbox) == ["ada@owner.example", "bob@owner.example"]
    assert messages_sweep(at=waiting.due_at + timedelta(days=1)) == 0


def test_a_message_refused_every_time_is_given_up_and_logged(
    owner_partner, refused_addresses, mailoutbox, caplog
):
    refused_addresses.add("ada@owner.example")
    _queue(owner_partner)
    message_id = _message(owner_partner).pk
    at = timezone.now()
    for _attempt in range(MAX_ATTEMPTS):
        at += timedelta(days=1)
        messages_sweep(at=at)
    given_up = _message(owner_partner)
    assert given_up.attempts == MAX_ATTEMPTS and given_up.abandoned_at is not None
    assert given_up.sent_at is None
    assert any(r.levelname == "ERROR" and f"message {message_id} " in r.getMessage()
               for r in caplog.records)

    refused_addresses.clear()
    assert messages_sweep(at=at + timedelta(days=1)) == 0
    assert _send(owner_partner, message_id) is False
    assert mailoutbox == []


def test_a_claim_left_by_a_sender_that_died_is_given_up_never_sent_twice(
    owner_partner, mailoutbox, caplog
):
    _queue(owner_partner)
    message = _message(owner_partner)
    # A worker claimed it and was killed: it may or may not have handed the e-mail over.
    claimed_at = timezone.now()
    Message.objects.all_partners().filter(pk=message.pk).update(claimed_at=claimed_at, attempts=1)

    assert messages_sweep(at=claimed_at + CLAIM_TIMEOUT - timedelta(seconds=1)) == 0
    assert _message(owner_partner).abandoned_at is None, "a live sender still has it"

    assert messages_sweep(at=claimed_at + CLAIM_TIMEOUT + timedelta(seconds=1)) == 0
    assert _message(owner_partner).abandoned_at is not None
    assert _send(owner_partner, message.pk) is False
    assert mailoutbox == []
    assert any(r.levelname == "ERROR" and str(message.pk) in r.getMessage()
               for r in caplog.records)


def test_the_sweep_goes_past_a_message_it_cannot_deliver(
    owner_partner, outsider_partner, monkeypatch, mailoutbox, caplog
):
    for index, partner in enumerate((owner_partner, outsider_partner, owner_partner)):
        _queue(partner, event_key=f"tests.event:{index}")
    with partner_scope(owner_partner):
        first = Message.objects.get(event_key="tests.event:0")

    def deliver(*, message_id):
        if message_id == first.pk:
            raise ConnectionError("database connection lost")
        return message_send(message_id=message_id)

    monkeypatch.setattr(sweeps, "message_send", deliver)
    assert messages_sweep(at=timezone.now(), batch_size=1) == 2
    assert sorted(mail.body for mail in mailoutbox) == ["Body of tests.event:1",
                                                        "Body of tests.event:2"]
    assert any(f"message {first.pk} " in r.getMessage() for r in caplog.records)
