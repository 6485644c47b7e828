# cgroup.sh - a v1 memory cgroup of the script's own, limited to 96 MiB
# (memory and memory+swap), for the OOM tests.  Source it after lib.sh (and
# tmux.sh); the whole script is skipped where no such cgroup can be made.
#
#   cg, rel          its directory, and its path as /proc/PID/cgroup says
#   in_cgroup CMD... run CMD in it, in the background: target is its PID
#   leaker           in_cgroup a leaker of 4000 kB/s (400 kB every 0.1 s,
#                    every page written): the kernel kills it in ~20 s
#   The EXIT trap removes it (once its dying processes have left it).

v1=$(awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup" &&
	$(i + 3) ~ /(^|,)memory(,|$)/) { print $5; exit } }' /proc/self/mountinfo)
if [ "$(id -u)" != 0 ]; then
	skip_all "making a memory cgroup needs root"
fi
name=memtop-$(basename "$0" .sh)-$$
if [ -z "$v1" ] || ! mkdir "$v1/$name" 2>"$tmp/mkdir.err"; then
	skip_all "no v1 memory cgroup can be made here: $(cat "$tmp/mkdir.err" 2>/dev/null)"
fi
cg=$v1/$name
rel=/$name
trap 'command -v tm >/dev/null && tm kill-server 2>/dev/null
	for p in $cleanup_pids; do kill -9 "$p" 2>/dev/null; done
	for i in 1 2 3 4 5 6 7 8 9 10; do rmdir "$cg" 2>/dev/null && break; sleep 0.2; done
	rm -rf "$tmp"' EXIT
echo 100663296 >"$cg/memory.limit_in_bytes"
echo 100663296 >"$cg/memory.memsw.limit_in_bytes" 2>/dev/null

in_cgroup() {
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@" &
	target=$!
	kill_later "$target"
	wait_for 10 grep -qx "$target" "$cg/cgroup.procs"
}

leaker() {
	in_cgroup python3 -c '
import time
hold = []
while True:
    hold.append(b"\x01" * 409600)
    time.sleep(0.1)
'
}
