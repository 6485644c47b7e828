#!/bin/sh
# oom-batch.sh - memtop -b on targets in a v1 memory cgroup limited to 96M: a
# leaker the kernel OOM-kills, watched by three memtops at once (text, CSV,
# JSON with a recording): each shows the limit and "OOM in ~Ns" before the
# kill, close to when it came, and ends on a line naming the OOM kill and
# the limit; the recording's --info says so, and replays into the same
# JSON.  A target SIGKILLed by the test and one that exits with a status
# are said as such, never as OOM kills; a reader of a file larger than the
# limit (page cache) is never projected to be killed, and is not.
. "$srcdir/tests/lib.sh"

py() { python3 - "$@"; }

. "$srcdir/tests/cgroup.sh"

leaker
"$MEMTOP" -b -d 0.5 -p "$target" >"$tmp/oom.txt" 2>"$tmp/oom-txt.err" &
m_text=$!
"$MEMTOP" -b -d 0.5 -p "$target" --format csv >"$tmp/oom.csv" 2>"$tmp/oom-csv.err" &
m_csv=$!
kill_later $m_text $m_csv
limit 90 "$MEMTOP" -b -d 0.5 -p "$target" --format json -w "$tmp/oom.mt" \
	>"$tmp/oom.json" 2>"$tmp/oom.err"
code=$?
wait "$target"
status=$?
wait $m_text
code_text=$?
wait $m_csv
check "the kernel OOM-killed the leaker (status 137, oom_kill 1)" sh -c \
	"test $status = 137 && grep -qx 'oom_kill 1' '$cg/memory.oom_control'"
check "memtop exits 3, the target gone" sh -c "test $code = 3 && test $code_text = 3"
check "its message names the OOM kill, the cgroup and the limit" \
	grep -q "^memtop: process $target exited: OOM-killed (cgroup $rel: limit 96M)" \
	"$tmp/oom.err" || diag_file "$tmp/oom.err"

# Text: the projection with the limit it runs into, before the kill; the
# last line, how it ended.
check "text: 'OOM in ~Ns at +R/s, limit 96M (cgroup $rel)' before the kill" \
	grep -Eq "^OOM in ~[0-9hms]+ at \+[0-9.]+M/s, limit 96M \(cgroup $rel\); assumes cgroup anon\+shmem\+kernel vs its limit" \
	"$tmp/oom.txt" || diag_file "$tmp/oom.txt" 12
check "text: the last line names the OOM kill and the limit, with its evidence" sh -c \
	"tail -n 1 '$tmp/oom.txt' | grep -Eq '^ended: OOM-killed \(cgroup $rel: limit 96M\), [0-9:]+ \(evidence: .*cgroup oom_kill \+1'" ||
	{ tail -n 3 "$tmp/oom.txt" >"$tmp/oom.tail"; diag_file "$tmp/oom.tail"; }

# JSON: the projection in every sample, close to when the kill came; the
# last record, how it ended.
py "$tmp/oom.json" "$rel" >"$tmp/oom.check" 2>&1 <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
s = [json.loads(l) for l in lines]
end = s.pop()
assert "end" in end and '"state": "running"' not in lines[-1], lines[-1]
e = end["end"]
assert e["reason"] == "oom-killed" and e["scope"] == "cgroup", e
assert e["cgroup"] == sys.argv[2] and e["limit_bytes"] == 96 << 20, e
assert e["cgroup_oom_kills"] == 1 and e["signal_name"] == "SIGKILL", e
assert "OOM-killed (cgroup %s: limit 96M)" % sys.argv[2] == e["text"], e
assert len(s) >= 10, "want the samples up to the kill, got %d" % len(s)
cg = [o["cgroup"] for o in s]
assert all(c["path"] == sys.argv[2] and c["max_bytes"] == 96 << 20 for c in cg), cg[0]
assert all(c["limit"]["max_bytes"] == 96 << 20 and c["limit"]["cgroup"] == sys.argv[2]
           for c in cg), cg[0]
