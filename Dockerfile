# Production-like image: Debian 12 (Python 3.11, GDAL 3.6, GEOS, PROJ from Debian), granian,
# static files (including the npm front-end assets) collected at build time.
FROM debian:12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=gridmap.settings.production
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-venv python3-dev gcc gdal-bin libgdal32 libgeos-c1v5 libproj25 \
      fonts-noto-cjk nodejs npm postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt package.json package-lock.json ./
RUN python3 -m venv /venv && /venv/bin/pip install --no-cache-dir -r requirements.txt \
 && npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build-workbox.mjs
# collectstatic needs settings but no database or real secret.
RUN SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
    DATABASE_URL=postgis://build@localhost/build \
    /venv/bin/python manage.py collectstatic --noinput

RUN useradd --system --home /app gridmap && mkdir -p /app/media && chown gridmap /app/media
USER gridmap
EXPOSE 8000
CMD ["/venv/bin/python", "-m", "gridmap.server", "--host", "0.0.0.0", "--port", "8000", "--access-log"]
