#!/bin/sh
# follow.sh - -P --follow across an OOM kill and a restart: a shell loop
# restarts a leaker that a 64M v1 memory cgroup OOM-kills; memtop -b -P
# leaker --follow -w FILE sees the kill, its verdict and the new PID, in
# text and JSON; the recording holds both lives and replays across the
# switch, in batch and in the dashboard; the live dashboard says so.
. "$srcdir/tests/lib.sh"

v1=$(awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup" &&
	$(i + 3) ~ /(^|,)memory(,|$)/) { print $5; exit } }' /proc/self/mountinfo)
if [ "$(id -u)" != 0 ]; then
	skip "following a leaker across its OOM kills" "making a memory cgroup needs root"
	finish
fi
if [ -z "$v1" ] || ! mkdir "$v1/memtop-follow-$$" 2>"$tmp/mkdir.err"; then
	skip "following a leaker across its OOM kills" \
		"no v1 memory cgroup can be made here: $(cat "$tmp/mkdir.err" 2>/dev/null)"
	finish
fi
cg=$v1/memtop-follow-$$
rel=/memtop-follow-$$
loop_pid=
stop_loop() {
	: >"$tmp/stop"
	[ -n "$loop_pid" ] && kill "$loop_pid" 2>/dev/null
	for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
}
trap 'stop_loop; for p in $cleanup_pids; do kill -9 "$p" 2>/dev/null; done
	tm kill-server 2>/dev/null
	for i in 1 2 3 4 5 6 7 8 9 10; do rmdir "$cg" 2>/dev/null && break; sleep 0.2; done
	rm -rf "$tmp"' EXIT
echo 67108864 >"$cg/memory.limit_in_bytes"
echo 67108864 >"$cg/memory.memsw.limit_in_bytes" 2>/dev/null

# The leaker (8M/s: the kernel kills it within seconds) and its supervisor.
cat >"$tmp/leaker.py" <<'EOF'
import time
hold = []
while True:
    hold.append(bytearray(819200))
    time.sleep(0.1)
EOF
cat >"$tmp/loop.sh" <<EOF
while [ ! -e "$tmp/stop" ]; do python3 "$tmp/leaker.py"; sleep 0.3; done
EOF
sh -c 'echo $$ >"$0/cgroup.procs" && exec sh "$1"' "$cg" "$tmp/loop.sh" \
	2>"$tmp/loop.err" &
loop_pid=$!
kill_later "$loop_pid"
leaker_up() { pgrep -P "$loop_pid" python3 >/dev/null; }
wait_for 10 leaker_up

limit 90 "$MEMTOP" -b -P 'leaker\.py' --follow -d 0.5 -n 36 -w "$tmp/f.mt" \
	--format json >"$tmp/f.json" 2>"$tmp/f.err"
check "memtop -b -P --follow -w runs its -n samples across the restarts, exit 0" \
	test $? = 0 || diag_file "$tmp/f.err"
check "stderr: the kill, its verdict, and the new pid" \
	sh -c "grep -Eq '^memtop: process [0-9]+ ended: OOM-killed \\(cgroup $rel: limit 64M\\); waiting' '$tmp/f.err' &&
	       grep -Eq '^memtop: restarted: pid [0-9]+ OOM-killed \\(cgroup $rel: limit 64M\\) at [0-9:]{8}, now pid [0-9]+' '$tmp/f.err'" ||
	diag_file "$tmp/f.err"
py_check() {
	python3 - "$1" "$rel" >"$2" 2>&1 <<'EOF'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
pids = []
for o in s:
    if not pids or pids[-1] != o["pid"]:
        pids.append(o["pid"])
assert len(pids) >= 2, "one process only: %s" % pids
# Each new life's first sample says which one it replaced, and how.
for k in range(1, len(pids)):
    first_new = next(o for o in s if o["pid"] == pids[k])
    r = first_new["restarted"]
    assert r["count"] == k and r["pid"] == pids[k - 1], (k, r)
    assert r["reason"] == "oom-killed", r
    assert ("cgroup %s" % sys.argv[2]) in r["how"], r
    assert r["ended"] <= r["switched"] <= first_new["time"], r
# The first new life starts anew: small again after a kill at the limit.
first_new = next(o for o in s if o["pid"] == pids[1])
last_old = [o for o in s if o["pid"] == pids[0]][-1]
assert first_new["totals"]["rss_kb"] < last_old["totals"]["rss_kb"], (
    first_new["totals"]["rss_kb"], last_old["totals"]["rss_kb"])
assert all("restarted" not in o for o in s if o["pid"] == pids[0]), "before"
print("fine", pids[0], pids[1], pids[-2], pids[-1])
EOF
}
py_check "$tmp/f.json" "$tmp/f.check"
check "JSON: the first pid's samples, then the new pid's, its first sample saying it replaced the OOM-killed one" \
	grep -q fine "$tmp/f.check" || diag_file "$tmp/f.check"
