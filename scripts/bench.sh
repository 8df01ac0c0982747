#!/usr/bin/env bash
# Benchmark: builds a large mbox of typical mail (benches/typical) and measures mailtrace batch
# (full offline analysis with the samples' zone keys) and the single-message path.
# Prints MB/s, messages/s and peak memory (from /usr/bin/time). Figures go to docs/PERFORMANCE.md.
#
#   scripts/bench.sh [MESSAGES] [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
jobs=${2:-$(nproc)}
work=${TMPDIR:-/tmp}/mailtrace-bench
mkdir -p "$work"
cargo build --release --quiet
bin=target/release/mailtrace

# the mbox: typical mail (benches/typical: newsletters with two DKIM signatures and replies
# with one, about 19 KB a message), signed with the samples' test keys
mbox="$work/bench.mbox"
cargo run --release --quiet --example sign_samples -- --typical-mbox "$n" "$mbox" > /dev/null
bytes=$(stat -c %s "$mbox")
echo "mbox: $n messages, $bytes bytes ($(( bytes / n )) bytes a message), jobs=$jobs, $(nproc) cores"

run() {
    local label=$1; shift
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$work/mem" "$@" > "$work/out" 2> "$work/err" || true
    end=$(date +%s.%N)
    python3 - "$label" "$start" "$end" "$bytes" "$n" "$(cat "$work/mem")" <<'PY'
import sys
label, start, end, size, n, mem = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
t = end - start
print(f"{label:<34} {t:7.2f} s  {size/t/1e6:8.1f} MB/s  {n/t:9.0f} msg/s  peak {mem/1024:7.1f} MiB")
PY
}

common=(--offline --dns-zone samples/dns.zone --at 2026-01-01T00:00:00Z --quiet)
run "batch jsonl, full analysis" "$bin" batch "${common[@]}" --jobs "$jobs" --format jsonl "$mbox"
run "batch jsonl, full analysis, 1 job" "$bin" batch "${common[@]}" --jobs 1 --format jsonl "$mbox"
run "batch csv, full analysis" "$bin" batch "${common[@]}" --jobs "$jobs" --format csv "$mbox"
lines=$(wc -l < "$work/out")
echo "csv rows (with header): $lines"

# the stages one by one (parse only, parse + hops, full analysis) on the same mailbox
cargo bench --quiet --bench throughput -- "$mbox" 2>/dev/null | grep -v '^$' || true

# the single-message path: analyse one sample 200 times, one process each
one=samples/dkim-pass-relaxed.eml
start=$(date +%s.%N)
for _ in $(seq 200); do "$bin" --offline --dns-zone samples/dns.zone --at 2026-01-01T00:00:00Z --format json "$one" > /dev/null; done
end=$(date +%s.%N)
python3 -c "import sys; t=(float(sys.argv[2])-float(sys.argv[1]))/200; print(f'single message (process start included): {t*1000:.2f} ms a message')" "$start" "$end"
