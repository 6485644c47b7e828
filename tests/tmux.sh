# tmux.sh - the terminal of the end-to-end scripts: a tmux server of the
# script's own, what a pane shows, and waits on what it shows.  Source it
# after lib.sh.  Without tmux the whole script is skipped.
#
#   tmux_shell NAME COLS LINES   a session running bash (prompt "PROMPT$ "),
#                                its first prompt on the screen; NAME is then
#                                the session the helpers act on
#   tmux_run NAME COLS LINES CMD a session running CMD alone
#   tm ARGS...                   tmux, on this script's server
#   screen [SESSION]             the text on the screen
#   wait_screen SECONDS REGEX [SESSION]   until the screen shows REGEX
#   keys KEYS...                 send keys, then 0.4 s: a lone Esc must be
#                                told from Alt-KEY before the next key
#   alt [SESSION]                1 while the alternate screen is on
#   prompt_back SECONDS          until the command the shell ran has ended
#                                and its prompt is on the screen
#   pane_children                the processes the pane's shell runs

command -v tmux >/dev/null || skip_all "tmux is not installed"

tmux_sock=memtop-$(basename "$0" .sh)-$$
tmux_session=

tm() { tmux -L "$tmux_sock" -f /dev/null "$@"; }
screen() { tm capture-pane -p -t "${1:-$tmux_session}"; }
wait_screen() {
	wait_for "$1" sh -c "tmux -L '$tmux_sock' capture-pane -p -t '${3:-$tmux_session}' | grep -Eq -- \"\$0\"" "$2"
}
keys() { tm send-keys -t "$tmux_session" "$@"; sleep 0.4; }
alt() { tm display -p -t "${1:-$tmux_session}" '#{alternate_on}'; }
pane_children() { pgrep -P "$(tm display -p -t "$tmux_session" '#{pane_pid}')"; }
# The screen alone cannot tell: a prompt from before the command may still
# be on it.  No child of the shell left, the prompt is the shell's new one.
prompt_back() {
	wait_for "$1" sh -c "! pgrep -P \$(tmux -L '$tmux_sock' display -p -t '$tmux_session' '#{pane_pid}') >/dev/null" &&
		wait_screen "$1" 'PROMPT\$ *$'
}

tmux_shell() {
	tmux_session=$1
	tm new-session -d -s "$1" -x "$2" -y "$3" \
		"env PS1='PROMPT\$ ' LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen bash --norc --noprofile"
	tm set-option -t "$1" status off >/dev/null
	# Keys typed before bash reads them would be echoed above its first
	# prompt, which then looks like a prompt come back.
	wait_screen 20 'PROMPT\$ *$'
}

tmux_run() {
	tmux_session=$1
	tm new-session -d -s "$1" -x "$2" -y "$3" "$4"
}

trap 'tm kill-server 2>/dev/null; for p in $cleanup_pids; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
