#!/bin/sh
# e2e-keys.sh - the dashboard's live keys in a real terminal (tmux): pause
# and resume, the interval, the baseline, -n, and the keyboard signals (^C,
# ^\) and SIGHUP each leaving a usable terminal with the right exit code.
. "$srcdir/tests/lib.sh"
. "$srcdir/tests/tmux.sh"

# The leak's row (the 1 GiB mapping) as shown now.
leak_row() { screen | grep ' 1\.0G ' | head -1; }

start_demo --demo-rate 512 || { ok 1 "demo starts"; finish; }

tmux_shell k 150 40
keys "$MEMTOP -p $demo_pid -d 0.5" Enter
check "the dashboard comes up" wait_screen 10 "pid $demo_pid" ||
	screen | diag_file /dev/stdin
leak_shown() { test -n "$(leak_row)"; }
wait_for 10 leak_shown

# Pause: the header says so and the numbers stop; the screen stays live.
keys Space
check "space pauses: the header says PAUSED" wait_screen 3 "PAUSED"
sleep 0.6
before=$(leak_row)
sleep 2
after=$(leak_row)
check "while paused the leak's row does not change" \
	test -n "$before" -a "$before" = "$after" ||
	{ diag "before: $before"; diag "after:  $after"; }
keys g
check "while paused the screen still answers keys (g)" wait_screen 3 "\[By class\]"
keys g g
keys Space
check "space resumes sampling" wait_screen 3 "sampling resumed"
leak_moved() { after=$(leak_row); test -n "$after" -a "$before" != "$after"; }
check "after resuming the leak's row moves again" wait_for 10 leak_moved ||
	{ diag "before: $before"; diag "after:  $after"; }

# The interval: + samples less often, - more often.
keys +
check "+ doubles the interval: every 1s" wait_screen 3 "every 1s "
keys - -
check "- - brings it down to 0.2s" wait_screen 3 "every 0.2s "

# Baseline: m zeroes the deltas, which then grow again.
delta_before=$(leak_row)
keys m
check "m sets the baseline" wait_screen 3 "baseline set"
check "after m the leak's delta starts again from 0 (in kB, not MB)" \
	wait_for 3 sh -c "tmux -L '$tmux_sock' capture-pane -p -t k | grep ' 1\.0G ' |
	 head -1 | grep -Eq ' (0|\+[0-9.]+K) +\+[0-9.]+K'" ||
	{ diag "before m: $delta_before"; diag "after m:  $(leak_row)"; }
keys M
check "M goes back to the first sample" wait_screen 3 "baseline: the first sample"

# ^C: SIGINT restores the terminal; the exit code says so (128 + 2).
keys C-c
check "^C: the shell prompt is back" prompt_back 10 ||
	screen | diag_file /dev/stdin
check "^C: the alternate screen is off" test "$(alt)" = 0
keys 'echo "code=$?"' Enter
check "^C: exit code 130" wait_screen 3 '^code=130'

# ^\: SIGQUIT likewise, without a core dump.
keys clear Enter
keys "$MEMTOP -p $demo_pid -d 0.5" Enter
wait_screen 10 "pid $demo_pid" >/dev/null
keys 'C-\'
check "^\\: the shell prompt is back" prompt_back 10
check "^\\: the alternate screen is off" test "$(alt)" = 0
keys 'echo "code=$?"' Enter
check "^\\: exit code 131" wait_screen 3 '^code=131'

# SIGHUP to the dashboard: the terminal is given back.
keys clear Enter
keys "$MEMTOP -p $demo_pid -d 0.5" Enter
check "the dashboard runs again" wait_screen 10 "pid $demo_pid" ||
	screen | diag_file /dev/stdin
parent=$(pane_children | head -1)
child=$(pgrep -P "$parent" | head -1)
kill -HUP "${child:-$parent}"
check "SIGHUP: the shell prompt is back" prompt_back 10
check "SIGHUP: the alternate screen is off" test "$(alt)" = 0

# kill -INT of the PID a shell knows (the supervisor's) stops memtop too.
keys clear Enter
keys "$MEMTOP -p $demo_pid -d 0.5" Enter
wait_screen 10 "pid $demo_pid" >/dev/null
parent=$(pane_children | head -1)
kill -INT "$parent"
check "SIGINT to the supervisor: the shell prompt is back" \
	prompt_back 10 || screen | diag_file /dev/stdin
check "SIGINT to the supervisor: the alternate screen is off" \
	test "$(alt)" = 0
keys 'echo "code=$?"' Enter
check "SIGINT to the supervisor: exit code 130" wait_screen 3 '^code=130'

# -n bounds the dashboard too: it quits by itself after N samples.
keys clear Enter
keys "$MEMTOP -p $demo_pid -d 0.2 -n 5; echo \"code=\$?\"" Enter
check "-n 5 -d 0.2: the dashboard ends by itself with code 0" \
	wait_screen 10 '^code=0'
check "-n: the alternate screen is off" test "$(alt)" = 0

# q answers at once even while a sample is slow: a stopped demo still
# answers /proc, so time q against the poll timeout instead.
keys clear Enter
keys "$MEMTOP -p $demo_pid -d 30" Enter
wait_screen 10 "pid $demo_pid" >/dev/null
t0=$(date +%s%N)
tm send-keys -t k q
prompt_back 5
t1=$(date +%s%N)
check "q quits within a second even with a 30 s interval" \
	test $(((t1 - t0) / 1000000)) -lt 1000 ||
	diag "took $(((t1 - t0) / 1000000)) ms"

tm kill-server 2>/dev/null
finish
