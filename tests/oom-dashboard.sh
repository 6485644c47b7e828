#!/bin/sh
# oom-dashboard.sh - the dashboard in tmux, recording, against a leaker the
# kernel OOM-kills in a v1 memory cgroup limited to 96M: the header keeps
# the limit and the projection at 40, 60, 80 and 120 columns, then says the
# OOM kill and the limit; the replay of the recording says how the target
# ended at its last sample, and e goes to 10 s before the end, paused.
. "$srcdir/tests/lib.sh"
. "$srcdir/tests/tmux.sh"
. "$srcdir/tests/cgroup.sh"

leaker

tmux_run dash 40 24 "env LANG=C.UTF-8 TERM=screen $MEMTOP -p $target -d 0.5 -w $tmp/dash.mt 2>$tmp/dash.err; echo \$? >$tmp/dash.code; sleep 60"
check "at 40 columns: the limit and the projection, shortened ('cg 40M/96M OOM ~14s')" \
	wait_screen 20 '^cg [0-9.]+[KM]/96M OOM ~[0-9ms]+' || screen | diag_file /dev/stdin
# width W REGEX: the header at W columns shows REGEX, no line wider.
width() {
	tm resize-window -t dash -x "$1" -y 24
	wait_screen 5 "$2" && screen | python3 -c "import sys
sys.exit(any(len(l.rstrip('\n')) > $1 for l in sys.stdin))"
}
check "at 60 columns: in words, or short with the rate" \
	width 60 '^(cg [0-9.]+[KM]/96M OOM ~[0-9ms]+ \+[0-9.]+M/s|cgroup [0-9.]+[KM] of 96M \([0-9]+%\), OOM in ~[0-9ms]+ at \+[0-9.]+M/s)' ||
	screen | diag_file /dev/stdin
check "at 80 columns: in words" \
	width 80 '^cgroup [0-9.]+[KM] of 96M \([0-9]+%\), OOM in ~[0-9ms]+ at \+[0-9.]+M/s' ||
	screen | diag_file /dev/stdin
check "at 120 columns: and whose cgroup" \
	width 120 "^cgroup [0-9.]+[KM] of 96M \([0-9]+%\), OOM in ~[0-9ms]+ at \+[0-9.]+M/s.*\[$rel\]" ||
	screen | diag_file /dev/stdin
tm resize-window -t dash -x 40 -y 24
check "the kill: at 40 columns the header says 'OOM-killed: limit 96M'" \
	wait_screen 40 '^OOM-killed: limit 96M' || screen | diag_file /dev/stdin
tm resize-window -t dash -x 120 -y 24
check "  ... and at 120: which cgroup's limit, and when" \
	wait_screen 5 "^ended: OOM-killed \(cgroup $rel: limit 96M\), [0-9:]+" ||
	screen | diag_file /dev/stdin
keys q
wait_for 5 test -s "$tmp/dash.code"
check "q quits the dashboard after the end" test -s "$tmp/dash.code" ||
	diag_file "$tmp/dash.err"
tm kill-session -t dash

# The replay: how it ended at its last sample; e, 10 s before the end.
"$MEMTOP" -r "$tmp/dash.mt" --info >"$tmp/dash.info" 2>&1
check "--info: the recording ended in an OOM kill" \
	grep -Eq "^ended: +OOM-killed \(cgroup $rel: limit 96M\)" "$tmp/dash.info" ||
	diag_file "$tmp/dash.info"
n=$(sed -n 's/^samples: *\([0-9]*\) .*/\1/p' "$tmp/dash.info")
tmux_run replay 120 50 "env LANG=C.UTF-8 TERM=screen $MEMTOP -r $tmp/dash.mt; sleep 60"
wait_screen 5 'REPLAY'
keys End
check "replay, at the last sample: the header says how the target ended" sh -c \
	"tmux -L '$tmux_sock' capture-pane -p -t replay | grep -Eq 'sample $n/$n .* ended: OOM-killed: limit 96M' &&
	 tmux -L '$tmux_sock' capture-pane -p -t replay | grep -Eq '^ended: OOM-killed \(cgroup $rel: limit 96M\)'" ||
	screen | diag_file /dev/stdin
keys e
check "e: 10 s before the end (20 samples of 0.5 s), paused" \
	wait_screen 3 "REPLAY 1x paused  sample ($((n - 21))|$((n - 20))|$((n - 19)))/$n" ||
	screen | diag_file /dev/stdin
check "  ... the footer says so; the header shows the projection then" sh -c \
	"tmux -L '$tmux_sock' capture-pane -p -t replay | grep -q '10 s before the end: sample' &&
	 tmux -L '$tmux_sock' capture-pane -p -t replay | grep -Eq '^cgroup [0-9.]+M of 96M \([0-9]+%\), OOM in ~([0-9]|1[0-9])s'" ||
	screen | diag_file /dev/stdin
at=$(screen | sed -n 's/.*REPLAY 1x paused  sample \([0-9]*\).*/\1/p')
sleep 1.5
check "  ... and stays there" sh -c \
	"tmux -L '$tmux_sock' capture-pane -p -t replay | grep -q 'REPLAY 1x paused  sample $at/$n'"
keys '?'
check "the help lists e, made from the replay's key table" \
	wait_screen 3 '10 s before the end of the recording, paused' || screen | diag_file /dev/stdin
keys q q
tm kill-session -t replay 2>/dev/null
finish
