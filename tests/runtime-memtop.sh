#!/bin/sh
# runtime-memtop.sh - the runtime's own figures through memtop itself, live
# and replayed: a JVM leaking into an ArrayList (old gen used grows in the
# JSON and in the dashboard, and agrees with `jstat -gc` around each
# sample), a JVM without PerfData (no runtime line, no error), a Go program
# read with --runtime on its pprof heap page (HeapAlloc agrees with the
# program's own runtime.ReadMemStats around each request) or with R in the
# dashboard (typed, refused off loopback, cleared), and an endpoint
# that hangs (never a late sample, never a late key).  Each recording
# replays into the very JSON printed live.
. "$srcdir/tests/lib.sh"
. "$srcdir/tests/tmux.sh"
. "$srcdir/tests/runtime/rt.sh"

py() { python3 - "$@"; }

# ---- JVM --------------------------------------------------------------------
jvm=$(jvm_missing)
if [ -n "$jvm" ]; then
	skip "JVM: old gen grows in JSON and agrees with jstat -gc" "$jvm"
	skip "JVM: the dashboard's runtime line" "$jvm"
	skip "JVM without PerfData: no runtime line, no error" "$jvm"
else
	start_jvm g1 -XX:+UseG1GC
	sleep 1
	# memtop samples every 0.5 s; between two samples jstat reads the
	# same counters: its OU lies between memtop's readings around it.
	py "$MEMTOP" "$jvm_pid" "$tmp/jvm.json" "$tmp/jvm.mt" >"$tmp/jvm.check" 2>&1 <<'EOF'
import json, subprocess, sys, time
memtop, pid, out, rec = sys.argv[1:5]
p = subprocess.Popen([memtop, "-b", "-d", "0.5", "-n", "24", "-p", pid,
                      "--format", "json", "-w", rec], stdout=subprocess.PIPE, text=True)
seen = []
def upto(t):
    """Samples until one taken at or after t."""
    while True:
        o = json.loads(p.stdout.readline())
        seen.append(o)
        if o["time"] >= t:
            return o
def jstat():
    r = subprocess.run(["jstat", "-gc", pid], capture_output=True, text=True, timeout=30)
    lines = r.stdout.split("\n")
    return dict(zip(lines[0].split(), lines[1].split()))
upto(0)
bad = []
for i in range(4):
    t0 = time.time()
    j = jstat()
    t1 = time.time()
    before = [o for o in seen if o["time"] <= t0]
    after = upto(t1)
    if not before:
        continue
    a, b = before[-1]["runtime"], after["runtime"]
    lo, hi = sorted((a["old_used"], b["old_used"]))
    ou = float(j["OU"])
    good = lo / 1024 - 0.05 <= ou <= hi / 1024 + 0.05
    print("# jstat OU %.1f kB, memtop %.1f .. %.1f kB (samples %.2f s apart)%s" % (
        ou, lo / 1024, hi / 1024, after["time"] - before[-1]["time"], "" if good else "  <-- outside"))
    if not good:
        bad.append(ou)
for line in p.stdout:
    seen.append(json.loads(line))
