/*
 * test-parse.c - the /proc parsers on real captures and hand-made edge cases,
 * and the live source on a real child process.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc-parse.h"
#include "source.h"
#include "tap.h"

/* Header lines counted without the parser: "hex-hex " at line start. */
static size_t
count_headers(const char *buf)
{
	const char *p = buf;
	size_t n = 0;

	while (*p != '\0') {
		const char *q = p;

		while ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f'))
			q++;
		if (q > p && *q == '-')
			n++;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return n;
}

static uint64_t
rollup_value(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : UINT64_MAX;
}

static void
test_capture(const char *what)
{
	char name[64], rname[64];
	size_t len, rlen;
	char *buf, *roll;
	struct snapshot *s = snapshot_new();
	int skipped;

	snprintf(name, sizeof name, "smaps-%s.txt", what);
	snprintf(rname, sizeof rname, "smaps_rollup-%s.txt", what);
	buf = fixture_slurp(name, &len);
	roll = fixture_slurp(rname, &rlen);
	skipped = parse_smaps(buf, len, s);
	ok(skipped == 0, "%s: no line skipped (%d)", what, skipped);
	is_u64(s->nregions, count_headers(buf), "%s: one region per mapping",
	    what);
	is_u64(s->torn, 0, "%s: nothing torn", what);
	is_u64(snapshot_sum(s, SF_RSS), rollup_value(roll, "\nRss:"),
	    "%s: Rss sums to smaps_rollup", what);
	is_u64(snapshot_sum(s, SF_PRIVATE_DIRTY),
	    rollup_value(roll, "\nPrivate_Dirty:"),
	    "%s: Private_Dirty sums to smaps_rollup", what);
	is_u64(snapshot_sum(s, SF_SWAP), rollup_value(roll, "\nSwap:"),
	    "%s: Swap sums to smaps_rollup", what);
	ok(rollup_value(roll, "\nPss:") - snapshot_sum(s, SF_PSS) < s->nregions,
	    "%s: Pss within rounding of smaps_rollup", what);
	ok(s->nregions > 0 && (s->regions[0].present & (1u << SF_RSS)) &&
	        s->regions[0].has_vmflags,
	    "%s: fields and VmFlags present", what);
	free(buf);
	free(roll);
	snapshot_free(s);
}

static const struct region *
find_path(const struct snapshot *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->nregions; i++) {
		if (s->regions[i].path_len == strlen(path) &&
		    memcmp(region_path(s, &s->regions[i]), path,
		        strlen(path)) == 0)
			return &s->regions[i];
	}
	return NULL;
}

