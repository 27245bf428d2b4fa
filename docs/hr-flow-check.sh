#!/bin/bash
# The README's HR flow (curl), step by step, against `mentormatch serve` on loopback, with
# a loopback webhook receiver (MENTORMATCH_WEBHOOK_ALLOW_PRIVATE=1). Ids the README writes
# as coh_.../run_.../req_... are taken from the answers. Run from the repository root in
# the project's venv: bash docs/hr-flow-check.sh  (needs curl and jq; prints OK at the end).
set -euo pipefail
W=$(mktemp -d); trap 'rm -rf $W' EXIT
cat > $W/receiver.py <<'PY'
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
out = open(sys.argv[2], "a")
class H(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        out.write(json.dumps({"headers": dict(self.headers.items()), "body": body.decode()}) + "\n"); out.flush()
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
export MENTORMATCH_INSTANCE_PATH=$W/instance DATABASE_URL=sqlite:///$W/mm.db
export MENTORMATCH_WEBHOOK_ALLOW_PRIVATE=1 MENTORMATCH_DISPATCH_SECONDS=0.2
PORT=${PORT:-18731}; RPORT=${RPORT:-18732}
python $W/receiver.py $RPORT $W/calls.jsonl & RPID=$!
mentormatch serve --port $PORT > $W/serve.log 2>&1 & SPID=$!
trap 'kill $SPID $RPID 2>/dev/null; rm -rf $W' EXIT
for i in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done
export KEY=$(mentormatch keys create --org acme)
B=http://127.0.0.1:$PORT/api/v1
H=(-H "Authorization: Bearer $KEY")
step() { echo "== $*"; }
wait_calls() { for i in $(seq 100); do [ "$(grep -c "$1" $W/calls.jsonl 2>/dev/null || true)" -ge "$2" ] && return 0; sleep 0.2; done; echo "no $1 callback"; exit 1; }
step 0 register webhook
HOOK=$(curl -s -X POST "$B/webhooks" "${H[@]}" -H "Content-Type: application/json" \
     -d "{\"url\": \"http://127.0.0.1:$RPORT/hooks/mm\", \"events\": [\"run.succeeded\", \"run.failed\", \"request.accepted\", \"request.declined\", \"request.expired\"]}")
echo "$HOOK" | jq -c '{id, events}'; HID=$(echo "$HOOK" | jq -r .id)
step 1 upload
COH=$(curl -s -X POST "$B/cohorts?name=spring&program=coaching" "${H[@]}" \
     -H "Content-Type: text/csv" --data-binary @data/coaching-sample.csv | jq -r .id); echo $COH
step 2 run
RUN=$(curl -s -X POST "$B/cohorts/$COH/runs" "${H[@]}" \
     -H "Content-Type: application/json" -H "Idempotency-Key: spring-1" \
     -d '{"weights": {"goals": 0.3}, "seniority": {"max_gap": 6}}' | jq -r .id); echo $RUN
step 3 callback
wait_calls run.succeeded 1; tail -1 $W/calls.jsonl | jq -c '.body | fromjson | {type, data}'
curl -s "$B/runs/$RUN" "${H[@]}" | jq -c '{status, solver_status}'
step 4 list runs
curl -s "$B/cohorts/$COH/runs?status=succeeded" "${H[@]}" | jq -c '{total, ids: [.items[].id]}'
step 5 one leaver synced
SYNC=$(curl -s -X PATCH "$B/cohorts/$COH/people" "${H[@]}" \
     -H "Content-Type: application/json" \
     -d '{"people": [{"employee_id": "M03", "status": "leaver"}], "rematch": true}')
echo "$SYNC" | jq -c '{version, left, rematch_run: .rematch_run | {id, kind}}'
REM=$(echo "$SYNC" | jq -r .rematch_run.id)
step 6 rematch callback
wait_calls run.succeeded 2; tail -1 $W/calls.jsonl | jq -c '.body | fromjson | .data | {run_id, kind, previous_run_id}'
curl -s "$B/runs/$REM" "${H[@]}" | jq -c '{status, moves: (.moves | length)}'
curl -s "$B/webhooks/$HID/deliveries" "${H[@]}" | jq -c '[.items[] | {event, status}]'
DLV=$(curl -s "$B/webhooks/$HID/deliveries" "${H[@]}" | jq -r '.items[0].id')
curl -s -X POST "$B/webhooks/$HID/deliveries/$DLV/redeliver" "${H[@]}" | jq -c '{id, redelivery_of, status}'
curl -s "$B/cohorts/$COH/people/E02/suggestions?limit=5" "${H[@]}" | jq -c '[.items[] | {mentor_id, room}]'
step 7 next cycle settings
COH2=$(curl -s -X POST "$B/cohorts?name=autumn&program=coaching" "${H[@]}" \
     -H "Content-Type: text/csv" --data-binary @data/coaching-sample.csv | jq -r .id)
curl -s -X PUT "$B/cohorts/$COH2/settings" "${H[@]}" \
     -H "Content-Type: application/json" \
     -d "{\"request_expiry_hours\": 72, \"history\": {\"mode\": \"avoid\", \"runs\": [\"$RUN\"]}}" | jq -c .
step 8 requests
curl -s "$B/cohorts/$COH2/people/E02/suggestions?limit=5" "${H[@]}" | jq -c '[.items[] | {mentor_id, room}]'
SUG=$(curl -s "$B/cohorts/$COH2/people/E02/suggestions?limit=5" "${H[@]}" | jq -r '.items[0].mentor_id')
LAST=$(curl -s "$B/runs/$RUN/assignments/E02" "${H[@]}" | jq -c '[.pairs[]?.mentor_id]'); echo "E02 last cycle: $LAST, first suggestion now: $SUG"
REQ=$(curl -s -X POST "$B/cohorts/$COH2/requests" "${H[@]}" \
     -H "Content-Type: application/json" -H "Idempotency-Key: E02-$SUG" \
     -d "{\"mentee\": \"E02\", \"mentor\": \"$SUG\"}"); echo "$REQ" | jq -c '{id, mentor_id, status, expires_at}'
RID=$(echo "$REQ" | jq -r .id)
DEC=$(curl -s -X POST "$B/cohorts/$COH2/requests/$RID/decline" "${H[@]}")
echo "$DEC" | jq -c '{status: .request.status, next: .next_request | {mentor_id, status, origin, follows_id}}'
NID=$(echo "$DEC" | jq -r .next_request.id); NEXT=$(echo "$DEC" | jq -r .next_request.mentor_id)
curl -s -X POST "$B/cohorts/$COH2/requests/$NID/accept" "${H[@]}" | jq -c '{status: .request.status, next_request}'
curl -s "$B/cohorts/$COH2/requests?status=accepted" "${H[@]}" | jq -c '{total, pairs: [.items[] | [.mentee_id, .mentor_id]]}'
curl -s -o /dev/null -w "unknown mentor -> %{http_code}\n" -X POST "$B/cohorts/$COH2/requests" "${H[@]}" -H "Content-Type: application/json" -d '{"mentee": "E05", "mentor": "M99"}'
wait_calls request.accepted 1
python -c "
import json
for line in open('$W/calls.jsonl'):
    e = json.loads(json.loads(line)['body'])
    if e['type'].startswith('request.'): print(e['type'], json.dumps(e['data']))"
step 9 run pins and avoids
RUN3=$(curl -s -X POST "$B/cohorts/$COH2/runs" "${H[@]}" -H "Content-Type: application/json" -d '{}' | jq -r .id)
for i in $(seq 100); do S=$(curl -s "$B/runs/$RUN3" "${H[@]}" | jq -r .status); [ "$S" = succeeded ] && break; sleep 0.2; done; echo "autumn run $S"
curl -s "$B/runs/$RUN3" "${H[@]}" | jq -c '{pinned: .policy.rules.pinned_pairs, history: .policy.history.mode, previous: (.policy.history.previous_pairs | length)}'
curl -s "$B/runs/$RUN3/assignments/E02" "${H[@]}" | jq -c '[.pairs[] | {mentor_id, pinned, explanation}]'
curl -s "$B/runs/$RUN/assignments" "${H[@]}" -H "Accept: text/csv" | tail -n +2 | cut -d, -f1,2 | sort > $W/a.csv
curl -s "$B/runs/$RUN3/assignments" "${H[@]}" -H "Accept: text/csv" | tail -n +2 | cut -d, -f1,2 | sort > $W/b.csv
echo "repeated pairs: $(comm -12 $W/a.csv $W/b.csv | grep -c ',M' || true) of $(wc -l < $W/b.csv) rows"
echo OK
