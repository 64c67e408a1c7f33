# The portal's image: web (default command), Celery worker and beat all run from it.
# See docker-compose.yml for the whole stack. Build: docker build -t csp-portal .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORTAL_VAR_DIR=/app/var \
    DJANGO_SETTINGS_MODULE=csp_portal.settings.prod

# Pango, HarfBuzz and a font for PDF rendering (WeasyPrint); nothing else is needed at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (cached until pyproject.toml or constraints.txt change).
COPY pyproject.toml constraints.txt ./
RUN pip install -c constraints.txt . && rm -rf build *.egg-info

COPY . .

# Static files and translations are built into the image; the key is only for this step.
RUN SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput \
    && if ls locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then \
         pybabel compile -d locale -D django; \
       fi

RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin portal \
    && mkdir -p var/media var/mail \
    && chown -R portal:portal var
USER portal

EXPOSE 8000
# Workers, logging and the rest: gunicorn.conf.py, as everywhere the portal is served.
CMD ["gunicorn", "csp_portal.wsgi:application", "--config", "gunicorn.conf.py", \
     "--bind", "0.0.0.0:8000"]