old=$(awk '/^fine/ { print $2 }' "$tmp/f.check")
new=$(awk '/^fine/ { print $3 }' "$tmp/f.check")
last_old=$(awk '/^fine/ { print $4 }' "$tmp/f.check")
last_new=$(awk '/^fine/ { print $5 }' "$tmp/f.check")

# The recording: one file, both lives, the verdict at the switch.
"$MEMTOP" -r "$tmp/f.mt" --info >"$tmp/info" 2>&1
check "the recording is whole (one file, no damage)" \
	sh -c "grep -q 'damage:    none' '$tmp/info' && grep -q '1 segment' '$tmp/info'" ||
	diag_file "$tmp/info"
limit 30 "$MEMTOP" -r "$tmp/f.mt" -b --format json >"$tmp/r.json"
py_check "$tmp/r.json" "$tmp/r.check"
check "replayed as JSON: the same switch, the same verdict" \
	grep -q "fine $old $new $last_old $last_new" "$tmp/r.check" || diag_file "$tmp/r.check"
limit 30 "$MEMTOP" -r "$tmp/f.mt" -b >"$tmp/r.txt"
check "replayed as text: the switch said under the new process's header" \
	grep -Eq "^restarted: pid $old OOM-killed \\(cgroup $rel: limit 64M\\) at [0-9:]{8}, now pid $new" \
	"$tmp/r.txt" || diag_file "$tmp/r.txt"

. "$srcdir/tests/tmux.sh"
tmux_shell follow 120 40
keys "$MEMTOP -r $tmp/f.mt" Enter
keys ' ' Home
check "replay dashboard, first sample: the first pid, no restart" \
	wait_screen 10 "pid $old .*REPLAY" || screen | diag_file /dev/stdin
keys End
check "replay dashboard, last sample: the new pid, and the restart said" \
	wait_screen 10 "pid $last_new .*restarted: pid $last_old OOM-killed" ||
	screen | diag_file /dev/stdin
# Both lives in one model: the old one's rows would have a longer history
# than the new life has samples.
lastlife=$(python3 -c "import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
print(sum(1 for o in s if o['pid'] == s[-1]['pid']))" "$tmp/r.json")
alone() {
	screen | python3 -c "
import re, sys
lines = sys.stdin.read().splitlines()
head = next(i for i, l in enumerate(lines) if 'Trend' in l)
runs = [len(m) for l in lines[head + 1:] for m in re.findall('[\u2581-\u2588]+', l)]
assert runs and max(runs) <= int(sys.argv[1]), (max(runs), sys.argv[1])" "$lastlife"
}
check "replay dashboard: the new process's regions alone, with its own history" \
	alone || screen | diag_file /dev/stdin
keys q
prompt_back 10 >/dev/null

# The live dashboard across the next kill.
keys clear Enter
keys "$MEMTOP -P 'leaker\\.py' --follow -d 0.5" Enter
check "live dashboard: after the next kill it says restarted, and the new pid" \
	wait_screen 30 "restarted: pid [0-9]+ OOM-killed .*now pid [0-9]+" ||
	screen | diag_file /dev/stdin
check "and its regions are listed" wait_screen 5 " Rate "
keys q
check "q quits" prompt_back 10
# The picker on a steady leaker in the cgroup, and a sleep there: the
# cgroup's time to its OOM limit, one projection for both.
stop_loop
sleep 1
printf 'import time\nhold = []\nwhile True:\n    hold.append(bytearray(262144))\n    time.sleep(0.25)\n' \
	>"$tmp/slow.py"
sh -c 'echo $$ >"$0/cgroup.procs" && exec python3 "$1"' "$cg" "$tmp/slow.py" &
slow=$!
sh -c 'echo $$ >"$0/cgroup.procs" && exec sleep 6003' "$cg" &
sleeper=$!
kill_later "$slow" "$sleeper"
keys clear Enter
keys "$MEMTOP -d 0.5 -p $slow,$sleeper" Enter
check "the picker: a cgroup OOM projection on both of its processes' rows" \
	wait_screen 20 "^ +$sleeper .* [0-9]+(m[0-9]+)?s +sleep 6003" || screen | diag_file /dev/stdin
check "the same for the leaker" \
	wait_screen 5 "^ +$slow .* [0-9]+(m[0-9]+)?s +(/|…/).*python3" || screen | diag_file /dev/stdin
keys q
prompt_back 10 >/dev/null
kill "$slow" "$sleeper"
tm kill-server 2>/dev/null
stop_loop
finish
