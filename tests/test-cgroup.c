/*
 * test-cgroup.c - the cgroup parsers on fixture files (v1 and v2, missing,
 * huge and garbled values), who a cgroup is from its path (Kubernetes with
 * both drivers, containerd, CRI-O, Docker, podman, systemd), and the reader
 * on fixture trees laid out as the kernel lays out /sys/fs/cgroup.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "proc-parse.h"
#include "tap.h"

#define S(lit) lit, sizeof lit - 1
#define BIT(x) ((uint64_t)1 << (x))

static char *
slurp(const char *name, size_t *len)
{
	FILE *f = fopen(fixture_path(name), "rb");
	char *buf = malloc(1 << 16);

	if (f == NULL || buf == NULL) {
		diag("cannot open %s", fixture_path(name));
		exit(1);
	}
	*len = fread(buf, 1, (1 << 16) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void
test_keyed(void)
{
	static const struct keyed_field t[] = { { "oom", 0 }, { "oom_kill", 1 },
		{ "oom_group_kill", 2 }, { "high", 3 } };
	uint64_t v[8] = { 0 }, has = 0;
	size_t len;
	char *buf;

	ok(parse_keyed(S("low 0\nhigh 12\nmax 3\noom 2\noom_kill 1\n"
	                 "oom_group_kill 0\n"),
	       t, 4, v, &has) == 4 &&
	        has == 15 && v[0] == 2 && v[1] == 1 && v[2] == 0 && v[3] == 12,
	    "memory.events: each field by its whole name");
	has = 0;
	ok(parse_keyed(S("oom_kill_disable 1\nunder_oom 1\n"), t, 4, v, &has) ==
	            0 &&
	        has == 0,
	    "oom_kill_disable is not oom_kill");
	has = 0;
	ok(parse_keyed(S("oom_kill 5 extra\noom_kill -1\noom_kill\n"
	                 "oom_kill 0x10\noom 18446744073709551616\n"),
	       t, 4, v, &has) == 1 &&
	        has == 1 && v[0] == UINT64_MAX,
	    "garbled values skipped, a huge one saturates");
	has = 0;
	ok(parse_keyed(S("oom 7"), t, 4, v, &has) == 1 && v[0] == 7,
	    "a last line without a newline");

	/* The bug this replaces: any file's "oom_kill " line was taken. */
	buf = slurp("cgroup/v1/docker/0123456789abcdef0123456789abcdef0123456"
	            "789abcdef0123456789abcdef/memory.stat",
	    &len);
	has = 0;
	ok(parse_keyed(buf, len, t + 1, 1, v, &has) == 1 && v[1] == 77,
	    "v1 memory.stat has an oom_kill line of its own (read only "
	    "where asked)");
	free(buf);
}

static void
test_value_psi(void)
{
	struct psi p;
	uint64_t v = 1;

	ok(parse_cg_value(S("104857600\n"), &v) == 0 && v == 104857600,
	    "memory.current");
	ok(parse_cg_value(S("max\n"), &v) == 0 && v == CG_UNLIMITED,
	    "memory.max: max is no limit");
	ok(parse_cg_value(S("99999999999999999999999\n"), &v) == 0 &&
	        v == UINT64_MAX,
	    "a huge value saturates");
	ok(parse_cg_value(S("lots\n"), &v) == -EINVAL &&
	        parse_cg_value(S("12 34\n"), &v) == -EINVAL &&
	        parse_cg_value(S("\n"), &v) == -EINVAL &&
	        parse_cg_value(S(""), &v) == -EINVAL &&
	        parse_cg_value(S("maxi\n"), &v) == -EINVAL &&
	        parse_cg_value(S("-1\n"), &v) == -EINVAL,
	    "garbage, two numbers, empty, a negative: no value");

	ok(parse_psi(S("some avg10=31.50 avg60=12.00 avg300=3.25 "
	               "total=9876543\nfull avg10=22.75 avg60=8.00 "
	               "avg300=1.00 total=5432100\n"),
	       &p) == 2 &&
	        p.some.present && p.full.present && p.full.avg10 == 22.75 &&
	        p.some.avg300 == 3.25 && p.full.total == 5432100,
	    "memory.pressure: some and full");
	ok(parse_psi(S("some avg10=abc avg60=0.00 avg300=0.00 total=1\n"
	               "full avg10=1.5\n"),
	       &p) == 0 &&
	        !p.some.present && !p.full.present,
	    "garbled and short PSI lines are absent");
	ok(parse_psi(S("full avg10=99999999999999.99 avg60=0 avg300=0 "
	               "total=1\n"),
	       &p) == 1 &&
	        p.full.avg10 <= 1e9,
	    "a huge PSI figure is bounded");
}

