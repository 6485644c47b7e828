#!/bin/sh
# escapes.sh - every string from outside goes out through the one escaping
# printer, in every output: a crafted recording whose every string field
# (kernel, host, version, cmdline, comm, cgroup path, perms, paths) holds
# escape sequences, C1 controls, bidi and invisible characters and invalid
# UTF-8, and a live process whose comm, command line, mapped file and
# cgroup hold the same, through batch text, CSV, JSON, --info and the
# dashboard.  Nothing raw may get out, and JSON stays valid and faithful.
. "$srcdir/tests/lib.sh"

py() { python3 - "$@"; }
command -v python3 >/dev/null || skip_all "python3 is not installed"

# The hostile bytes: an OSC that sets a terminal's title, BEL, CSI clear, a
# C1 CSI, RIGHT-TO-LEFT OVERRIDE, ZERO WIDTH SPACE, invalid UTF-8, a quote,
# a comma, a backslash, a newline, a tag character.
cat >"$tmp/hostile.py" <<'PY'
H = (b"E\x1b]0;PWNED\x07\x1b[2J" b"C1\xc2\x9b31m" b"B\xe2\x80\xae" b"Z\xe2\x80\x8b"
     b"X\xff\xfe" b"Q\",\\" b"N\n" b"T\xf3\xa0\x80\x81")
# As a file's name: no slash; in maps, a newline as most kernels write it.
HF = H.replace(b"/", b"_")
HMAP = HF.replace(b"\n", b"\\012")
# As a cgroup's name: no newline either (/proc/PID/cgroup is lines).
HCG = HF.replace(b"\n", b"_")
PY
export HOSTILE_PY="$tmp/hostile.py"

# raw_free FILE...: the first is not empty, and none holds a raw control,
# C1, bidi or invisible character, or bytes that are not UTF-8.
raw_free() {
	py "$@" <<'PY'
import re, sys
assert open(sys.argv[1], "rb").read(), sys.argv[1] + " is empty"
for name in sys.argv[1:]:
    text = open(name, "rb").read().decode("utf-8")   # invalid UTF-8 raises
    bad = re.findall("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u00ad\u061c\u180e"
                     "\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
                     "\ufff9-\ufffb\U000e0000-\U000e007f]", text)
    assert not bad, "%s: raw %r" % (name, sorted(set(bad)))
PY
}

# A recording with the hostile bytes in each of its string fields.
py "$tmp/hostile.mt" <<'PY'
import os, struct, sys
exec(open(os.environ["HOSTILE_PY"]).read())
sys.path.insert(0, os.path.join(os.environ["srcdir"], "tests"))
from session import bts, frame, header, varint
hdr = header(varint(4096) + varint(4242) + varint(777) + struct.pack("<dd", 1, 1.7e9) +
             bts(b"kernel" + H) + bts(b"host" + H) + bts(b"version" + H) + bts(b"cmdline" + H))
perms = [b"rw-p", b"\x1b[2J", b"\xe2\x80\xaep", b"\xc2\x9b\xff\""]
def sample(seq):
    head = varint(seq) + struct.pack("<dddd", 1 + seq, 1.7e9 + seq, 1, 1) + b"\0" + varint(0)
    cg = b"\1" + varint(12 << 20) + varint(16 << 20) + varint(2) + bts(b"/svc" + H)
    info = (b"\1" + varint(4242) + varint(777) + bts((b"comm" + H)[:60]) + bts(b"cmd" + H) +
            b"\0S" + varint(0) + struct.pack("<d", 1) + varint(0) + varint(1 << 20) +
            varint(2 << 20) + cg)
    regions = b""
    for i, p in enumerate(perms):
        path = (b"/tmp/path%d" % i) + H
        regions += (varint(0x10000 if i == 0 else 0x1000) + varint(0x1000) + varint(0) * 4 +
                    p + b"\0" + varint(i) + bts(path) + varint(1 << 3) + varint(4 + seq))
    return frame(1, head + info + varint(0) + varint(len(perms)) + regions)
