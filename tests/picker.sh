#!/bin/sh
# picker.sh - the process list and the picker against real processes: the
# demo, a python3, a process of another user (setpriv), a kernel thread;
# their figures against /proc; memtop -b without -p in text, CSV and JSON;
# the picker in tmux (sorting, filtering, searching, Enter and Esc); -P with
# no match, one and several; -p with a list, and with a name.
. "$srcdir/tests/lib.sh"

py() { python3 - "$@"; }

start_demo --demo-rate 512 || { ok 1 "demo starts"; finish; }
# A marker of its own on its command line: other tests run python3 too.
python3 -c 'import time; x = bytearray(8 << 20); print("ready", flush=True); time.sleep(120)' \
	"picker-test-$$" >"$tmp/py.out" &
py_pid=$!
kill_later "$py_pid"
# A program whose path is longer than the picker's command column.
long_dir=/opt/a-build-tree-whose-path-is-longer-than-any-command-column-is-wide/bin
bash -c "exec -a $long_dir/picker-sleeper-$$ sleep 120" &
long_pid=$!
kill_later "$long_pid"
other_pid=
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups sleep 120 &
	other_pid=$!
	kill_later "$other_pid"
fi
wait_for 10 grep -q ready "$tmp/py.out"

# libproc2 (and with it libsystemd, libgcrypt, ...) is loaded by the
# process list, not at every start.
"$MEMTOP" -b -d 0.5 --format json >/dev/null 2>&1 &
lister=$!
kill_later "$lister"
"$MEMTOP" -b -d 0.5 -p "$demo_pid" --format json >"$tmp/watch.json" 2>&1 &
watcher=$!
kill_later "$watcher"
wait_for 10 grep -q libproc2 "/proc/$lister/maps"
wait_for 10 test -s "$tmp/watch.json"
check "libproc2 is loaded by the process list, not by memtop -p" sh -c \
	"grep -q libproc2 /proc/$lister/maps &&
	 ! grep -Eq 'libproc2|libsystemd' /proc/$watcher/maps"
kill "$lister" "$watcher"
wait "$lister" "$watcher" 2>/dev/null

# Without libproc2 (an empty file bound over it in a mount namespace of
# its own): what needs it says so in a line, exit 1; -p does not need it.
lib=$(ldconfig -p 2>/dev/null | awk '/libproc2\.so\.0 / { print $NF; exit }')
if [ "$(id -u)" = 0 ] && [ -n "$lib" ] && command -v unshare >/dev/null &&
    unshare -m true 2>/dev/null; then
	: >"$tmp/empty.so"
	unshare -m sh -c "mount --bind '$tmp/empty.so' \"\$(readlink -f '$lib')\" &&
		{ '$MEMTOP' -b -n 1 >/dev/null 2>'$tmp/nolib.list'; echo list \$?;
		  '$MEMTOP' -b -n 1 -P picker-test >/dev/null 2>'$tmp/nolib.P'; echo P \$?;
		  timeout -k 2 10 '$MEMTOP' --listen 127.0.0.1:0 -P x 2>'$tmp/nolib.listen'; echo listen \$?;
		  '$MEMTOP' -b -n 1 -p $demo_pid >/dev/null 2>'$tmp/nolib.p'; echo p \$?; }" \
		>"$tmp/nolib.codes" 2>&1
	check "without libproc2: the process list, -P and --listen -P say so in a line, exit 1; -p works" sh -c \
		"grep -qx 'list 1' '$tmp/nolib.codes' && grep -qx 'P 1' '$tmp/nolib.codes' &&
		 grep -qx 'listen 1' '$tmp/nolib.codes' && grep -qx 'p 0' '$tmp/nolib.codes' &&
		 for f in list P listen; do
			test \$(wc -l <'$tmp/nolib.'\$f) = 1 &&
			grep -q 'libproc2 is not installed' '$tmp/nolib.'\$f || exit 1
		 done" || { diag_file "$tmp/nolib.codes"; diag_file "$tmp/nolib.list"; diag_file "$tmp/nolib.P"; }
else
	skip "without libproc2: what needs it says so" "needs root and unshare -m (a mount namespace) to hide the library"
fi

