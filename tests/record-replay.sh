#!/bin/sh
# record-replay.sh - recording real processes and replaying them: a target
# SIGKILLed mid-recording, a recorder SIGKILLed mid-run, live output equal to
# replayed output, damaged and foreign files, the lock, the flight recorder,
# and the replay dashboard in tmux.
. "$srcdir/tests/lib.sh"
. "$srcdir/tests/tmux.sh"

py() { python3 - "$@"; }

# Recordings made by earlier memtops (formats 1.0 to 1.3: see
# tests/fixtures/session/README) replay, undamaged, into the JSON they gave
# then: every key it had, with the same value, sample for sample (a later
# memtop may add keys: the OOM projection, the runtime's figures).
for f in "$srcdir"/tests/fixtures/session/*.mt; do
	name=$(basename "$f" .mt)
	"$MEMTOP" -r "$f" -b --format json >"$tmp/$name.json" 2>"$tmp/$name.err"
	code=$?
	gzip -dc "${f%.mt}.json.gz" >"$tmp/$name.want"
	py "$tmp/$name.want" "$tmp/$name.json" >"$tmp/$name.check" 2>&1 <<'EOF'
import json, sys
want = [json.loads(l) for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
def within(w, g, at):
    if isinstance(w, dict):
        assert isinstance(g, dict), at
        for k in w:
            assert k in g, "%s: %s is gone" % (at, k)
            within(w[k], g[k], at + "." + k)
    elif isinstance(w, list):
        assert isinstance(g, list) and len(w) == len(g), at
        for i, (a, b) in enumerate(zip(w, g)):
            within(a, b, "%s[%d]" % (at, i))
    else:
        assert w == g, "%s: %r, was %r" % (at, g, w)
assert len(want) == len(got), "%d samples, were %d" % (len(got), len(want))
for i, (w, g) in enumerate(zip(want, got)):
    within(w, g, "sample %d" % i)
print("fine")
EOF
	check "a $name recording replays into the JSON it gave before (every key, the same values)" sh -c \
		"test $code = 0 && grep -q fine '$tmp/$name.check'" ||
		{ diag_file "$tmp/$name.err"; diag_file "$tmp/$name.check"; }
	"$MEMTOP" -r "$f" --info >"$tmp/$name.info" 2>&1
	check "  ... and --info finds no damage in it" grep -q '^damage: *none' "$tmp/$name.info" ||
		diag_file "$tmp/$name.info"
done

# The target is SIGKILLed (as by the OOM killer): the recorder ends by
# itself and the file says how.
start_demo --demo-rate 256 || ok 1 "demo starts"
"$MEMTOP" -b -p "$demo_pid" -d 0.2 -w "$tmp/oom.mt" 2>"$tmp/oom.err" &
rec=$!
kill_later $rec
sleep 2
kill -9 "$demo_pid"
wait_for 10 sh -c "! kill -0 $rec 2>/dev/null"
wait $rec
code=$?
check "recorder of a SIGKILLed target ends by itself with exit 3" test "$code" = 3
"$MEMTOP" -r "$tmp/oom.mt" --info >"$tmp/oom.info"
check "its recording ended cleanly, saying how: a SIGKILL, not an OOM kill" sh -c \
	"grep -Eq '^ended: +killed by SIGKILL, [0-9:]+\$' '$tmp/oom.info' && ! grep -q OOM-killed '$tmp/oom.info'" ||
	diag_file "$tmp/oom.info"
check "  ... and the last seconds before the end: the demo's leak grew most" sh -c \
	"grep -q '^last 10s: what grew most before the end' '$tmp/oom.info' &&
	 grep -Eq '^  classes: +\+[0-9.]+K/s +\+[0-9.]+[KM] +anon$' '$tmp/oom.info'" || diag_file "$tmp/oom.info"
check "and has its samples, undamaged" sh -c \
	"grep -Eq '^samples: +([5-9]|[1-9][0-9]+) ' '$tmp/oom.info' && grep -q '^damage: *none' '$tmp/oom.info'"
"$MEMTOP" -r "$tmp/oom.mt" -b --format json >"$tmp/oom.json"
check "it replays to its last sample, then how it ended" sh -c \
	"test \$(grep -vc '\"end\": {' '$tmp/oom.json') = \$(sed -n 's/^samples: *\([0-9]*\).*/\1/p' '$tmp/oom.info') &&
	 tail -n 1 '$tmp/oom.json' | grep -q '\"end\": {\"reason\": \"signaled\"'" || diag_file "$tmp/oom.json" 3

# The recorder itself is SIGKILLed: every complete frame still replays.
start_demo --demo-rate 256 || ok 1 "demo starts"
"$MEMTOP" -b -p "$demo_pid" -d 0.1 -w "$tmp/killed.mt" &
rec=$!
sleep 2
kill -9 $rec
wait $rec 2>/dev/null
"$MEMTOP" -r "$tmp/killed.mt" --info >"$tmp/killed.info"
check "a SIGKILLed recorder's file has no end mark" \
	grep -q 'no end mark' "$tmp/killed.info" || diag_file "$tmp/killed.info"