static void
test_paths_mounts(void)
{
	struct cgroup_mounts m;
	char v1[64], v2[64];

	ok(parse_cgroup_paths(S("12:pids:/a\n4:memory:/docker/x\n0::/\n"), v1,
	       sizeof v1, v2, sizeof v2) == 3 &&
	        strcmp(v1, "/docker/x") == 0 && strcmp(v2, "/") == 0,
	    "both the v1 memory path and the v2 one");
	ok(parse_cgroup_paths(S("0::/system.slice/a.service\n"), v1, sizeof v1,
	       v2, sizeof v2) == 2 &&
	        strcmp(v2, "/system.slice/a.service") == 0,
	    "a v2-only system");
	ok(parse_cgroup_mounts(
	       S("30 24 0:26 / /sys/fs/cgroup/unified rw,nosuid shared:6 - "
	         "cgroup2 cgroup2 rw,nsdelegate\n"
	         "34 24 0:30 / /sys/fs/cgroup/memory rw shared:9 - cgroup "
	         "cgroup rw,memory\n"
	         "35 24 0:31 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup "
	         "rw,cpu,cpuacct\n"),
	       &m) == 2 &&
	        strcmp(m.v2, "/sys/fs/cgroup/unified") == 0 &&
	        strcmp(m.v1_memory, "/sys/fs/cgroup/memory") == 0 &&
	        strcmp(m.v1_memory_root, "/") == 0,
	    "mountinfo: the cgroup2 mount and the v1 memory one");
	ok(parse_cgroup_mounts(
	       S("40 30 0:40 /docker/abc /sys/fs/cgroup/my\\040mem ro - "
	         "cgroup cgroup ro,memory\n"),
	       &m) == 1 &&
	        strcmp(m.v1_memory, "/sys/fs/cgroup/my mem") == 0 &&
	        strcmp(m.v1_memory_root, "/docker/abc") == 0 && m.v2[0] == 0,
	    "an escaped mount point, a sub-tree root, no v2");
	ok(parse_cgroup_mounts(S("junk\n1 2 3\n- cgroup2\n"), &m) == 0,
	    "no mount in junk");
}

static void
test_owner(void)
{
	char line[1024], out[256];
	struct cgroup_facts f;
	size_t len, n = 0;
	char *buf = slurp("cgroup/owner-paths.txt", &len), *p = buf;
	static const char *const kinds[] = { "unknown", "pod", "container",
		"service", "scope", "slice", "root" };

	while (p != NULL && *p != '\0') {
		char *nl = strchr(p, '\n'), *path, *kind, *want;

		if (nl != NULL)
			*nl = '\0';
		snprintf(line, sizeof line, "%s", p);
		p = nl != NULL ? nl + 1 : NULL;
		if (line[0] == '#' || line[0] == '\0')
			continue;
		path = strtok(line, "\t");
		kind = strtok(NULL, "\t");
		want = strtok(NULL, "\t");
		memset(&f, 0, sizeof f);
		snprintf(f.path, sizeof f.path, "%s", path);
		parse_cgroup_owner(path, strlen(path), &f.owner);
		cgroup_owner_format(&f, out, sizeof out);
		n++;
		if (!ok(f.owner.kind < 7 &&
		            strcmp(kinds[f.owner.kind], kind) == 0 &&
		            strcmp(out, want) == 0,
		        "owner of %s: %s", path, want))
			diag("got %s: %s", kinds[f.owner.kind % 7], out);
	}
	ok(n >= 18, "every fixture path was tried (%zu)", n);
	free(buf);
}