# The last may have been taken between the kill and the death.
assert all(c["oom_kills"] == 0 for c in cg[:-1]), "a kill counted before it came"
etas = [o for o in s if o["oom"]["eta_s"] is not None]
assert etas, "no projection before the kill"
assert all(o["oom"]["basis"] == "cgroup" and o["oom"]["limit_kb"] == 96 << 10 for o in etas)
# The leak is 4000 kB/s; the kill came when memtop saw the end (within a
# sample): every projection points near it.
worst = 0
rates = [o["oom"]["rate_kb_s"] for o in etas]
for o in etas:
    r = o["oom"]["rate_kb_s"]
    assert 3000 < r < 5000, "rate %.0f kB/s, the leak is 4000 (+ the kernel's)" % r
    off = o["time"] + o["oom"]["eta_s"] - end["time"]
    worst = max(worst, abs(off))
    assert abs(off) < max(3, 0.25 * o["oom"]["eta_s"]), \
        "at %.1f s before the end: OOM in %.1f s" % (end["time"] - o["time"], o["oom"]["eta_s"])
print("# %d projections, the first %.1f s before the kill; the worst off by %.1f s; rates %.0f..%.0f kB/s"
      % (len(etas), end["time"] - etas[0]["time"], worst, min(rates), max(rates)))
print("fine")
EOF
check "JSON: the limit and 'OOM in ~Ns' before the kill, each within 25% of when it came; last, the end with its evidence" \
	grep -q fine "$tmp/oom.check" || diag_file "$tmp/oom.check"
diag_file "$tmp/oom.check" 1

# CSV: the same columns in every row; the projection; the end, a row.
py "$tmp/oom.csv" >"$tmp/csv.check" 2>&1 <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert rows and all(None not in r for r in rows), "ragged rows"
assert any(r["oom_eta_s"] and r["oom_limit_kb"] == str(96 << 10) and r["oom_basis"] == "cgroup"
           for r in rows), "no projection"
last = rows[-1]
assert last["end_reason"] == "oom-killed" and "limit 96M" in last["end_text"], last
assert all(not r["end_reason"] for r in rows[:-1])
print("fine")
EOF
check "CSV: the projection in its columns, the end its last row" \
	grep -q fine "$tmp/csv.check" || diag_file "$tmp/csv.check"

# The recording: how it ended, and the last seconds.
"$MEMTOP" -r "$tmp/oom.mt" --info >"$tmp/oom.info" 2>&1
check "--info: the recording ended in an OOM kill, by the cgroup's limit" \
	grep -Eq "^ended: +OOM-killed \(cgroup $rel: limit 96M\), [0-9]+:[0-9]+:[0-9]+$" \
	"$tmp/oom.info" || diag_file "$tmp/oom.info"
check "--info: what grew most in the last 10 and 60 seconds, with its rate" sh -c \
	"grep -q '^last 10s: what grew most before the end' '$tmp/oom.info' &&
	 grep -q '^last 60s: what grew most before the end' '$tmp/oom.info' &&
	 grep -Eq '^  classes: +\+[0-9.]+M/s +\+[0-9.]+M +anon$' '$tmp/oom.info'" ||
	diag_file "$tmp/oom.info"
check "--info: whether memtop could lower its own oom_score_adj" \
	grep -Eq "^recorder: +memtop's oom_score_adj (lowered from|stays|is) " "$tmp/oom.info"
"$MEMTOP" -r "$tmp/oom.mt" -b --format json >"$tmp/replay.json" 2>/dev/null
check "the recording replays into the JSON printed live, byte for byte, the end too" \
	cmp -s "$tmp/oom.json" "$tmp/replay.json" ||
	diff "$tmp/oom.json" "$tmp/replay.json" | cut -c1-400 | diag_file /dev/stdin