"$MEMTOP" -r "$tmp/killed.mt" -b --format csv >"$tmp/killed.csv" 2>"$tmp/killed.err"
code=$?
check "and replays up to its last complete sample" sh -c \
	"test $code = 0 -o $code = 5 && test \$(cut -d, -f1 '$tmp/killed.csv' | sort -u | wc -l) -ge 10"

# Batch export of a recording equals what batch mode printed live.
"$MEMTOP" -b -n 12 -d 0.2 -p "$demo_pid" -w "$tmp/same.mt" --format json >"$tmp/live.json"
"$MEMTOP" -r "$tmp/same.mt" -b --format json >"$tmp/replay.json"
check "replayed JSON is byte for byte what was printed live" \
	cmp -s "$tmp/live.json" "$tmp/replay.json"
# What a newer memtop may add (doc/session-format.md, extension records): an
# unknown record at the end of the header and of every frame, and a frame
# of an unknown type.  This memtop reads it as it reads the file without.
py "$tmp/same.mt" "$tmp/newer.mt" <<'EOF'
import struct, sys, zlib
def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append(v & 0x7f | 0x80); v >>= 7
    return bytes(out + bytes([v]))
def record(tag, value):
    return varint(tag) + varint(len(value)) + value
def frame(typ, payload):
    head = bytes([typ]) + struct.pack("<I", len(payload))
    return b"DTFR" + head + struct.pack("<I", zlib.crc32(head + payload)) + payload
data = open(sys.argv[1], "rb").read()
hlen = struct.unpack_from("<I", data, 16)[0]
hp = data[20:20 + hlen] + record(1000, b"a header fact from the future")
out = data[:16] + struct.pack("<I", len(hp)) + hp + struct.pack("<I", zlib.crc32(hp))
off = 20 + hlen + 4
while off + 13 <= len(data):
    typ, length = struct.unpack_from("<BI", data, off + 4)
    payload = data[off + 13:off + 13 + length] + record(2000 + typ, b"\x01\x02")
    if typ == 3:
        out += frame(66, b"a frame type from the future")
    out += frame(typ, payload)
    off += 13 + length
open(sys.argv[2], "wb").write(out)
EOF
"$MEMTOP" -r "$tmp/newer.mt" -b --format json >"$tmp/newer.json" 2>"$tmp/newer.err"
code=$?
"$MEMTOP" -r "$tmp/newer.mt" --info >"$tmp/newer.info" 2>&1
check "unknown extension records (header, key, delta, index, end) and frame types: skipped, same JSON, no damage" sh -c \
	"test $code = 0 && cmp -s '$tmp/live.json' '$tmp/newer.json' && grep -q '^damage: *none' '$tmp/newer.info' &&
	 grep -q '^ended: *cleanly' '$tmp/newer.info'" ||
	{ diag_file "$tmp/newer.err"; diag_file "$tmp/newer.info"; }
"$MEMTOP" -r "$tmp/same.mt" -b --format csv --from +0.5 --to +1.3 >"$tmp/range.csv"
py "$tmp/range.csv" "$tmp/live.json" >"$tmp/range.check" 2>&1 <<'EOF'
import csv, json, sys
times = sorted(set(float(r[0]) for r in list(csv.reader(open(sys.argv[1])))[1:]))
first = json.loads(open(sys.argv[2]).readline())["time"]
assert times, "no samples in range"
assert all(first + 0.5 - 0.01 <= t <= first + 1.3 + 0.01 for t in times), times
assert 3 <= len(times) <= 5, times
print("fine")
EOF
check "--from/--to keep only that span" grep -q fine "$tmp/range.check" ||
	diag_file "$tmp/range.check"
"$MEMTOP" -r "$tmp/same.mt" -b --from +2s --to +1s >/dev/null 2>"$tmp/backw.err"
code=$?
check "--from after --to: exit 2, saying so" sh -c \
	"test $code = 2 && grep -q 'is after --to' '$tmp/backw.err'"
"$MEMTOP" -r "$tmp/same.mt" --from +1s >/dev/null 2>"$tmp/dashfrom.err"
code=$?
check "--from without -b: exit 2, pointing to t" sh -c \
	"test $code = 2 && grep -q 't jumps to a time' '$tmp/dashfrom.err'"
"$MEMTOP" -r "$tmp/same.mt" --info >"$tmp/same.info"
check "--info gives a short span in tenths of a second" \
	grep -Eq '^samples: +12 over [0-9]+\.[0-9]s' "$tmp/same.info" || diag_file "$tmp/same.info"
if [ -w /dev/full ]; then
	"$MEMTOP" -r "$tmp/same.mt" --info >/dev/full 2>"$tmp/full.info.err"
	code=$?
	check "--info into a full device: exit 1 and a message" sh -c \
		"test $code = 1 && grep -q 'writing output' '$tmp/full.info.err'"
fi

