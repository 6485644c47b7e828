#!/bin/sh
# hazards-live.sh - real processes in trouble: killed mid-sample, zombies,
# exec, PID reuse in a new PID namespace, other users, dropped capabilities,
# hidepid, a frozen cgroup, churning mappings, 65,000 mappings.
. "$srcdir/tests/lib.sh"

py() { python3 - "$@"; }
root=no
[ "$(id -u)" = 0 ] && root=yes

# A copy of memtop that every user may run (the build tree may be private).
pub=$tmp/pub
mkdir -p "$pub"
chmod 755 "$tmp"
chmod 1777 "$pub"
cp "$MEMTOP" "$pub/memtop"
chmod 755 "$pub/memtop"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

# Killed while sampling: a big target killed by SIGKILL mid-run.
start_demo --demo-rate 0 --demo-maps 20000 || ok 1 "demo starts"
# Killed once a sample is out, in the middle of the sampling that follows.
( wait_for 30 test -s "$tmp/kill.out"; sleep 0.5; kill -9 "$demo_pid" ) &
limit 60 "$MEMTOP" -b -n 1000 -d 0.1 -p "$demo_pid" --format json \
	>"$tmp/kill.out" 2>"$tmp/kill.err"
code=$?
check "SIGKILLed target mid-sampling: exit 3, no crash" test "$code" = 3
check "SIGKILLed target: says it exited" grep -q 'exited' "$tmp/kill.err"
check "SIGKILLed target: every printed sample is whole JSON" \
	python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" \
	"$tmp/kill.out"
# whole_samples FILE: every sample in FILE (JSON lines) shows the demo's
# address space whole: its 20,000 mappings, none gone, a command line.  A
# read that met the exit shows a torn or empty address space: it must not
# be printed as a sample.
whole_samples() {
	python3 -c "
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
s = [o for o in s if 'end' not in o]  # the last record: how it ended
bad = [(o['totals']['regions'], o['cmdline'][:20],
        sum(r['state'] == 'gone' for r in o['regions'])) for o in s
       if not (o['totals']['regions'] > 20000 and o['cmdline'] and
               not any(r['state'] == 'gone' for r in o['regions']))]
assert s and not bad, (len(s), bad[:3])
" "$1" 2>"$1.check" || { diag_file "$1.check"; return 1; }
}
check "SIGKILLed target: no sample of its dying address space" \
	whole_samples "$tmp/kill.out"

# A zombie: exited, not reaped.
python3 -c '
import os, sys, time
pid = os.fork()
if pid == 0:
    os._exit(0)
print(pid, flush=True)
time.sleep(30)
' >"$tmp/zombie" &
kill_later $!
wait_for 10 test -s "$tmp/zombie"
zpid=$(cat "$tmp/zombie")
wait_for 5 grep -q '^State:.*Z' "/proc/$zpid/status"
limit 10 "$MEMTOP" -b -n 1 -p "$zpid" >/dev/null 2>"$tmp/zombie.err"
code=$?
check "a zombie: exit 3 and the word zombie" sh -c \
	"test $code = 3 && grep -qi zombie '$tmp/zombie.err'" ||
	diag_file "$tmp/zombie.err"

# exec_samples NAME CODE [FORMAT]: python3 -c CODE GO, which waits for the
# file GO and then execs; eight samples of it (JSON unless FORMAT) in
# $tmp/NAME.out.  GO is made once memtop has written its first sample and
# had time for a second, however slowly it starts (a sanitizer build).
exec_samples() {
	python3 -c "$2" "$tmp/$1.go" &
	epid=$!
	kill_later $epid
	# The first sample must see python itself, not what runs before it
	# and execs it (the shell's fork, a pyenv shim whose comm already
	# says python3): that exec would count as one more.
	wait_for 10 sh -c "readlink /proc/$epid/exe | grep -q '/python[^/]*\$'"
	limit 30 "$MEMTOP" -b -n 8 -d 0.5 -p "$epid" --format "${3:-json}" \
		>"$tmp/$1.out" 2>"$tmp/$1.err" &
	mpid=$!
	wait_for 20 test -s "$tmp/$1.out"
	sleep 0.7
	: >"$tmp/$1.go"
	wait $mpid
}
exec_when='import os, sys, time
while not os.path.exists(sys.argv[1]): time.sleep(0.02)
'

