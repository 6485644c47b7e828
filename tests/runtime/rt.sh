# rt.sh - the runtimes' test programs for the shell tests: a JVM leaking
# into an ArrayList (Leak.java) and a Go program serving its figures
# (gort.go).  Source it after lib.sh.
#
#   jvm_missing          why no JVM can be tested here ("" when one can):
#                        java, javac, jstat, and Leak.java built in $tmp/java
#   start_jvm NAME [OPT] Leak at 6 MB/s (humongous arrays straight into G1's
#                        old gen), its output in $tmp/NAME.out; jvm_pid once
#                        it printed "ready", 1 if it did not
#   stop_jvm             SIGTERM, so the JVM removes its hsperfdata file
#                        (SIGKILL would leave it in /tmp)
#   build_gort           $tmp/gort from gort.go; 1 (the build's output said)
#                        when it does not build
#   start_gort MODE ADDR gort MODE on ADDR: gort_pid, gort_out, gort_addr

jvm_missing() {
	for tool in java javac jstat; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "no $tool: apt-get install openjdk-17-jdk-headless"
			return
		fi
	done
	mkdir -p "$tmp/java"
	if ! javac -d "$tmp/java" "$srcdir/tests/runtime/Leak.java" 2>"$tmp/javac.err"; then
		echo "Leak.java does not compile: $(head -1 "$tmp/javac.err")"
	fi
}

start_jvm() {
	name=$1
	shift
	java -Xmx512m "$@" -cp "$tmp/java" Leak 600000 100 >"$tmp/$name.out" 2>&1 &
	jvm_pid=$!
	kill_later $jvm_pid
	wait_for 30 grep -qs ready "$tmp/$name.out" || {
		diag "the JVM did not start:"
		diag_file "$tmp/$name.out"
		return 1
	}
}

stop_jvm() {
	kill "$jvm_pid" 2>/dev/null
	wait "$jvm_pid" 2>/dev/null
}

# Builds are cached in the test's own directory (HOME may be read-only).
build_gort() {
	export GOCACHE="$tmp/gocache" GOPATH="$tmp/gopath" GO111MODULE=off GOFLAGS= GOTOOLCHAIN=local
	if ! limit 300 go build -o "$tmp/gort" "$srcdir/tests/runtime/gort.go" >"$tmp/gobuild.out" 2>&1; then
		ok 1 "the Go test program builds"
		diag_file "$tmp/gobuild.out"
		return 1
	fi
}

start_gort() {
	gort_out=$tmp/gort-$1.out
	"$tmp/gort" "$1" "$2" >"$gort_out" 2>&1 &
	gort_pid=$!
	kill_later $gort_pid
	wait_for 20 grep -qs '^listen' "$gort_out"
	gort_addr=$(awk '/^listen/ { print $2; exit }' "$gort_out")
}