# Damage: a recording with bytes overwritten in the middle.
cp "$tmp/same.mt" "$tmp/damaged.mt"
size=$(wc -c <"$tmp/damaged.mt")
# Inside one of the last change frames: the samples before it survive.
printf 'XXXXXXXXXXXXXXXX' | dd of="$tmp/damaged.mt" bs=1 seek=$((size - 300)) conv=notrunc 2>/dev/null
"$MEMTOP" -r "$tmp/damaged.mt" -b --format json >"$tmp/damaged.json" 2>"$tmp/damaged.err"
code=$?
check "a damaged recording: exit 5" test "$code" = 5
check "the damage is reported with its offset" \
	grep -Eq 'damaged recording: segment 0, offset [0-9]+' "$tmp/damaged.err" ||
	diag_file "$tmp/damaged.err"
check "samples before the damage still replay" sh -c \
	"test \$(wc -l <'$tmp/damaged.json') -ge 9"
# A frame whose checksum holds but whose content cannot be: half its
# payload, with the length and CRC made to match.  --info decodes every
# sample, so it finds this too.
py "$tmp/same.mt" "$tmp/inside.mt" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
off = 20 + struct.unpack_from("<I", data, 16)[0] + 4
frames = []
while off + 13 <= len(data):
    sync, typ, length, crc = struct.unpack_from("<4sBII", data, off)
    frames.append((off, typ, length))
    off += 13 + length
off, typ, length = frames[3]
payload = data[off + 13:off + 13 + length // 2]
head = bytes([typ]) + struct.pack("<I", len(payload))
frame = b"DTFR" + head + struct.pack("<I", zlib.crc32(head + payload)) + payload
open(sys.argv[2], "wb").write(data[:off] + frame + data[off + 13 + length:])
EOF
"$MEMTOP" -r "$tmp/inside.mt" --info >"$tmp/inside.info" 2>&1
code=$?
check "--info finds a frame that checks out but cannot be decoded (exit 5)" sh -c \
	"test $code = 5 && grep -q 'cannot be decoded' '$tmp/inside.info'" ||
	diag_file "$tmp/inside.info"
# Times and sample costs that are NaN, infinite or absurd: damage (--info
# says so, exit 5), and the JSON holds only finite numbers.
py "$tmp/same.mt" "$tmp/nan" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
off = 20 + struct.unpack_from("<I", data, 16)[0] + 4
frames = []
while off + 13 <= len(data):
    typ, length = struct.unpack_from("<BI", data, off + 4)
    frames.append((off, typ, length))
    off += 13 + length
def varint_end(b, i):
    while b[i] & 0x80:
        i += 1
    return i + 1
# Field k (0 mono, 1 wall, 2 sample ms, 3 CPU ms) of the fourth sample.
for name, k, value in (("wall-nan", 1, float("nan")), ("wall-huge", 1, 1e80),
                       ("mono-inf", 0, float("inf")), ("cost-nan", 2, float("nan")),
                       ("cpu-inf", 3, float("-inf"))):
    off, typ, length = frames[3]
    payload = bytearray(data[off + 13:off + 13 + length])
    at = varint_end(payload, 0) + 8 * k
    struct.pack_into("<d", payload, at, value)
    head = bytes([typ]) + struct.pack("<I", length)
    frame = b"DTFR" + head + struct.pack("<I", zlib.crc32(head + payload)) + payload
    open(sys.argv[2] + "-" + name + ".mt", "wb").write(data[:off] + frame + data[off + 13 + length:])
EOF
for name in wall-nan wall-huge mono-inf cost-nan cpu-inf; do
	f=$tmp/nan-$name.mt
	"$MEMTOP" -r "$f" --info >"$tmp/nan.info" 2>&1
	code=$?
	"$MEMTOP" -r "$f" -b --format json >"$tmp/nan.json" 2>/dev/null
	py "$tmp/nan.json" >"$tmp/nan.check" 2>&1 <<'EOF'
import json, sys
def refuse(c):
    raise ValueError("not a finite number: " + c)
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line, parse_constant=refuse)
    assert abs(o["time"]) < 1e11 and o["sample_ms"] < 1e11, line[:200]
    n += 1
assert n >= 3, n
print("fine")
EOF
	check "a recording with $name: --info reports the damage (exit 5), the JSON stays finite" sh -c \
		"test $code = 5 && grep -q 'impossible time' '$tmp/nan.info' && grep -q fine '$tmp/nan.check'" ||
		{ diag_file "$tmp/nan.info"; diag_file "$tmp/nan.check"; }
done

# Memory bounded by the file: crafted key frames of minimal regions (13
# bytes each), and a long path named by each of them.  Peak RSS is measured
# against the file's size (not under AddressSanitizer, whose RSS is its own).
py "$tmp" <<'EOF'
import struct, sys, zlib
def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append(v & 0x7f | 0x80); v >>= 7
    return bytes(out + bytes([v]))
def bts(b): return varint(len(b)) + b
def frame(t, p):
    head = bytes([t]) + struct.pack("<I", len(p))
    return b"DTFR" + head + struct.pack("<I", zlib.crc32(head + p)) + p