static void
test_edge_cases(void)
{
	struct snapshot *s = snapshot_new();
	const struct region *r;
	char *text, *longpath;
	size_t n;

	longpath = malloc(5001);
	memset(longpath, 'x', 5000);
	longpath[0] = '/';
	longpath[5000] = '\0';
	n = (size_t)asprintf(&text,
	    "1000-2000 r-xp 00000000 08:01 42                         "
	    "/usr/bin/with space\n"
	    "Size:                  4 kB\n"
	    "Rss:                   4 kB\n"
	    "FutureField:         999 kB\n"
	    "VmFlags: rd ex mr mw me zz \n"
	    "2000-3000 rw-p 00000000 00:00 0                          [anon:my "
	    "cache]\n"
	    "Rss: 8 kB\n"
	    "3000-4000 rw-s 00000000 00:01 7                          "
	    "/memfd:buf (deleted)\n"
	    "4000-5000 rw-s 00000000 00:01 8                          "
	    "/SYSV0000abcd (deleted)\n"
	    "5000-6000 r--p 00000000 00:00 0                          "
	    "[vvar_vclock]\n"
	    "6000-7000 r--p 00000000 08:01 9                          "
	    "/tmp/evil\033[31m\\012line\n"
	    "7000-8000 r--p 00000000 08:01 10                         "
	    "/tmp/gone (deleted) (deleted)\n"
	    "8000-9000 r--p 00000000 08:01 11                         %s\n"
	    "8800-9800 rw-p 00000000 00:00 0 \n"
	    "Rss: 99 kB\n"
	    "7000-7800 rw-p 00000000 00:00 0 \n"
	    "9000-8000 rw-p 00000000 00:00 0 \n"
	    "this is not a line of smaps\n"
	    "9000-9800 rw-s 00000000 00:01 5                          "
	    "[anon_shmem:shared buf]\n"
	    "9800-a000 r-xp 00000000 00:00 0                          "
	    "[uprobes]\n"
	    "a000-b000 ---p 00000000 00:00 0\n"
	    "Rss:",
	    longpath);
	ok(parse_smaps(text, n, s) == 1, "one garbage line is skipped");
	is_u64(s->nregions, 11, "eleven good mappings");
	is_u64(
	    s->torn, 3, "overlapping and backward mappings dropped, counted");
	r = find_path(s, "/usr/bin/with space");
	ok(r != NULL && r->kb[SF_RSS] == 4 && r->start == 0x1000 &&
	        r->end == 0x2000 && r->inode == 42 && r->dev_major == 8 &&
	        strcmp(r->perms, "r-xp") == 0,
	    "a path with a space and its header");
	ok(r != NULL && !(r->present & (1u << SF_PSS)) &&
	        (r->present & (1u << SF_SIZE)),
	    "a missing field reads absent");
	ok(r != NULL && r->has_vmflags &&
	        (r->vmflags & (1u << vmflag_lookup("ex"))) &&
	        !(r->vmflags & (1u << vmflag_lookup("wr"))),
	    "VmFlags parsed");
	r = find_path(s, "[anon:my cache]");
	ok(r != NULL && r->kb[SF_RSS] == 8, "[anon:NAME] kept with its space");
	r = find_path(s, "/memfd:buf");
	ok(r != NULL && r->deleted, "memfd: with (deleted) suffix removed");
	ok(find_path(s, "/SYSV0000abcd") != NULL, "SYSV segment");
	ok(find_path(s, "[vvar_vclock]") != NULL, "a new kernel name kept");
	ok(find_path(s, "/tmp/evil\033[31m\nline") != NULL,
	    "escape bytes kept raw, the kernel's \\012 back to a newline");
	r = find_path(s, "/tmp/gone (deleted)");
	ok(r != NULL && r->deleted, "a name ending in (deleted), deleted");
	r = find_path(s, longpath);
	ok(r != NULL && r->path_len == 5000, "a path longer than PATH_MAX");
	ok(r != NULL && !(r->present & (1u << SF_RSS)),
	    "a dropped mapping's fields are not given to the one before");
	ok(find_path(s, "[anon_shmem:shared buf]") != NULL &&
	        find_path(s, "[uprobes]") != NULL,
	    "[anon_shmem:NAME] and an unknown [name] kept");
	ok(s->regions[s->nregions - 1].start == 0xa000 &&
	        s->regions[s->nregions - 1].path_len == 0 &&
	        !(s->regions[s->nregions - 1].present & (1u << SF_RSS)),
	    "a last line cut short leaves the field absent");
	free(text);
	free(longpath);

	snapshot_clear(s);
	ok(parse_smaps("\xff\xfe-\n:::\n-\n0-\n", 13, s) >= 0 &&
	        s->nregions == 0,
	    "garbage gives no region and no crash");
	ok(parse_smaps("", 0, s) == 0 && s->nregions == 0, "empty input");
	snapshot_free(s);
}

/* /proc/PID/maps of the same moment: the same mappings, and no counters. */
static void
test_maps(void)
{
	struct snapshot *m = snapshot_new(), *sm = snapshot_new();
	char *buf, *sbuf;
	size_t len, slen, i, same = 0, bare = 0;

	buf = fixture_slurp("maps-python.txt", &len);
	sbuf = fixture_slurp("smaps-python.txt", &slen);
	ok(parse_smaps(buf, len, m) == 0, "maps: no line skipped");
	parse_smaps(sbuf, slen, sm);
	is_u64(m->nregions, count_headers(buf), "maps: one region per line");
	for (i = 0; i < m->nregions && i < sm->nregions; i++) {
		const struct region *a = &m->regions[i], *b = &sm->regions[i];

		if (a->start == b->start && a->end == b->end &&
		    strcmp(a->perms, b->perms) == 0 && a->inode == b->inode &&
		    a->path_len == b->path_len &&
		    memcmp(region_path(m, a), region_path(sm, b),
		        a->path_len) == 0)
			same++;
		if (a->present == 0 && !a->has_vmflags && a->kb[SF_RSS] == 0)
			bare++;
	}
	is_u64(same, sm->nregions, "maps: the same mappings as smaps");
	is_u64(bare, m->nregions, "maps: no counters, no VmFlags");
	ok(find_path(m, "[heap]") != NULL && find_path(m, "[vvar_vclock]"),
	    "maps: [heap] and [vvar_vclock] named");
	free(buf);
	free(sbuf);
	snapshot_free(m);
	snapshot_free(sm);
}

