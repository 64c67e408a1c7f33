"""The Italian labels take the source document's own words where it has them, so they cannot
drift: each label is compared with the Partner Center page's text, English and Italian."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from core.roles import Role
from support.choices import SupportTopic
from tests.seed_source import ENGLISH, localised_segments, seed_text

# (the English label, the Italian label, the source's Italian words it comes from). The source
# names three roles only in the plural ("gli amministratori degli account"); a label is one role.
SOURCE_LABELS = [
    ("customer support request", "richiesta di assistenza clienti",
     "richiesta di assistenza clienti"),
    ("Download", "Download", "Download"),
    ("Order number", "Numero di ordine", "numero di ordine"),
    ("Customer tenant GUID or domain", "GUID del tenant o nome di dominio del cliente",
     "GUID del tenant o nome di dominio del cliente"),
    ("Global admin", "Amministratore globale", "Amministratore globale"),
    ("Admin agent", "Agente amministratore", "Agente amministratore"),
    ("Account admin", "Amministratore degli account", "amministratori degli account"),
    ("Referral admin", "Amministratore delle segnalazioni", "amministratori delle segnalazioni"),
    ("Marketing content admin", "Amministratore di contenuti di marketing",
     "amministratori di contenuti di marketing"),
    # Kept in English in the Italian page, as Partner Center's Italian interface shows it.
    ("CSP Purchase/Refund on behalf of customers", "CSP Purchase/Refund on behalf of customers",
     "CSP Purchase/Refund on behalf of customers"),
    ("Customers", "Clienti", "Clienti"),
    ("Add products", "Aggiungi prodotti", "Aggiungi prodotti"),
    ("Version", "Versione", "Versione"),
    ("Language", "Lingua", "Lingua"),
    ("File type/OS", "Tipo di file/sistema operativo", "Tipo di file/sistema operativo"),
    ("Submit", "Invia", "Invia"),
    ("Get keys and downloads", "Scarica chiavi e download", "Scarica chiavi e download"),
    ("Copy link", "Copia collegamento", "Copia collegamento"),
    ("Activity log", "Log attività", "Log attività"),
    ("Cancel", "Annulla", "Annulla"),
    ("Order history", "Cronologia ordini", "Cronologia ordini"),
    ("Important", "Importante", "Importante"),
    ("Order ID", "ID ordine", "ID ordine"),
    ("Refund reason", "Motivo del rimborso", "Motivo del rimborso"),
    ("Amount requested", "Importo richiesto", "Importo richiesto"),
    ("Add files", "Aggiungi file", "Aggiungi file"),
]
ROLE_LABELS = {str(role.label): role for role in Role}
TOPIC_LABELS = {str(topic.label): topic for topic in SupportTopic}


def _singular(words: str) -> str:
    first, _, rest = words.partition(" ")
    return f"{ {'amministratori': 'amministratore'}.get(first.lower(), first)} {rest}".strip()


def _italian(label: str) -> str:
    with translation.override("it"):
        if label in ROLE_LABELS:
            return str(ROLE_LABELS[label].label)
        if label in TOPIC_LABELS:
            return str(TOPIC_LABELS[label].label)
        return gettext(label)


@pytest.mark.parametrize(("english", "italian", "source_words"), SOURCE_LABELS,
                         ids=[row[0] for row in SOURCE_LABELS])
def test_the_italian_label_is_the_sources_wording(english, italian, source_words):
    english_text = seed_text(ENGLISH).casefold()
    italian_text = " ".join(it for it, _en in localised_segments()).casefold()
    assert english.casefold() in english_text, f"{english!r} is not in the English source"
    assert source_words.casefold() in italian_text, f"{source_words!r} is not in the source"
    assert italian.casefold() == _singular(source_words).casefold()
    assert _italian(english) == italian


def test_every_role_has_the_sources_italian_name():
    labelled = {english for english, _italian, _words in SOURCE_LABELS}
    assert {str(role.label) for role in Role} - labelled == {"Sales agent", "Billing admin"}, (
        "the source names these two roles nowhere; the others must be compared"
    )


def test_the_hybrid_benefit_note_is_the_sources_paragraph_in_both_languages():
    segments = localised_segments()
    first = next(
        index for index, (_it, en) in enumerate(segments)
        if en.startswith("The Azure Hybrid Benefit helps")
    )
    paragraph = segments[first:first + 3]
    english = " ".join(en for _it, en in paragraph)
    italian = " ".join(it for it, _en in paragraph)
    assert english.endswith("(Linux virtual machine rates, e.g.).")
    with translation.override("it"):
        assert gettext(english) == italian