def craft(name, n, path):
    hp = (varint(4096) + varint(4242) + varint(777) + struct.pack("<dd", 1, 1.7e9) +
          bts(b"6.1") + bts(b"h") + bts(b"memtop 0.1.0") + bts(b"x"))
    hdr = b"MEMTOPSF" + struct.pack("<HHII", 1, 3, 0, len(hp)) + hp + struct.pack("<I", zlib.crc32(hp))
    head = varint(0) + struct.pack("<dddd", 1, 1.7e9, 1, 1) + b"\0" + varint(0)
    info = (b"\1" + varint(4242) + varint(777) + bts(b"x") + bts(b"x") + b"\0S" + varint(0) +
            struct.pack("<d", 1) + varint(0) + varint(0) + varint(0) + b"\0")
    first = varint(4096) + varint(1) + b"\0\0\0\0rw-p\0" + varint(0) + bts(path) + varint(0)
    rest = varint(0) + varint(1) + b"\0\0\0\0rw-p\0" + varint(0) + varint(0)
    payload = head + info + varint(0) + varint(n) + first + rest * (n - 1)
    open(sys.argv[1] + "/" + name, "wb").write(hdr + frame(1, payload))
craft("million.mt", 1000000, b"")
craft("paths.mt", 100000, b"/" + b"p" * 3999)
EOF
rss() { py "$@" <<'EOF'
import resource, subprocess, sys
p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
err = p.stdout.decode(errors="replace").replace("\n", " | ")
print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, err)
EOF
}
if grep -q __asan_init "$MEMTOP" 2>/dev/null; then
	skip "peak RSS against file size" "memtop is built with AddressSanitizer"
	skip "peak RSS of a path named by 100000 regions" "memtop is built with AddressSanitizer"
else
	size=$(($(wc -c <"$tmp/million.mt") / 1024))
	for mode in --info "-b --format json"; do
		# shellcheck disable=SC2086
		set -- $(rss "$MEMTOP" -r "$tmp/million.mt" $mode)
		code=$1 kb=$2
		shift 2
		check "a key frame of 1,000,000 regions ($size kB, $mode): refused as damage (exit 5) in $kb kB" sh -c \
			"test $code = 5 && test $kb -lt 65536 && echo '$*' |
			 grep -q 'more regions in one sample than a recording may hold (262144)'" ||
			diag "$*"
	done
	size=$(($(wc -c <"$tmp/paths.mt") / 1024))
	set -- $(rss "$MEMTOP" -r "$tmp/paths.mt" --info)
	check "a 4000-byte path named by 100000 regions ($size kB): --info in $2 kB, under 70 times the file" sh -c \
		"test $1 = 0 && test $2 -lt $((70 * size + 16384))"
fi
# In the dashboard too: the header says so, and so does the exit.
tmux_run rr 120 40 "env LANG=C.UTF-8 TERM=screen $MEMTOP -r $tmp/damaged.mt 2>$tmp/ddash.err; echo \$? >$tmp/ddash.code; sleep 30"
check "replaying a damaged recording: the header names the offset" \
	wait_screen 5 "DAMAGED at offset [0-9]+"
tm send-keys -t rr q
wait_for 5 test -s "$tmp/ddash.code"
check "  ... and after q: exit 5, the damage on stderr" sh -c \
	"test \$(cat '$tmp/ddash.code') = 5 && grep -q 'damaged recording: segment 0, offset' '$tmp/ddash.err'" ||
	diag_file "$tmp/ddash.err"
tm kill-session -t rr

: >"$tmp/empty.mt"
"$MEMTOP" -r "$tmp/empty.mt" -b >/dev/null 2>"$tmp/empty.err"
code=$?
check "an empty file: exit 5, one line" sh -c \
	"test $code = 5 && test \$(wc -l <'$tmp/empty.err') = 1 && grep -q empty '$tmp/empty.err'"
"$MEMTOP" -r /etc/passwd -b >/dev/null 2>"$tmp/foreign.err"
code=$?
check "a file that is not a recording: exit 5" sh -c \
	"test $code = 5 && grep -q 'not a memtop session file' '$tmp/foreign.err'"
mkdir "$tmp/adir"
mkfifo "$tmp/rfifo"
"$MEMTOP" -r "$tmp/adir" -b >/dev/null 2>"$tmp/adir.err"
code=$?
limit 5 "$MEMTOP" -r "$tmp/rfifo" -b >/dev/null 2>"$tmp/rfifo.err"
code2=$?
check "-r on a directory or a FIFO: exit 5, saying which, no hang" sh -c \
	"test $code = 5 && test $code2 = 5 && grep -q 'is a directory, not a memtop session file' '$tmp/adir.err' &&
	 grep -q 'is a FIFO, not a memtop session file' '$tmp/rfifo.err'"
"$MEMTOP" -r "$tmp/nonexistent.mt" -b >/dev/null 2>"$tmp/none.err"
check "a missing file: a clear message" grep -q 'cannot open' "$tmp/none.err"

# Writing: never over a foreign file; one writer at a time.
echo "precious" >"$tmp/precious"
"$MEMTOP" -b -n 1 -p "$demo_pid" -w "$tmp/precious" 2>"$tmp/precious.err"
code=$?
check "-w refuses to overwrite a file that is not a recording: exit 2 (a bad -w FILE, as memtop(1) says)" sh -c \
	"test $code = 2 && grep -q precious '$tmp/precious' && grep -q 'not a memtop session file' '$tmp/precious.err'"
