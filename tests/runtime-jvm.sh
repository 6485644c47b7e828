#!/bin/sh
# runtime-jvm.sh - real JVMs read through their hsperfdata, never attached
# to: a leak into an ArrayList whose old gen grows and agrees with
# `jstat -gc`; a JVM without PerfData; one in its own PID and mount
# namespaces; readers with and without access.
. "$srcdir/tests/lib.sh"
. "$srcdir/tests/runtime/rt.sh"

probe=$top_builddir/tests/rt-probe
missing=$(jvm_missing)
if [ -n "$missing" ]; then
	echo "1..0 # SKIP $missing"
	exit 0
fi

# reading PID FILE: one line from the reader, into FILE.
reading() { limit 20 "$probe" hsperf "$1" >"$2"; }
# field LINE KEY: a key's value in a reading.
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1; }

# A G1 JVM leaking: memtop's reading, jstat's, memtop's again; jstat's
# columns must fall between the two readings (kB to one decimal).
start_jvm g1 -XX:+UseG1GC
wait_for 15 sh -c "'$probe' hsperf $jvm_pid | grep -q '^status=ok'"
check "G1 JVM: its hsperfdata is read" \
	sh -c "'$probe' hsperf $jvm_pid | grep -q '^status=ok source=jvm-hsperf'"
python3 - "$probe" "$jvm_pid" >"$tmp/agree.out" 2>&1 <<'EOF'
import subprocess, sys
probe, pid = sys.argv[1:3]

def ours():
    out = subprocess.run([probe, "hsperf", pid], capture_output=True,
                         text=True, timeout=20).stdout
    return dict(kv.split("=", 1) for kv in out.split(" detail=")[0].split())

def jstat():
    out = subprocess.run(["jstat", "-gc", pid], capture_output=True,
                         text=True, timeout=30).stdout.split("\n")
    return dict(zip(out[0].split(), out[1].split()))

cols = [("OU", "old_used"), ("OC", "old_committed"), ("EC", "eden_committed"),
        ("MU", "metaspace_used"), ("CCSU", "class_space_used"),
        ("YGC", "young_gcs"), ("FGC", "full_gcs")]
bad, olds = [], []
for i in range(3):
    a, j, b = ours(), jstat(), ours()
    olds.append(int(a["old_used"]))
    for col, key in cols:
        lo, hi = sorted((int(a[key]), int(b[key])))
        v = float(j[col])
        if col in ("YGC", "FGC"):
            good = lo <= v <= hi
        else:
            good = lo / 1024 - 0.05 <= v <= hi / 1024 + 0.05
            lo, hi = "%.1f" % (lo / 1024), "%.1f" % (hi / 1024)
        print("# %s: jstat %s, memtop %s .. %s%s" % (col, j[col], lo, hi,
              "" if good else "  <-- outside"))
        if not good:
            bad.append(col)
print("# old gen used:", olds)
if bad:
    sys.exit("disagree: %s" % bad)
if not olds[-1] - olds[0] > 2 << 20:
    sys.exit("old gen did not grow")
EOF
code=$?
ok $code "G1 leak: old gen, eden, metaspace, GC counts agree with jstat -gc within a sample, and old gen grows"
diag_file "$tmp/agree.out" 30

limit 20 "$probe" hsperf "$jvm_pid" -n 3 -d 0.5 >"$tmp/rates.out" 2>&1
check "G1 leak: the summary says the old gen grows (Java heap: ...; old gen +N/s)" \
	grep -q 'summary=Java heap: used [0-9.]*[KMG] of committed [0-9.]*[KMG]; old gen +[0-9.]*[KMG]/s' \
	"$tmp/rates.out" || diag_file "$tmp/rates.out"
stop_jvm

