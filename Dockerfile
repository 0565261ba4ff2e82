# The scoring API as an image. Build after `dvc repro` or `dvc pull` (needs models/ and metrics/):
#   docker build -t churn-api . && docker run --rm -p 8000:8000 churn-api
# dvc.lock goes in too: the server checks that the metrics it reports belong to the model.
FROM python:3.11.7-slim-bookworm

# Artifact paths below; settings left at their defaults, set with `docker run -e` (README, "API"):
#   CHURN_MAX_BODY_BYTES (16000000), CHURN_MAX_RECORDS (10000),
#   CHURN_CORS_ORIGINS (unset: no web page of another origin may call the API; origins as
#   browsers send them, comma- or space-separated, or *: -e CHURN_CORS_ORIGINS=https://app.example.com)
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CHURN_MODEL=/app/models/model.json \
    CHURN_FEATURES=/app/models/features.json \
    CHURN_APPLIED_CONTRACT=/app/models/contract.yaml \
    CHURN_PARAMS=/app/params.yaml \
    CHURN_METRICS=/app/metrics/evaluate/metrics.json \
    CHURN_DVC_LOCK=/app/dvc.lock

WORKDIR /app

# Dependencies first, alone (the API's share of requirements.txt's pins), so that a change of the
# code, README or pyproject reuses this ~510 MB layer instead of installing everything again.
COPY requirements-serve.txt ./
RUN pip install --no-cache-dir -r requirements-serve.txt

# The package; pip's in-tree build leftovers (build/, *.egg-info) are not kept in the image.
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir --no-deps . \
    && rm -rf build src/*.egg-info \
    && groupadd --gid 10001 churn \
    && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin churn

# The artifacts `dvc repro` produced: read-only for the service user. models/contract.yaml is
# the contract validate applied, which the API applies when params.yaml's data.contract is "".
COPY params.yaml dvc.lock ./
COPY contracts ./contracts
COPY models/model.json models/features.json models/contract.yaml ./models/
COPY metrics/evaluate/metrics.json ./metrics/evaluate/
# COPY keeps the modes files have in the build context: checked out under umask 077 they were
# 0600 and the service user could not read them (the server refused to start), under umask 000
# writable by it. Readable, not writable, by everyone, whatever the host did.
RUN chmod -R a=rX /app

USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]
CMD ["uvicorn", "churn.serve:app", "--host", "0.0.0.0", "--port", "8000"]
