#!/usr/bin/env bash
# Checks that the API's documentation works offline, from the API alone: docker/smoke.sh runs it
# against the image, tests/model/test_serving_docs.py against a real server process.
#
#   docker/docs-check.sh BASE_URL          e.g. http://127.0.0.1:8000
#
# /docs (Swagger UI) and /redoc (ReDoc) answer 200 HTML naming no other origin (no http://,
# https:// or //host URL: no CDN), and every script, stylesheet and icon they load is served by
# the API itself with its content type (the Swagger UI and ReDoc bundles whole, not stubs);
# HEAD is answered where GET is (the pages, /openapi.json, /health); /predict's documented
# request examples, what Swagger UI's "Try it out" sends, are each scored whole. Needs curl and
# python3; exits 1 naming the first check that failed.
set -euo pipefail

BASE=${1:?usage: docker/docs-check.sh BASE_URL}
BASE=${BASE%/}  # http://host:8000/ names the same server
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

fail() {
    echo "docs: FAIL: $*" >&2
    exit 1
}
pass() { echo "ok   $*"; }

# fetch PATH: the body goes to $WORK/body, the HTTP status and content type to stdout.
fetch() {
    curl -s -o "$WORK/body" -w '%{http_code} %{content_type}' --max-time 10 "$BASE$1" || echo 000
}

# links: the URLs an HTML page ($WORK/body) loads (src, href, spec-url, and quoted URLs in its
# scripts); exits 1 naming any that is not a path on this server.
links() {
    python3 - "$WORK/body" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
found = re.findall(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']""", html)
found += re.findall(r"""(?:url|href|src)\s*:\s*['"]([^'"]+)['"]""", html)
elsewhere = re.findall(r"(?:https?:)?//[^\s'\"<>)]+", html.replace("window.location.origin", ""))
outside = elsewhere + [url for url in found if not url.startswith("/") or url.startswith("//")]
if outside:
    sys.exit(f"loads from another origin: {', '.join(sorted(set(outside)))}")
print("\n".join(dict.fromkeys(found)))
PY
}

for page in /docs /redoc; do
    read -r code kind <<<"$(fetch "$page")"
    [[ $code == 200 && $kind == text/html* ]] || fail "$page: HTTP $code ($kind)"
    urls=$(links) || fail "$page $(links 2>&1 >/dev/null || true)"
    [[ -n $urls ]] || fail "$page loads nothing: no Swagger UI or ReDoc script"
    while read -r url; do
        read -r code kind <<<"$(fetch "$url")"
        [[ $code == 200 ]] || fail "$page loads $url: HTTP $code"
        case $url in
            *.js) want='(text|application)/javascript' min=500000 ;;
            *.css) want='text/css' min=10000 ;;
            *.png) want='image/png' min=100 ;;
            *.json) want='application/json' min=100 ;;
            *) fail "$page loads $url: not a script, stylesheet, icon or document" ;;
        esac
        [[ $kind =~ ^$want ]] || fail "$page loads $url as $kind, not $want"
        size=$(wc -c <"$WORK/body")
        ((size >= min)) || fail "$page loads $url: $size bytes, a stub (at least $min expected)"
    done <<<"$urls"
    pass "$page: $(wc -l <<<"$urls") files, all from $BASE"
done

for path in /docs /redoc /openapi.json /health; do
    code=$(curl -s -I -o /dev/null -w '%{http_code}' --max-time 10 "$BASE$path" || echo 000)
    [[ $code == 200 ]] || fail "HEAD $path: HTTP $code"
done
pass "HEAD /docs, /redoc, /openapi.json, /health: 200"

read -r code _ <<<"$(fetch /openapi.json)"
[[ $code == 200 ]] || fail "/openapi.json: HTTP $code"
python3 - "$WORK/body" "$WORK" <<'PY' || fail "/openapi.json: no request examples for /predict"
import json, sys
document = json.load(open(sys.argv[1], encoding="utf-8"))
body = document["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]
for at, example in enumerate(body["examples"].values()):
    sent = example["value"]
    count = len(sent) if isinstance(sent, list) else 1
    with open(f"{sys.argv[2]}/example-{at}-{count}.json", "w", encoding="utf-8") as out:
        json.dump(sent, out)
PY
for example in "$WORK"/example-*.json; do
    count=${example##*-}
    count=${count%.json}
    code=$(curl -s -o "$WORK/body" -w '%{http_code}' --max-time 30 -X POST \
        -H 'content-type: application/json' --data-binary "@$example" "$BASE/predict" || echo 000)
    [[ $code == 200 ]] || fail "/predict's documented example $(head -c 200 "$example"): HTTP $code $(head -c 300 "$WORK/body")"
    scored=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["predictions"]))' "$WORK/body")
    [[ $scored == "$count" ]] || fail "/predict's documented example of $count record(s): $scored scored: $(head -c 300 "$WORK/body")"
done
pass "/predict's documented request examples (what Try it out sends) scored whole"
