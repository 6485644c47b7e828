# lib.sh - shared helpers for the shell tests: TAP output (skips too), the
# demo workload, bounded waits, cleanup.  Source it; $MEMTOP is the binary
# under test.  tmux.sh adds the terminal of the end-to-end scripts.
set -u

: "${MEMTOP:=./memtop}"
: "${srcdir:=.}"
tap_n=0
tap_failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memtop-test.XXXXXX")
cleanup_pids=

# ok STATUS DESCRIPTION: one TAP line (STATUS 0 passes).
ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

# check DESCRIPTION COMMAND...: passes when the command succeeds.
# Returns the command's status, so `check ... || diag_file F` explains.
check() {
	desc=$1
	shift
	if "$@"; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		return 1
	fi
}

diag() { printf '# %s\n' "$*"; }

# skip DESCRIPTION REASON: a test that cannot run here, said as a skip.
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# skip_all REASON: the whole script cannot run here.
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# Print the file into the TAP log as comments (for a failed check).
diag_file() { sed 's/^/#   /' "$1" | head -n "${2:-40}"; }

kill_later() { cleanup_pids="$cleanup_pids $*"; }

finish() {
	for p in $cleanup_pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
	echo "1..$tap_n"
	exit 0
}
trap 'for p in $cleanup_pids; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT

# wait_for SECONDS COMMAND...: retry until the command succeeds; 1 on timeout.
wait_for() {
	limit=$1
	shift
	i=0
	while [ "$i" -lt $((limit * 10)) ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# stopped PID: every thread of PID is in state T (SIGSTOP is delivered
# asynchronously, and a thread still running can touch pages after kill).
stopped() {
	for t in /proc/"$1"/task/*/stat; do
		sed 's/.*) //' "$t" 2>/dev/null | grep -q '^[Tt]' || return 1
	done
}

# stop_quiet PID: SIGSTOP it and wait until all its threads have stopped.
stop_quiet() {
	kill -STOP "$1" && wait_for 10 stopped "$1"
}

# start_demo [DEMO OPTIONS]: starts the demo workload in the background, sets
# demo_pid and demo_out (its stdout), and waits until it has set up.
start_demo() {
	demo_out=$tmp/demo.$tap_n.$$.out
	"$MEMTOP" --demo "$@" >"$demo_out" 2>&1 &
	demo_pid=$!
	kill_later "$demo_pid"
	wait_for 20 grep -q '^  leak ' "$demo_out" || {
		diag "the demo did not start:"
		diag_file "$demo_out"
		return 1
	}
}

# The address range the demo printed for one of its regions ("leak", "shm").
demo_region() {
	awk -v w="$1" '$1 == w { print $2; exit }' "$demo_out"
}

# Run a command with a time limit, so a hang fails instead of blocking.
limit() { timeout -k 2 "$@"; }
