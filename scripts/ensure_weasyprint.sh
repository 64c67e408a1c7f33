#!/usr/bin/env bash
# Make sure WeasyPrint can print invoice PDFs: it needs Pango (with its FreeType and HarfBuzz
# parts) and a font from the system, which Python packages do not bring. Installs Debian's
# packages with apt-get when it runs as root and they are missing (the same ones the Dockerfile
# installs); otherwise it only warns: the portal runs, but invoice PDFs stay "being prepared"
# and their tests fail with WeasyPrint's own message.
set -uo pipefail

PYTHON=${PYTHON:-.venv/bin/python}
PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core)

can_print() {
  "$PYTHON" -c "import weasyprint; weasyprint.HTML(string='<p>x</p>').write_pdf()" >/dev/null 2>&1
}

if can_print; then
  echo "ensure_weasyprint: WeasyPrint can print PDFs."
  exit 0
fi

if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure_weasyprint: installing ${PACKAGES[*]} with apt-get (once)"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends \
      "${PACKAGES[@]}" >/dev/null && can_print; then
    echo "ensure_weasyprint: WeasyPrint can print PDFs."
    exit 0
  fi
fi

cat >&2 <<MSG
ensure_weasyprint: WARNING: WeasyPrint cannot print here; invoice PDFs will not be rendered.
  Install Pango and a font (Debian/Ubuntu: 'apt-get install ${PACKAGES[*]}'),
  then check with: $PYTHON -c "import weasyprint; weasyprint.HTML(string='x').write_pdf()"
MSG
exit 0
