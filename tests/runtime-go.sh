#!/bin/sh
# runtime-go.sh - the fetcher on a real Go program and on hostile servers:
# HeapAlloc from pprof, expvar and a Prometheus endpoint agrees with the
# program's own runtime.ReadMemStats around each request while its map
# grows; a heap mostly idle shows as such; a unix socket; servers that hang,
# trickle, send 1 GB, garbage, cut the body, fail or redirect away never
# block the caller and each give a one-line reason.
. "$srcdir/tests/lib.sh"
. "$srcdir/tests/runtime/rt.sh"

probe=$top_builddir/tests/rt-probe

# fetch NAME URL [PROBE OPTIONS]: readings into $tmp/NAME.out.
fetch() {
	name=$1
	url=$2
	shift 2
	limit 60 "$probe" fetch "$url" "$@" >"$tmp/$name.out" 2>&1
}

# --- Hostile servers (python3) ---------------------------------------------
python3 "$srcdir/tests/runtime/hostile.py" >"$tmp/hostile.addr" 2>&1 &
hostile=$!
kill_later $hostile
wait_for 10 grep -qs '^listen' "$tmp/hostile.addr"
h=$(awk '/^listen/ { print $2 }' "$tmp/hostile.addr")

# expect NAME PATH REGEX DESCRIPTION: one reading of http://$h/PATH whose
# line matches REGEX, every call of the caller under 20 ms.
expect() {
	fetch "$1" "http://$h/$2" -n 1 -d 8 -w -t 1.5
	check "$4" sh -c "grep -q '$3' '$tmp/$1.out' &&
		awk -F'[= ]' '/^calls_max_ms/ { exit !(\$2 < 20) }' '$tmp/$1.out'" ||
		diag_file "$tmp/$1.out"
}

expect vars vars '^status=ok source=go-expvar .*heap_alloc=1234567 .*last_pause_ns=4242' \
	"a plain expvar body: HeapAlloc, the last pause"
expect hang hang '^status=error .*reason=timed out after 1.5 s (0 bytes received)$' \
	"a server that never answers: timed out, the caller never waits"
expect slow slow '^status=error .*reason=timed out after 1.5 s' \
	"a server that trickles a byte at a time: timed out"
start=$(date +%s)
expect huge huge '^status=error .*reason=a body larger than 4096 kB: cut off$' \
	"1 GB without a length: cut at 4 MiB"
check "1 GB: cut within seconds, not read whole" test $(($(date +%s) - start)) -lt 6
expect huge-length huge-length '^status=error .*reason=a body larger than 4096 kB: cut off$' \
	"Content-Length 1 GB: refused before the body"
expect garbage garbage '^status=error .*reason=not Go runtime figures' \
	"random bytes: not Go runtime figures"
expect cut cut '^status=error .*reason=the connection closed mid-body (1000 bytes received)$' \
	"a body cut short: says so"
expect error error '^status=error .*reason=HTTP 500: boom$' "HTTP 500 and its first line"
expect away away '^status=error .*reason=redirect not followed: 192.0.2.1 is not a loopback address' \
	"a redirect to another host: not followed"
expect home home '^status=ok source=go-expvar .*heap_alloc=1234567' \
	"a redirect on the same server: followed"
expect loop loop '^status=error .*reason=more than 3 redirects$' "a redirect loop: ends"

# Stopping while a fetch hangs returns at once.
fetch stop "http://$h/hang" -n 1 -d 0.2 -t 30
check "stopped mid-fetch of a hung server: rtfetch_stop returns at once" \
	awk -F'[= ]' '/^calls_max_ms/ { found = 1; exit !($4 < 50) } END { exit !found }' \
	"$tmp/stop.out" || diag_file "$tmp/stop.out"
# Readings go on while a server hangs: a kick per sample, no queue.
fetch hang4 "http://$h/hang" -n 4 -d 0.5 -t 0.8
check "a hung server over four samples: each sample's calls return at once" \
	awk -F'[= ]' '/^calls_max_ms/ { found = 1; exit !($2 < 20) } END { exit !found }' \
	"$tmp/hang4.out" || diag_file "$tmp/hang4.out"
check "a hung server: its readings are timeouts" grep -q 'reason=timed out after 0.8 s' "$tmp/hang4.out"
kill $hostile

fetch refused "http://192.0.2.1:6060/debug/vars"
check "a host that is not loopback: refused before any connection" \
	grep -q '^refused reason=192.0.2.1 is not a loopback address: --runtime-any-host allows other hosts$' \
	"$tmp/refused.out" || diag_file "$tmp/refused.out"