# JSON: every field, the demo's against /proc.
limit 60 "$MEMTOP" -b -n 2 -d 0.5 --format json >"$tmp/list.json"
check "memtop -b with no -p: two ticks of the list, exit 0" test $? = 0
py "$tmp/list.json" "$demo_pid" "$py_pid" "${other_pid:-0}" >"$tmp/list.check" 2>&1 <<'EOF'
import json, sys
ticks = [json.loads(l) for l in open(sys.argv[1])]
demo, pyp, other = (int(a) for a in sys.argv[2:5])
assert len(ticks) == 2, len(ticks)
last = ticks[-1]
assert isinstance(last["time"], float)
procs = {p["pid"]: p for p in last["processes"]}
for k in ("pid", "user", "comm", "cmdline", "rss_kb", "pss_kb", "swap_kb",
          "anon_kb", "rate_kb_s", "cgroup", "oom_score"):
    assert k in procs[demo], k
d = procs[demo]
st = dict(l.split(":", 1) for l in open("/proc/%d/status" % demo))
roll = dict(l.split(":", 1) for l in open("/proc/%d/smaps_rollup" % demo)
            if ":" in l and not l.startswith(("0", "5", "7")))
rss = int(st["VmRSS"].split()[0])
pss = int(roll["Pss"].split()[0])
# The demo leaks 512 kB/s: allow what a second of it moves.
assert abs(d["rss_kb"] - rss) < 2048, (d["rss_kb"], rss)
# While memtop reads, it maps the same program as the demo (memtop
# --demo) and shares its file pages: they count half to the demo then.
pss_file = int(roll["Pss_File"].split()[0])
assert d["pss_kb"] is not None, d
assert pss - 2048 - pss_file // 2 < d["pss_kb"] < pss + 2048, (d["pss_kb"], pss, pss_file)
assert d["comm"] == "memtop" and "--demo" in d["cmdline"], d
assert d["oom_score"] == int(open("/proc/%d/oom_score" % demo).read()), d
assert pyp in procs and procs[pyp]["comm"].startswith("python"), "python3 missing"
assert procs[pyp]["anon_kb"] >= 8 << 10, procs[pyp]
assert 2 not in procs, "kthreadd (a kernel thread) is listed"
assert all(not p["cmdline"].startswith("[") or p["rss_kb"] for p in procs.values())
if other:
    assert procs[other]["user"] == "nobody", procs[other]
# Sorted by PSS, biggest first, unknown last.
pss_list = [p["pss_kb"] for p in last["processes"]]
known = [p for p in pss_list if p is not None]
assert known == sorted(known, reverse=True), known[:10]
assert pss_list[:len(known)] == known
print("fine")
EOF
check "JSON: the demo's RSS and PSS as /proc says, python3 and another user's process listed, no kernel thread, sorted by PSS" \
	grep -q fine "$tmp/list.check" || diag_file "$tmp/list.check"

limit 60 "$MEMTOP" -b -n 1 -s rss >"$tmp/list.txt"
check "text: a header and the demo's line, sorted by rss" \
	sh -c "grep -q 'sorted by rss' '$tmp/list.txt' &&
		grep -Eq '^ +$demo_pid +root +[0-9.]+[KMG] ' '$tmp/list.txt'" ||
	diag_file "$tmp/list.txt"
limit 60 "$MEMTOP" -b -n 1 --format csv -f 'memtop --demo' >"$tmp/list.csv"
check "CSV: a header, -f keeps the demo alone" sh -c \
	"head -1 '$tmp/list.csv' | grep -q '^time,pid,user,comm,cmdline,rss_kb,pss_kb' &&
	 test \$(wc -l <'$tmp/list.csv') -ge 2 && grep -q ',$demo_pid,root,memtop,' '$tmp/list.csv' &&
	 ! grep -q ',$py_pid,' '$tmp/list.csv'" || diag_file "$tmp/list.csv"
limit 60 "$MEMTOP" -b -n 1 -p "$demo_pid,$py_pid" --format json >"$tmp/two.json"
check "-b -p A,B: the list of those two" python3 -c "import json, sys
p = json.loads(open(sys.argv[1]).read())['processes']
assert sorted(x['pid'] for x in p) == sorted(int(a) for a in sys.argv[2:4]), p" \
	"$tmp/two.json" "$demo_pid" "$py_pid"

