#!/bin/sh
# suspects.sh - leak suspects and what changed, through the real binary: the
# suspects' demo (a 48 MB warm-up, a steady 512 kB/s leak, a sawtooth) in
# JSON, --format suspects, text, from a recording, and in the dashboard (L,
# D, the header, the cursor); a still python3 with no confident suspect;
# --diff of two moments of a recording and live.
. "$srcdir/tests/lib.sh"

py() { python3 - "$@"; }

start_demo_suspects() {
	demo_out=$tmp/demo-suspects.$tap_n.out
	"$MEMTOP" --demo-suspects >"$demo_out" 2>&1 &
	demo_pid=$!
	kill_later "$demo_pid"
	wait_for 20 grep -q '^  sawtooth ' "$demo_out"
}
# A demo range without 0x: "7f...-7f...".
range_of() { awk -v w="$1" '$1 == w { gsub("0x", "", $2); print $2; exit }' "$demo_out"; }

start_demo_suspects || { ok 1 "the suspects' demo starts"; finish; }
leak=$(range_of leak)
warm=$(range_of warmup)
saw=$(range_of sawtooth)
# As the screens show a range: 12 or 16 hex digits each side.
leak_rx="0*${leak%%-*}-0*${leak#*-}"

# 21 samples every 0.5 s (10 s) in JSON, --format suspects and text at
# once (each memtop starts its own model), and a recording.
limit 40 "$MEMTOP" -b -p "$demo_pid" -d 0.5 -n 21 --format json >"$tmp/s.json" &
j_pid=$!
limit 40 "$MEMTOP" -b -p "$demo_pid" -d 0.5 -n 21 --format suspects >"$tmp/s.txt" &
s_pid=$!
limit 40 "$MEMTOP" -b -p "$demo_pid" -d 0.5 -n 21 >"$tmp/s.text" &
t_pid=$!
limit 40 "$MEMTOP" -b -p "$demo_pid" -d 0.5 -n 21 -w "$tmp/s.rec"
wait "$j_pid"
check "json batch of the suspects' demo exits 0" test $? = 0
wait "$s_pid"
wait "$t_pid"
py "$tmp/s.json" "$leak" "$warm" "$saw" >"$tmp/s.check" 2>&1 <<'EOF'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
leak, warm, saw = (r.split("-")[0].lstrip("0") for r in sys.argv[2:5])
assert len(s) == 21, len(s)
for o in s:
    assert isinstance(o["suspects"], list) and len(o["suspects"]) <= 10
last = s[-1]["suspects"]
assert last, "no suspect at 10 s"
top = last[0]
for k in ("start", "end", "class", "path", "rate_kb_s", "growth_kb",
          "confidence", "since_s"):
    assert k in top, k
assert top["start"] == leak, (top["start"], leak)
assert top["confidence"] >= 0.8, top
assert 400 < top["rate_kb_s"] < 620, top["rate_kb_s"]
assert top["since_s"] > 5 and top["growth_kb"] > 2048, top
for o in last[1:]:
    if o["start"] in (warm, saw):
        assert o["confidence"] < 0.6, o
print("fine")
EOF
check "JSON: within 10 s at 0.5 s the leak is the top suspect, confident, at ~512 kB/s; warm-up and sawtooth below it" \
	grep -q fine "$tmp/s.check" || diag_file "$tmp/s.check"

# --format suspects: only the ranking, the leak first.
tail -n 4 "$tmp/s.txt" >"$tmp/s.last"
check "--format suspects: the leak ranks first" \
	grep -Eq "^ +1 +0\.[6-9][0-9] +\+[0-9.]+K/s .* anon +$leak_rx" "$tmp/s.last" ||
	diag_file "$tmp/s.txt"
check "--format suspects prints no region table" \
	sh -c "! grep -q 'CLASS *REGIONS' '$tmp/s.txt'"

# Text: the top suspects under the header.
awk '/^memtop - / { last = "" } { last = last $0 "\n" } END { printf "%s", last }' \
	"$tmp/s.text" >"$tmp/s.text.last"
check "text: the header names the leak suspect" \
	grep -Eq "^leak suspect: anon $(echo "${leak%%-*}" | sed 's/^0*//')  .*/s for .*steady" "$tmp/s.text.last" ||
	diag_file "$tmp/s.text.last"
check "text: under it the ranking, the leak first" \
	grep -Eq "^ +1 +0\.[6-9][0-9] .* anon +$leak_rx" "$tmp/s.text.last"

