# Production image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# The site's requirements only (no test tools), each pinned with its hashes: `make lock` writes
# requirements.lock from requirements.txt.
COPY requirements.lock .
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY . .
# collectstatic needs settings that import; these values exist only for the build step.
RUN DEBUG=0 SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost DATABASE_CACHE=1 python manage.py collectstatic --noinput

# The code (and the collected static files) stay root's, read-only to the user the site runs as;
# only MEDIA_ROOT, the documents attached to adjustments (a volume in docker-compose.yml), is its.
RUN useradd --create-home --uid 1000 stf \
    && chmod -R go-w /app \
    && mkdir -p /app/media && chown stf:stf /app/media
USER stf
EXPOSE 8000
CMD ["gunicorn", "stftracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
