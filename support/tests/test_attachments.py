"""Attachments: types by content, limits, names, private storage, downloads, huge uploads."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from core.tenancy import partner_scope
from support.attachments import attachment_name_clean
from support.intake import ServiceRequestInvalid
from support.models import Attachment, ServiceRequest

from .factories import (
    EXE_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    file_request,
    refund_draft,
    stored_files,
    upload,
)

MB = 1024 * 1024


def _refused(agent, customer, order, files) -> str:
    with pytest.raises(ServiceRequestInvalid) as refused:
        file_request(agent, refund_draft(customer, order), files)
    return refused.value.problems["files"]


def _nothing_stored(agent, root) -> None:
    with partner_scope(agent.partner):
        assert not ServiceRequest.objects.exists()
        assert not Attachment.objects.exists()
    assert stored_files(root) == []


def test_an_executable_renamed_pdf_is_refused_and_nothing_is_stored(
    agent, customer, order, attachment_root
):
    reason = _refused(
        agent, customer, order,
        [upload("invoice.pdf", PDF_BYTES), upload("invoice-copy.pdf", EXE_BYTES)],
    )
    assert reason.startswith("invoice-copy.pdf contains application/x-msdownload data")
    assert reason.endswith("Nothing was saved.")
    _nothing_stored(agent, attachment_root)


def test_an_oversize_file_is_refused_and_nothing_is_stored(
    agent, customer, order, attachment_root
):
    big = PDF_BYTES + b"0" * (10 * MB)
    reason = _refused(agent, customer, order, [upload("scan.pdf", big)])
    assert "scan.pdf is 10.0\xa0MB; a file may be at most 10.0\xa0MB." in reason
    _nothing_stored(agent, attachment_root)


def test_a_file_of_exactly_the_limit_is_accepted(agent, customer, order, attachment_root):
    exact = PDF_BYTES + b"0" * (10 * MB - len(PDF_BYTES))
    file_request(agent, refund_draft(customer, order), [upload("scan.pdf", exact)])
    assert len(stored_files(attachment_root)) == 1


def test_a_sixth_file_is_refused_and_nothing_is_stored(agent, customer, order, attachment_root):
    files = [upload(f"page-{n}.pdf", PDF_BYTES) for n in range(6)]
    reason = _refused(agent, customer, order, files)
    assert reason.startswith("Attach at most 5 files at a time; you chose 6.")
    _nothing_stored(agent, attachment_root)


def test_five_files_of_every_allowed_type_are_stored_under_random_names(
    agent, customer, order, attachment_root
):
    files = [
        upload("invoice.pdf", PDF_BYTES),
        upload("screen.png", PNG_BYTES),
        upload("photo.jpeg", JPEG_BYTES),
        upload("notes.txt", "Grazie, è urgente.".encode()),
        upload("lines.csv", b"sku,qty\nVISIO,1\n"),
    ]
    service_request = file_request(agent, refund_draft(customer, order), files)
    with partner_scope(agent.partner):
        stored = {a.name: a for a in Attachment.objects.filter(service_request=service_request)}
    assert {name: a.content_type for name, a in stored.items()} == {
        "invoice.pdf": "application/pdf",
        "screen.png": "image/png",
        "photo.jpeg": "image/jpeg",
        "notes.txt": "text/plain",
        "lines.csv": "text/csv",
    }
    on_disk = stored_files(attachment_root)
    assert len(on_disk) == 5
    assert all(path.parent.name == str(agent.partner_id) for path in on_disk)
    assert all(len(path.name) == 32 and "." not in path.name for path in on_disk)
    assert sorted(path.read_bytes() for path in on_disk) == sorted(f.read() for f in [
        upload("a", PDF_BYTES), upload("b", PNG_BYTES), upload("c", JPEG_BYTES),
        upload("d", "Grazie, è urgente.".encode()), upload("e", b"sku,qty\nVISIO,1\n"),
    ])


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("data.csv", b"a,b\x00c\n"),  # a NUL byte: binary, whatever the name says
        ("notes.txt", "caffè".encode("latin-1")),  # not UTF-8
        ("archive.pdf", b"PK\x03\x04" + b"\x00" * 30),  # a ZIP
        ("empty.txt", b""),
    ],
)
def test_files_that_are_not_of_an_allowed_type_are_refused(
    agent, customer, order, attachment_root, name, content
):
    reason = _refused(agent, customer, order, [upload(name, content)])
    assert reason.startswith(name)
    _nothing_stored(agent, attachment_root)


def test_a_path_traversal_name_is_reduced_to_its_file_name(
    agent, customer, order, attachment_root, tmp_path
):
    service_request = file_request(
        agent, refund_draft(customer, order), [upload("../../etc/passwd.txt", b"root:x:0:0\n")]
    )
    with partner_scope(agent.partner):
        attachment = Attachment.objects.get(service_request=service_request)
    assert attachment.name == "passwd.txt"
    [path] = stored_files(attachment_root)
    assert path.resolve().is_relative_to(attachment_root.resolve())
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("..\\..\\windows\\system.ini.txt", "system.ini.txt"),
        ("/etc/passwd", "passwd"),
        ("..", "attachment"),
        ("", "attachment"),
        (".hidden.txt", "hidden.txt"),
        ('inv"oice<1>;rm -rf.pdf', "inv_oice_1_rm -rf.pdf"),
        ("fattura\x00\x1b[31m.pdf", "fattura_31m.pdf"),
        ("fattura però.pdf", "fattura però.pdf"),
        ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
    ],
)
def test_names_are_cleaned(raw, clean):
    assert attachment_name_clean(raw) == clean


def test_a_download_name_gets_the_extension_of_its_content(agent, customer, order):
    service_request = file_request(
        agent, refund_draft(customer, order),
        [upload("screen.pdf", PNG_BYTES), upload("page.html", b"<script>alert(1)</script>")],
    )
    with partner_scope(agent.partner):
        names = sorted(
            (a.name, a.content_type)
            for a in Attachment.objects.filter(service_request=service_request)
        )
    assert names == [("page.html.txt", "text/plain"), ("screen.pdf.png", "image/png")]


def test_a_download_is_an_attachment_of_its_checked_type(client_for, agent, customer, order):
    service_request = file_request(
        agent, refund_draft(customer, order), [upload("invoice.pdf", PDF_BYTES)]
    )
    with partner_scope(agent.partner):
        attachment = Attachment.objects.get()
    response = client_for(agent).get(
        f"/support/requests/{service_request.pk}/files/{attachment.pk}/"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_file_missing_from_storage_is_404_not_an_error(
    client_for, agent, customer, order, attachment_root
):
    service_request = file_request(
        agent, refund_draft(customer, order), [upload("invoice.pdf", PDF_BYTES)]
    )
    with partner_scope(agent.partner):
        attachment = Attachment.objects.get()
    for path in stored_files(attachment_root):
        path.unlink()
    response = client_for(agent).get(
        f"/support/requests/{service_request.pk}/files/{attachment.pk}/"
    )
    assert response.status_code == 404


def test_a_huge_upload_gets_a_clear_message_and_stores_nothing(
    client_for, agent, customer, order, settings, attachment_root
):
    settings.SUPPORT_UPLOAD_MAX_REQUEST_BYTES = 64 * 1024
    response = client_for(agent).post(
        "/support/new/",
        {
            "topic": "csp_purchase_refund", "impact": "high", "title": "Refund",
            "files": [upload("scan.pdf", PDF_BYTES + b"0" * (128 * 1024))],
        },
    )
    assert response.status_code == 413
    assert "The upload is larger than 64.0\xa0KB in all, so nothing was saved" in (
        response.content.decode()
    )
    assert response.context["form"]["title"].value() == "Refund"
    _nothing_stored(agent, attachment_root)


def test_a_huge_api_upload_is_a_413_problem(api_client_for, agent, settings, attachment_root):
    settings.SUPPORT_UPLOAD_MAX_REQUEST_BYTES = 64 * 1024
    response = api_client_for(agent).post(
        "/v1/servicerequests",
        {"title": "Refund", "files": [upload("scan.pdf", PDF_BYTES + b"0" * (128 * 1024))]},
        format="multipart",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "upload_too_large"
    _nothing_stored(agent, attachment_root)


def test_notes_take_files_under_the_same_rules(
    client_for, agent, refund_request, attachment_root
):
    client = client_for(agent)
    url = f"/support/requests/{refund_request.pk}/notes/"
    response = client.post(
        url, {"text": "Here", "files": [upload("x.pdf", EXE_BYTES)]}, follow=True
    )
    assert "x.pdf contains application/x-msdownload data" in response.content.decode()
    assert stored_files(attachment_root) == []

    client.post(url, {"text": "Here is the receipt", "files": [upload("r.pdf", PDF_BYTES)]})
    with partner_scope(agent.partner):
        [attachment] = Attachment.objects.all()
    assert attachment.note.text == "Here is the receipt"
    assert len(stored_files(attachment_root)) == 1


def test_the_upload_pages_still_check_csrf(agent, customer, order, refund_request):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    for path in ("/support/new/", f"/support/requests/{refund_request.pk}/notes/"):
        response = client.post(path, {"text": "x", "files": [upload("a.pdf", PDF_BYTES)]})
        assert response.status_code == 403, path


def test_attachments_are_stored_outside_every_served_folder():
    from csp_portal.settings import base

    location = Path(base.SUPPORT_ATTACHMENT_STORAGE["OPTIONS"]["location"]).resolve()
    for served in (base.STATIC_ROOT, base.MEDIA_ROOT, *base.STATICFILES_DIRS):
        assert not location.is_relative_to(Path(served).resolve())


def test_ids_beyond_the_database_range_are_404(client_for, api_client_for, agent):
    huge = 10**30
    assert client_for(agent).get(f"/support/requests/{huge}/").status_code == 404
    assert client_for(agent).get(f"/support/requests/1/files/{huge}/").status_code == 404
    assert api_client_for(agent).get(f"/v1/servicerequests/{huge}").status_code == 404