check "  ... and memtop(1) lists that under exit status 2" sh -c \
	"sed -n '/^\\.SH EXIT STATUS/,/^\\.SH SECURITY/p' '$srcdir/doc/memtop.1' | tr '\\n' ' ' | grep -q 'not a recording'"
# Nor over what it would move aside: FILE.old, or a flight recorder's
# FILE.1 ...; nor into a FIFO (it would block) or a device.
"$MEMTOP" -b -n 1 -p "$demo_pid" -w "$tmp/aside.mt" 2>/dev/null
echo "precious" >"$tmp/aside.mt.old"
"$MEMTOP" -b -n 1 -p "$demo_pid" -w "$tmp/aside.mt" 2>"$tmp/aside.err"
check "-w never replaces a FILE.old that is not a recording" sh -c \
	"grep -q precious '$tmp/aside.mt.old' && grep -q 'aside.mt.old exists and is not a memtop session' '$tmp/aside.err'"
echo "precious" >"$tmp/seg.mt.2"
"$MEMTOP" -b -n 1 -p "$demo_pid" -w "$tmp/seg.mt" --keep 1m 2>"$tmp/seg.err"
check "--keep never rotates over a FILE.N that is not a recording" sh -c \
	"grep -q precious '$tmp/seg.mt.2' && grep -q 'seg.mt.2 exists and is not' '$tmp/seg.err'"
mkfifo "$tmp/fifo"
limit 10 "$MEMTOP" -b -n 1 -p "$demo_pid" -w "$tmp/fifo" 2>"$tmp/fifo.err"
code=$?
check "-w to a FIFO: refused at once (exit 2), one line" sh -c \
	"test $code = 2 && test \$(wc -l <'$tmp/fifo.err') = 1 && grep -q 'a FIFO, not a regular file' '$tmp/fifo.err'"
"$MEMTOP" -b -n 1 -p "$demo_pid" -w /dev/null 2>"$tmp/devnull.err"
check "-w to a device: refused, saying so" grep -q 'a device, not a regular file' "$tmp/devnull.err"

# Symlinks under -w: another user plants them where root will record, in a
# sticky directory (like /tmp) and in a plain world-writable one.  memtop
# never writes through them, nor touches that user's files there.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	chmod 755 "$tmp"
	mkdir "$tmp/victim"
	: >"$tmp/victim/empty"
	cp "$tmp/same.mt" "$tmp/victim/rec.mt"
	for kind in sticky shared; do
		d=$tmp/$kind
		mkdir "$d"
		if [ $kind = sticky ]; then chmod 1777 "$d"; else chmod 0777 "$d"; fi
		as_nobody ln -s "$tmp/victim/pwned" "$d/dangling.mt"
		as_nobody ln -s "$tmp/victim/empty" "$d/empty.mt"
		as_nobody ln -s "$tmp/victim/rec.mt" "$d/rec.mt"
		for name in dangling empty rec; do
			"$MEMTOP" -b -n 1 -p "$demo_pid" -w "$d/$name.mt" 2>"$tmp/sl.err"
			code=$?
			check "$kind directory, a symlink to $name at FILE: refused, exit 2" sh -c \
				"test $code = 2 && grep -q 'is a symbolic link' '$tmp/sl.err'" ||
				diag_file "$tmp/sl.err"
		done
		check "  ... nothing created, written or moved where they point" sh -c \
			"test ! -e '$tmp/victim/pwned' && test ! -s '$tmp/victim/empty' &&
			 cmp -s '$tmp/same.mt' '$tmp/victim/rec.mt' && test ! -e '$tmp/victim/rec.mt.old' &&
			 test -L '$d/rec.mt' && test ! -e '$d/rec.mt.old'"
		"$MEMTOP" -b -n 1 -p "$demo_pid" -w "$d/mine.mt" 2>"$tmp/mine.err"
		check "  ... where root records to a new file of its own" sh -c \
			"test \$(stat -c %u '$d/mine.mt') = 0 && '$MEMTOP' -r '$d/mine.mt' --info >/dev/null" ||
			diag_file "$tmp/mine.err"
		as_nobody ln -s "$tmp/victim/pwned" "$d/mine.mt.old"
		"$MEMTOP" -b -n 1 -p "$demo_pid" -w "$d/mine.mt" 2>"$tmp/old.err"
		code=$?
		check "  ... a symlink at FILE.old: refused (exit 2), FILE not moved" sh -c \
			"test $code = 2 && grep -q 'mine.mt.old is a symbolic link' '$tmp/old.err' &&
			 test -f '$d/mine.mt' && test ! -e '$tmp/victim/pwned'" || diag_file "$tmp/old.err"
		as_nobody ln -s "$tmp/victim/pwned" "$d/fl.mt.2"
		"$MEMTOP" -b -n 1 -p "$demo_pid" -w "$d/fl.mt" --keep 1m 2>"$tmp/seg.err"
		code=$?
		check "  ... a symlink at a flight recorder's FILE.2: refused (exit 2)" sh -c \
			"test $code = 2 && grep -q 'fl.mt.2 is a symbolic link' '$tmp/seg.err' &&
			 test ! -e '$tmp/victim/pwned'" || diag_file "$tmp/seg.err"
		as_nobody cp "$tmp/same.mt" "$d/theirs.mt"
		"$MEMTOP" -b -n 1 -p "$demo_pid" -w "$d/theirs.mt" 2>"$tmp/theirs.err"
		code=$?
		check "  ... another user's recording there: left alone (exit 2)" sh -c \
			"test $code = 2 && grep -q 'belongs to another user' '$tmp/theirs.err' &&
			 cmp -s '$tmp/same.mt' '$d/theirs.mt' && test ! -e '$d/theirs.mt.old'" ||
			diag_file "$tmp/theirs.err"
	done
	# In a directory only root writes, a file another user owns is root's
	# to replace: nobody else can swap it.
	cp "$tmp/same.mt" "$tmp/victim/given.mt"
	chown nobody "$tmp/victim/given.mt"
	"$MEMTOP" -b -n 1 -p "$demo_pid" -w "$tmp/victim/given.mt" 2>"$tmp/given.err"
	check "a private directory: root records over a recording it was given" sh -c \
		"test -f '$tmp/victim/given.mt.old' && '$MEMTOP' -r '$tmp/victim/given.mt' --info >/dev/null" ||
		diag_file "$tmp/given.err"