open(sys.argv[1], "wb").write(hdr + sample(0) + sample(1) + sample(2))
PY
for fmt in text csv json; do
	"$MEMTOP" -r "$tmp/hostile.mt" -b --format "$fmt" >"$tmp/rec.$fmt" 2>"$tmp/rec.$fmt.err"
	check "a recording's strings, batch $fmt: nothing raw gets out" \
		raw_free "$tmp/rec.$fmt" "$tmp/rec.$fmt.err" || diag_file "$tmp/rec.$fmt.err"
done
"$MEMTOP" -r "$tmp/hostile.mt" --info >"$tmp/rec.info" 2>&1
check "a recording's strings, --info (host, kernel, version, cmdline): nothing raw" \
	raw_free "$tmp/rec.info"
check "  the cgroup path and the perms are shown escaped in batch text" sh -c \
	"grep -q 'cgroup /svcE\\\\e]0;PWNED\\\\x07' '$tmp/rec.text' &&
	 grep -q ' \\\\e\\[2J ' '$tmp/rec.text' && grep -q ' \\\\u202ep ' '$tmp/rec.text'" ||
	diag_file "$tmp/rec.text"
# JSON: valid, and the strings decode to the bytes they were.
py "$tmp/rec.json" <<'PY' >"$tmp/rec.check" 2>&1
import json, os, sys
exec(open(os.environ["HOSTILE_PY"]).read())
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 3, len(lines)
b = os.fsencode
for line in lines:
    o = json.loads(line)
    assert b(o["comm"]) == (b"comm" + H)[:60], o["comm"]
    assert b(o["cmdline"]) == b"cmd" + H, o["cmdline"]
    assert b(o["cgroup"]["path"]) == b"/svc" + H, o["cgroup"]["path"]
    got = sorted(b(r["perms"]) for r in o["regions"])
    assert got == sorted([b"rw-p", b"\x1b[2J", b"\xe2\x80\xaep", b"\xc2\x9b\xff\""]), got
    assert all(b(r["path"]).endswith(H) for r in o["regions"])
print("fine")
PY
check "a recording's strings, JSON: valid, each string the bytes it was" \
	grep -q fine "$tmp/rec.check" || diag_file "$tmp/rec.check"

# A live process: comm (prctl), command line, a mapped file named so, and,
# where the machine lets a test make one, a memory cgroup named so.
mkdir -p "$tmp/files"
py "$tmp" "$tmp/files" <<'PY' >"$tmp/live.setup" 2>&1
import os, subprocess, sys
exec(open(os.environ["HOSTILE_PY"]).read())
code = r'''
import ctypes, mmap, os, sys, time
ctypes.CDLL(None).prctl(15, ctypes.c_char_p(b"c\x1b[2J\xe2\x80\xae\xff"), 0, 0, 0)
f = open(os.path.join(os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2])), "w+b")
f.write(b"x" * 8192)
f.flush()
m = mmap.mmap(f.fileno(), 8192, prot=mmap.PROT_READ)
m[0]
print(os.getpid(), flush=True)
time.sleep(60)
'''
p = subprocess.Popen([b"python3", b"-c", code.encode(), sys.argv[2].encode(), b"f" + HF,
                      b"arg" + H], stdout=subprocess.PIPE)
pid = int(p.stdout.readline())
open(sys.argv[1] + "/live.pid", "w").write(str(pid))
# A memory cgroup named with the hostile bytes, beside this one's own.
made = b""
for line in open("/proc/self/cgroup", "rb"):
    n, ctrl, where = line.rstrip(b"\n").split(b":", 2)
    if ctrl == b"memory":
        base = b"/sys/fs/cgroup/memory" + where
    elif ctrl == b"" and os.path.exists(b"/sys/fs/cgroup/cgroup.controllers"):
        base = b"/sys/fs/cgroup" + where
    else:
        continue
    d = base.rstrip(b"/") + b"/memtop-esc-" + HCG
    try:
        os.mkdir(d)
        open(d + b"/cgroup.procs", "w").write(str(pid))
        made = d
    except OSError as e:
        print("no cgroup:", e)
    break