static void
test_kmsg(void)
{
	struct kmsg_oom k;
	size_t len;
	char *buf = slurp("cgroup/kmsg-oom.txt", &len);

	ok(parse_kmsg_oom(buf, len, 4242, &k) == 1 && k.memcg && k.constraint &&
	        k.constraint_memcg &&
	        strcmp(k.oom_memcg, "/memtop-test/limited") == 0 &&
	        strcmp(k.comm, "leaker") == 0,
	    "kmsg: a cgroup OOM kill of 4242, whose limit, its name");
	ok(parse_kmsg_oom(buf, len, 5555, &k) == 1 && !k.memcg &&
	        k.constraint && !k.constraint_memcg && k.oom_memcg[0] == 0,
	    "kmsg: a system OOM kill of 5555");
	ok(parse_kmsg_oom(buf, len, 424, &k) == 0 &&
	        parse_kmsg_oom(buf, len, 42424, &k) == 0 && !k.constraint &&
	        k.other_kills == 2,
	    "kmsg: another PID's kill is not ours (424, 42424), but counted");
	ok(parse_kmsg_oom(buf, len, 7777, &k) == 0,
	    "kmsg: a PID named only in a message's text is no kill");
	free(buf);
}

/* A reader on a fixture tree: proc is the directory with the cgroup file. */
static struct cgroup_reader *
open_fixture(const char *proc, const char *v1, const char *v2, int *fd)
{
	struct cgroup_mounts m;

	memset(&m, 0, sizeof m);
	if (v1 != NULL)
		snprintf(
		    m.v1_memory, sizeof m.v1_memory, "%s", fixture_path(v1));
	if (v2 != NULL)
		snprintf(m.v2, sizeof m.v2, "%s", fixture_path(v2));
	strcpy(m.v1_memory_root, "/");
	strcpy(m.v2_root, "/");
	*fd = open(fixture_path(proc), O_RDONLY | O_DIRECTORY);
	return cgroup_reader_open_mounts(*fd, &m);
}