/* The name tables agree with the lookups the parser uses. */
static void
test_tables(void)
{
	struct snapshot *s = snapshot_new(), *c = snapshot_new();
	int f, bad = 0;
	size_t i, len;
	char flags[256], *buf;

	for (f = 0; f < SF_COUNT; f++) {
		const char *n = smaps_field_name((enum smaps_field)f);

		if (smaps_field_lookup(n, strlen(n)) != f) {
			diag("%s does not look up to itself", n);
			bad++;
		}
	}
	ok(bad == 0, "every smaps field name looks up to its field");
	ok(smaps_field_lookup("Rsx", 3) < 0 &&
	        smaps_field_lookup("Rs", 2) < 0 &&
	        smaps_field_lookup("Private_Dirtx", 13) < 0 &&
	        smaps_field_lookup("VmFlags", 7) < 0,
	    "unknown names look up to -1");
	ok(smaps_field_is_kb(SF_RSS) && !smaps_field_is_kb(SF_THP_ELIGIBLE),
	    "THPeligible is a flag, Rss a size");
	for (bad = 0, i = 0; i < vmflag_count; i++) {
		if (vmflag_lookup(vmflag_names[i]) != (int)i)
			bad++;
	}
	ok(bad == 0 && vmflag_count <= 64,
	    "every VmFlags code looks up to itself");
	ok(vmflag_lookup("rd") == 0 && vmflag_lookup("wr") == 1 &&
	        vmflag_lookup("ex") == 2 && vmflag_lookup("mt") == 35 &&
	        vmflag_lookup("zz") < 0,
	    "VmFlags in the kernel's order");
	is_str(vmflags_format(((uint64_t)1 << 0) | ((uint64_t)1 << 1) |
	               ((uint64_t)1 << 29),
	           flags, sizeof flags),
	    "rd wr mg", "VmFlags formatted back");
	ok(strcmp(target_state_name(TARGET_ZOMBIE), "zombie") == 0 &&
	        strcmp(status_field_name(ST_VM_SWAP), "VmSwap") == 0,
	    "state and status names");

	buf = fixture_slurp("smaps-java.txt", &len);
	parse_smaps(buf, len, s);
	snapshot_add_thread_sp(s, 0x7ffd0000);
	ok(snapshot_copy(c, s) == 0 && c->nregions == s->nregions &&
	        c->nthreads == 1 && c->thread_sp[0] == 0x7ffd0000 &&
	        snapshot_sum(c, SF_RSS) == snapshot_sum(s, SF_RSS) &&
	        c->strings != s->strings &&
	        memcmp(c->strings, s->strings, s->strings_len) == 0,
	    "a deep copy");
	snapshot_clear(s);
	ok(s->nregions == 0 && s->nthreads == 0 && c->nregions > 0,
	    "clearing the original leaves the copy");
	free(buf);
	snapshot_free(s);
	snapshot_free(c);
}