# Another user's view: memtop run as nobody lists root's processes, marked.
if [ -n "$other_pid" ] && setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$MEMTOP" -V >/dev/null 2>&1; then
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$MEMTOP" -b -n 1 --format json >"$tmp/nobody.json" 2>"$tmp/nobody.err"
	check "as nobody: root's demo listed, marked no-smaps, its PSS unknown; its own sleep read" \
		python3 -c "import json, sys
p = {x['pid']: x for x in json.loads(open(sys.argv[1]).read())['processes']}
d = p[int(sys.argv[2])]
assert d['access'] == 'no-smaps' and d['pss_kb'] is None and d['rss_kb'] > 0, d
o = p[int(sys.argv[3])]
assert o['access'] == 'full' and o['pss_kb'] is not None, o" \
		"$tmp/nobody.json" "$demo_pid" "$other_pid" || diag_file "$tmp/nobody.err"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$MEMTOP" -b -n 1 >"$tmp/nobody.txt" 2>&1
	check "as nobody, text: the demo's line marked !" \
		grep -Eq "^! *$demo_pid " "$tmp/nobody.txt" || diag_file "$tmp/nobody.txt"
else
	skip "memtop as another user marks what it may not read" \
		"setpriv, root, or a build nobody can run is missing"
fi

# -P: no match, one, several; -p with a name.
"$MEMTOP" -b -n 1 -P 'no-such-process-anywhere-[0-9]{9}' >/dev/null 2>"$tmp/none.err"
check "-P with no match: exit 3, said" sh -c \
	"test $? = 3 && grep -q 'no process' '$tmp/none.err'"
# (Other tests run demos too: this one by its path and arguments.)
limit 20 "$MEMTOP" -b -n 1 -P "^$MEMTOP --demo --demo-rate 512\$" >"$tmp/one.txt" 2>"$tmp/one.err"
check "-P with one match: that process" sh -c \
	"grep -q 'pid $demo_pid (memtop)' '$tmp/one.txt' && ! test -s '$tmp/one.err'" ||
	diag_file "$tmp/one.err"
sleep 6001 &
s1=$!
sleep 0.1
sleep 6002 &
s2=$!
kill_later "$s1" "$s2"
limit 20 "$MEMTOP" -b -n 1 -P '^sleep 600[12]$' >"$tmp/two.txt" 2>"$tmp/two.err"
first=$(for p in $(pgrep -f '^sleep 600[12]$'); do echo "$(cut -d' ' -f22 /proc/$p/stat) $p"; done | sort -n | head -1 | cut -d' ' -f2)
check "-P with several and -b: the oldest, said on stderr" sh -c \
	"grep -q 'pid $first (sleep)' '$tmp/two.txt' &&
	 grep -q 'processes match -P: watching the oldest, pid $first' '$tmp/two.err'" ||
	{ diag_file "$tmp/two.err"; diag_file "$tmp/two.txt"; }
"$MEMTOP" -b -p redis-server >/dev/null 2>"$tmp/name.err"
check "-p redis-server: exit 2, and -P suggested" sh -c \
	"test $? = 2 && grep -Eq 'use -P redis-server|-P NAME picks a process by name' '$tmp/name.err'"

# The picker in a terminal.
. "$srcdir/tests/tmux.sh"
tmux_shell pick 120 40
keys "$MEMTOP -d 0.5" Enter
check "memtop alone opens the picker, sorted by PSS" \
	wait_screen 10 "Processes +sort PSS" || screen | diag_file /dev/stdin
check "the picker says what a tick of it costs" \
	wait_screen 5 "tick [0-9.]+ ms, CPU [0-9.]+ ms"
# (Other tests' processes may push them off the first page: / finds them.)
keys '/' "$MEMTOP --demo --demo-rate 512" Enter
# (Its command starts with memtop's path, cut where the path is long.)
check "the demo is listed with its command" \
	wait_screen 5 "^ +$demo_pid +root .*memtop( --demo|…)" ||
	screen | diag_file /dev/stdin
keys '/' "picker-test-$$" Enter
check "the python3 is listed" wait_screen 5 "^ +$py_pid +root .*python3" ||
	screen | diag_file /dev/stdin
keys '/' "picker-sleeper-$$" Enter
check "a long path loses its directories, not the program's name" \
	wait_screen 5 "^ +$long_pid +root .* …/picker-sleeper-$$ 120\$" ||
	screen | diag_file /dev/stdin
