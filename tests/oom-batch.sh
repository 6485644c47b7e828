#!/bin/sh
# oom-batch.sh - memtop -b on targets in a v1 memory cgroup limited to 64M: a
# leaker the kernel OOM-kills (every sample up to the kill is printed, the
# last line names the OOM kill and the limit), a target SIGKILLed by the test
# and one that exits with a status (said as such, never as OOM kills).
. "$srcdir/tests/lib.sh"

# The v1 memory hierarchy, from mountinfo (fstype cgroup, option memory).
v1=$(awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup" &&
	$(i + 3) ~ /(^|,)memory(,|$)/) { print $5; exit } }' /proc/self/mountinfo)
cg=
if [ "$(id -u)" != 0 ]; then
	ok 0 "# SKIP making a memory cgroup needs root"
	finish
fi
if [ -z "$v1" ] || ! mkdir "$v1/memtop-batch-$$" 2>"$tmp/mkdir.err"; then
	ok 0 "# SKIP no v1 memory cgroup can be made here: $(cat "$tmp/mkdir.err" 2>/dev/null)"
	finish
fi
cg=$v1/memtop-batch-$$
rel=/memtop-batch-$$
trap 'for p in $cleanup_pids; do kill -9 "$p" 2>/dev/null; done
	for i in 1 2 3 4 5 6 7 8 9 10; do rmdir "$cg" 2>/dev/null && break; sleep 0.2; done
	rm -rf "$tmp"' EXIT
echo 67108864 >"$cg/memory.limit_in_bytes"
echo 67108864 >"$cg/memory.memsw.limit_in_bytes" 2>/dev/null

# in_cgroup COMMAND...: run it in the cgroup, in the background.
in_cgroup() {
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@" &
	target=$!
	kill_later "$target"
	wait_for 10 grep -qx "$target" "$cg/cgroup.procs"
}

# A leaker at 8M/s: the kernel kills it within seconds.
in_cgroup python3 -c '
import time
hold = []
while True:
    hold.append(bytearray(819200))
    time.sleep(0.1)
'
limit 90 "$MEMTOP" -b -d 0.5 -p "$target" --format json >"$tmp/oom.json" \
	2>"$tmp/oom.err"
code=$?
wait "$target"
status=$?
check "the kernel OOM-killed the leaker (status 137, oom_kill 1)" sh -c \
	"test $status = 137 && grep -qx 'oom_kill 1' '$cg/memory.oom_control'"
check "memtop exits 3, the target gone" test "$code" = 3
check "its last line names the OOM kill, the cgroup and the limit" \
	grep -q "^memtop: process $target exited: OOM-killed (cgroup $rel: limit 64M)" \
	"$tmp/oom.err" || diag_file "$tmp/oom.err"
python3 - "$tmp/oom.json" "$rel" >"$tmp/oom.check" 2>&1 <<'PY'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
assert len(s) >= 4, "want the samples up to the kill, got %d" % len(s)
cg = [o["cgroup"] for o in s]
assert all(c["path"] == sys.argv[2] and c["max_bytes"] == 64 << 20 for c in cg), cg[0]
assert cg[-1]["current_bytes"] > 40 << 20, cg[-1]
# The last may have been taken between the kill and the death.
assert all(c["oom_kills"] == 0 for c in cg[:-1]), "a kill counted before it came"
assert cg[-1]["oom_kills"] <= 1, cg[-1]
print("fine")
PY
check "every sample up to the kill is whole JSON, the cgroup filling up" \
	grep -q fine "$tmp/oom.check" || diag_file "$tmp/oom.check"

# A SIGKILL from the test, in the cgroup that has seen one OOM kill.
in_cgroup sleep 60
( wait_for 10 test -s "$tmp/kill.json"; sleep 0.3; kill -9 "$target" ) &
limit 30 "$MEMTOP" -b -d 0.2 -p "$target" --format json >"$tmp/kill.json" \
	2>"$tmp/kill.err"
check "a SIGKILL from the test is said as one, not as an OOM kill" sh -c \
	"grep -q 'process $target exited: killed by SIGKILL' '$tmp/kill.err' &&
	! grep -q OOM '$tmp/kill.err'" || diag_file "$tmp/kill.err"
check "OOM kills shown: 0 since memtop began, not the cgroup's 1" \
	python3 -c "import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
assert s and all(o['cgroup']['oom_kills'] == 0 for o in s)" "$tmp/kill.json"
wait "$target" 2>/dev/null

# An exit with status 3.
in_cgroup sh -c 'sleep 1; exit 3'
limit 30 "$MEMTOP" -b -d 0.2 -p "$target" >/dev/null 2>"$tmp/exit.err"
check "an exit with status 3 is said as one" \
	grep -q "process $target exited: exit status 3" "$tmp/exit.err" ||
	diag_file "$tmp/exit.err"
wait "$target" 2>/dev/null
finish
