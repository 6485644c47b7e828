#!/bin/sh
# runtimes.sh - memtop -b --format json against real runtimes started here:
# a pure-Go map leaker, a cgo one, 2,000 goroutines, a JVM leaking into an
# ArrayList, python3 growing a list, C threads that malloc; and user rules.
# What a user reads: the top-growing region's class, and no heap called a
# stack.  A missing toolchain skips its part, saying which.
. "$srcdir/tests/lib.sh"

src=$srcdir/tests/runtime
# Go's build cache in the temp dir: the three builds share it, nothing is
# written under $HOME.
GOCACHE=$tmp/go-cache GOPATH=$tmp/go GO111MODULE=off GOFLAGS= GOTOOLCHAIN=local
export GOCACHE GOPATH GO111MODULE GOFLAGS GOTOOLCHAIN

# start NAME COMMAND...: run it in the background (it prints its PID when
# set up), set pid; 1 if it did not come up.
start() {
	name=$1
	shift
	"$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pid=$!
	kill_later "$pid"
	wait_for 20 test -s "$tmp/$name.out" || {
		diag "$name did not start:"
		diag_file "$tmp/$name.err"
		return 1
	}
}

# sample NAME [MEMTOP OPTIONS]: four samples of $pid, 0.5 s apart, as JSON
# Lines in $tmp/NAME.json (no user rules unless given).
sample() {
	name=$1
	shift
	limit 30 "$MEMTOP" -b -n 4 -d 0.5 -p "$pid" --format json "$@" \
		>"$tmp/$name.json" 2>"$tmp/$name.memtop-err"
}

# summary NAME: from the last sample, "top CLASS START" (the region whose
# RSS grew most since the first sample), then "class NAME COUNT RSS_KB" for
# every class; "stackheap N": samples where a region at Go's heap address
# (0xc0...) was not go-heap.
summary() {
	python3 - "$tmp/$1.json" <<'EOF'
import json, sys
samples = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
last = samples[-1]
top = max(last["regions"], key=lambda r: r["delta_base_rss_kb"])
print("top", top["class"], top["start"], top["delta_base_rss_kb"])
for c in last["classes"]:
    print("class", c["class"], c["regions"], c["rss_kb"])
bad = 0
for s in samples:
    for r in s["regions"]:
        a = int(r["start"], 16)
        if 0xc000000000 <= a < 0xc100000000 and r["perms"] == "rw-p" \
                and r["class"] != "go-heap":
            bad += 1
print("stackheap", bad)
EOF
}

# has SUMMARY_FILE CLASS [MIN]: the class has at least MIN (1) regions.
has() {
	awk -v c="$2" -v m="${3:-1}" '$1 == "class" && $2 == c && $3 >= m { f = 1 }
		END { exit !f }' "$1"
}
top_is() { grep -q "^top $2 " "$1"; }

# ---- Go ----
if ! command -v go >/dev/null 2>&1; then
	skip "the Go leakers" "no Go toolchain (golang-go)"
	skip "cgo" "no Go toolchain"
	skip "goroutines" "no Go toolchain"