static void
test_small_parsers(void)
{
	struct snapshot_info info;
	struct proc_stat st;
	uint64_t sp;
	char path[256];
	size_t len;
	char *buf;
	const char stat[] =
	    "1234 (a) (b c)) S 1 1234 1234 0 -1 4194560 100 0 "
	    "0 0 5 3 0 0 20 0 3 0 98765 1000000 250 18446744073709551615 1 1 "
	    "0 140737488355328 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";

	memset(&info, 0, sizeof info);
	buf = fixture_slurp("status-python.txt", &len);
	parse_status(buf, len, &info);
	is_str(info.comm, "python3", "status Name:");
	ok((info.has_status & (1u << ST_VM_RSS)) && info.status[ST_VM_RSS] > 0,
	    "status VmRSS");
	ok((info.has_status & (1u << ST_THREADS)) &&
	        info.status[ST_THREADS] == 2,
	    "status Threads");
	free(buf);

	{
		const char meminfo[] = "MemTotal:       24683584 kB\n"
		                       "MemFree:        23000000 kB\n"
		                       "MemAvailable:   24138968 kB\n"
		                       "SwapCached:            7 kB\n"
		                       "SwapTotal:       1048572 kB\n"
		                       "SwapFree:         999999 kB\n"
		                       "HugePages_Total:       0\n";

		memset(&info, 0, sizeof info);
		ok(parse_meminfo(meminfo, sizeof meminfo - 1, &info) == 4 &&
		        info.mem_total_kb == 24683584 &&
		        info.mem_available_kb == 24138968 &&
		        info.swap_total_kb == 1048572 &&
		        info.swap_free_kb == 999999,
		    "meminfo: MemTotal, MemAvailable, SwapTotal, SwapFree "
		    "(not MemFree, SwapCached)");
		memset(&info, 0, sizeof info);
		ok(parse_meminfo("MemTotal: x kB\nSwapFree:\n", 24, &info) ==
		            0 &&
		        info.mem_total_kb == 0,
		    "meminfo without numbers: nothing taken");
	}
	ok(parse_stat(stat, sizeof stat - 1, &st) == 0, "stat parses");
	is_str(st.comm, "a) (b c)", "comm with parens and spaces");
	ok(st.state == 'S' && st.ppid == 1 && st.start_time == 98765 &&
	        st.rss_pages == 250,
	    "stat state, ppid, start time, rss");
	ok(!st.has_exit_code, "a stat line short of field 52: no exit code");
	ok(parse_stat("garbage", 7, &st) != 0, "stat garbage refused");
	{
		const char pend[] =
		    "Name:\tx\nSigPnd:\t0000000000000000\n"
		    "ShdPnd:\t0000000000000100\nSigBlk:\tffff\n";
		uint64_t mask;

		ok(parse_status_pending(pend, sizeof pend - 1, &mask) == 0 &&
		        mask == 0x100,
		    "status: SIGKILL pending for the process (ShdPnd bit 8)");
		ok(parse_status_pending("Name:\tx\n", 8, &mask) == -ENOENT &&
		        mask == 0,
		    "status without the pending lines");
	}
	{
		const char zombie[] =
		    "77 (leaker) Z 1 77 77 0 -1 4227084 0 0 0 0 0 0 0 0 20 0 1 "
		    "0 500 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 "
		    "1 0 0 0 0 0 0 0 0 0 0 0 0 9\n";

		ok(parse_stat(zombie, sizeof zombie - 1, &st) == 0 &&
		        st.state == 'Z' && st.has_exit_code &&
		        st.exit_code == 9,
		    "stat field 52: a zombie's exit code (SIGKILL)");
	}
	buf = fixture_slurp("stat-python.txt", &len);
	ok(parse_stat(buf, len, &st) == 0 && strcmp(st.comm, "python3") == 0,
	    "a real stat line");
	ok(st.image[0] == 94376755441664ull &&
	        st.image[1] == 140724735667200ull &&
	        st.image[2] == 94377792618496ull &&
	        st.image[3] == 140724735674353ull,
	    "stat: start_code, start_stack, start_brk, arg_start (an exec "
	    "changes them)");
	free(buf);

#define S(lit) lit, sizeof lit - 1
	ok(parse_syscall_sp(
	       S("7 0x1 0x2 0x3 0x4 0x5 0x6 0x7ffd1234 0x401000\n"), &sp) ==
	            0 &&
	        sp == 0x7ffd1234,
	    "syscall stack pointer");
	ok(parse_syscall_sp(S("-1 0x7ffc0000 0x401000\n"), &sp) == 0 &&
	        sp == 0x7ffc0000,
	    "syscall outside a call");
	ok(parse_syscall_sp(S("running\n"), &sp) != 0, "running thread");
	ok(parse_syscall_sp(S(""), &sp) != 0 &&
	        parse_syscall_sp(S("7 0x1 zz 0x2\n"), &sp) != 0,
	    "empty and malformed syscall lines refused");
	buf = fixture_slurp("syscall-python.txt", &len);
	*strchr(buf, '\n') = '\0';
	ok(parse_syscall_sp(buf, strlen(buf), &sp) == 0 && sp == 0x7ffd07e16650,
	    "a real syscall line");
	free(buf);
	ok(parse_cgroup_path(S("garbage\n"), path, sizeof path) == -ENOENT,
	    "no cgroup line");
	ok(parse_cgroup_path(
	       S("0::/system.slice/x.service\n"), path, sizeof path) == 0 &&
	        strcmp(path, "/system.slice/x.service") == 0,
	    "cgroup v2 path");
	ok(parse_cgroup_path(
	       S("5:cpu:/a\n4:memory:/b/c\n0::/\n"), path, sizeof path) == 1 &&
	        strcmp(path, "/b/c") == 0,
	    "cgroup v1 memory path wins");
	ok(parse_cgroup_path(S("7:cpu,memory:/m\n"), path, sizeof path) == 1 &&
	        strcmp(path, "/m") == 0,
	    "cgroup v1 memory among other controllers");
	ok(parse_cgroup_path(S("7:memoryx:/m\n0::/v2\n"), path, sizeof path) ==
	            0 &&
	        strcmp(path, "/v2") == 0,
	    "only the word memory names the memory controller");
#undef S
}