open(sys.argv[1] + "/live.cgroup", "wb").write(made)
PY
live=$(cat "$tmp/live.pid" 2>/dev/null)
if [ -z "$live" ]; then
	ok 1 "a hostile live process starts"
	diag_file "$tmp/live.setup"
	finish
fi
kill_later "$live"
cgmade=$(wc -c <"$tmp/live.cgroup")
for fmt in text csv json; do
	limit 20 "$MEMTOP" -b -n 2 -d 0.3 -p "$live" --format "$fmt" >"$tmp/live.$fmt" 2>"$tmp/live.$fmt.err"
	check "a live process's comm, command line, path and cgroup, batch $fmt: nothing raw" \
		raw_free "$tmp/live.$fmt" "$tmp/live.$fmt.err" || diag_file "$tmp/live.$fmt.err"
done
py "$tmp/live.json" "$tmp/live.cgroup" <<'PY' >"$tmp/live.check" 2>&1
import json, os, sys
exec(open(os.environ["HOSTILE_PY"]).read())
o = json.loads(open(sys.argv[1], encoding="utf-8").read().splitlines()[-1])
b = os.fsencode
assert b(o["comm"]) == b"c\x1b[2J\xe2\x80\xae\xff", o["comm"]
assert b(o["cmdline"]).endswith(b"arg" + H), o["cmdline"]
paths = [b(r["path"]) for r in o["regions"]]
assert any(p.endswith(b"f" + HMAP) or p.endswith(b"f" + HF) for p in paths), paths
if open(sys.argv[2], "rb").read():
    assert b(o["cgroup"]["path"]).endswith(b"memtop-esc-" + HCG), o["cgroup"]
print("fine")
PY
check "a live process's strings, JSON: valid, each string the bytes it was" \
	grep -q fine "$tmp/live.check" || diag_file "$tmp/live.check"
if [ "$cgmade" -gt 0 ]; then
	check "  its cgroup path is shown escaped in batch text" \
		grep -q 'memtop-esc-E\\e]0;PWNED\\x07' "$tmp/live.text" || diag_file "$tmp/live.text"
else
	skip "a cgroup named with escapes, in batch text" "no memory cgroup this test may make"
fi

# The dashboard: the pane's title is not set by the OSC, and the screen
# shows the escapes as text.
if command -v tmux >/dev/null; then
	. "$srcdir/tests/tmux.sh"
	dash_ok() {
		test "$title" != PWNED && grep -q 'PWNED' "$tmp/dash" &&
			raw_free "$tmp/dash"
	}
	n=0
	for what in "-p $live" "-r $tmp/hostile.mt"; do
		n=$((n + 1))
		tmux_run "esc$n" 200 30 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen $MEMTOP $what"
		wait_screen 10 "PWNED" >/dev/null
		sleep 1
		screen >"$tmp/dash"
		title=$(tm display -p -t "esc$n" '#{pane_title}')
		check "the dashboard ($what): no title set, nothing raw on the screen" \
			dash_ok || { diag "title: $title"; diag_file "$tmp/dash"; }
	done
	# Quit both at the end: a server left with no session goes away, and
	# the next session would race it.
	tm send-keys -t esc1 q
	tm send-keys -t esc2 q
else
	skip "the dashboard shows a hostile process escaped" "tmux is not installed"
	skip "the dashboard shows a hostile recording escaped" "tmux is not installed"
fi

kill "$live" 2>/dev/null
wait_for 5 sh -c "! kill -0 $live 2>/dev/null"
if [ "$cgmade" -gt 0 ]; then
	py "$tmp/live.cgroup" <<'PY'
import sys, os
try:
    os.rmdir(open(sys.argv[1], "rb").read())
except OSError:
    pass
PY
fi
finish