static void
test_reader_v2(void)
{
	struct cgroup_facts f;
	struct cgroup_reader *r;
	char path[CG_PATH_MAX], who[256];
	uint64_t kills = 0, group = 0;
	int fd;

	r = open_fixture("cgroup/proc-v2", "cgroup/none", "cgroup/v2", &fd);
	ok(cgroup_read(r, &f) == 0 && f.version == CGROUP_V2,
	    "v2: found where the v1 memory hierarchy is not");
	ok(cg_has(&f, CG_CURRENT) && f.v[CG_CURRENT] == 104857600 &&
	        f.v[CG_MAX] == 536870912 && f.v[CG_HIGH] == 100663296 &&
	        f.v[CG_PEAK] == 115343360 && f.v[CG_SWAP_MAX] == CG_UNLIMITED,
	    "v2: current, max, high, peak, swap.max");
	ok(f.v[CG_ANON] == 104857600 && f.v[CG_SHMEM] == 1048576 &&
	        f.v[CG_KERNEL] == 3145728 &&
	        f.v[CG_SLAB_UNRECLAIMABLE] == 524288 &&
	        f.v[CG_FILE_DIRTY] == 4096 && f.v[CG_PGMAJFAULT] == 3 &&
	        f.v[CG_REFAULT_FILE] == 12 && f.v[CG_INACTIVE_FILE] == 1048576,
	    "v2 memory.stat by name");
	ok(f.v[CG_EV_OOM] == 2 && f.v[CG_EV_OOM_KILL] == 3 &&
	        f.v[CG_EV_OOM_GROUP_KILL] == 1 && f.v[CG_EV_HIGH] == 42 &&
	        f.v[CG_EV_LOCAL_OOM_KILL] == 2 && f.v[CG_EV_LOCAL_OOM] == 1,
	    "v2 memory.events and memory.events.local");
	ok(!cg_has(&f, CG_UNDER_OOM) && !cg_has(&f, CG_SOFT_LIMIT) &&
	        !cg_has(&f, CG_MEMSW_MAX),
	    "v1's fields absent");
	ok(f.v[CG_NPROCS] == 3, "three processes in cgroup.procs");
	ok(f.oom_kills == 0, "no OOM kill since the reader began (3 before)");
	ok(f.psi.scope == PSI_CGROUP && f.psi.full.avg10 == 22.75,
	    "the cgroup's memory.pressure");
	ok(f.limit.max == 268435456 && f.limit.up == 1 &&
	        strcmp(cgroup_limit_path(&f, path, sizeof path),
	            "/kubepods.slice/kubepods-burstable.slice/"
	            "kubepods-burstable-pod1f2e3d4c_5b6a_4789_8abc_"
	            "def012345678.slice") == 0,
	    "the pod's 256M binds, not the container's 512M");
	ok(f.limit.current == 150994944 && f.limit.has_usage &&
	        f.limit.unreclaimable ==
	            125829120ull + 2097152 + 8388608 - 4194304,
	    "the binding cgroup's usage: anon + shmem + kernel - "
	    "reclaimable slab");
	ok(f.limit.swap_max == 0, "an ancestor's swap.max 0: no swap");
	ok(f.limit.at_high, "the container is over its memory.high");
	ok(f.owner.kind == OWNER_K8S_POD &&
	        strcmp(cgroup_owner_format(&f, who, sizeof who),
	            "pod 1f2e3d4c-5b6a-4789-8abc-def012345678 (burstable), "
	            "container 4b2c9d01a2b3 (containerd)") == 0,
	    "who: %s", who);
	ok(cgroup_read_oom_kills(r, &kills, &group) == 0 && kills == 3 &&
	        group == 1,
	    "the OOM-kill counters through the pinned directory");
	ok(cgroup_share_pct(&f, 51200, 512) == 50.0 &&
	        cgroup_share_pct(&f, 1 << 30, 0) == 100.0,
	    "the target's share: RssAnon + RssShmem of the cgroup's anon + "
	    "shmem (%.1f%%), at most all of it",
	    cgroup_share_pct(&f, 51200, 512));
	cgroup_reader_close(r);
	close(fd);
}

/* A cgroup below the last one with the memory controller: its memory is
 * charged to that one. */
static void
test_reader_v2_sub(void)
{
	struct cgroup_facts f;
	struct cgroup_reader *r;
	int fd;

	r = open_fixture("cgroup/proc-v2-sub", NULL, "cgroup/v2", &fd);
	ok(cgroup_read(r, &f) == 0 && f.version == CGROUP_V2 &&
	        strstr(f.path, "/no-memory-here") == NULL &&
	        strstr(f.path, "cri-containerd-") != NULL &&
	        f.v[CG_CURRENT] == 104857600,
	    "v2 without the memory controller down to the cgroup: the "
	    "nearest ancestor that has it");
	cgroup_reader_close(r);
	close(fd);
}