p.wait()
open(out, "w").write("".join(json.dumps(o) + "\n" for o in seen))
olds = [o["runtime"]["old_used"] for o in seen if o.get("runtime", {}).get("status") == "ok"]
rates = [o["runtime"]["rates_bps"].get("old_used", 0) for o in seen[-5:]]
heap = [o for o in seen if o["runtime"]["source"] != "jvm-hsperf"]
print("# old gen used %d -> %d kB, its rate at the end %.0f kB/s" % (olds[0] // 1024, olds[-1] // 1024, rates[-1] / 1024))
assert not heap, "a sample without the JVM's figures"
assert not bad, "jstat disagrees: %s" % bad
assert olds[-1] - olds[0] > 4 << 20, "old gen did not grow"
assert all(r > 1 << 20 for r in rates), "old gen's rate: %s" % rates
assert any(c["class"] == "java-heap" for c in seen[-1]["classes"])
print("fine")
EOF
	check "JVM: old gen used grows in the JSON (with its rate) and agrees with jstat -gc between two samples" \
		grep -q fine "$tmp/jvm.check" || diag_file "$tmp/jvm.check"
	diag_file "$tmp/jvm.check" 6
	# The replay: the same figures (the JSON as printed live, less the
	# samples jstat's checks interleaved: the whole file here).
	"$MEMTOP" -r "$tmp/jvm.mt" -b --format json >"$tmp/jvm-replay.json" 2>/dev/null
	py "$tmp/jvm.json" "$tmp/jvm-replay.json" >"$tmp/jvm-replay.check" 2>&1 <<'EOF'
import json, sys
live = [json.loads(l) for l in open(sys.argv[1])]
rep = [json.loads(l) for l in open(sys.argv[2])]
assert len(live) == len(rep), (len(live), len(rep))
for a, b in zip(live, rep):
    assert a["runtime"] == b["runtime"], (a["runtime"], b["runtime"])
    assert a["classes"] == b["classes"]
print("fine")
EOF
	check "JVM: its recording replays the same figures and classes" \
		grep -q fine "$tmp/jvm-replay.check" || diag_file "$tmp/jvm-replay.check"

	tmux_run jvm 120 30 "env LANG=C.UTF-8 TERM=screen $MEMTOP -p $jvm_pid -d 0.5"
	check "JVM: the dashboard's runtime line: used of committed, resident, old gen's growth" \
		wait_screen 20 '^Java heap: used [0-9.]+[KMG] of committed [0-9.]+[KMG]; resident [0-9.]+[KMG]; old gen \+[0-9.]+[KMG]/s' ||
		screen | diag_file /dev/stdin
	check "  ... and line 0 says JVM" sh -c "tmux -L '$tmux_sock' capture-pane -p -t jvm | head -1 | grep -q '  JVM  '"
	keys / java-heap Enter Enter
	wait_screen 5 '^  old gen [0-9.]+[KMG] of [0-9.]+[KMG] \(max [0-9.]+[KMG]\)'
	check "  ... the java-heap region's detail: the JVM's generations, GCs, threads" sh -c \
		"tmux -L '$tmux_sock' capture-pane -p -t jvm | grep -q '^  old gen [0-9.]*[KMG] of [0-9.]*[KMG] (max [0-9.]*[KMG])' &&
		 tmux -L '$tmux_sock' capture-pane -p -t jvm | grep -q '^JVM (hsperfdata, .*): heap used' &&
		 tmux -L '$tmux_sock' capture-pane -p -t jvm | grep -q '^  GCs: young [0-9]'" ||
		screen | diag_file /dev/stdin
	keys q
	tm kill-session -t jvm 2>/dev/null
	stop_jvm

	start_jvm noperf -XX:-UsePerfData
	limit 30 "$MEMTOP" -b -n 3 -d 0.5 -p "$jvm_pid" >"$tmp/noperf.txt" 2>"$tmp/noperf.err"
	limit 30 "$MEMTOP" -b -n 2 -d 0.5 -p "$jvm_pid" --format json >"$tmp/noperf.json" 2>>"$tmp/noperf.err"
	check "JVM -XX:-UsePerfData: no runtime line, nothing on stderr, JSON says none (not an error)" sh -c \
		"! grep -q 'Java heap' '$tmp/noperf.txt' && grep -q '^runtime: JVM\$' '$tmp/noperf.txt' &&
		 test ! -s '$tmp/noperf.err' &&
		 grep -q '\"runtime\": {\"source\": \"jvm-hsperf\", \"status\": \"none\", \"reason\": \"no hsperfdata' '$tmp/noperf.json'" ||
		{ diag_file "$tmp/noperf.err"; grep -v '^ ' "$tmp/noperf.txt" | diag_file /dev/stdin 8; }
	stop_jvm
fi

# ---- Go ---------------------------------------------------------------------
if ! command -v go >/dev/null 2>&1; then
	skip "Go --runtime: HeapAlloc agrees with ReadMemStats" "no Go toolchain (golang-go)"
	skip "Go --runtime: a hung endpoint delays no sample and no key" "no Go toolchain"
	skip "Go, R in the dashboard: typed, refused, read, cleared" "no Go toolchain"
	finish
fi
build_gort || finish
start_gort leak 127.0.0.1:0
addr=$gort_addr
url="http://$addr/debug/pprof/heap?debug=1"
limit 60 "$MEMTOP" -b -n 10 -d 0.5 -p "$gort_pid" --runtime "$url" --format json \
	-w "$tmp/go.mt" >"$tmp/go.json" 2>"$tmp/go.err"
py "$tmp/go.json" "$gort_out" >"$tmp/go.check" 2>&1 <<'EOF'
import json, sys
samples = [json.loads(l) for l in open(sys.argv[1])]
reqs = []
for line in open(sys.argv[2]):
    f = line.split()
    if f and f[0] == "req" and f[1] == "/debug/pprof/heap":
        reqs.append(tuple(map(int, f[2:6])))
readings, bad = {}, []
for o in samples:
    rt = o.get("runtime", {})
    if rt.get("status") != "ok":
        continue
    assert rt["source"] == "go-pprof", rt
    end = o["time"] - rt["age_s"]
    readings[round(end, 3)] = (end - rt["read_ms"] / 1000, end, rt["heap_alloc"])
for t0, t1, v in sorted(readings.values()):
    mine = [r for r in reqs if r[0] >= (t0 - 0.005) * 1e9 and r[2] <= (t1 + 0.005) * 1e9]
    if len(mine) != 1:
        bad.append("reading at %.3f: %d requests match" % (t0, len(mine)))
        continue
    _, before, _, after = mine[0]
    lo, hi = min(before, after), max(before, after)
    print("# HeapAlloc %d, the program's own %d .. %d" % (v, lo, hi))
    if max(lo - v, v - hi) > 65536:
        bad.append("HeapAlloc %d outside %d .. %d" % (v, lo, hi))
vals = [v for _, _, v in sorted(readings.values())]
if len(vals) < 5:
    bad.append("only %d readings in %d samples" % (len(vals), len(samples)))
elif not vals[-1] > vals[0]:
    bad.append("HeapAlloc did not grow")
if not any(c["class"] == "go-heap" for c in samples[-1]["classes"]):
    bad.append("no go-heap class")
if samples[-1]["program"]["go"][:4] != "go1.":
    bad.append("no Go version: %s" % samples[-1].get("program"))
if bad:
    sys.exit("; ".join(bad))
print("fine")
EOF
check "Go --runtime pprof: HeapAlloc of every reading matches the program's own ReadMemStats around it, and grows" \
	grep -q fine "$tmp/go.check" || { diag_file "$tmp/go.check"; diag_file "$tmp/go.err"; }
diag_file "$tmp/go.check" 3
"$MEMTOP" -r "$tmp/go.mt" -b --format json >"$tmp/go-replay.json" 2>/dev/null
check "Go: the recording replays into the JSON printed live, byte for byte (figures, go-heap)" \
	cmp -s "$tmp/go.json" "$tmp/go-replay.json"
"$MEMTOP" -r "$tmp/go.mt" -b >"$tmp/go-replay.txt" 2>/dev/null
check "Go: replayed as text, the runtime line: its version, objects and what grows" \
	grep -Eq '^runtime: go1\.[0-9.]+; Go heap: objects [0-9.]+[KMG], held free .*growing: objects \+' \
	"$tmp/go-replay.txt" || grep '^runtime' "$tmp/go-replay.txt" | tail -2 | diag_file /dev/stdin

# R: the URL typed in the dashboard, no --runtime on the command line.
tmux_run rkey 120 30 "env LANG=C.UTF-8 TERM=screen $MEMTOP -p $gort_pid -d 0.5"
wait_screen 10 'R Runtime' && sleep 1
check "R: no runtime line before a URL is given" sh -c \
	"! tmux -L '$tmux_sock' capture-pane -p -t rkey | grep -q '^Go '" || screen | diag_file /dev/stdin
keys R
check "R: a prompt for the runtime URL" wait_screen 3 '^Runtime URL: *$' || screen | diag_file /dev/stdin
keys -l "http://192.0.2.1:6060/debug/vars"
keys Enter
check "R, a host not on loopback: refused in the footer" \
	wait_screen 3 'runtime URL: 192.0.2.1 is not a loopback address' || screen | diag_file /dev/stdin
keys R
keys -l "$url"
keys Enter
check "R, the pprof URL: the header's Go heap line within a few samples" \
	wait_screen 10 '^Go heap: objects [0-9.]+[KMG], held free' || screen | diag_file /dev/stdin
keys R
check "R again: the prompt holds the URL being read" \
	wait_screen 3 "^Runtime URL: http://$addr/debug/pprof/heap" || screen | diag_file /dev/stdin
tm send-keys -t rkey -N 80 BSpace
keys Enter
check "R, emptied: the runtime line goes" wait_for 5 sh -c \
	"tmux -L '$tmux_sock' capture-pane -p -t rkey | grep -q 'runtime figures no longer read' &&
	 ! tmux -L '$tmux_sock' capture-pane -p -t rkey | grep -q '^Go heap'" || screen | diag_file /dev/stdin
keys q
tm kill-session -t rkey 2>/dev/null

# A hung endpoint: samples keep their time, keys their speed.
python3 "$srcdir/tests/runtime/hostile.py" >"$tmp/hostile.addr" 2>&1 &
hostile=$!
kill_later $hostile
wait_for 10 grep -qs '^listen' "$tmp/hostile.addr"
h=$(awk '/^listen/ { print $2 }' "$tmp/hostile.addr")
start=$(date +%s.%N)
limit 60 "$MEMTOP" -b -n 8 -d 0.5 -p "$gort_pid" --runtime "http://$h/hang" --format json \
	>"$tmp/hang.json" 2>"$tmp/hang.err"
took=$(echo "$(date +%s.%N) - $start" | bc)
py "$tmp/hang.json" "$took" >"$tmp/hang.check" 2>&1 <<'EOF'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
gaps = [b["time"] - a["time"] for a, b in zip(s, s[1:])]
print("# 8 samples in %.1f s, the longest gap %.2f s" % (float(sys.argv[2]), max(gaps)))
assert len(s) == 8 and max(gaps) < 0.8, gaps
assert s[0]["runtime"]["status"] == "pending", s[0]["runtime"]
assert s[-1]["runtime"]["status"] == "error" and \
    s[-1]["runtime"]["reason"].startswith("timed out after 2.0 s"), s[-1]["runtime"]
print("fine")
EOF
check "a hung endpoint: every sample on time (0.5 s apart), the reading a timeout" \
	grep -q fine "$tmp/hang.check" || diag_file "$tmp/hang.check"
diag_file "$tmp/hang.check" 1
tmux_run hang 100 30 "env LANG=C.UTF-8 TERM=screen $MEMTOP -p $gort_pid -d 0.5 --runtime http://$h/hang"
check "  ... the dashboard: 'Go runtime: waiting' while the first fetch hangs" \
	wait_screen 5 '^Go runtime: waiting for the first reading' || screen | diag_file /dev/stdin
keys '?'
check "  ... in the dashboard: the help opens at once while the fetch hangs" \
	wait_screen 1 'memtop - keys' || screen | diag_file /dev/stdin
keys q
check "  ... and the header says the endpoint timed out" \
	wait_screen 6 '^Go runtime: timed out after 2.0 s' || screen | diag_file /dev/stdin
tm kill-session -t hang 2>/dev/null
kill $hostile $gort_pid 2>/dev/null
finish