fetch closed "http://127.0.0.1:1/debug/vars" -n 1 -d 5 -w
check "nothing listening: an error reading, not a crash" \
	grep -q "^status=error .*reason=.*127.0.0.1 port 1" "$tmp/closed.out" || diag_file "$tmp/closed.out"

# --- A real Go program -------------------------------------------------------
if ! command -v go >/dev/null 2>&1; then
	echo "ok $((tap_n + 1)) # SKIP no Go toolchain: apt-get install golang-go"
	tap_n=$((tap_n + 1))
	finish
fi
build_gort || finish

# agree NAME PATH: every reading's HeapAlloc lies between the program's own
# ReadMemStats just before and just after serving that request (64 kB of
# slack for what the handler itself allocates), and HeapAlloc grows.
agree() {
	python3 - "$tmp/$1.out" "$gort_out" "$2" >"$tmp/$1.check" 2>&1 <<'EOF'
import sys
probe, gort, path = sys.argv[1:4]
reqs = []
for line in open(gort):
    f = line.split()
    if f and f[0] == "req" and f[1] == path:
        reqs.append(tuple(map(int, f[2:6])))
readings, bad, worst = [], [], 0
for line in open(probe):
    if not line.startswith("status=ok"):
        continue
    d = dict(kv.split("=", 1) for kv in line.split(" detail=")[0].split())
    t0, t1 = float(d["wall_start"]) * 1e9, float(d["wall_end"]) * 1e9
    v = int(d["heap_alloc"])
    mine = [r for r in reqs if r[0] >= t0 - 5e6 and r[2] <= t1 + 5e6]
    if len(mine) != 1:
        bad.append("reading at %.3f: %d requests match" % (t0 / 1e9, len(mine)))
        continue
    _, before, _, after = mine[0]
    lo, hi = min(before, after), max(before, after)
    off = max(lo - v, v - hi, 0)
    worst = max(worst, off)
    print("# HeapAlloc %d, ReadMemStats %d .. %d" % (v, before, after))
    if off > 65536:
        bad.append("HeapAlloc %d outside %d .. %d" % (v, lo, hi))
    readings.append(v)
print("# %d readings, worst distance outside the bracket %d bytes" % (len(readings), worst))
if len(readings) < 4:
    bad.append("only %d readings" % len(readings))
elif not readings[-1] > readings[0]:
    bad.append("HeapAlloc did not grow: %s" % readings)
if bad:
    sys.exit("; ".join(bad))
EOF
}

start_gort leak 127.0.0.1:0
for ep in "pprof /debug/pprof/heap debug/pprof/heap?debug=1" \
	"expvar /debug/vars debug/vars" "prom /metrics metrics"; do
	set -- $ep
	fetch "go-$1" "http://$gort_addr/$3" -n 5 -d 0.4
	agree "go-$1" "$2"
	code=$?
	ok $code "Go map leak, $1: HeapAlloc matches the program's own ReadMemStats around each request, and grows"
	diag_file "$tmp/go-$1.check" 12
	check "Go map leak, $1: the source is go-$1" grep -q "^status=ok source=go-$1 " "$tmp/go-$1.out"
done
check "Go map leak: the summary says objects grow" \
	grep -q 'summary=Go heap: objects [0-9.]*[KMG], held free .*; growing: objects +' "$tmp/go-expvar.out" ||
	diag_file "$tmp/go-expvar.out"
kill $gort_pid

start_gort leak "unix:$tmp/gort.sock"
fetch unix "unix:$tmp/gort.sock:/debug/vars" -n 1 -d 5 -w
check "a unix socket: read" grep -q '^status=ok source=go-expvar .*heap_alloc=' "$tmp/unix.out" ||
	diag_file "$tmp/unix.out"
kill $gort_pid

# 200 MB allocated, dropped, collected: HeapIdle high, HeapAlloc low.
start_gort idle 127.0.0.1:0
fetch idle "http://$gort_addr/debug/vars" -n 1 -d 5 -w
check "a heap mostly idle: HeapIdle > 150 MB with HeapAlloc < 20 MB" \
	awk '/^status=ok/ {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		exit !(v["heap_idle"] > 150 * 2^20 && v["heap_alloc"] < 20 * 2^20) }' \
	"$tmp/idle.out" || diag_file "$tmp/idle.out"
kill $gort_pid

finish