# exec: the same process runs a new program; memtop follows and says so.
exec_samples exec "$exec_when"'os.execvp("sleep", ["sleep", "30"])'
py "$tmp/exec.out" >"$tmp/exec.check" 2>&1 <<'EOF'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
comms = [o["comm"] for o in s]
assert comms[0].startswith("python"), comms
assert comms[-1] == "sleep", comms
states = [o["state"] for o in s]
assert any("exec" in st for st in states), states
print("fine")
EOF
check "exec: memtop follows the new program and marks the exec" \
	grep -q fine "$tmp/exec.check" || diag_file "$tmp/exec.check"

# exec of the same program (same exe, same comm): the new address space
# tells it.
exec_samples reexec "$exec_when"'os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(30)"])'
py "$tmp/reexec.out" >"$tmp/reexec.check" 2>&1 <<'EOF'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
assert len({o["comm"] for o in s}) == 1, [o["comm"] for o in s]
states = [o["state"] for o in s]
assert states.count("execed") == 1, states
assert "sleep(30)" in s[-1]["cmdline"] and "exists" in s[0]["cmdline"]
print("fine")
EOF
check "exec of the same program: marked once, then followed" \
	grep -q fine "$tmp/reexec.check" || diag_file "$tmp/reexec.check"
# CSV says it too, in its target column.
exec_samples reexec-csv "$exec_when"'os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(30)"])' csv
py "$tmp/reexec-csv.out" >"$tmp/reexec-csv.check" 2>&1 <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
by_time = {}
for r in rows:
    by_time.setdefault(r["time"], set()).add(r["target"])
states = [by_time[t] for t in sorted(by_time, key=float)]
assert all(len(s) == 1 for s in states), states
states = [s.pop() for s in states]
assert states.count("execed") == 1 and states[0] == "running", states
print("fine")
EOF
check "  ... and in CSV the target column of that sample says execed" \
	grep -q fine "$tmp/reexec-csv.check" || diag_file "$tmp/reexec-csv.check"

# The main thread exits (the leader is a zombie) while another thread runs
# on: the process is alive, and memtop reads it through that thread.
python3 -c '
import ctypes, os, threading, time
threading.Thread(target=lambda: time.sleep(30)).start()
nr = {"x86_64": 60, "aarch64": 93, "i686": 1, "armv7l": 1}[os.uname().machine]
ctypes.CDLL(None).syscall(nr, 0)	# exit(2): this thread only
' &
lpid=$!
kill_later $lpid
wait_for 10 sh -c "cut -d' ' -f3 /proc/$lpid/stat | grep -q Z"
limit 20 "$MEMTOP" -b -n 2 -d 0.3 -p "$lpid" --format json >"$tmp/leader.out" 2>"$tmp/leader.err"
code=$?
py "$tmp/leader.out" >"$tmp/leader.check" 2>&1 <<'EOF'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
assert len(s) == 2 and s[-1]["state"] == "running", s
classes = {c["class"] for c in s[-1]["classes"]}
assert {"brk-heap", "thread-stack", "code"} <= classes, classes
assert "threading" in s[-1]["cmdline"]
print("fine")
EOF
check "main thread gone, another running: sampled, exit 0" sh -c \
	"test $code = 0 && grep -q fine '$tmp/leader.check'" ||
	{ diag_file "$tmp/leader.check"; diag_file "$tmp/leader.err"; }