keys Home
check "no kernel thread (kthreadd) is listed" \
	sh -c "! tmux -L '$tmux_sock' capture-pane -p -t pick | grep -q kthreadd"
pss_sorted() {
	screen >"$tmp/pick"
	python3 -c "
import sys
lines = open(sys.argv[1], encoding='utf-8').read().splitlines()
head = next(i for i, l in enumerate(lines) if 'PSS' in l and 'Command' in l)
col = lines[head].index('PSS') + 3
u = {'K': 1, 'M': 1024, 'G': 1024 ** 2}
vals = []
for l in lines[head + 1:-2]:
    f = l[:col].split()
    if f and f[-1][-1] in u:
        vals.append(float(f[-1][:-1]) * u[f[-1][-1]])
assert len(vals) > 3, vals
want = sorted(vals, reverse=sys.argv[2] == 'desc')
assert vals == want, vals
" "$tmp/pick" "$1"
}
# (The first ticks read PSS within a budget: wait for a few of them.)
check "rows by PSS, biggest first" wait_for 10 pss_sorted desc || diag_file "$tmp/pick"
keys I
check "I inverts: smallest PSS first" wait_for 5 pss_sorted asc || diag_file "$tmp/pick"
keys I '<'
check "< sorts by the previous column (RSS)" wait_screen 3 "sort RSS"
keys '>' '>'
check "> twice: by Swap" wait_screen 3 "sort Swap"
keys '<'
keys '\' 'demo-rate 512' Enter
# (A function: a process whose command line held the pattern would match.)
filtered() {
	screen >"$tmp/filt"
	grep -q 'filter: demo-rate 512' "$tmp/filt" && grep -q ' 1 shown' "$tmp/filt" &&
		grep -Eq "^ +$demo_pid " "$tmp/filt"
}
check "\\ filters on the command line: the demo alone" wait_for 5 filtered ||
	diag_file "$tmp/filt"
keys '\' Enter
keys '/' "picker-test-$$" Enter
check "/ searches: the python3 under the cursor" sh -c \
	"tmux -L '$tmux_sock' capture-pane -p -t pick | tail -2 | grep -q '^pid $py_pid'" ||
	screen | diag_file /dev/stdin
keys '/' 'demo-rate 512' Enter Enter
check "Enter: the demo's region dashboard" wait_screen 10 "pid $demo_pid .*regions"
check "its leak grows in it" wait_screen 10 "\\+5[0-9][0-9]K/s.*▁"
sleep 2
keys Escape
check "Esc: back to the list" wait_screen 5 "Processes +sort PSS"
check "which went on sampling: the demo's rate is there" \
	wait_screen 5 "^ +$demo_pid .*\\+(4[0-9][0-9]|5[0-9][0-9]|6[0-2][0-9])K/s"
keys Enter
check "Enter again opens it again" wait_screen 10 "pid $demo_pid .*regions"
keys q
check "q quits" prompt_back 10

# -P with several matches opens the picker on them.
keys clear Enter
keys "$MEMTOP -d 0.5 -P '^sleep 600[12]$'" Enter
check "-P with several matches: the picker on those alone" \
	wait_screen 10 "2 shown" || screen | diag_file /dev/stdin
check "both sleeps are there" sh -c \
	"tmux -L '$tmux_sock' capture-pane -p -t pick | grep -Eq '^ +$s1 ' &&
	 tmux -L '$tmux_sock' capture-pane -p -t pick | grep -Eq '^ +$s2 '"
keys q
prompt_back 10 >/dev/null
keys clear Enter
keys "$MEMTOP -d 0.5 -p $demo_pid,$py_pid" Enter
check "-p A,B: the picker on those two" wait_screen 10 "2 shown" ||
	screen | diag_file /dev/stdin
keys q
prompt_back 10 >/dev/null

# At 80 columns: the PID, the sizes, the rate and the command stay.
tm resize-window -t pick -x 80 -y 24
keys clear Enter
keys "$MEMTOP -d 0.5" Enter
check "at 80 columns: PID, RSS, PSS, rate and command" \
	wait_screen 10 "PID +User +RSS +PSS .*Rate.*Command" || screen | diag_file /dev/stdin
keys q
prompt_back 10 >/dev/null
tm kill-server 2>/dev/null
finish