else
	skip "symlinks planted by another user" "needs root and setpriv to act as nobody"
fi

# FILE deleted while recording: memtop notices at the next sample, goes on
# in a new FILE, and says so at the end (exit 1).
"$MEMTOP" -b -p "$demo_pid" -d 0.1 -n 25 -w "$tmp/del.mt" 2>"$tmp/del.err" &
rec=$!
kill_later $rec
wait_for 10 sh -c "'$MEMTOP' -r '$tmp/del.mt' --info 2>/dev/null | grep -Eq '^samples: +([4-9]|[1-9][0-9]) '"
rm "$tmp/del.mt"
wait $rec
code=$?
check "rm FILE while recording: exit 1, saying it was deleted and recreated" sh -c \
	"test $code = 1 && grep -q 'del.mt was deleted while memtop recorded into it' '$tmp/del.err' &&
	 grep -q 'went on in a new' '$tmp/del.err'" || diag_file "$tmp/del.err"
"$MEMTOP" -r "$tmp/del.mt" --info >"$tmp/del.info" 2>&1
py "$tmp/del.mt" >"$tmp/del.check" 2>&1 <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1
        v |= (c & 0x7f) << s; s += 7
        if not c & 0x80:
            return v, i
hlen = struct.unpack_from("<I", data, 16)[0]
p, i = data[20:20 + hlen], 0
for _ in range(3):
    _, i = varint(p, i)
i += 16
for _ in range(4):
    n, i = varint(p, i); i += n
tags = {}
while i < len(p):
    tag, i = varint(p, i); n, i = varint(p, i)
    tags[tag] = p[i:i + n]; i += n
assert 3 in tags, tags
when, = struct.unpack_from("<d", tags[3])
lost, _ = varint(tags[3], 8)
assert when > 1.6e9 and lost >= 4, (when, lost)
print("fine")
EOF
check "  ... the new FILE replays, undamaged, its header saying it was recreated" sh -c \
	"grep -q fine '$tmp/del.check' && grep -q '^damage: *none' '$tmp/del.info' &&
	 grep -Eq '^samples: +([1-9]|1[0-9]|2[01]) ' '$tmp/del.info'" ||
	{ diag_file "$tmp/del.check"; diag_file "$tmp/del.info"; }
# A flight recorder: rotation survives the missing FILE.
"$MEMTOP" -b -p "$demo_pid" -d 0.1 -n 40 -w "$tmp/fdel.mt" --keep 2s 2>"$tmp/fdel.err" &
rec=$!
kill_later $rec
wait_for 10 test -e "$tmp/fdel.mt.1"
rm "$tmp/fdel.mt"
wait $rec
code=$?
"$MEMTOP" -r "$tmp/fdel.mt" --info >"$tmp/fdel.info" 2>&1
check "rm FILE under --keep: the rotation goes on (exit 1, saying so; no 'cannot rotate')" sh -c \
	"test $code = 1 && grep -q 'was deleted while memtop' '$tmp/fdel.err' && ! grep -q 'cannot rotate' '$tmp/fdel.err'" ||
	diag_file "$tmp/fdel.err"
check "  ... and -r FILE finds every segment, undamaged" sh -c \
	"grep -q '^damage: *none' '$tmp/fdel.info' && grep -Eq '\\(([2-5]) segments' '$tmp/fdel.info'" ||
	diag_file "$tmp/fdel.info"

