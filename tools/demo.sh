#!/usr/bin/env bash
# Installs, builds, starts provledgerd on its embedded default (RocksDB in
# ./provledger-data, 127.0.0.1:7600) and walks through a first session:
# create a dataset, register files, fetch the signed checkpoint, verify an
# inclusion proof offline with the verifier key, record a model, find a
# work, a reformatted copy and an excerpt of it with a signed receipt, and
# generate, review, verify and render the model's signed filing report.
#
#   tools/demo.sh                      # leaves the server running
#   tools/demo.sh --no-install --build-dir build --workdir DIR --listen 127.0.0.1:7655 --stop
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
install=1 build="$repo/build" work="$repo" listen="127.0.0.1:7600" stop=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-install) install=0 ;;
    --build-dir) build="$2"; shift ;;
    --workdir) work="$2"; shift ;;
    --listen) listen="$2"; shift ;;
    --stop) stop=1 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

if [ "$install" = 1 ]; then
  "$repo/tools/install-deps.sh"
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
  cmake --build "$build" -j"${JOBS:-2}" --target provledgerd provledger
fi
build="$(cd "$build" && pwd)"
provledgerd="$build/src/server/provledgerd"
provledger="$build/tools/provledger"
mkdir -p "$work" && cd "$work"
export PROVLEDGER_SERVER="$listen"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

echo "== starting provledgerd (data in $work/provledger-data, log in provledgerd.log)"
"$provledgerd" --data-dir provledger-data --listen "$listen" 2> provledgerd.log &
server_pid=$!
echo "$server_pid" > provledgerd.pid
for _ in $(seq 1 100); do
  grep -q "serving on" provledgerd.log 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat provledgerd.log; exit 1; }
  sleep 0.1
done
cat provledgerd.log

mkdir -p demo-docs
for i in 1 2 3; do echo "Sample training document number $i." > "demo-docs/doc$i.txt"; done
# A longer work (a license text every Debian system has): an IP holder will
# look for it, and for an excerpt of it, in step 7.
cp /usr/share/common-licenses/GPL-3 demo-docs/essay.txt
# What the crawler recorded: every document shares it (the dataset's default
# source record); each JSONL record adds its URL and what it observed.
printf 'User-agent: *\nAllow: /\n' > robots.txt
robots_sha=$(sha256sum robots.txt | cut -d' ' -f1)
cat > source.json <<JSON
{"category": "SELF_COLLECTED", "crawler_agent": "demo-crawler/1.0",
 "collected_at": "2026-11-20T08:00:00Z", "url": "https://example.org/",
 "license": "CC-BY-4.0", "personal_info": "none",
 "signals": {"robots_txt": "allowed", "robots_txt_sha256": "$robots_sha"}}
JSON
printf '%s\n' \
  '{"ref":"https://example.org/a","text":"An excerpt collected from the web.","source":{"url":"https://example.org/a"}}' \
  '{"ref":"https://example.org/b","text":"网络上收集的中文训练文本。","source":{"url":"https://example.org/b","license":"CC-BY-NC-4.0"}}' \
  '{"ref":"https://example.org/c","text":"A page whose site said no.","source":{"url":"https://example.org/c","signals":{"tdm_reservation":"forbidden"}}}' \
  > demo-docs/shard.jsonl

echo; echo "== 1. check the records against the default policy, offline (TC260-003 style)"
step "$provledger" policy check demo-docs/shard.jsonl --defaults source.json --intended-use commercial

echo; echo "== 2. create a dataset version with its owner, intended use and default source"
dataset_id=$("$provledger" dataset create --name demo-corpus --version 2026-11 \
  --description "provledger demo" --owner "demo team" --intended-use commercial \
  --source source.json)
echo "dataset_id=$dataset_id"
echo; echo "== 3. register three files and a JSONL shard (receipts arrive once durable,"
echo "      each with the policy's verdict: the non-commercial and the opted-out"
echo "      documents are recorded as REJECTED)"
step "$provledger" register --dataset-id "$dataset_id" demo-docs --receipts receipts.jsonl
cat receipts.jsonl
index=$(grep '"client_ref":"doc2.txt"' receipts.jsonl | sed 's/.*"ledger_index":\([0-9]*\).*/\1/')

echo; echo "== 3b. the same shard the pipeline way: fingerprints computed on the worker, only"
echo "       they are sent (a second dataset; the content ids and verdicts agree)"
step "$provledger" fingerprint demo-docs/shard.jsonl --format pb --out shard.pb
worker_ds=$("$provledger" dataset create --name demo-corpus-worker --version 2026-11 \
  --intended-use commercial --source source.json)
