#!/usr/bin/env bash
# Smoke test of the scoring API image in a real Docker engine (`make docker-smoke` builds it first).
#
#   docker/smoke.sh [IMAGE]        IMAGE defaults to churn-api
#
# Env: PORT (host port, default 8000), NETWORK=host to run with --network host instead of
# publishing the port, TIMEOUT (seconds to wait for healthy, default 60).
# Runs the container with a 2 s health interval, waits (bounded) for Docker to report it healthy
# (the image's own HEALTHCHECK command), then checks GET /health, GET /model (metrics verified
# against dvc.lock), that the README's curl example gets exactly the README's response (when the
# image holds the README's model; another model's answer is checked for its shape), that /docs
# and /redoc load everything from the API itself, not a CDN, that HEAD is answered and that
# /predict's documented examples are scored (docker/docs-check.sh), that the server runs as uid
# 10001 and that it cannot write under /app. The container is removed on every exit path; its
# logs are printed when a check fails.
set -euo pipefail

IMAGE=${1:-churn-api}
PORT=${PORT:-8000}
NETWORK=${NETWORK:-}
TIMEOUT=${TIMEOUT:-60}
BASE=http://127.0.0.1:$PORT
README=$(dirname "$0")/../README.md
CID=
WORK=$(mktemp -d)

cleanup() {
    local rc=$?
    if [[ -n $CID ]]; then
        if ((rc != 0)); then
            echo "--- container logs (last 40 lines) ---" >&2
            docker logs --tail 40 "$CID" >&2 2>&1 || true
        fi
        docker rm -f "$CID" >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
    if ((rc == 0)); then echo "smoke: OK"; else echo "smoke: FAILED (exit $rc)" >&2; fi
}
trap cleanup EXIT

fail() {
    echo "smoke: FAIL: $*" >&2
    exit 1
}
pass() { echo "ok   $*"; }

command -v curl >/dev/null || fail "curl not found"
docker image inspect "$IMAGE" >/dev/null 2>&1 || fail "image $IMAGE not found (make docker-smoke builds it)"
if curl -s -o /dev/null --max-time 2 "$BASE/health"; then
    fail "something already answers on $BASE (PORT=... to use another port)"
fi

# The README's example: the JSON body of its curl command and the response shown below it.
python3 - "$README" "$WORK" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
found = re.search(r"curl -s -X POST \S+/predict .*? -d '(.*)'\n```\n```json\n(.*)\n```", text)
if not found:
    sys.exit("smoke: FAIL: README.md has no curl example for /predict followed by its response")
open(f"{sys.argv[2]}/request.json", "w").write(found.group(1))
open(f"{sys.argv[2]}/expected.json", "w").write(found.group(2))
PY

if [[ $NETWORK == host ]]; then
    [[ $PORT == 8000 ]] || fail "NETWORK=host serves on 8000 only (the image's CMD)"
    net_args=(--network host)
else
    net_args=(-p "127.0.0.1:$PORT:8000")
fi
CID=$(docker run -d "${net_args[@]}" --health-interval=2s --health-timeout=5s \
    --health-start-period=30s --health-retries=3 "$IMAGE")
pass "started container ${CID:0:12} from $IMAGE"

started=$SECONDS
status=
while ((SECONDS - started < TIMEOUT)); do
    state=$(docker inspect --format '{{.State.Status}}' "$CID")
    [[ $state == running ]] || fail "container is $state, not running"
    status=$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$CID")
    case $status in
        healthy) break ;;
        unhealthy) fail "Docker reports the container unhealthy" ;;
        none) fail "the image has no HEALTHCHECK" ;;
    esac
    sleep 1
done
[[ $status == healthy ]] || fail "not healthy after ${TIMEOUT}s (status: $status)"
pass "healthy (the image's HEALTHCHECK) after $((SECONDS - started))s"

# http METHOD PATH [BODY_FILE]: the body goes to $WORK/body, the HTTP status to stdout.
http() {
    local args=(-s -o "$WORK/body" -w '%{http_code}' --max-time 10 -X "$1")
    [[ -n ${3:-} ]] && args+=(-H 'content-type: application/json' --data-binary "@$3")
    curl "${args[@]}" "$BASE$2" || echo 000
}
field() { python3 -c "import json, sys; print(json.load(open(sys.argv[1]))$1)" "$WORK/body"; }

code=$(http GET /health)
[[ $code == 200 && $(field '["status"]') == ok ]] || fail "/health: HTTP $code $(head -c 300 "$WORK/body")"
pass "/health 200 $(head -c 200 "$WORK/body")"

code=$(http GET /model)
[[ $code == 200 ]] || fail "/model: HTTP $code $(head -c 300 "$WORK/body")"
[[ $(field '.get("metrics_verified")') == True ]] || fail "/model: metrics not verified against dvc.lock"
pass "/model 200, version $(field '["model_version"]'), metrics verified against dvc.lock"

code=$(http POST /predict "$WORK/request.json")
[[ $code == 200 ]] || fail "/predict: HTTP $code $(head -c 300 "$WORK/body")"
served_model=$(field '["model_version"]')
readme_model=$(python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['model_version'])" "$WORK/expected.json")
if [[ $served_model == "$readme_model" ]]; then
    cmp -s "$WORK/body" "$WORK/expected.json" \
        || fail "/predict answered $(cat "$WORK/body"), the README shows $(cat "$WORK/expected.json")"
    pass "/predict 200, the README's response byte for byte: $(head -c 120 "$WORK/body")..."
else  # another model than the README's (trained elsewhere): its own probability, same shape
    [[ $(field '["predictions"][0]["id"]') == C0000016 ]] || fail "/predict: $(head -c 300 "$WORK/body")"
    [[ $(field '["predictions"][0]["churn_probability"] <= 1') == True ]] \
        || fail "/predict: no probability in $(head -c 300 "$WORK/body")"
    pass "/predict 200 from model $served_model (the README shows $readme_model): $(head -c 120 "$WORK/body")..."
fi

# the offline docs: /docs and /redoc load their scripts and styles from the image, not a CDN
"$(dirname "$0")/docs-check.sh" "$BASE" || fail "the documentation pages (docker/docs-check.sh)"

uid=$(docker exec "$CID" awk '/^Uid:/{print $2}' /proc/1/status)
[[ $uid == 10001 ]] || fail "the server (pid 1) runs as uid $uid, not 10001"
writable=$(docker exec "$CID" find /app -writable -print)
[[ -z $writable ]] || fail "writable by the server's user under /app: $writable"
pass "the server runs as uid 10001 and can write nothing under /app"