# A file-size limit (ulimit -f): EFBIG, not SIGXFSZ in the middle of a
# frame; the recording keeps every whole sample.
# The limit: room for the first sample (whose size depends on the build:
# a sanitizer's target has more mappings) and 16 kB more.
"$MEMTOP" -b -n 1 -p "$demo_pid" -w "$tmp/fsize1.mt" 2>/dev/null
fsize_kb=$(($(wc -c <"$tmp/fsize1.mt") / 1024 + 16))
(ulimit -f "$fsize_kb"; exec "$MEMTOP" -b -n 600 -d 0.1 -p "$demo_pid" -w "$tmp/fsize.mt") 2>"$tmp/fsize.err"
code=$?
"$MEMTOP" -r "$tmp/fsize.mt" --info >"$tmp/fsize.info" 2>&1
check "ulimit -f: exit 1 saying the file is too large, not killed" sh -c \
	"test $code = 1 && grep -q 'File too large' '$tmp/fsize.err'" ||
	diag_file "$tmp/fsize.err"
check "  ... and the recording replays undamaged" sh -c \
	"grep -q 'damage: *none' '$tmp/fsize.info' && grep -Eq 'samples: +[1-9]' '$tmp/fsize.info'" ||
	diag_file "$tmp/fsize.info"

"$MEMTOP" -b -p "$demo_pid" -d 0.2 -w "$tmp/busy.mt" &
rec=$!
kill_later $rec
sleep 0.6
"$MEMTOP" -b -n 1 -p "$demo_pid" -w "$tmp/busy.mt" 2>"$tmp/busy.err"
check "a second recorder on the same file is refused, naming the first" \
	grep -q "being written by another memtop (pid $rec)" "$tmp/busy.err" ||
	diag_file "$tmp/busy.err"
kill $rec
wait $rec
check "a recorder stopped by SIGTERM ends its file cleanly" sh -c \
	"'$MEMTOP' -r '$tmp/busy.mt' --info | grep -q 'cleanly'"

# Disk full: a clear message, and the file replays to its last whole sample.
# The disk holds the first sample and about 16k more (a sanitizer build's
# demo maps many more regions, and its first sample is bigger).
"$MEMTOP" -b -n 1 -p "$demo_pid" -w "$tmp/first.mt" 2>/dev/null
full_kb=$(( ($(wc -c <"$tmp/first.mt") + 1023) / 1024 / 4 * 4 + 20 ))
if [ "$(id -u)" = 0 ] && mkdir -p "$tmp/full" &&
    mount -t tmpfs -o size=${full_kb}k tmpfs "$tmp/full" 2>/dev/null; then
	limit 60 "$MEMTOP" -b -d 0.1 -p "$demo_pid" -w "$tmp/full/rec.mt" \
	    2>"$tmp/full.err"
	code=$?
	check "disk full while recording: exit 1 and a clear message" sh -c \
		"test $code = 1 && grep -q 'No space left on device' '$tmp/full.err' &&
		 grep -q 'kept up to the last complete sample' '$tmp/full.err'" ||
		diag_file "$tmp/full.err"
	"$MEMTOP" -r "$tmp/full/rec.mt" -b --format csv >"$tmp/full.csv" 2>"$tmp/full.rerr"
	code=$?
	check "a recording cut by a full disk replays, undamaged" sh -c \
		"test $code = 0 && test \$(cut -d, -f1 '$tmp/full.csv' | sort -u | wc -l) -ge 2" ||
		diag_file "$tmp/full.rerr"
	# The dashboard goes on without the recording, says so, and q then
	# exits 1 with the reason on stderr.
	rm -f "$tmp/full/rec.mt"
	tm new-session -d -s full -x 120 -y 40 "env LANG=C.UTF-8 TERM=screen \
	    $MEMTOP -d 0.1 -p $demo_pid -w $tmp/full/dash.mt \
	    2>$tmp/full.derr; echo \$? >$tmp/full.dcode"
	wait_for 30 sh -c "tmux -L '$tmux_sock' capture-pane -p -t full |
	    grep -q 'recording stopped'"
	check "disk full in the dashboard: the header says the recording stopped" \
		test $? = 0
	tm send-keys -t full q
	wait_for 10 test -s "$tmp/full.dcode"
	check "  ... and after q: exit 1, the reason on stderr" sh -c \
		"test \$(cat '$tmp/full.dcode') = 1 &&
		 grep -q 'recording stopped: .*No space left' '$tmp/full.derr'" ||
		diag_file "$tmp/full.derr"
	tm kill-session -t full 2>/dev/null
	umount "$tmp/full"
else
	skip "disk full while recording" "needs root to mount a small tmpfs"
fi

# Flight recorder: --keep 2s holds only about the last two seconds.
"$MEMTOP" -b -n 60 -d 0.1 -p "$demo_pid" -w "$tmp/flight.mt" --keep 2s
"$MEMTOP" -r "$tmp/flight.mt" --info >"$tmp/flight.info"
py "$tmp/flight.info" >"$tmp/flight.check" 2>&1 <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
n = int(re.search(r"samples: +(\d+)", t).group(1))
segs = int(re.search(r"\((\d+) segment", t).group(1))
assert 15 <= n <= 30, n
assert segs == 5, segs
print("fine")
EOF
check "--keep 2s: five segments holding about the last 2 s" \
	grep -q fine "$tmp/flight.check" || diag_file "$tmp/flight.info"