step "$provledger" register --dataset-id "$worker_ds" --fingerprints shard.pb \
  --receipts worker-receipts.jsonl
pairs() { grep -o '"client_ref":"[^"]*"\|"content_id":"[0-9a-f]*"\|"verdict":"[A-Z]*"' "$1" | paste -d' ' - - -; }
if diff <(pairs receipts.jsonl | grep example.org | sort) <(pairs worker-receipts.jsonl | sort); then
  echo "content ids and verdicts agree with the registration of the text itself"
else
  echo "the two registrations disagree" >&2; exit 1
fi

echo; echo "== 4. the signed checkpoint (C2SP tlog-checkpoint) and the verifier key"
step "$provledger" checkpoint --out checkpoint.txt
cat checkpoint.txt
step "$provledger" vkey
"$provledger" vkey | head -1 > verifier-key.txt

echo; echo "== 5. an inclusion proof for doc2.txt (c2sp.org/tlog-proof), verified offline"
step "$provledger" proof --index "$index" --out doc2.tlog-proof
step "$provledger" verify checkpoint checkpoint.txt --vkey verifier-key.txt
step "$provledger" verify inclusion doc2.tlog-proof --vkey verifier-key.txt \
  --content demo-docs/doc2.txt

echo; echo "== 6. seal the dataset version (manifest: counts and a Merkle root over its"
echo "      documents), then record a model trained on it, with the run-level verdict"
step "$provledger" dataset seal --dataset-id "$dataset_id"
step "$provledger" model register --name demo-lm --version 0.1 --dataset "$dataset_id" \
  --start 2026-11-21T00:00:00Z --end 2026-11-25T00:00:00Z --commercial --public-cn

echo; echo "== 7. an IP holder asks: was my work used? A reformatted copy of it, then an"
echo "      excerpt, with a signed receipt verified offline against the work itself"
tr 'a-z' 'A-Z' < demo-docs/essay.txt > my-work-shouted.txt
step "$provledger" match my-work-shouted.txt
sed -n '300,330p' demo-docs/essay.txt > my-excerpt.txt
step "$provledger" match my-excerpt.txt --receipt excerpt.receipt
step "$provledger" verify receipt excerpt.receipt --vkey verifier-key.txt --content my-excerpt.txt
"$provledger" match my-work-shouted.txt --json | grep -q '"kind":"NORMALISED"' ||
  { echo "the reformatted copy was not found" >&2; exit 1; }
"$provledger" match my-excerpt.txt --json | grep -q '"kind":"CONTAINED"' ||
  { echo "the excerpt was not found" >&2; exit 1; }
step "$provledger" lookup demo-docs/doc2.txt
step "$provledger" lineage model --name demo-lm --version 0.1

echo; echo "== 8. the filing team's signed report on demo-lm 0.1: generated, verified offline,"
echo "      its audit sample reviewed (recorded in the ledger), generated again with the"
echo "      same sample, and rendered for people (HTML) and for the EU summary template"
step "$provledger" report generate --model demo-lm --version 0.1 --out report-1.json
step "$provledger" verify report report-1.json --vkey verifier-key.txt
echo; echo "\$ provledger report sample report-1.json --vkey verifier-key.txt > sample.jsonl"
"$provledger" report sample report-1.json --vkey verifier-key.txt | tee sample.jsonl
sample_size=$(grep -o '"sample_tree_size":[0-9]*' sample.jsonl | head -1 | cut -d: -f2)
sed 's/^{/{"result":"pass","reviewer":"demo reviewer",/' sample.jsonl > reviews.jsonl
step "$provledger" report review --file reviews.jsonl
step "$provledger" report generate --model demo-lm --version 0.1 \
  --sample-checkpoint "$sample_size" --out report.json
"$provledger" verify report report.json --vkey verifier-key.txt | tee report-check.json
grep -q '"review_status":"MEETS_BAR"' report-check.json ||
  { echo "the reviews were not counted" >&2; exit 1; }
step "$provledger" report render report.json --vkey verifier-key.txt --format html --out report.html
step "$provledger" report render report.json --vkey verifier-key.txt --format eu-summary-md \
  --out eu-summary.md
echo "report.html and eu-summary.md written (open report.html in a browser; print it to PDF)"

if [ "$stop" = 1 ]; then
  kill -TERM "$server_pid"
  wait "$server_pid"
  echo; echo "== provledgerd stopped"
else
  echo
  echo "provledgerd is still running (pid $server_pid, log $work/provledgerd.log)."
  echo "Try: $provledger entries --count 10     Stop it with: kill $server_pid"
fi