# PID reuse, forced in a new PID namespace: memtop is stopped while its
# target dies and another process takes the PID; it must not show the new one.
if [ "$root" = yes ] && unshare --pid --fork --mount-proc true 2>/dev/null; then
	unshare --pid --fork --mount-proc sh -c '
		sleep 100 & a=$!
		"$1" -b -d 0.3 -n 40 -p $a --format json >"$2/reuse.out" 2>"$2/reuse.err" &
		m=$!
		# Pinned only once it has opened the target: wait for a sample.
		i=0
		while [ ! -s "$2/reuse.out" ] && [ $i -lt 100 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -STOP $m
		kill -9 $a; wait $a 2>/dev/null
		echo $((a - 1)) >/proc/sys/kernel/ns_last_pid
		python3 -c "import time; time.sleep(100)" & b=$!
		echo "$a $b" >"$2/reuse.pids"
		kill -CONT $m
		wait $m; echo $? >"$2/reuse.code"
		kill $b
	' sh "$MEMTOP" "$tmp" </dev/null
	check "PID reuse: the new process got the same PID" \
		sh -c "read a b <'$tmp/reuse.pids' && test \"\$a\" = \"\$b\""
	check "PID reuse: memtop ends with exit 3" \
		test "$(cat "$tmp/reuse.code" 2>/dev/null)" = 3
	check "PID reuse: no sample shows the new process" \
		sh -c "! grep -q python3 '$tmp/reuse.out'"
	check "PID reuse: one line says the PID is another process's now" \
		sh -c "test \$(wc -l <'$tmp/reuse.err') = 1 && grep -q 'now belongs to another process' '$tmp/reuse.err'" ||
		diag_file "$tmp/reuse.err"
else
	skip "PID reuse in a new PID namespace" "needs root and unshare --pid"
fi

# Permission: another user's memtop on our demo; root without CAP_SYS_PTRACE
# on another user's demo; hidepid.
if [ "$root" = yes ]; then
	start_demo --demo-rate 0 || ok 1 "demo starts"
	as_nobody "$pub/memtop" -b -n 1 -p "$demo_pid" >/dev/null 2>"$tmp/perm.err"
	code=$?
	check "another user's process: exit 4" test "$code" = 4
	check "another user's process: the message says what is needed" sh -c \
		"test \$(wc -l <'$tmp/perm.err') = 1 && grep -q 'root' '$tmp/perm.err' && grep -q 'ptrace' '$tmp/perm.err'"

	# The same user, but the process made itself not dumpable.
	if [ -x /usr/bin/python3 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
			/usr/bin/python3 -c '
import ctypes, time
ctypes.CDLL(None).prctl(4, 0)	# PR_SET_DUMPABLE
time.sleep(30)' &
		npid=$!
		kill_later $npid
		sleep 0.5
		as_nobody "$pub/memtop" -b -n 1 -p "$npid" >/dev/null 2>"$tmp/dump.err"
		code=$?
		check "own but not dumpable: exit 4, saying the process is not dumpable" sh -c \
			"test $code = 4 && grep -q 'yours but not dumpable' '$tmp/dump.err'" ||
			diag_file "$tmp/dump.err"
		kill $npid
	fi

	# capsh: a session that dropped CAP_SYS_PTRACE and runs as another user.
	capsh --drop=cap_sys_ptrace --user=nobody -- -c \
		"'$pub/memtop' -b -n 1 -p $demo_pid" >/dev/null 2>"$tmp/cap.err"
	code=$?
	check "capsh without CAP_SYS_PTRACE, another user: exit 4" test "$code" = 4 ||
		diag_file "$tmp/cap.err"
	limit 10 "$MEMTOP" -b -n 1 -p "$demo_pid" >/dev/null 2>&1
	check "root with CAP_SYS_PTRACE reads the same process" test $? = 0

	# Root refused (a sandbox's PID 1, behind a security module): the
	# message says root was refused, not "run as root"; and whether
	# memtop held CAP_SYS_PTRACE.
	if head -c 1 /proc/1/smaps >/dev/null 2>&1; then
		skip "root refused: the message says so" \
			"root may read PID 1's smaps here"
		skip "root without CAP_SYS_PTRACE refused: the message names it" \
			"root may read PID 1's smaps here"
	else
		limit 10 "$MEMTOP" -b -n 1 -p 1 >/dev/null 2>"$tmp/root.err"
		code=$?
		check "root refused (PID 1 here): exit 4, 'even as root', one line" \
			sh -c "test $code = 4 && test \$(wc -l <'$tmp/root.err') = 1 &&
				grep -q 'even as root: a security module' '$tmp/root.err' &&
				! grep -q 'run as root' '$tmp/root.err'" ||
			diag_file "$tmp/root.err"
		capsh --drop=cap_sys_ptrace -- -c \
			"'$MEMTOP' -b -n 1 -p 1" >/dev/null 2>"$tmp/root2.err"
		code=$?
		check "root without CAP_SYS_PTRACE refused: the message names it" \
			sh -c "test $code = 4 &&
				grep -q 'even as root: memtop has no CAP_SYS_PTRACE' \
				'$tmp/root2.err'" || diag_file "$tmp/root2.err"
	fi

	# hidepid=1 hides other users' files, hidepid=2 their processes too:
	# either way memtop says so and exits 4; a PID that is not there is
	# still "no process" (exit 3).
	for h in 1 2; do
		unshare --mount sh -c "mount -t proc -o hidepid=$h proc /proc &&
			setpriv --reuid=nobody --regid=nogroup --clear-groups \
			'$pub/memtop' -b -n 1 -p $demo_pid" >/dev/null 2>"$tmp/hide.err"
		code=$?
		check "hidepid=$h: exit 4 and one line naming hidepid" sh -c \
			"test $code = 4 && test \$(wc -l <'$tmp/hide.err') = 1 && grep -q hidepid=$h '$tmp/hide.err'" ||
			diag_file "$tmp/hide.err"
		# hidepid=1 hides the files, not the process: say which.
		if [ "$h" = 1 ]; then
			check "hidepid=1: the process's files are hidden, not the process" sh -c \
				"grep -q 'files of process' '$tmp/hide.err' && ! grep -q 'hides other users. processes' '$tmp/hide.err'" ||
				diag_file "$tmp/hide.err"
		else
			check "hidepid=2: the process itself is hidden" \
				grep -q "process $demo_pid is hidden.*hides other users' processes" "$tmp/hide.err" ||
				diag_file "$tmp/hide.err"
		fi
	done
	unshare --mount sh -c "mount -t proc -o hidepid=2 proc /proc &&
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		'$pub/memtop' -b -n 1 -p 4000000" >/dev/null 2>"$tmp/hide.err"
	code=$?
	check "hidepid=2, a PID nobody has: exit 3, no such process" sh -c \
		"test $code = 3 && grep -q 'no process' '$tmp/hide.err'" ||
		diag_file "$tmp/hide.err"
else
	skip "another user's process, capabilities, hidepid" \
		"needs root to switch users"
fi

# A frozen target (the cgroup freezer, v1 or v2): sampling still answers.
# freeze_sample CGROUP_DIR: sample the demo (frozen) into $tmp/frozen.
freeze_sample() {
	frozen=$1
	limit 20 "$MEMTOP" -b -n 2 -d 0.5 -p "$demo_pid" >"$tmp/frozen" 2>&1
	code=$?
}
fz1=/sys/fs/cgroup/freezer/memtop-test-$$
fz2=
for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	[ -e "$d/cgroup.controllers" ] && { fz2=$d/memtop-test-$$; break; }
done
frozen=
if [ "$root" = yes ] && mkdir "$fz1" 2>/dev/null; then
	start_demo --demo-rate 0 || ok 1 "demo starts"
	echo "$demo_pid" >"$fz1/cgroup.procs"
	echo FROZEN >"$fz1/freezer.state"
	wait_for 10 grep -q '^FROZEN' "$fz1/freezer.state" &&
		freeze_sample "the v1 freezer"
	echo THAWED >"$fz1/freezer.state"
	echo "$demo_pid" >"${fz1%/*}/cgroup.procs"
	rmdir "$fz1"
elif [ "$root" = yes ] && [ -n "$fz2" ] && mkdir "$fz2" 2>/dev/null; then
	start_demo --demo-rate 0 || ok 1 "demo starts"
	echo "$demo_pid" >"$fz2/cgroup.procs"
	echo 1 >"$fz2/cgroup.freeze"
	wait_for 10 grep -q '^frozen 1' "$fz2/cgroup.events" &&
		freeze_sample "cgroup v2"
	echo 0 >"$fz2/cgroup.freeze"
	echo "$demo_pid" >"${fz2%/*}/cgroup.procs"
	rmdir "$fz2"
fi
if [ -n "$frozen" ]; then
	check "a frozen target ($frozen) is sampled without a hang" sh -c \
		"test $code = 0 && grep -q ' brk-heap ' '$tmp/frozen'"
else
	skip "a frozen target is sampled without a hang" \
		"no cgroup freezer to write to"
fi

# Killed while one of its threads is frozen (the v1 freezer holds the kill
# until the thaw): the main thread exits, the frozen one keeps the address
# space.  A sample read across the main thread's exit is read again from
# the thread that runs on.
fz3=/sys/fs/cgroup/freezer/memtop-kill-$$
if [ "$root" = yes ] && mkdir "$fz3" 2>/dev/null; then
	start_demo --demo-rate 0 --demo-maps 20000 || ok 1 "demo starts"
	ls "/proc/$demo_pid/task" | grep -vx "$demo_pid" | head -n 1 >"$fz3/tasks"
	echo FROZEN >"$fz3/freezer.state"
	(
		wait_for 30 test -s "$tmp/fkill.out"
		sleep 0.3
		kill -9 "$demo_pid"
	) &
	limit 60 "$MEMTOP" -b -n 20 -d 0.1 -p "$demo_pid" --format json \
		>"$tmp/fkill.out" 2>"$tmp/fkill.err"
	code=$?
	state=$(awk '$1 == "State:" { print $2 }' "/proc/$demo_pid/status")
	echo THAWED >"$fz3/freezer.state"
	wait_for 10 rmdir "$fz3" 2>/dev/null
	check "killed, a thread frozen: the main thread exited while sampled" \
		test "$state" = Z
	check "  ... sampled on from the frozen thread, exit 0" test "$code" = 0 ||
		diag_file "$tmp/fkill.err"
	check "  ... no sample of the main thread's exit" \
		whole_samples "$tmp/fkill.out"
else
	for n in 1 2 3; do
		skip "a kill while a thread is frozen ($n)" \
			"needs root and the v1 freezer"
	done
fi

# Churning mappings: /proc reads of a process that maps and unmaps all the
# time; totals must stay the sum of regions, no crash.
start_demo --demo-rate 0 --demo-churn || ok 1 "demo starts"
limit 60 "$MEMTOP" -b -n 30 -d 0.1 -p "$demo_pid" --format json >"$tmp/churn" 2>"$tmp/churn.err"
code=$?
py "$tmp/churn" >"$tmp/churn.check" 2>&1 <<'EOF'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
assert len(s) == 30, len(s)
assert all(o["torn"] >= 0 for o in s), "each sample counts its torn reads"
for o in s:
    live = [r for r in o["regions"] if r["state"] != "gone"]
    assert o["totals"]["rss_kb"] == sum(r["rss_kb"] for r in live)
    starts = sorted((int(r["start"], 16), int(r["end"], 16)) for r in live)
    for (a, b), (c, d) in zip(starts, starts[1:]):
        assert b <= c, "overlapping regions %x-%x %x-%x" % (a, b, c, d)
print("fine")
EOF
check "churning mappings: 30 whole samples, no overlaps, exit 0" sh -c \
	"test $code = 0 && grep -q fine '$tmp/churn.check'" || diag_file "$tmp/churn.check"

# 65,000+ mappings.
if [ "$root" = yes ] && [ "$(cat /proc/sys/vm/max_map_count)" -lt 70000 ]; then
	old_max=$(cat /proc/sys/vm/max_map_count)
	echo 131072 >/proc/sys/vm/max_map_count 2>/dev/null || old_max=
fi
start_demo --demo-rate 0 --demo-maps 65000 || ok 1 "demo starts"
limit 120 "$MEMTOP" -b -n 2 -d 0.5 -p "$demo_pid" --format json >"$tmp/big" 2>"$tmp/big.err"
code=$?
maps=$(wc -l <"/proc/$demo_pid/maps")
py "$tmp/big" "$maps" >"$tmp/big.check" 2>&1 <<'EOF'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
n = len([r for r in s[-1]["regions"] if r["state"] != "gone"])
assert n >= 65000, n
assert abs(n - int(sys.argv[2])) <= 2, (n, sys.argv[2])
print("fine")
EOF
check "65,000+ mappings: every one in the sample" sh -c \
	"test $code = 0 && grep -q fine '$tmp/big.check'" || diag_file "$tmp/big.check"
[ -n "${old_max:-}" ] && echo "$old_max" >/proc/sys/vm/max_map_count

finish