else
	cp "$src/leak.go" "$src/leak-cgo.go" "$src/goroutines.go" "$tmp/"
	if (cd "$tmp" && CGO_ENABLED=0 limit 120 go build -o go-leak leak.go) \
		>"$tmp/build.err" 2>&1 && start go-leak "$tmp/go-leak"; then
		sleep 1
		sample go-leak --rules /dev/null -w "$tmp/go-leak.mt"
		summary go-leak >"$tmp/go-leak.sum"
		check "go: the top-growing region is go-heap, not a stack" \
			top_is "$tmp/go-leak.sum" go-heap ||
			diag_file "$tmp/go-leak.sum"
		check "go: the heap at 0xc000000000 is never another class" \
			grep -q '^stackheap 0$' "$tmp/go-leak.sum"
		check "go: no thread stack at all (its stacks are in the heap)" \
			sh -c "! grep -q '^class thread-stack ' '$tmp/go-leak.sum'"
		check "go: the runtime's reservations and metadata" \
			sh -c "grep -q '^class go-reserved ' '$tmp/go-leak.sum' &&
				grep -q '^class go-meta ' '$tmp/go-leak.sum'"
		# The recording holds the runtime (the Go binary, its version):
		# replayed, the same classes, the heap still go-heap.
		limit 20 "$MEMTOP" -r "$tmp/go-leak.mt" -b --format json \
			--rules /dev/null >"$tmp/go-replay.json" 2>/dev/null
		summary go-replay >"$tmp/go-replay.sum"
		check "go: replayed, the top-growing region is go-heap too, as live, in the same JSON" sh -c \
			"grep -q '^top go-heap ' '$tmp/go-replay.sum' && grep -q '^stackheap 0\$' '$tmp/go-replay.sum' &&
			 cmp -s '$tmp/go-leak.json' '$tmp/go-replay.json'" ||
			diag_file "$tmp/go-replay.sum"
		limit 20 "$MEMTOP" -b -n 1 -p "$pid" --rules /dev/null >"$tmp/go.txt"
		check "go: text output names the Go version" \
			grep -Eq '^runtime: go1\.[0-9]+' "$tmp/go.txt"
		check "go: text output says go-heap for 0xc000000000" \
			grep -Eq '^. 000000c000000000-[0-9a-f]{16} rw-p go-heap ' \
				"$tmp/go.txt" || diag_file "$tmp/go.txt"
		limit 20 "$MEMTOP" -b -n 1 -p "$pid" --format csv \
			--rules /dev/null >"$tmp/go.csv"
		check "go: CSV output says go-heap too" grep -q ',go-heap,' "$tmp/go.csv"
		kill "$pid"
	else
		ok 1 "go: the leaker builds and starts"
		diag_file "$tmp/build.err"
	fi

	if ! command -v gcc >/dev/null 2>&1; then
		skip "cgo" "no C compiler"
	elif (cd "$tmp" && CGO_ENABLED=1 limit 120 go build -o go-cgo \
		leak-cgo.go) >"$tmp/build.err" 2>&1 && start go-cgo "$tmp/go-cgo"; then
		sleep 1
		sample go-cgo --rules /dev/null
		summary go-cgo >"$tmp/go-cgo.sum"
		check "cgo: the heap at 0xc000000000 is go-heap in every sample" \
			sh -c "grep -q '^stackheap 0\$' '$tmp/go-cgo.sum' &&
				grep -q '^class go-heap ' '$tmp/go-cgo.sum'" ||
			diag_file "$tmp/go-cgo.sum"
		check "cgo: its pthreads' stacks are thread stacks" \
			has "$tmp/go-cgo.sum" thread-stack 2
		check "cgo: the C side's malloc arenas stay malloc-arena" \
			has "$tmp/go-cgo.sum" malloc-arena
		kill "$pid"
	else
		ok 1 "cgo: the leaker builds and starts"
		diag_file "$tmp/build.err"
	fi

	if (cd "$tmp" && CGO_ENABLED=0 limit 120 go build -o go-routines \
		goroutines.go) >"$tmp/build.err" 2>&1 &&
		start go-routines "$tmp/go-routines"; then
		sample go-routines --rules /dev/null
		summary go-routines >"$tmp/go-routines.sum"
		check "2,000 goroutines: their stacks are go-heap, no thread stack" \
			sh -c "grep -q '^class go-heap ' '$tmp/go-routines.sum' &&
				! grep -q '^class thread-stack ' '$tmp/go-routines.sum'" ||
			diag_file "$tmp/go-routines.sum"
		kill "$pid"
	else
		ok 1 "goroutines: builds and starts"
		diag_file "$tmp/build.err"
	fi
fi

# ---- the JVM ----
if ! command -v javac >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
	skip "the Java leaker" "no JDK (openjdk-17-jdk-headless)"
