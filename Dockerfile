# Benchmate's container image: the same processes as the Procfile (compose.yaml runs
# them with PostgreSQL). `docker run IMAGE` serves Slack's HTTP requests; give another
# command to run the others: `benchmate clock`, `benchmate db upgrade`, `benchmate socket`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY scheduler ./scheduler
# A package of the project like the others (`benchmate sandbox`; tests import its spec checks).
COPY sandbox ./sandbox
RUN pip install . && rm -rf /src/build

# Runs as an ordinary user. /data is its working directory: the default SQLite file
# (DATABASE_URL=sqlite:///benchmate.db) lands there, so a volume on /data keeps it.
RUN useradd --create-home --uid 10001 benchmate \
    && mkdir /data && chown benchmate:benchmate /data
USER benchmate
WORKDIR /data
VOLUME ["/data"]

# `benchmate serve` listens on $PORT (default 3000); GET /healthz answers 200 when the
# database is reachable.
ENV PORT=3000
EXPOSE 3000
CMD ["benchmate", "serve"]
