"""Content negotiation that answers an unknown `?format=` with a 400 problem.

DRF answers a bare 404, as if the path did not exist, and ignores an empty `format=`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.negotiation import DefaultContentNegotiation

from core.errors import PortalError


class PortalContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        wanted = request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        formats = [renderer.format for renderer in renderers]
        if wanted is not None and wanted not in formats:
            raise PortalError(
                _("format is one of: %(formats)s.") % {"formats": ", ".join(formats)},
                code="invalid_format",
                field="format",
            )
        return super().select_renderer(request, renderers, format_suffix)