# The baseline the user sets live (m) is in the recording: a replay, in
# batch and in the dashboard, shows the deltas the live screen showed.
leak=$(demo_region leak)
tm new-session -d -s mk -x 150 -y 40 "env LANG=C.UTF-8 TERM=screen $MEMTOP -p $demo_pid -d 0.2 -w $tmp/mark.mt"
sleep 5
tm send-keys -t mk m
sleep 1.5
tm send-keys -t mk q
wait_for 5 sh -c "! tmux -L '$tmux_sock' has-session -t mk 2>/dev/null"
"$MEMTOP" -r "$tmp/mark.mt" -b --format json >"$tmp/mark.json"
py "$tmp/mark.json" "$leak" >"$tmp/mark.check" 2>&1 <<'EOF'
import json, sys
start = int(sys.argv[2].split("-")[0], 16)
d = []
for line in open(sys.argv[1]):
    o = json.loads(line)
    d += [r["delta_base_rss_kb"] for r in o["regions"] if int(r["start"], 16) == start]
drop = [i for i in range(1, len(d)) if d[i] < d[i - 1] - 500]
assert len(drop) == 1 and d[drop[0] - 1] > 800 and d[-1] < 700, d
print("fine")
EOF
check "m while recording: the replay's deltas count from it, as live" \
	grep -q fine "$tmp/mark.check" || diag_file "$tmp/mark.check"
tmux_run rr 150 40 "env LANG=C.UTF-8 TERM=screen $MEMTOP -r $tmp/mark.mt"
tm send-keys -t rr ' ' End
check "  ... and in the replay dashboard, at the end, in kB not MB" \
	wait_for 3 sh -c "tmux -L '$tmux_sock' capture-pane -p -t rr | grep ' 1\.0G ' |
	 head -1 | grep -Eq ' (0|\+[0-9.]+K) +\+[0-9.]+K'" ||
	tm capture-pane -p -t rr | diag_file /dev/stdin
tm kill-session -t rr

# The replay dashboard: play, step, speed, jump, and follow a live recording.
"$MEMTOP" -b -p "$demo_pid" -d 0.2 -w "$tmp/follow.mt" &
rec=$!
kill_later $rec
wait_for 10 test -s "$tmp/follow.mt"
tmux_run rr 120 40 "env LANG=C.UTF-8 TERM=screen $MEMTOP -r $tmp/follow.mt"
check "the replay dashboard opens" wait_screen 5 "REPLAY 1x"
tm send-keys -t rr ' '
check "space pauses" wait_screen 3 "REPLAY 1x paused"
tm send-keys -t rr ']' ']'
check "] speeds up to 4x" wait_screen 3 "REPLAY 4x"
sleep 1.5
tm send-keys -t rr End
sleep 0.5
n1=$(tm capture-pane -p -t rr | sed -n 's/.*sample \([0-9]*\)\/\([0-9]*\).*/\2/p' | head -1)
sleep 1.5
tm send-keys -t rr End
sleep 0.5
screen1=$(tm capture-pane -p -t rr | head -1)
n2=$(echo "$screen1" | sed -n 's/.*sample \([0-9]*\)\/\([0-9]*\).*/\2/p')
check "it follows the recording as it grows ($n1 -> $n2)" test "${n2:-0}" -gt "${n1:-0}"
# The rest on a recording that holds still.
kill $rec
wait $rec 2>/dev/null
sleep 0.5
pos=$(echo "$screen1" | sed -n 's/.*sample \([0-9]*\)\/.*/\1/p')
tm send-keys -t rr Left Left
check "Left steps back one sample at a time" wait_screen 3 "paused  sample $((pos - 2))/"
tm send-keys -t rr t '+0' Enter
check "t jumps to a time" wait_screen 3 "sample 1/"
tm send-keys -t rr Right Right
check "Right steps forward one sample at a time" wait_screen 3 "paused  sample 3/"
tm send-keys -t rr '['
check "[ slows down to 2x" wait_screen 3 "REPLAY 2x paused"
tm send-keys -t rr End
check "End goes to the last sample" wait_for 3 sh -c "tmux -L '$tmux_sock' capture-pane -p -t rr |
	head -1 | grep -Eq 'sample ([0-9]+)/\\1([^0-9]|\$)'"
tm send-keys -t rr Home
check "Home goes back to the first" wait_screen 3 "paused  sample 1/"
tm send-keys -t rr t '-0' Enter
check "t -0 jumps to the end, relative to it" wait_for 3 sh -c "tmux -L '$tmux_sock' capture-pane -p -t rr |
	head -1 | grep -Eq 'sample ([0-9]+)/\\1([^0-9]|\$)'"
tm send-keys -t rr Home Right Enter
check "Enter opens the region's detail, as of that sample" \
	wait_screen 3 "identity: "
tm send-keys -t rr Escape
check "Esc goes back to the table" wait_screen 3 "Rate"
tm send-keys -t rr q
tm kill-server 2>/dev/null
finish
