"""The Jinja2 pages' strings, as pybabel extracts them with babel.cfg, are the catalogue's."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[2]


def _jinja2_page_strings() -> set[str]:
    with open(REPO / "babel.cfg") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    pages = [(pattern, method) for pattern, method in method_map if method == "jinja2"]
    strings = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(REPO), pages, options_map
    ):
        strings.update([message] if isinstance(message, str) else message)
    return strings


def test_every_string_of_the_jinja2_pages_has_its_italian_translation():
    strings = _jinja2_page_strings()
    with open(REPO / "locale/it/LC_MESSAGES/django.po", "rb") as catalogue_file:
        catalogue = read_po(catalogue_file)
    translated = {
        msgid: message.string for message in catalogue if message.string
        for msgid in ([message.id] if isinstance(message.id, str) else message.id)
    }
    untranslated = sorted(strings - set(translated))
    assert len(strings) > 300, "pybabel found too few strings: is babel.cfg's jinja2 map right?"
    assert "Find a customer by company name, tenant GUID or domain" in strings
    assert "Prices include tax (%(rate)s%%)." in strings
    assert untranslated == []