# The recording, then the same from it.
limit 20 "$MEMTOP" -r "$tmp/s.rec" -b --format suspects >"$tmp/r.txt"
check "from a recording, --format suspects: the leak first" \
	sh -c "tail -n 4 '$tmp/r.txt' | grep -Eq '^ +1 .* anon +$leak_rx'" ||
	diag_file "$tmp/r.txt"
limit 20 "$MEMTOP" -r "$tmp/s.rec" -b --format json >"$tmp/r.json"
check "from a recording, JSON: the leak the top suspect of the last sample" \
	python3 -c "import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
assert s[-1]['suspects'][0]['start'] == sys.argv[2].split('-')[0].lstrip('0')" \
	"$tmp/r.json" "$leak"

# The dashboard: the header, the cursor, L and D.
if command -v tmux >/dev/null; then
	. "$srcdir/tests/tmux.sh"
	tmux_shell sus 120 40
	keys "$MEMTOP -p $demo_pid -d 0.5" Enter
	start=$(echo "${leak%%-*}" | sed 's/^0*//')
	check "dashboard: the header names the leak within 10 s" \
		wait_screen 12 "^leak suspect: anon $start  .*/s for .*steady" ||
		screen | diag_file /dev/stdin
	keys Enter
	check "the table opened with the cursor on it: Enter shows its detail" \
		wait_screen 3 "^${leak%%-*}-${leak#*-} rw-p" || screen | diag_file /dev/stdin
	keys Escape L
	check "L: the leak ranks first" \
		wait_screen 3 "^ +1 +0\.[6-9][0-9] +\+[0-9.]+K/s .*$leak_rx" ||
		screen | diag_file /dev/stdin
	screen >"$tmp/L"
	check "L: the warm-up is not a confident suspect" \
		sh -c "! grep -E '^ +[0-9]+ +0\.[6-9].*${warm%%-*}' '$tmp/L'" || diag_file "$tmp/L"
	keys Escape m
	sleep 2
	keys D
	check "D: since m, the leak grew" \
		wait_screen 3 "^grew .*$leak_rx" || screen | diag_file /dev/stdin
	check "D: m made the diff exact" wait_screen 3 "exact"
	tm resize-window -t sus -x 80 -y 24
	check "D at 80 columns: the change, the deltas, the range" \
		wait_screen 3 "^grew .*0*${leak%%-*}( |-|\$)" || screen | diag_file /dev/stdin
	keys Escape L
	check "L at 80 columns: the leak still first" \
		wait_screen 3 "^ +1 .*0*${leak%%-*}-" || screen | diag_file /dev/stdin
	keys q
	check "q quits" prompt_back 10
	tm kill-server 2>/dev/null
else
	skip "the dashboard names the leak, L and D" "tmux is not installed"
fi
kill "$demo_pid"

# No growth: a python3 that sleeps has no confident suspect.
if command -v python3 >/dev/null; then
	python3 -c 'import time; print("ready", flush=True); time.sleep(60)' >"$tmp/py.out" &
	py_pid=$!
	kill_later "$py_pid"
	wait_for 10 grep -q ready "$tmp/py.out"
	limit 30 "$MEMTOP" -b -p "$py_pid" -d 0.5 -n 13 --format json >"$tmp/py.json"
	check "a still python3: no confident suspect in any sample" \
		python3 -c "import json, sys
for l in open(sys.argv[1]):
    assert all(s['confidence'] < 0.6 for s in json.loads(l)['suspects'])" \
		"$tmp/py.json"
	limit 30 "$MEMTOP" -b -p "$py_pid" -d 0.5 -n 6 >"$tmp/py.txt"
	check "and the text header says there is none" \
		grep -q "^leak suspect: none" "$tmp/py.txt"
	kill "$py_pid"

	# --diff: a leak touched in an mmap, and a region mapped in between.
	cat >"$tmp/grow.py" <<'EOF'
import ctypes, mmap, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.mprotect.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
def region(size):
    """Anonymous private rw memory whose first page is read-only, so that
    the kernel merges it with no neighbour: the rw part's address."""
    m = mmap.mmap(-1, size + 4096, flags=mmap.MAP_PRIVATE)
    a = ctypes.addressof(ctypes.c_char.from_buffer(m))
    assert libc.mprotect(a, 4096, mmap.PROT_READ) == 0
    return m, a + 4096
leak, addr = region(64 << 20)
print("leak %x" % addr, flush=True)
t0 = time.time()
fresh = None
done = 0
while time.time() - t0 < 30:
    want = int((time.time() - t0) * 1024 * 1024)
    while done < min(want, 64 << 20):
        leak[4096 + done] = 1
        done += 4096
    if fresh is None and time.time() - t0 > 2.5:
        fresh, faddr = region(4 << 20)
        fresh[4096:] = b"x" * (4 << 20)
        print("fresh %x" % faddr, flush=True)
    time.sleep(0.02)
