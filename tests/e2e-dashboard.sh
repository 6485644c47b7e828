#!/bin/sh
# e2e-dashboard.sh - the real dashboard in a real terminal (tmux): classes,
# sorting, filtering, detail, the leak's sparkline, resizes, escaped paths,
# and a terminal left usable after SIGTERM and SIGKILL.
. "$srcdir/tests/lib.sh"
. "$srcdir/tests/tmux.sh"

start_demo --demo-rate 512 --demo-hostile || { ok 1 "demo starts"; finish; }

tmux_shell e2e 120 40
keys "stty sane" Enter
keys "$MEMTOP -p $demo_pid -d 0.5" Enter
check "the dashboard comes up with the demo's pid" wait_screen 10 "pid $demo_pid" ||
	screen | diag_file /dev/stdin
check "the alternate screen is on while it runs" \
	test "$(alt)" = 1

# Group view: the demo's classes are all there.
keys g
wait_screen 5 "By class\]" >/dev/null
screen >"$tmp/classes"
for class in brk-heap thread-stack shm guard code anon stack; do
	check "group view lists $class" grep -Eq "^.{0,3}$class " "$tmp/classes" ||
		diag_file "$tmp/classes"
done
keys Enter
check "Enter on a group drills into its members" wait_screen 5 "By class > [a-z]"
keys Escape
keys g
keys g
wait_screen 5 "\[Regions\]" >/dev/null

# Sorting: < goes from RSS to Size, biggest first; I inverts.
sizes_sorted() {
	screen >"$tmp/sorted"
	python3 -c "
import sys
lines = open(sys.argv[1], encoding='utf-8').read().splitlines()
head = next(i for i, l in enumerate(lines) if 'Size' in l and 'RSS' in l)
col = lines[head].index('Size') + 4
units = {'K': 1, 'M': 1024, 'G': 1024 ** 2, 'T': 1024 ** 3, 'P': 1024 ** 4}
vals = []
for l in lines[head + 1:-1]:
    f = l[:col].split()
    if f and f[-1][-1] in units:
        vals.append(float(f[-1][:-1]) * units[f[-1][-1]])
assert len(vals) > 10, vals
want = sorted(vals, reverse=sys.argv[2] == 'desc')
assert vals == want, vals
" "$tmp/sorted" "$1"
}
keys '<' Home
check "< sorts by Size, biggest first" sizes_sorted desc || diag_file "$tmp/sorted"
keys I Home
check "I inverts: smallest first" sizes_sorted asc || diag_file "$tmp/sorted"
keys '>'

# The leak: sorted by rate it comes first, its sparkline rising from low
# to full blocks, its rate near the demo's 512 kB/s.
keys '>' '>' '>' '>' '>' Home
check "> five times reaches the Rate column" wait_screen 3 "sort Rate"
leak_rises() { screen >"$tmp/leak"; sed -n 9p "$tmp/leak" | grep -q '▁.*█'; }
check "the leaking region's sparkline rises" wait_for 10 leak_rises ||
	diag_file "$tmp/leak"
leak_rate() {
	screen >"$tmp/leak"
	sed -n 9p "$tmp/leak" | grep -Eq '\+(4[0-9]{2}|5[0-9]{2}|6[0-2][0-9])K/s'
}
check "and its rate is near 512 kB/s" wait_for 10 leak_rate ||
	diag_file "$tmp/leak"
keys '<' '<' '<' '<' '<'

# Filter: \ narrows the table; a bad pattern shows an error, no crash.
keys '\' 'shm' Enter
screen >"$tmp/filter"
check "\\ filter narrows the table to matching rows" sh -c \
	"grep -q 'filter: shm' '$tmp/filter' &&
	 test \$(sed -n '9,38p' '$tmp/filter' | grep -c 'shm') -ge 2 &&
	 ! sed -n '9,38p' '$tmp/filter' | grep -q ' code '" || diag_file "$tmp/filter"