# A Parallel GC JVM: other generation names, the same agreement on OU.
start_jvm parallel -XX:+UseParallelGC
wait_for 15 sh -c "'$probe' hsperf $jvm_pid | grep -q '^status=ok'"
reading "$jvm_pid" "$tmp/parallel.line"
js=$(jstat -gc "$jvm_pid" | awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { print $c["OC"] }')
oc=$(field "$(cat "$tmp/parallel.line")" old_committed)
check "Parallel JVM: old gen committed ${oc:-?} B is jstat's OC ${js:-?} kB" \
	python3 -c "import sys; sys.exit(abs(${oc:-0} / 1024 - ${js:-1}) > 0.05)"
check "Parallel JVM: the collector is named" grep -q 'detail=ParScav:MSC' "$tmp/parallel.line"
stop_jvm

# -XX:-UsePerfData: no file, no panel, a quiet reason, no error.
start_jvm noperf -XX:-UsePerfData
reading "$jvm_pid" "$tmp/noperf.line" 2>"$tmp/noperf.err"
code=$?
check "-XX:-UsePerfData: status none, 'no hsperfdata', exit 0, nothing on stderr" \
	sh -c "test $code = 0 && test ! -s '$tmp/noperf.err' &&
		grep -q '^status=none .*reason=no hsperfdata' '$tmp/noperf.line'" ||
	diag_file "$tmp/noperf.line"
stop_jvm

# Another user's JVM: a reader without access to the target says why.
pub=$tmp/pub
mkdir -p "$pub"
chmod 755 "$tmp"
chmod 1777 "$pub"
cp "$probe" "$pub/rt-probe"
chmod 755 "$pub/rt-probe"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	start_jvm other
	limit 20 $nobody "$pub/rt-probe" hsperf "$jvm_pid" >"$tmp/other.line" 2>&1
	check "a root JVM read by nobody: an error with a one-line reason" \
		grep -q "^status=error .*reason=hsperfdata: cannot enter the target's root: Permission denied$" \
		"$tmp/other.line" || diag_file "$tmp/other.line"
	stop_jvm

	# A JVM of nobody read by nobody: /tmp/hsperfdata_nobody.
	cp -r "$tmp/java" "$pub/java"
	chmod -R a+rX "$pub/java"
	$nobody java -Xmx256m -cp "$pub/java" Leak 100000 100 >"$pub/nobody.out" 2>&1 &
	jvm_pid=$!
	kill_later $jvm_pid
	wait_for 30 grep -qs ready "$pub/nobody.out"
	wait_for 15 sh -c "$nobody '$pub/rt-probe' hsperf $jvm_pid | grep -q '^status=ok'"
	check "a JVM of nobody read by nobody (same user, no root)" \
		sh -c "$nobody '$pub/rt-probe' hsperf $jvm_pid | grep -q '^status=ok'"
	stop_jvm
else
	echo "ok $((tap_n + 1)) # SKIP another user's JVM: needs root and setpriv"
	tap_n=$((tap_n + 1))
fi

# A JVM in its own PID and mount namespaces, with a private /tmp: its file
# is /tmp/hsperfdata_root/1 in a /tmp we cannot see but through
# /proc/PID/root, and named by its PID in its namespace.  (Its classes are
# in our /tmp, hidden under the new one: it starts in their directory and
# loads them through /proc/self/cwd.)
if [ "$(id -u)" = 0 ] && unshare --pid --fork --mount --mount-proc true 2>/dev/null; then
	unshare --pid --fork --mount --mount-proc sh -c \
		"cd '$tmp/java' && mount -t tmpfs tmpfs /tmp && exec java -Xmx256m -cp /proc/self/cwd Leak 100000 100" \
		>"$tmp/ns.out" 2>&1 &
	ns_outer=$!
	kill_later $ns_outer
	wait_for 30 grep -qs ready "$tmp/ns.out"
	jvm_pid=$(ps -o pid= --ppid "$ns_outer" | awk '{ print $1; exit }')
	kill_later $jvm_pid
	nspid=$(awk '/^NSpid:/ { print $NF }' /proc/"${jvm_pid:-0}"/status 2>/dev/null)
	[ -n "$jvm_pid" ] && wait_for 15 sh -c "'$probe' hsperf $jvm_pid | grep -q '^status=ok'"
	reading "${jvm_pid:-0}" "$tmp/ns.line"
	check "a JVM in its own PID (${nspid:-?} inside) and mount namespaces: read through /proc/PID/root" \
		sh -c "test '$nspid' = 1 && grep -q '^status=ok source=jvm-hsperf' '$tmp/ns.line'" ||
		diag_file "$tmp/ns.line"
	kill -9 "$jvm_pid" "$ns_outer" 2>/dev/null
else
	echo "ok $((tap_n + 1)) # SKIP a JVM in its own namespaces: unshare not permitted here"
	tap_n=$((tap_n + 1))
fi

finish