/* A target that execs keeps its PID and start time: one EXECED sample. */
static void
test_exec(void)
{
	struct snapshot *s = snapshot_new();
	struct source *src;
	char *cause = NULL;
	int pipefd[2], rc, i, status;
	pid_t child;
	char c;

	if (pipe(pipefd) != 0)
		return;
	child = fork();
	if (child == 0) {
		close(pipefd[1]);
		if (read(pipefd[0], &c, 1) == 1)
			execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(1);
	}
	close(pipefd[0]);
	src = source_live_open(child, &cause, &rc);
	ok(src != NULL && source_next(src, s, &cause) == 0 &&
	        s->state == TARGET_ALIVE,
	    "before exec: running");
	if (write(pipefd[1], "x", 1) != 1)
		diag("write: %s", strerror(errno));
	/* Until the new image sleeps: its comm changes part way through the
	 * exec, before its command line and code are in place. */
	for (i = 0; i < 200; i++) {
		char stat[128] = "";
		int fd;

		snprintf(stat, sizeof stat, "/proc/%d/stat", (int)child);
		if ((fd = open(stat, O_RDONLY)) >= 0) {
			ssize_t n = read(fd, stat, sizeof stat - 1);

			close(fd);
			stat[n > 0 ? n : 0] = '\0';
			if (strstr(stat, " (sleep) S ") != NULL)
				break;
		}
		usleep(10 * 1000);
	}
	if (src != NULL) {
		rc = source_next(src, s, &cause);
		ok(rc == 0 && s->state == TARGET_EXECED &&
		        strcmp(s->info.comm, "sleep") == 0 &&
		        strstr(s->info.cmdline, "sleep 30") != NULL,
		    "after exec: one sample marked execed, with the new comm");
		rc = source_next(src, s, &cause);
		ok(rc == 0 && s->state == TARGET_ALIVE,
		    "the next sample is running again");
		source_close(src);
	}
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	close(pipefd[1]);
	snapshot_free(s);
}

/* Another user's process: -EACCES and a cause saying what is needed. */
static void
test_denied(void)
{
	char *cause = NULL;
	struct source *src;
	int err = 0, status;
	pid_t child;

	if (geteuid() != 0) {
		src = source_live_open(1, &cause, &err);
		if (src != NULL) {
			ok(1, "# SKIP PID 1 is readable by this user");
			source_close(src);
			return;
		}
		ok(err == -EACCES && cause != NULL && strstr(cause, "root") &&
		        strstr(cause, "CAP_SYS_PTRACE"),
		    "PID 1 as a user: denied, "
		    "and the cause names root and CAP_SYS_PTRACE");
		free(cause);
		return;
	}
	child = fork();
	if (child == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(2);
		src = source_live_open(getppid(), &cause, &err);
		_exit(src == NULL && err == -EACCES && cause != NULL &&
		            strstr(cause, "/proc/") && strstr(cause, "root") &&
		            strstr(cause, "CAP_SYS_PTRACE") &&
		            (access("/proc/sys/kernel/yama", F_OK) != 0 ||
		                strstr(cause, "ptrace_scope")) ?
		        0 :
		        1);
	}
	waitpid(child, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		ok(1, "# SKIP cannot drop to uid 65534");
	else
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "root's process read as nobody: -EACCES, and the cause "
		    "names root, CAP_SYS_PTRACE (and Yama's ptrace_scope)");
}