EOF
	python3 "$tmp/grow.py" >"$tmp/grow.out" &
	g_pid=$!
	kill_later "$g_pid"
	wait_for 10 grep -q '^leak' "$tmp/grow.out"
	limit 30 "$MEMTOP" -b -p "$g_pid" -d 0.5 -n 10 -w "$tmp/g.rec"
	g_leak=$(awk '$1 == "leak" { print $2 }' "$tmp/grow.out")
	g_fresh=$(awk '$1 == "fresh" { print $2 }' "$tmp/grow.out")
	limit 20 "$MEMTOP" -r "$tmp/g.rec" -b --diff +0s -0s --format json >"$tmp/d.json"
	check "--diff of two moments of a recording exits 0" test $? = 0
	py "$tmp/d.json" "$g_leak" "$g_fresh" >"$tmp/d.check" 2>&1 <<'EOF'
import json, sys
d = json.loads(open(sys.argv[1]).read())
r = {x["start"]: x for x in d["regions"]}
leak, fresh = r.get(sys.argv[2]), r.get(sys.argv[3])
assert 3.5 < d["span_s"] < 6, d["span_s"]
assert leak and leak["change"] == "grew", leak
assert 2048 < leak["rss_delta_kb"] < 6 * 1024, leak["rss_delta_kb"]
assert leak["dirty_delta_kb"] == leak["rss_delta_kb"], leak
assert fresh and fresh["change"] == "new" and fresh["rss_before_kb"] == 0, fresh
assert 4000 <= fresh["rss_delta_kb"] <= 4200, fresh
assert d["new"] >= 1 and d["grew"] >= 1
c = {x["class"]: x for x in d["classes"]}
assert c[leak["class"]]["rss_delta_kb"] >= leak["rss_delta_kb"], c
print("fine")
EOF
	check "JSON: the leak grew by what it touched, the region mapped in between is new" \
		grep -q fine "$tmp/d.check" || { diag_file "$tmp/d.check"; diag_file "$tmp/d.json"; }
	limit 20 "$MEMTOP" -r "$tmp/g.rec" -b --diff +0s -0s >"$tmp/d.txt"
	check "text: the same, a line each, with the change in RSS, PSS, swap and dirty" \
		sh -c "grep -Eq '^grew +\+[0-9.]+M +\+[0-9.]+M +0 +\+[0-9.]+M .*0*$g_leak-' '$tmp/d.txt' &&
			grep -Eq '^new +\+4\.0M +\+4\.0M +0 +\+4\.0M .*0*$g_fresh-' '$tmp/d.txt' &&
			grep -q '^By class:' '$tmp/d.txt'" || diag_file "$tmp/d.txt"
	limit 20 "$MEMTOP" -r "$tmp/g.rec" -b --diff +0s -0s --format csv >"$tmp/d.csv"
	check "CSV: a header and the new region's row" \
		sh -c "head -1 '$tmp/d.csv' | grep -q '^from,to,by,change,start,end' &&
			grep -q ',region,new,$g_fresh,' '$tmp/d.csv'" || diag_file "$tmp/d.csv"

	# Live: the difference over a span, then exit.
	t0=$(date +%s)
	limit 20 "$MEMTOP" -b -p "$g_pid" -d 0.5 --diff 2s --format json >"$tmp/live.json"
	code=$?
	t1=$(date +%s)
	check "live --diff 2s: prints the difference over about 2 s and exits 0" \
		python3 -c "import json, sys
d = json.loads(open(sys.argv[1]).read())
assert sys.argv[2] == '0' and 1.9 < d['span_s'] < 3.5, d['span_s']
assert int(sys.argv[4]) - int(sys.argv[3]) < 8" "$tmp/live.json" "$code" "$t0" "$t1"
	kill "$g_pid"
else
	skip "a still process has no confident suspect; --diff" "python3 is not installed"
fi

"$MEMTOP" -r "$tmp/s.rec" -b --diff -2s >/dev/null 2>"$tmp/e1"
check "--diff with one time on a recording: a usage error" \
	sh -c "test $? = 2 && grep -q 'two times' '$tmp/e1'"
"$MEMTOP" -r "$tmp/s.rec" -b --diff -0s -9s >/dev/null 2>"$tmp/e2"
check "--diff with the later time first: a usage error" test $? = 2
finish