static void
test_reader_v1(void)
{
	struct cgroup_facts f;
	struct cgroup_reader *r;
	char path[CG_PATH_MAX], who[256];
	int fd;

	r = open_fixture("cgroup/proc-v1", "cgroup/v1", "cgroup/v2", &fd);
	ok(cgroup_read(r, &f) == 0 && f.version == CGROUP_V1,
	    "v1: the memory controller's line wins");
	ok(f.v[CG_CURRENT] == 73400320 && f.v[CG_MAX] == 100663296 &&
	        f.v[CG_SOFT_LIMIT] == CG_UNLIMITED &&
	        f.v[CG_MEMSW_MAX] == 201326592 && f.v[CG_PEAK] == 80000000 &&
	        f.v[CG_KERNEL] == 1048576,
	    "v1: usage, limit, soft limit (none), memsw, peak, kmem");
	ok(f.v[CG_ANON] == 62914560 && f.v[CG_FILE] == 8388608 &&
	        f.v[CG_SHMEM] == 1048576 && f.v[CG_SWAP] == 1048576 &&
	        f.v[CG_REFAULT_FILE] == 3,
	    "v1 memory.stat: rss, cache, shmem, total_swap by name");
	ok(f.v[CG_EV_OOM_KILL] == 1 && f.v[CG_UNDER_OOM] == 0 &&
	        cg_has(&f, CG_OOM_KILL_DISABLE),
	    "v1 memory.oom_control (not memory.stat's oom_kill 77)");
	ok(!cg_has(&f, CG_EV_OOM) && !cg_has(&f, CG_HIGH),
	    "v2's fields absent");
	ok(f.limit.max == 100663296 && f.limit.up == 0 &&
	        strcmp(cgroup_limit_path(&f, path, sizeof path), f.path) == 0 &&
	        f.limit.swap_max == 100663296 &&
	        f.limit.unreclaimable == 62914560 + 1048576 &&
	        f.limit.swap == 1048576,
	    "v1: its own 96M binds; memsw leaves 96M of swap; rss + shmem");
	ok(f.psi.scope == PSI_SYSTEM || f.psi.scope == PSI_NONE,
	    "v1 in the root v2 cgroup: the system's pressure");
	ok(strcmp(cgroup_owner_format(&f, who, sizeof who),
	       "docker container 0123456789ab") == 0,
	    "who: %s", who);
	cgroup_reader_close(r);
	close(fd);
}

static void
test_reader_bad(void)
{
	struct cgroup_facts f;
	struct cgroup_reader *r;
	int fd;

	r = open_fixture("cgroup/proc-bad", NULL, "cgroup/bad", &fd);
	ok(cgroup_read(r, &f) == 0 && f.version == CGROUP_V2,
	    "a garbled cgroup is still read");
	ok(!cg_has(&f, CG_CURRENT) && !cg_has(&f, CG_HIGH) &&
	        !cg_has(&f, CG_PEAK) && f.v[CG_MAX] == CG_UNLIMITED,
	    "garbage, two numbers, empty: absent; a huge limit is none");
	ok(f.v[CG_ANON] == UINT64_MAX && !cg_has(&f, CG_FILE) &&
	        !cg_has(&f, CG_KERNEL) &&
	        f.v[CG_SLAB_UNRECLAIMABLE] == UINT64_MAX,
	    "memory.stat: huge values saturate, garbled ones are absent");
	ok(f.v[CG_EV_OOM] == 1 && !cg_has(&f, CG_EV_OOM_KILL) &&
	        !cg_has(&f, CG_EV_OOM_GROUP_KILL) &&
	        f.v[CG_EV_HIGH] == UINT64_MAX && f.oom_kills == 0,
	    "memory.events: 'oom_kill 5 extra' is no count; memory.stat's "
	    "oom_kill is not read as one");
	ok(f.limit.max == CG_UNLIMITED && f.limit.unreclaimable == UINT64_MAX,
	    "what cannot be reclaimed saturates instead of wrapping");
	ok(f.psi.scope != PSI_CGROUP, "garbled memory.pressure: not used");
	cgroup_reader_close(r);
	close(fd);

	r = open_fixture("cgroup/proc-none", "cgroup/v1", "cgroup/v2", &fd);
	ok(cgroup_read(r, &f) == 0 && f.version == CGROUP_NONE && f.has == 0 &&
	        f.limit.max == CG_UNLIMITED,
	    "no memory controller line: no facts, no limit");
	cgroup_reader_close(r);
	close(fd);

	fd = open("/nonexistent", O_RDONLY);
	r = open_fixture("cgroup/proc-gone", "cgroup/v1", "cgroup/v2", &fd);
	ok(cgroup_read(r, &f) < 0 && f.version == CGROUP_NONE,
	    "a process gone: an error, no facts");
	cgroup_reader_close(r);
}

int
main(void)
{
	test_keyed();
	test_value_psi();
	test_paths_mounts();
	test_owner();
	test_kmsg();
	test_reader_v2();
	test_reader_v2_sub();
	test_reader_v1();
	test_reader_bad();
	return tap_done();
}
