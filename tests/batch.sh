#!/bin/sh
# batch.sh - memtop -b against the real demo workload: formats, totals against
# smaps_rollup and pmap -X, the leak rate, sorting, hostile paths, bad input.
. "$srcdir/tests/lib.sh"

py() { python3 - "$@"; }

start_demo --demo-rate 256 --demo-hostile || { ok 1 "demo starts"; finish; }
check "--demo prints its PID alone on its first line" \
	test "$(head -1 "$demo_out")" = "$demo_pid" || diag_file "$demo_out"

# Text: the header and the demo's classes.
limit 20 "$MEMTOP" -b -n 1 -p "$demo_pid" >"$tmp/text" 2>"$tmp/err"
check "text batch exits 0" test $? = 0
check "text header names the pid and comm" \
	grep -q "pid $demo_pid (memtop)" "$tmp/text"
for class in brk-heap stack thread-stack anon guard shm code rodata data file kernel; do
	check "text shows a $class region" \
		grep -Eq "^. [0-9a-f]{16}-[0-9a-f]{16} [-rwxps]{4} $class " "$tmp/text"
done
check "no raw escape byte reaches the output" \
	sh -c "! grep -q \"\$(printf '\\033')\" '$tmp/text'"
check "the hostile path is shown escaped" grep -q 'evil\\e\[31mred' "$tmp/text"
check "a 1,300-byte path is printed whole" \
	grep -Eq '/(d{200}/){6}long\.bin$' "$tmp/text"
# One sample gives no rate: the header says so with a dash, not 0.
check "the first sample's rate reads as not known (a dash), not as 0" \
	grep -Eq '^RSS [0-9.]+[KMG] \((-|–)\)  PSS ' "$tmp/text"
check "no rate is written in kB/s: one unit per second, as on screen" \
	sh -c "! grep -q 'kB/s' '$tmp/text'"
check "one sample is '1 sample', not '1 samples'" \
	grep -q "no OOM projection yet: 1 sample over" "$tmp/text" ||
	diag_file "$tmp/text" 6

