#!/usr/bin/env bash
# Renders a report's HTML page in headless Chromium (Debian's `chromium`):
# the page must show the report's sections and charts, log nothing to the
# console, load nothing external, and print to PDF. A control page with a
# console error must be caught, so the console check is shown able to fail.
#   check_report_html.sh REPORT.html WORKDIR
set -euo pipefail
html="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
work="$2"
mkdir -p "$work"
chromium_run() {  # url, extra flags... -> $work/dom.html, $work/console.log
  local url="$1"; shift
  timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$work/profile" --enable-logging=stderr --v=0 "$@" "$url" \
    > "$work/dom.html" 2> "$work/console.log"
}
fail() { echo "check_report_html: $*" >&2; exit 1; }

# The control: a console error is detected.
printf '<!DOCTYPE html><html><body><script>console.error("control")</script></body></html>' \
  > "$work/control.html"
chromium_run "file://$work/control.html" --dump-dom
grep -q ':CONSOLE' "$work/console.log" || fail "the console check does not see a console error"

chromium_run "file://$html" --dump-dom
if grep ':CONSOLE' "$work/console.log"; then fail "the page logged to the console"; fi
for text in "Training-data provenance report" "Model and training runs" "Dataset versions" \
  "Sources" "Licensing" "Legitimacy evidence" "Opt-out compliance" "Verdicts" "Crawled data" \
  "Audit sample" "Documents by source category" "Documents by license class" \
  "Verdicts over time"; do
  grep -q "$text" "$work/dom.html" || fail "the rendered page lacks '$text'"
done
[ "$(grep -o '<svg' "$work/dom.html" | wc -l)" -ge 3 ] || fail "fewer than 3 inline SVG charts"
if grep -Eo '(src|href)="[a-z]+:' "$html"; then fail "the page refers to an external asset"; fi

chromium_run "file://$html" --print-to-pdf="$work/report.pdf" --no-pdf-header-footer
[ "$(head -c 4 "$work/report.pdf")" = "%PDF" ] || fail "printing to PDF produced no PDF"
echo "check_report_html: $html renders in Chromium: sections, charts, no console output, prints"