keys '\' '(' Enter
check "a bad pattern shows an error in the status line" wait_screen 3 "bad pattern" ||
	screen | diag_file /dev/stdin
keys '\' Enter
check "an empty filter shows everything again" sh -c \
	"! tmux -L '$tmux_sock' capture-pane -p -t e2e | sed -n 7p | grep -q 'filter:'"

# A path holding an escape sequence is shown escaped.
keys '/' 'evil' Enter
check "an escape sequence in a path is shown as text" wait_screen 3 'm\\e\]0;pwned\\x07\.bin' ||
	screen | diag_file /dev/stdin
check "search moved the cursor to it" sh -c \
	"tmux -L '$tmux_sock' capture-pane -p -e -t e2e | grep 'pwned' | head -1 | grep -q \"\$(printf '\\033')\""

# Detail and back.
keys Home Enter
check "Enter opens the region's detail" wait_screen 3 "VmFlags:"
check "the detail lists counters" wait_screen 3 'Private_Dirty'
keys Tab
check "Tab switches the chart to PSS" wait_screen 3 "^PSS over the last"
keys Escape
check "Esc returns to the table" wait_screen 3 "Rate"

keys '?'
check "? shows the help" wait_screen 3 "memtop - keys"
keys x

# Resizes: down to 40x10, a storm, 20x5, and back.
tm resize-window -t e2e -x 40 -y 10
small_fits() {
	screen >"$tmp/small"
	python3 -c "
import sys
lines = open(sys.argv[1], encoding='utf-8').read().splitlines()
assert any('memtop' in l for l in lines) and any('RSS' in l for l in lines)
assert all(len(l) <= 40 for l in lines)
" "$tmp/small"
}
check "at 40x10 the header and rows still fit" wait_for 5 small_fits ||
	diag_file "$tmp/small"
for s in 100x30 50x12 90x20 41x11 130x45 60x15 40x10 120x40; do
	tm resize-window -t e2e -x "${s%x*}" -y "${s#*x}"
done
tm resize-window -t e2e -x 20 -y 5
check "at 20x5 it says the terminal is too small" wait_screen 3 "too small"
tm resize-window -t e2e -x 120 -y 40
check "after the resize storm, a sane full screen" wait_screen 3 "Rate.*Trend"

# Suspend and resume: ^Z gives the shell back, fg redraws.
keys C-z
check "^Z suspends: the shell prompt is back" wait_screen 5 'PROMPT\$ *$' ||
	screen | diag_file /dev/stdin
check "suspended: the alternate screen is off" \
	test "$(alt)" = 0
keys fg Enter
check "fg resumes and redraws the dashboard" wait_screen 5 "Rate.*Trend"
check "resumed: the alternate screen is on again" \
	test "$(alt)" = 1

# SIGTERM: the shell prompt is back, the terminal cooked.
parent=$(pane_children | head -1)
child=$(pgrep -P "$parent" | head -1)
kill -TERM "$child"
check "after SIGTERM the pane is back at a shell prompt" prompt_back 10
check "after SIGTERM the alternate screen is off" \
	test "$(alt)" = 0
keys 'stty -a | tr " " "\n" | grep -E "^-?(icanon|echo)$" | tr "\n" " "; echo' Enter
check "after SIGTERM the terminal is in cooked mode with echo" \
	wait_screen 3 '^icanon echo'

# SIGKILL of the dashboard: the supervising parent restores the terminal.
keys clear Enter
keys "$MEMTOP -p $demo_pid -d 0.5" Enter
wait_screen 10 "pid $demo_pid" >/dev/null
parent=$(pane_children | head -1)
child=$(pgrep -P "$parent" | head -1)
kill -KILL "$child"
check "after SIGKILL the parent says so" wait_screen 5 'killed by signal 9'
check "after SIGKILL the alternate screen is off" \
	test "$(alt)" = 0
keys 'stty -a | tr " " "\n" | grep -E "^-?(icanon|echo)$" | tr "\n" " "; echo' Enter
check "after SIGKILL the terminal is in cooked mode with echo" \
	wait_screen 3 '^icanon echo'

# The target exits: the dashboard says so and keeps the last data.
keys clear Enter
keys "$MEMTOP -p $demo_pid -d 0.5" Enter
wait_screen 10 "pid $demo_pid" >/dev/null
kill "$demo_pid"
check "when the target exits the header says so" \
	wait_screen 5 "^memtop +pid $demo_pid +exited "
check "and how, once, on the verdict line" \
	wait_screen 2 "^ended: (killed by SIGTERM|exit status [0-9]+), "
line0_short() { ! screen | head -1 | grep -Eq 'SIGTERM|exit status'; }
check "line 0 does not say it again" line0_short
check "and the last regions stay on screen" wait_screen 2 "brk-heap"
keys q
check "q quits to the prompt" prompt_back 10

# LC_ALL=C: ASCII sparklines, no UTF-8 block.
start_demo --demo-rate 512 || ok 1 "demo starts"
keys clear Enter
keys "LC_ALL=C LANG=C $MEMTOP -p $demo_pid -d 0.5" Enter
ascii_sparks() {
	screen >"$tmp/ascii"
	grep -q "pid $demo_pid" "$tmp/ascii" && ! grep -q '[▁▂▃▄▅▆▇█]' "$tmp/ascii" &&
		grep '1.0G' "$tmp/ascii" | grep -q '_.*#'
}
check "LC_ALL=C: ASCII sparklines only" wait_for 10 ascii_sparks ||
	diag_file "$tmp/ascii"
keys q

# No terminal: say so and suggest -b.
"$MEMTOP" -p "$demo_pid" </dev/null >"$tmp/notty.out" 2>"$tmp/notty.err"
code=$?
check "stdout not a tty: exit 6 and a hint to use -b" sh -c \
	"test $code = 6 && grep -q -- '-b' '$tmp/notty.err'"
TERM=dumb script -qec "$MEMTOP -p $demo_pid" /dev/null >"$tmp/dumb.out" 2>&1
check "TERM=dumb: refused with a clear message" grep -q "dumb" "$tmp/dumb.out"

tm kill-server 2>/dev/null
finish
