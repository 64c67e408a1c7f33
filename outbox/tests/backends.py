"""An e-mail backend that refuses some addresses, as a mail server does, and delivers the rest to
Django's test outbox."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class RefusingEmailBackend(EmailBackend):
    refused: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            refused = {address: (550, b"mailbox unavailable") for address in message.to
                       if address in self.refused}
            if refused:
                raise smtplib.SMTPRecipientsRefused(refused)
        return super().send_messages(messages)