static void
test_live(void)
{
	struct snapshot *s = snapshot_new();
	struct source *src;
	char *cause = NULL;
	int err = 0, pipefd[2], found = 0, rc, status;
	pid_t child;
	size_t i;
	char c;

	src = source_live_open(4000000, &cause, &err);
	ok(src == NULL && err == -ESRCH && cause && strstr(cause, "no process"),
	    "a wrong PID: -ESRCH, 'no process'");
	free(cause);
	cause = NULL;
	{
		char statbuf[1024];
		struct proc_stat st;
		ssize_t n = -1;
		int fd = open("/proc/2/stat", O_RDONLY);

		if (fd >= 0) {
			n = read(fd, statbuf, sizeof statbuf);
			close(fd);
		}
		if (n > 0 && parse_stat(statbuf, (size_t)n, &st) == 0 &&
		    (st.flags & 0x00200000)) {
			src = source_live_open(2, &cause, &err);
			ok(src == NULL && cause &&
			        strstr(cause, "PID 2 is a kernel thread"),
			    "PID 2: a kernel thread, said so");
			free(cause);
			cause = NULL;
		} else
			ok(1, "# SKIP PID 2 is not a kernel thread here");
	}

	if (pipe(pipefd) != 0)
		return;
	child = fork();
	if (child == 0) {
		char *p = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		memset(p, 1, 3 << 20);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	if (read(pipefd[0], &c, 1) != 1)
		return;
	src = source_live_open(child, &cause, &err);
	ok(src != NULL, "open a live child");
	if (src == NULL)
		return;
	rc = source_next(src, s, &cause);
	ok(rc == 0 && s->state == TARGET_ALIVE && s->info.pid == child,
	    "a sample of the child");
	for (i = 0; i < s->nregions; i++) {
		if (s->regions[i].end - s->regions[i].start == 8 << 20 &&
		    s->regions[i].kb[SF_RSS] >= 3072)
			found = 1;
	}
	ok(found, "its 8 MiB mapping with 3 MiB resident");
	ok(strcmp(s->info.comm, "test-parse") == 0 &&
	        strstr(s->info.cmdline, "test-parse") != NULL &&
	        (s->info.has_status & (1u << ST_VM_RSS)) &&
	        s->info.status[ST_VM_RSS] >= 3072 && s->info.start_time > 0 &&
	        s->info.mem_total_kb > 0,
	    "its comm, cmdline, status and stat");
	ok(s->seq == 0 && s->mono > 0 && s->wall > 1e9 && s->sample_ms >= 0,
	    "sample number and times");
	rc = source_next(src, s, &cause);
	ok(rc == 0 && s->seq == 1 && s->state == TARGET_ALIVE,
	    "a second sample, still running");
	kill(child, SIGKILL);
	{
		siginfo_t si; /* wait until it is a zombie, without reaping */

		waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT);
	}
	rc = source_next(src, s, &cause);
	ok(rc == 1 && s->state == TARGET_ZOMBIE, "killed, not reaped: zombie");
	ok(s->nregions > 0, "the last sample's regions stay");
	waitpid(child, &status, 0);
	rc = source_next(src, s, &cause);
	ok(rc == 1 && s->state == TARGET_EXITED, "reaped: exited");
	source_close(src);
	snapshot_free(s);
}

int
main(void)
{
	test_capture("python");
	test_capture("java");
	if (access(fixture_path("smaps-redis.txt"), R_OK) == 0)
		test_capture("redis");
	if (access(fixture_path("smaps-go.txt"), R_OK) == 0)
		test_capture("go");
	test_edge_cases();
	test_maps();
	test_tables();
	test_small_parsers();
	test_live();
	test_exec();
	test_denied();
	return tap_done();
}