elif limit 120 javac -d "$tmp" "$src/Leak.java" >"$tmp/build.err" 2>&1 &&
	start java java -Xmx64m -Xss1m -cp "$tmp" Leak 409600 100; then
	sleep 1
	sample java --rules /dev/null
	summary java >"$tmp/java.sum"
	check "jvm: the top-growing region is java-heap" \
		top_is "$tmp/java.sum" java-heap || diag_file "$tmp/java.sum"
	check "jvm: its threads' stacks are thread stacks" \
		has "$tmp/java.sum" thread-stack 5
	check "jvm: code cache, metaspace, CDS archive, class space" \
		sh -c "for c in java-code java-meta java-cds java-class; do
			grep -q \"^class \$c \" '$tmp/java.sum' || exit 1; done"
	check "jvm: the brk area is brk-heap, no 'heap' to mistake" \
		sh -c "grep -q '^class brk-heap ' '$tmp/java.sum' &&
			! grep -q '^class heap ' '$tmp/java.sum'"
	kill "$pid"
else
	ok 1 "jvm: the leaker compiles and starts"
	diag_file "$tmp/build.err"
	diag_file "$tmp/java.err"
fi

# ---- CPython ----
if ! command -v python3 >/dev/null 2>&1; then
	skip "CPython arenas" "no python3"
elif start python python3 "$src/grow.py"; then
	sleep 1
	sample python --rules /dev/null
	summary python >"$tmp/python.sum"
	check "python: pymalloc's arenas are python-arena, and grow" \
		awk '$1 == "class" && $2 == "python-arena" && $4 > 1024 { f = 1 }
			END { exit !f }' "$tmp/python.sum" || diag_file "$tmp/python.sum"
	kill "$pid"
fi

# ---- C threads that malloc, and user rules ----
if ! command -v gcc >/dev/null 2>&1; then
	skip "the threads that malloc" "no C compiler"
elif gcc -O1 -pthread -o "$tmp/c-threads" "$src/threads.c" \
	>"$tmp/build.err" 2>&1 && start c-threads "$tmp/c-threads"; then
	sleep 1
	sample c-threads --rules /dev/null
	summary c-threads >"$tmp/c-threads.sum"
	check "C: each mallocing thread's arena is malloc-arena" \
		has "$tmp/c-threads.sum" malloc-arena 4 || diag_file "$tmp/c-threads.sum"
	check "C: the top-growing region is a malloc arena" \
		top_is "$tmp/c-threads.sum" malloc-arena
	check "C: its pthread stacks stay thread stacks" \
		has "$tmp/c-threads.sum" thread-stack 4

	printf '# arenas of my workers\n^$ rw-p @malloc-arena worker-arenas\n(bad x\n^$ BAD-CLASS\n' \
		>"$tmp/rules"
	sample rules --rules "$tmp/rules"
	rc=$?
	summary rules >"$tmp/rules.sum"
	check "rules: a user class overrides the built-in one" \
		has "$tmp/rules.sum" worker-arenas 4 || diag_file "$tmp/rules.sum"
	check "rules: bad lines are told with file and line, memtop runs on" \
		sh -c "test $rc = 0 && grep -q 'rules:3: bad pattern' '$tmp/rules.memtop-err' &&
			grep -q 'rules:4: ' '$tmp/rules.memtop-err'" ||
		diag_file "$tmp/rules.memtop-err"
	mkdir -p "$tmp/xdg/memtop"
	printf '^$ rw-p @thread-stack my-stacks\n' >"$tmp/xdg/memtop/rules"
	(XDG_CONFIG_HOME=$tmp/xdg && export XDG_CONFIG_HOME && sample xdg)
	summary xdg >"$tmp/xdg.sum"
	check "rules: \$XDG_CONFIG_HOME/memtop/rules is read by default" \
		has "$tmp/xdg.sum" my-stacks 4 || diag_file "$tmp/xdg.sum"
	kill "$pid"
else
	ok 1 "C: the threads program builds and starts"
	diag_file "$tmp/build.err"
fi

finish