# JSON Lines: three samples, valid whatever the paths hold, totals = sums.
limit 30 "$MEMTOP" -b -n 3 -d 0.5 -p "$demo_pid" --format json >"$tmp/json"
check "json batch exits 0" test $? = 0
py "$tmp/json" "$demo_pid" >"$tmp/json.check" 2>&1 <<'EOF'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 3, "want 3 samples, got %d" % len(lines)
for line in lines:
    o = json.loads(line)
    assert o["pid"] == int(sys.argv[2])
    live = [r for r in o["regions"] if r["state"] != "gone"]
    for k in ("rss_kb", "pss_kb", "swap_kb", "private_dirty_kb", "size_kb"):
        s = sum(r[k] for r in live)
        assert o["totals"][k] == s, "%s: totals %d != sum %d" % (k, o["totals"][k], s)
    assert sum(c["rss_kb"] for c in o["classes"]) == o["totals"]["rss_kb"]
    for r in o["regions"]:
        for k in ("start", "end", "perms", "offset", "path", "class", "state",
                  "size_kb", "rss_kb", "pss_kb", "private_dirty_kb", "swap_kb",
                  "delta_rss_kb", "rate_kb_s"):
            assert k in r, "region lacks " + k
        int(r["start"], 16)
    assert any("\x1b[31m" in r["path"] for r in o["regions"]), "hostile path lost"
    if line is lines[0]:
        assert all(r["delta_rss_kb"] == 0 for r in o["regions"]), "first sample: no change yet"
        # No rate is known from one sample: null, never 0.
        assert o["totals"]["rate_kb_s"] is None, o["totals"]["rate_kb_s"]
        assert all(r["rate_kb_s"] is None for r in o["regions"]), "first sample: a rate"
        assert all(c["rate_kb_s"] is None for c in o["classes"]), "first sample: a class rate"
    else:
        assert isinstance(o["totals"]["rate_kb_s"], float), o["totals"]["rate_kb_s"]
        assert any(isinstance(r["rate_kb_s"], float) for r in o["regions"])
    # MemAvailable (through libproc2) is the system's, give or take a moment.
    avail = [int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemAvailable:")][0]
    assert abs(o["mem_available_kb"] - avail) < avail * 0.1, (o["mem_available_kb"], avail)
    # A live file named "... (deleted)", and a deleted one named so.
    live_named = [r for r in o["regions"] if r["path"].endswith("/new\nline (deleted)")]
    assert live_named and not live_named[0]["deleted"] and live_named[0]["class"] != "deleted", live_named
    gone = [r for r in o["regions"] if r["path"].endswith("/gone (deleted)")]
    assert gone and gone[0]["deleted"] and gone[0]["class"] == "deleted", gone
print("fine")
EOF
check "json: valid lines, schema, totals equal the sum of regions, null rates in the first" \
	grep -q fine "$tmp/json.check" || diag_file "$tmp/json.check"

# A process whose mappings come and go all the time: the totals, which
# move by what changed, stay every sample's sums.
python3 -c '
import mmap, random, time
maps = []
while True:
    if len(maps) < 50 or random.random() < 0.5:
        m = mmap.mmap(-1, random.choice([1, 3, 8, 40]) * 4096)
        m.write(b"x" * random.randint(1, len(m)))
        maps.append(m)
    else:
        maps.pop(random.randrange(len(maps))).close()
    time.sleep(0.005)
' &
churn_pid=$!
sleep 0.5
limit 30 "$MEMTOP" -b -n 20 -d 0.2 -p "$churn_pid" --format json >"$tmp/churn"
kill "$churn_pid"
wait "$churn_pid" 2>/dev/null
py "$tmp/churn" >"$tmp/churn.check" 2>&1 <<'EOF'
import json, sys
came = went = 0
for n, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    o = json.loads(line)
    live = [r for r in o["regions"] if r["state"] != "gone"]
    for k in ("rss_kb", "pss_kb", "swap_kb", "private_dirty_kb", "size_kb"):
        s = sum(r[k] for r in live)
        assert o["totals"][k] == s, "sample %d %s: totals %d != sum %d" % (n, k, o["totals"][k], s)
    assert o["totals"]["regions"] == len(live), (o["totals"]["regions"], len(live))
    came += n > 0 and sum(r["state"] == "new" for r in o["regions"])
    went += sum(r["state"] == "gone" for r in o["regions"])
assert n == 19 and came > 20 and went > 20, (n, came, went)
print("fine", came, went)
EOF
check "json of a process whose mappings come and go: totals are the sums every sample" \
	grep -q fine "$tmp/churn.check" || diag_file "$tmp/churn.check"

# CSV: a header row and one row per region, each row one line.
limit 20 "$MEMTOP" -b -n 2 -d 0.5 -p "$demo_pid" --format csv >"$tmp/csv"
py "$tmp/csv" >"$tmp/csv.check" 2>&1 <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
head = rows[0]
assert head[:4] == ["time", "pid", "comm", "start"], head
assert all(len(r) == len(head) for r in rows), "ragged rows"
assert len(set(r[0] for r in rows[1:])) == 2, "want 2 samples"
assert any("evil\\e[31m" in r[-1] for r in rows[1:]), "hostile path"
rate = head.index("rate_kb_s")
first = [r for r in rows[1:] if r[0] == rows[1][0]]
assert all(r[rate] == "" for r in first), "first sample: a rate that is not empty"
assert any(r[rate] != "" for r in rows[1:] if r[0] != rows[1][0]), "second: no rate"
print("fine")
EOF
check "csv: header, equal-length rows, two samples, no rate in the first" grep -q fine "$tmp/csv.check" ||
	diag_file "$tmp/csv.check"

# The leak: the demo's leak region grows at 256 kB/s; memtop's rate says so.
leak=$(demo_region leak)
limit 30 "$MEMTOP" -b -n 8 -d 0.5 -p "$demo_pid" --format json >"$tmp/rate"
py "$tmp/rate" "$leak" >"$tmp/rate.check" 2>&1 <<'EOF'
import json, sys
start = int(sys.argv[2].split("-")[0], 16)
last = json.loads(open(sys.argv[1]).read().splitlines()[-1])
r = [r for r in last["regions"] if int(r["start"], 16) == start][0]
print("rate", r["rate_kb_s"], "class", r["class"])
assert 200 <= r["rate_kb_s"] <= 312, "rate %.1f not near 256" % r["rate_kb_s"]
assert r["class"] in ("anon", "anon:leak"), r["class"]
print("fine")
EOF
check "the leaking region's rate is near the demo's 256 kB/s" \
	grep -q fine "$tmp/rate.check" || diag_file "$tmp/rate.check"

# Sorting: -s size lists sizes biggest first.
limit 20 "$MEMTOP" -b -n 1 -s size -p "$demo_pid" --format csv >"$tmp/sorted"
check "-s size sorts biggest first" sh -c \
	"tail -n +2 '$tmp/sorted' | awk -F, '{print \$10}' | sort -c -r -n"
limit 20 "$MEMTOP" -b -n 1 -f '^shm$' -p "$demo_pid" --format csv >"$tmp/filtered"
check "-f keeps only matching regions" sh -c \
	"test \$(tail -n +2 '$tmp/filtered' | wc -l) -ge 1 &&
	 ! tail -n +2 '$tmp/filtered' | awk -F, '{print \$8}' | grep -v '^shm\$'"

# A locale whose decimal sign is a comma (de_DE) changes no number memtop
# reads or writes: -d 0.5, JSON, CSV and the OpenMetrics exposition keep a
# decimal point.  Made here (localedef, LOCPATH) if the system lacks it.
comma_locale() {
	for l in de_DE.UTF-8 de_DE.utf8; do
		[ "$(LC_ALL=$l locale -k decimal_point 2>/dev/null)" = \
			'decimal_point=","' ] && echo "$l" && return 0
	done
	mkdir -p "$tmp/locale"
	localedef -i de_DE -f UTF-8 "$tmp/locale/de_DE.UTF-8" \
		>/dev/null 2>&1 || true
	[ "$(LOCPATH=$tmp/locale LC_ALL=de_DE.UTF-8 locale -k decimal_point \
		2>/dev/null)" = 'decimal_point=","' ] && echo de_DE.UTF-8
}
loc=$(comma_locale)
if [ -z "$loc" ]; then
	for what in "-d 0.5 and JSON" "CSV" "text" "OpenMetrics"; do
		skip "a decimal-comma locale: $what" \
			"no de_DE locale (the locales package is not installed)"
	done
else
	[ -d "$tmp/locale/$loc" ] && export LOCPATH="$tmp/locale"
	LC_ALL=$loc limit 30 "$MEMTOP" -b -n 2 -d 0.5 -p "$demo_pid" \
		--format json >"$tmp/de.json" 2>"$tmp/de.err"
	check "under $loc, -d 0.5 is half a second, and JSON is JSON" \
		python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 2, lines
a, b = (json.loads(l) for l in lines)
assert isinstance(a["time"], float) and 0.3 < b["time"] - a["time"] < 1.5
' "$tmp/de.json" || diag_file "$tmp/de.err"
	LC_ALL=$loc limit 30 "$MEMTOP" -b -n 2 -d 0.5 -p "$demo_pid" \
		--format csv >"$tmp/de.csv" 2>"$tmp/de.err"
	check "  ... and every CSV row has the header's columns" python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert len(rows) > 2 and all(len(r) == len(rows[0]) for r in rows), rows[1]
float(rows[1][0])
' "$tmp/de.csv" || diag_file "$tmp/de.csv" 3
	LC_ALL=$loc limit 10 "$MEMTOP" -b -n 1 -p "$demo_pid" >"$tmp/de.txt"
	check "  ... and the text header's sample time has a point" \
		grep -Eq "sample [0-9]+\.[0-9] ms" "$tmp/de.txt"
	LC_ALL=$loc "$MEMTOP" --listen 127.0.0.1:0 -p "$demo_pid" -d 0.5 \
		2>"$tmp/de-serve.err" &
	de_serve=$!
	kill_later $de_serve
	wait_for 10 grep -q "serving http://127.0.0.1:[0-9]" "$tmp/de-serve.err"
	de_port=$(sed -n 's|.*serving http://127.0.0.1:\([0-9]*\)/.*|\1|p' \
		"$tmp/de-serve.err")
	wait_for 10 sh -c "curl -s -m 5 'http://127.0.0.1:$de_port/metrics' |
		grep -q '_timestamp_seconds{'"
	curl -s -m 5 "http://127.0.0.1:$de_port/metrics" >"$tmp/de.prom"
	check "  ... and every value OpenMetrics is given reads as a number" \
		python3 -c '
import sys
vals = [l.rsplit(" ", 1)[1] for l in open(sys.argv[1])
        if l.strip() and not l.startswith("#")]
assert vals and any("." in v for v in vals), "no fractional value"
for v in vals:
    float(v)
' "$tmp/de.prom" || diag_file "$tmp/de.prom" 5
	kill "$de_serve" 2>/dev/null
	unset LOCPATH
fi

# Against the kernel and pmap: a stopped (quiet) process, read at one
# moment: totals equal smaps_rollup, and pmap -X has the same mappings.
against_kernel() {
	cat >"$tmp/against.py" <<'EOF'
import json, sys
o = json.loads(open(sys.argv[1]).read())
def rollup(path):
    roll = {}
    for line in open(path):
        parts = line.split()
        if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
            roll[parts[0][:-1]] = int(parts[1])
    return roll
roll, before = rollup(sys.argv[2]), rollup(sys.argv[4])
# Equal to the kernel's own figures; if those moved all the same while
# memtop read, memtop's read lies between the one before and the one after.
for key, field in (("rss_kb", "Rss"), ("swap_kb", "Swap"),
                   ("private_dirty_kb", "Private_Dirty"), ("anon_kb", "Anonymous")):
    lo, hi = sorted((before[field], roll[field]))
    assert lo <= o["totals"][key] <= hi, "%s %d, rollup %d before and %d after" % (
        key, o["totals"][key], before[field], roll[field])
# Pss moves while memtop runs (it shares the demo's binary and libraries,
# so those pages count half), and the kernel rounds it per region: near.
assert abs(roll["Pss"] - o["totals"]["pss_kb"]) <= roll["Pss"] * 0.05, \
    "pss %d vs rollup %d" % (o["totals"]["pss_kb"], roll["Pss"])
lines = open(sys.argv[3]).read().splitlines()
head = lines[1].split()
rss_col = head.index("Rss")
rows = [l.split() for l in lines[2:-2]]
pmap_rss = sum(int(r[rss_col]) for r in rows if len(r) > rss_col and r[rss_col].isdigit())
assert abs(o["totals"]["rss_kb"] - pmap_rss) <= abs(roll["Rss"] - before["Rss"]), \
    "rss %d != pmap %d" % (o["totals"]["rss_kb"], pmap_rss)
regions = [r for r in o["regions"] if r["state"] != "gone"]
assert len(regions) == len(rows), "regions %d != pmap rows %d" % (len(regions), len(rows))
print("fine")
EOF
	stop_quiet "$1"
	# The demo is memtop: while memtop runs, the pages of its program file
	# that the build just wrote and the kernel has not written back yet
	# are mapped twice, Shared_Dirty rather than Private_Dirty.  Written
	# back, they are clean for both.
	sync "$MEMTOP" 2>/dev/null || sync
	# Even a stopped process's pages may move while memtop reads (a page
	# being migrated or collapsed is not counted for that moment): the
	# figures must agree at one of five moments, each read between two
	# smaps_rollup reads.
	for try in 1 2 3 4 5; do
		grep -v '^Pss' "/proc/$1/smaps_rollup" >"$tmp/rollup.before"
		limit 20 "$MEMTOP" -b -n 1 -p "$1" --format json >"$tmp/quiet"
		cat "/proc/$1/smaps_rollup" >"$tmp/rollup"
		pmap -X "$1" >"$tmp/pmap" 2>&1
		python3 "$tmp/against.py" "$tmp/quiet" "$tmp/rollup" "$tmp/pmap" \
			"$tmp/rollup.before" >"$tmp/quiet.check" 2>&1 && break
		sleep 0.5
	done
	kill -CONT "$1"
	grep -q fine "$tmp/quiet.check"
}
start_demo --demo-rate 0 || ok 1 "quiet demo starts"
check "the demo: totals equal smaps_rollup and pmap -X" \
	against_kernel "$demo_pid" || diag_file "$tmp/quiet.check"

# A real server from Debian's packages: python3's http.server on loopback.
python3 -m http.server 0 --bind 127.0.0.1 >/dev/null 2>&1 &
server=$!
kill_later $server
sleep 1
check "a python3 http.server: totals equal smaps_rollup and pmap -X" \
	against_kernel "$server" || diag_file "$tmp/quiet.check"
limit 20 "$MEMTOP" -b -n 3 -d 0.3 -p "$server" --format json >"$tmp/server.json"
check "a python3 http.server: three JSON samples with its heap and code" \
	python3 -c "
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
assert len(s) == 3 and s[0]['comm'].startswith('python')
cls = set(r['class'] for r in s[-1]['regions'])
assert {'brk-heap', 'code', 'rodata', 'data', 'stack'} <= cls, cls
" "$tmp/server.json"
kill $server

# The target exits mid-run: the samples so far are printed, then a message.
start_demo --demo-rate 0 || ok 1 "demo starts"
( sleep 1.2; kill "$demo_pid" ) &
limit 30 "$MEMTOP" -b -n 100 -d 0.5 -p "$demo_pid" --format json >"$tmp/exit.out" 2>"$tmp/exit.err"
code=$?
check "target exit mid-run: exit status 3" test "$code" = 3
check "target exit mid-run: samples before it were printed" \
	test "$(wc -l <"$tmp/exit.out")" -ge 2
check "target exit mid-run: one line says it exited" \
	sh -c "test \$(wc -l <'$tmp/exit.err') = 1 && grep -q 'exited' '$tmp/exit.err'" ||
	diag_file "$tmp/exit.err"

# Bad input: one line on stderr and a distinct exit status.
bad() {
	want=$1
	desc=$2
	shift 2
	limit 10 "$MEMTOP" "$@" >"$tmp/bad.out" 2>"$tmp/bad.err"
	code=$?
	if [ "$code" = "$want" ] && [ "$(wc -l <"$tmp/bad.err")" = 1 ] &&
	    grep -q '^memtop: ' "$tmp/bad.err"; then
		ok 0 "$desc (exit $want, one line)"
	else
		ok 1 "$desc (exit $code, want $want)"
		diag_file "$tmp/bad.err"
	fi
}
bad 3 "no such PID" -b -p 4000000
bad 2 "a PID that is not a number" -b -p abc
bad 2 "a negative PID" -b -p -5
bad 2 "a zero interval" -b -d 0 -p 1
bad 2 "a negative interval" -b -d -1 -p 1
bad 2 "an unknown column" -b -s bogus -p 1
bad 2 "an unknown format" -b --format xml -p 1
bad 2 "a bad filter pattern" -b -f '(' -p 1
bad 2 "the process list cannot be recorded" -b -w /dev/null
bad 2 "an unknown option" --bogus
bad 2 "an option without its value" -b -p
# What the user typed can hold any byte too: it is quoted escaped.
esc=$(printf '\033')
bad 2 "an unknown option holding an escape sequence" "--x${esc}[2J"
check "  ... quoted escaped, no raw escape byte" sh -c \
	"! grep -q '$esc' '$tmp/bad.err' && grep -q 'x.e\[2J' '$tmp/bad.err'" ||
	diag_file "$tmp/bad.err"
bad 2 "a missing recording whose name holds an escape sequence" \
	-b -r "$tmp/no${esc}]0;T.mtr"
check "  ... its name escaped in the message" sh -c \
	"! grep -q '$esc' '$tmp/bad.err' && grep -q 'no.e\]0;T' '$tmp/bad.err'" ||
	diag_file "$tmp/bad.err"
check "the kernel-thread message names it" sh -c \
	"'$MEMTOP' -b -n 1 -p 2 2>&1 | grep -q 'kernel thread'"

# A thread's ID opens /proc/TID like a PID: memtop points to its process.
python3 -c '
import threading, time
def w():
    print(threading.get_native_id(), flush=True)
    time.sleep(30)
threading.Thread(target=w, daemon=True).start()
time.sleep(30)
' >"$tmp/tid" &
tpid=$!
kill_later $tpid
wait_for 10 test -s "$tmp/tid"
tid=$(cat "$tmp/tid")
bad 2 "a thread's ID instead of a PID" -b -n 1 -p "$tid"
check "  ... the message names the process to watch" \
	grep -q "thread of process $tpid: .*use -p $tpid" "$tmp/bad.err"

finish
