# The scoring API as an image. Build after `dvc repro` or `dvc pull` (needs models/ and metrics/):
#   docker build -t churn-api . && docker run --rm -p 8000:8000 churn-api
# dvc.lock goes in too: the server checks that the metrics it reports belong to the model.
FROM python:3.11.7-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CHURN_MODEL=/app/models/model.json \
    CHURN_FEATURES=/app/models/features.json \
    CHURN_PARAMS=/app/params.yaml \
    CHURN_METRICS=/app/metrics/evaluate/metrics.json \
    CHURN_DVC_LOCK=/app/dvc.lock

WORKDIR /app

# Dependencies first (the API's share of requirements.txt's pins), so code changes reuse this layer.
COPY requirements-serve.txt pyproject.toml README.md ./
RUN pip install --no-cache-dir -r requirements-serve.txt

COPY src ./src
RUN pip install --no-cache-dir --no-deps . \
    && groupadd --gid 10001 churn \
    && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin churn

# The artifacts `dvc repro` produced: read-only for the service user.
COPY params.yaml dvc.lock ./
COPY contracts ./contracts
COPY models/model.json models/features.json ./models/
COPY metrics/evaluate/metrics.json ./metrics/evaluate/

USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]
CMD ["uvicorn", "churn.serve:app", "--host", "0.0.0.0", "--port", "8000"]
