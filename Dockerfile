# syntax=docker/dockerfile:1
# Production image for TalentPortal. The same image runs the web server
# (default CMD), the Celery worker and Celery beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=talentportal.settings \
    DEBUG=0 \
    MEDIA_ROOT=/app/media \
    MPLCONFIGDIR=/tmp/matplotlib

# CJK fonts are needed for the charts embedded in Word reports.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user that runs the application.
RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin app

WORKDIR /app

COPY requirements.txt .
RUN pip install --upgrade pip \
    && pip install -r requirements.txt

# Code stays root-owned (read-only for the app user).
COPY . .

# Collect static files at build time. The SECRET_KEY is a throw-away value
# that exists only for this RUN step; it is not stored in the image config.
# /app/media is owned by the app user so that a fresh named volume mounted
# there inherits that ownership and uploads are writable.
RUN SECRET_KEY=build-only-dummy-secret-key DEBUG=0 \
        python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown app:app /app/media

USER app

EXPOSE 8000

# No curl in slim images: use Python's urllib. The Host header is taken from
# the first ALLOWED_HOSTS entry (a request for "127.0.0.1" would get a 400
# when it is not allowed), and X-Forwarded-Proto avoids the HTTPS redirect
# when DJANGO_SECURE=1 and SECURE_PROXY_SSL_HEADER is configured.
# urlopen raises on any 4xx/5xx, so the exit status is non-zero then.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('*.') or 'localhost'; u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h, 'X-Forwarded-Proto': 'https'}), timeout=4)"

CMD ["sh", "-c", "exec gunicorn talentportal.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3}"]
