#!/bin/sh
# export-docs.sh - the deployment files of doc/deploy hold together: the
# Grafana dashboard is valid JSON whose queries name only memtop's
# families, the YAML files parse (PyYAML when it is there, else a light
# check of tabs and indentation), the Kubernetes examples carry what
# memtop needs (shared PID namespace or hostPID, SYS_PTRACE, memtop's own
# memory limit), and the arguments they and the systemd unit give memtop
# are ones it takes (it starts with them, on 127.0.0.1:0).
. "$srcdir/tests/lib.sh"

command -v python3 >/dev/null || skip_all "python3 is not installed"
deploy=$srcdir/doc/deploy

check "the Grafana dashboard is valid JSON, its queries name only memtop's families" \
	python3 - "$deploy/grafana-dashboard.json" "$srcdir/doc/metrics.md" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
known = set(re.findall(r"`(memtop_\w+)`", open(sys.argv[2]).read()))
exprs = [t["expr"] for p in d["panels"] for t in p["targets"]]
titles = " ".join(p["title"] for p in d["panels"])
assert len(exprs) >= 8, exprs
for e in exprs:
    for name in re.findall(r"memtop_\w+", e):
        assert name in known, name
for want in ("by class (stacked)", "suspects", "OOM projection"):
    assert want in titles, want
PY

if python3 -c 'import yaml' 2>/dev/null; then
	how="PyYAML"
else
	how="a light check (no PyYAML)"
fi
check "every YAML file of doc/deploy parses ($how)" \
	python3 - "$deploy" <<'PY'
import glob, os, re, sys
files = sorted(glob.glob(os.path.join(sys.argv[1], "*.y*ml")))
assert len(files) >= 5, files
try:
    import yaml
except ImportError:
    yaml = None
for f in files:
    text = open(f).read()
    if yaml is not None:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
        assert docs, f
        continue
    for n, line in enumerate(text.splitlines(), 1):
        assert "\t" not in line, "%s:%d: a tab" % (f, n)
        body = line.strip()
        if not body or body.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 2 == 0, "%s:%d: odd indentation" % (f, n)
        assert re.match(r"(- )*([\w.\-/\"' ]+:( |$)|- |\S)", body), \
            "%s:%d: %s" % (f, n, body)
PY

check "the sidecar shares its pod's PID namespace, has SYS_PTRACE and a memory limit" \
	python3 - "$deploy/memtop-sidecar.yaml" <<'PY'
import sys
t = open(sys.argv[1]).read()
for want in ("shareProcessNamespace: true", "SYS_PTRACE", "kind: Pod",
             "memory: 128Mi", "- --listen", "memtop.io/port"):
    assert want in t, want
PY
check "the DaemonSet sees the node's processes (hostPID) and watches by pattern" \
	python3 - "$deploy/memtop-daemonset.yaml" <<'PY'
import sys
t = open(sys.argv[1]).read()
for want in ("kind: DaemonSet", "hostPID: true", "SYS_PTRACE", "- -P",
             "memory: 512Mi"):
    assert want in t, want
PY
check "the systemd unit has its sections and starts memtop --listen" \
	python3 - "$deploy/memtop.service" <<'PY'
import configparser, sys
c = configparser.ConfigParser(strict=False, interpolation=None)
c.read(sys.argv[1])
assert {"Unit", "Service", "Install"} <= set(c.sections()), c.sections()
assert "--listen" in c["Service"]["ExecStart"]
assert "CAP_SYS_PTRACE" in c["Service"]["AmbientCapabilities"]
PY

# The arguments the files give memtop: it starts with them (on a free
# loopback port), says where it serves, and stops on SIGTERM.
args_of() {
	python3 - "$1" <<'PY'
import re, shlex, sys
t = open(sys.argv[1]).read()
if sys.argv[1].endswith(".service"):
    line = re.search(r"^ExecStart=\S+ (.*)$", t, re.M).group(1)
    args = shlex.split(line)
else:
    block = re.search(r"args:\n((?:\s+- .*\n)+)", t).group(1)
    args = []
    for l in block.splitlines():
        v = re.sub(r"\s+#.*$", "", l.strip()[2:]).strip()
        args.append(shlex.split(v)[0] if v[:1] in "\"'" else v)
args = ["127.0.0.1:0" if a.startswith(("0.0.0.0:", "127.0.0.1:")) else a
        for a in args]
print("\n".join(args))
PY
}
for f in memtop-sidecar.yaml memtop-daemonset.yaml memtop.service; do
	args_of "$deploy/$f" >"$tmp/args" 2>"$tmp/args.err"
	# One argument a line, spaces kept inside each.
	set -f
	IFS='
'
	# shellcheck disable=SC2046
	set -- $(cat "$tmp/args")
	IFS=' 	
'
	set +f
	# Emptied here, not by the redirection in the child: else the last
	# file's "serving" line can still be there when wait_for looks, and
	# the SIGTERM lands before memtop has started (exit 143, and the
	# forked shell's EXIT trap removes $tmp).
	: >"$tmp/run.err"
	"$MEMTOP" "$@" 2>"$tmp/run.err" &
	p=$!
	kill_later "$p"
	wait_for 20 grep -q 'serving http://127.0.0.1:' "$tmp/run.err"
	kill -TERM "$p" 2>/dev/null
	wait "$p"
	code=$?
	check "memtop starts with the arguments of $f, and stops on SIGTERM" sh -c \
		"test $code = 0 && grep -q 'serving http://127.0.0.1:' '$tmp/run.err'" ||
		{ diag "exit code $code"; diag_file "$tmp/args"; diag_file "$tmp/run.err"; }
done
finish