# A SIGKILL from the test, in the cgroup that has seen one OOM kill.
in_cgroup sleep 60
( wait_for 10 test -s "$tmp/kill.json"; sleep 0.3; kill -9 "$target" ) &
limit 30 "$MEMTOP" -b -d 0.2 -p "$target" --format json >"$tmp/kill.json" \
	2>"$tmp/kill.err"
check "a SIGKILL from the test is said as one, not as an OOM kill" sh -c \
	"grep -q 'process $target exited: killed by SIGKILL' '$tmp/kill.err' &&
	! grep -q OOM '$tmp/kill.err'" || diag_file "$tmp/kill.err"
py "$tmp/kill.json" >"$tmp/kill.check" 2>&1 <<'EOF'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
end = s.pop()["end"]
assert end["reason"] == "signaled" and end["signal_name"] == "SIGKILL", end
assert "OOM" not in end["text"] and end["scope"] is None, end
assert s and all(o["cgroup"]["oom_kills"] == 0 for o in s), "OOM kills shown"
assert all(o["oom"]["eta_s"] is None for o in s), "a projection for a sleeper"
print("fine")
EOF
check "  ... JSON: its end 'signaled' by SIGKILL; OOM kills 0 since memtop began, not the cgroup's 1" \
	grep -q fine "$tmp/kill.check" || diag_file "$tmp/kill.check"
wait "$target" 2>/dev/null

# An exit with status 3.
in_cgroup sh -c 'sleep 1; exit 3'
limit 30 "$MEMTOP" -b -d 0.2 -p "$target" >"$tmp/exit.txt" 2>"$tmp/exit.err"
check "an exit with status 3 is said as one" sh -c \
	"grep -q 'process $target exited: exit status 3' '$tmp/exit.err' &&
	 tail -n 1 '$tmp/exit.txt' | grep -q '^ended: exit status 3, '" ||
	diag_file "$tmp/exit.err"
wait "$target" 2>/dev/null

# Page cache: a file twice the limit, mapped and read through, twice.  Not
# on tmpfs (there it would be shmem, which only swap reclaims).
if [ "$(stat -f -c %T "$tmp")" = tmpfs ]; then
	skip "a reader of a file larger than the limit" "$tmp is on tmpfs"
else
	py "$tmp/big" <<'EOF'
import os, sys
with open(sys.argv[1], "wb") as f:
    for i in range(192):
        f.write(bytes([i]) * (1 << 20))
    f.flush()
    os.fsync(f.fileno())
    os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
EOF
	before=$(sed -n 's/^oom_kill //p' "$cg/memory.oom_control")
	in_cgroup python3 -c '
import mmap, sys, time
f = open(sys.argv[1], "rb")
m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
n = 0
for rounds in range(2):
    for off in range(0, len(m), 4096):
        n += m[off]
        if off % (4 << 20) == 0:
            time.sleep(0.1)
' "$tmp/big"
	limit 90 "$MEMTOP" -b -d 0.5 -p "$target" --format json >"$tmp/cache.json" 2>"$tmp/cache.err"
	wait "$target"
	status=$?
	py "$tmp/cache.json" >"$tmp/cache.check" 2>&1 <<'EOF'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
end = s.pop()["end"]
top = max(o["cgroup"]["current_bytes"] for o in s)
assert len(s) >= 10, "%d samples" % len(s)
assert top >= 64 << 20, "the cgroup held %d M at most" % (top >> 20)
etas = [o["oom"] for o in s if o["oom"]["eta_s"] is not None]
assert not etas, "projected to be killed: %s" % etas[0]
assert end["reason"] == "exited" and end["status"] == 0, end
print("# %d samples, the cgroup up to %d M of page cache" % (len(s), top >> 20))
print("fine")
EOF
	check "page cache only (a 192M file read through in 96M): never projected to be killed, and not killed" sh -c \
		"grep -q fine '$tmp/cache.check' && test $status = 0 &&
		 test \"\$(sed -n 's/^oom_kill //p' '$cg/memory.oom_control')\" = '$before'" ||
		diag_file "$tmp/cache.check"
	diag_file "$tmp/cache.check" 1
fi
finish
