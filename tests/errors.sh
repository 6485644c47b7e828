#!/bin/sh
# errors.sh - errors in the order a user needs them (the target before the
# terminal), the hint of -p NAME, and every exit status memtop gives, each
# against the list of doc/memtop.1.
. "$srcdir/tests/lib.sh"

man="$srcdir/doc/memtop.1"

# The EXIT STATUS section of the man page, one "CODE TEXT" line an entry.
sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$man" | awk '
	/^\.TP/ { tp = 1; next }
	tp && /^\.B / { if (code != "") print code, text; code = $2; text = ""; tp = 0; next }
	/^\.SH/ { if (code != "") print code, text; code = "" ; next }
	code != "" { text = text " " $0 }' >"$tmp/exit-codes"

# man_says CODE WORDS: the man page lists CODE, its text mentioning WORDS.
man_says() {
	grep "^$1 " "$tmp/exit-codes" | grep -qi -- "$2"
}

# exits CODE NAME REGEX ARGS...: memtop ARGS (as $as_user, when set), with
# no terminal, exits CODE and says one line on stderr ($tmp/NAME.err) that
# matches REGEX and says nothing of the terminal unless REGEX does.
as_user=
exits() {
	want=$1 name=$2 re=$3
	shift 3
	# shellcheck disable=SC2086
	$as_user "$MEMTOP" "$@" >"$tmp/out" 2>"$tmp/$name.err" </dev/null
	got=$?
	test "$got" = "$want" && test "$(wc -l <"$tmp/$name.err")" = 1 &&
		grep -Eq -- "$re" "$tmp/$name.err" &&
		{ ! grep -q terminal "$tmp/$name.err" || echo "$re" | grep -q terminal; } ||
		{ diag "exit $got, want $want"; diag_file "$tmp/$name.err"; return 1; }
}

start_demo --demo-rate 0 || { ok 1 "demo starts"; finish; }

# The target before the terminal: no such process, its output to a file
# (as to a pipe: not a terminal).
check "memtop -p 999999 | cat: no such process, exit 3, before any word on the terminal" \
	exits 3 gone 'no process with PID 999999' -p 999999
check "  and the man page says 3 is a target gone" man_says 3 "no such process"
check "memtop -r MISSING | cat: the file is missing (exit 2), not the terminal" \
	exits 2 none 'none\.mt' -r "$tmp/none.mt"
check "  and the man page says 2 is a -r file that does not exist" man_says 2 "file that does not exist"
check "a target that is there, no terminal: exit 6, saying so" \
	exits 6 term 'not a terminal' -p "$demo_pid"
check "  and the man page says 6 is no usable terminal" man_says 6 "terminal"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	check "another user's process, no terminal: permission (exit 4) first" \
		exits 4 perm 'permission denied' -p "$demo_pid"
	as_user=
else
	skip "another user's process, no terminal: permission first" "needs root and setpriv"
fi
check "  and the man page says 4 is permission denied" man_says 4 "permission denied"

# -p NAME: a number is wanted; a name that runs gets the way to pick by name.
name=memtop-errors-$$
if command -v bash >/dev/null; then
	bash -c "exec -a $name sleep 30" &
	named=$!
	kill_later $named
	wait_for 5 sh -c "grep -q '^$name' /proc/$named/cmdline 2>/dev/null"
	check "-p NAME of a running process: exit 2, suggesting -P NAME and its PID" \
		exits 2 name "-P $name \\(1 process matches, the oldest is PID $named\\)" -p "$name"
	kill $named 2>/dev/null
else
	skip "-p NAME of a running process suggests -P NAME" "needs bash for exec -a"
fi
check "-p NAME that nothing runs: exit 2, a whole number is wanted" \
	exits 2 noname 'whole number.*-P NAME' -p "nothing-runs-$$"
check "  and the man page says 2 is a bad PID" man_says 2 "PID"

# The other statuses, each against the man page.
limit 20 "$MEMTOP" -b -n 1 -p "$demo_pid" >"$tmp/out" 2>"$tmp/ok.err"
check "a batch sample: exit 0" test $? = 0
check "  and the man page says 0 is success" man_says 0 "success"
if [ -w /dev/full ]; then
	limit 20 "$MEMTOP" -b -n 1 -p "$demo_pid" >/dev/full 2>"$tmp/full.err"
	code=$?
	check "output to a full disk: exit 1, saying so" sh -c \
		"test $code = 1 && grep -q 'writing output' '$tmp/full.err'" || diag_file "$tmp/full.err"
else
	skip "output to a full disk: exit 1" "no /dev/full"
fi
check "  and the man page says 1 is a failed write" man_says 1 "failed write"
head -c 200 /dev/urandom >"$tmp/junk.mt"
"$MEMTOP" -r "$tmp/junk.mt" -b >"$tmp/out" 2>"$tmp/junk.err"
code=$?
check "a file that is no recording: exit 5" sh -c \
	"test $code = 5 && grep -q 'not a memtop session file' '$tmp/junk.err'" || diag_file "$tmp/junk.err"
check "  and the man page says 5 is a damaged or unreadable session file" man_says 5 "session file"
"$MEMTOP" --no-such-option >"$tmp/out" 2>"$tmp/opt.err"
check "an unknown option: exit 2" test $? = 2
check "  and the man page says 2 is a usage error" man_says 2 "usage error"
# The dashboard stopped by a signal exits 128 + its number (e2e-keys.sh
# sees 130 and 131): the man page says so too.
check "the man page lists 128 + N for the dashboard stopped by signal N" \
	man_says "128+N" "signal"
check "the man page lists no other status" sh -c \
	"test \"\$(cut -d' ' -f1 '$tmp/exit-codes' | tr '\n' ' ')\" = '0 1 2 3 4 5 6 128+N '" ||
	diag_file "$tmp/exit-codes"

finish
