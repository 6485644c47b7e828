/*
 * snapshot.c - the snapshot container and the smaps/status field tables.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

static const struct {
	const char *name;
	uint8_t kb;
} smaps_fields[SF_COUNT] = {
	[SF_SIZE] = { "Size", 1 },
	[SF_KERNEL_PAGE_SIZE] = { "KernelPageSize", 1 },
	[SF_MMU_PAGE_SIZE] = { "MMUPageSize", 1 },
	[SF_RSS] = { "Rss", 1 },
	[SF_PSS] = { "Pss", 1 },
	[SF_PSS_DIRTY] = { "Pss_Dirty", 1 },
	[SF_PSS_ANON] = { "Pss_Anon", 1 },
	[SF_PSS_FILE] = { "Pss_File", 1 },
	[SF_PSS_SHMEM] = { "Pss_Shmem", 1 },
	[SF_SHARED_CLEAN] = { "Shared_Clean", 1 },
	[SF_SHARED_DIRTY] = { "Shared_Dirty", 1 },
	[SF_PRIVATE_CLEAN] = { "Private_Clean", 1 },
	[SF_PRIVATE_DIRTY] = { "Private_Dirty", 1 },
	[SF_REFERENCED] = { "Referenced", 1 },
	[SF_ANONYMOUS] = { "Anonymous", 1 },
	[SF_KSM] = { "KSM", 1 },
	[SF_LAZYFREE] = { "LazyFree", 1 },
	[SF_ANON_HUGE_PAGES] = { "AnonHugePages", 1 },
	[SF_SHMEM_PMD_MAPPED] = { "ShmemPmdMapped", 1 },
	[SF_FILE_PMD_MAPPED] = { "FilePmdMapped", 1 },
	[SF_SHARED_HUGETLB] = { "Shared_Hugetlb", 1 },
	[SF_PRIVATE_HUGETLB] = { "Private_Hugetlb", 1 },
	[SF_SWAP] = { "Swap", 1 },
	[SF_SWAP_PSS] = { "SwapPss", 1 },
	[SF_LOCKED] = { "Locked", 1 },
	[SF_THP_ELIGIBLE] = { "THPeligible", 0 },
	[SF_PROTECTION_KEY] = { "ProtectionKey", 0 },
};

const char *
smaps_field_name(enum smaps_field f)
{
	return f < SF_COUNT ? smaps_fields[f].name : "?";
}

int
smaps_field_is_kb(enum smaps_field f)
{
	return f < SF_COUNT && smaps_fields[f].kb;
}

/*
 * The smaps parser calls this for every field line of every mapping: a switch
 * on the length and a distinguishing byte picks the one candidate, and one
 * memcmp confirms it.
 */
int
smaps_field_lookup(const char *name, size_t len)
{
	int f = -1;

	switch (len) {
	case 3:
		f = name[0] == 'R' ? SF_RSS : name[0] == 'P' ? SF_PSS : SF_KSM;
		break;
	case 4:
		f = name[1] == 'i' ? SF_SIZE : SF_SWAP;
		break;
	case 6:
		f = SF_LOCKED;
		break;
	case 7:
		f = SF_SWAP_PSS;
		break;
	case 8:
		f = name[0] == 'L' ? SF_LAZYFREE :
		    name[4] == 'A' ? SF_PSS_ANON :
		                     SF_PSS_FILE;
		break;
	case 9:
		f = name[0] == 'A' ? SF_ANONYMOUS :
		    name[4] == 'D' ? SF_PSS_DIRTY :
		                     SF_PSS_SHMEM;
		break;
	case 10:
		f = SF_REFERENCED;
		break;
	case 11:
		f = name[0] == 'M' ? SF_MMU_PAGE_SIZE : SF_THP_ELIGIBLE;
		break;
	case 12:
		f = name[7] == 'C' ? SF_SHARED_CLEAN : SF_SHARED_DIRTY;
		break;
	case 13:
		switch (name[0]) {
		case 'A':
			f = SF_ANON_HUGE_PAGES;
			break;
		case 'F':
			f = SF_FILE_PMD_MAPPED;
			break;
		default:
			f = name[8] == 'C' ? SF_PRIVATE_CLEAN :
			    name[8] == 'D' ? SF_PRIVATE_DIRTY :
			                     SF_PROTECTION_KEY;
			break;
		}
		break;
	case 14:
		f = name[0] == 'K' ? SF_KERNEL_PAGE_SIZE :
		    name[2] == 'm' ? SF_SHMEM_PMD_MAPPED :
		                     SF_SHARED_HUGETLB;
		break;
	case 15:
		f = SF_PRIVATE_HUGETLB;
		break;
	}
	if (f < 0 || memcmp(smaps_fields[f].name, name, len) != 0)
		return -1;
	return f;
}

const char *
target_state_name(enum target_state s)
{
	switch (s) {
	case TARGET_ALIVE:
		return "running";
	case TARGET_EXITED:
		return "exited";
	case TARGET_ZOMBIE:
		return "zombie";
	case TARGET_KERNEL_THREAD:
		return "kernel-thread";
	case TARGET_REUSED:
		return "pid-reused";
	case TARGET_EXECED:
		return "execed";
	case TARGET_DENIED:
		return "denied";
	}
	return "?";
}

static const char *const status_names[ST_COUNT] = {
	[ST_VM_PEAK] = "VmPeak",
	[ST_VM_SIZE] = "VmSize",
	[ST_VM_HWM] = "VmHWM",
	[ST_VM_RSS] = "VmRSS",
	[ST_RSS_ANON] = "RssAnon",
	[ST_RSS_FILE] = "RssFile",
	[ST_RSS_SHMEM] = "RssShmem",
	[ST_VM_DATA] = "VmData",
	[ST_VM_STK] = "VmStk",
	[ST_VM_EXE] = "VmExe",
	[ST_VM_LIB] = "VmLib",
	[ST_VM_PTE] = "VmPTE",
	[ST_VM_SWAP] = "VmSwap",
	[ST_VM_LCK] = "VmLck",
	[ST_VM_PIN] = "VmPin",
	[ST_HUGETLB_PAGES] = "HugetlbPages",
	[ST_THREADS] = "Threads",
};

const char *
status_field_name(enum status_field f)
{
	return f < ST_COUNT ? status_names[f] : "?";
}

/*
 * The kernel's order, fs/proc/task_mmu.c show_smap_vma_flags(), including
 * codes later kernels dropped (dw, nl) so old captures still read; newer codes
 * are appended at the end only, as recordings store these bit positions.
 */
const char vmflag_names[][3] = {
	"rd",
	"wr",
	"ex",
	"sh",
	"mr",
	"mw",
	"me",
	"ms",
	"gd",
	"pf",
	"dw",
	"lo",
	"io",
	"sr",
	"rr",
	"dc",
	"de",
	"ac",
	"nr",
	"ht",
	"sf",
	"nl",
	"ar",
	"wf",
	"dd",
	"sd",
	"mm",
	"hg",
	"nh",
	"mg",
	"um",
	"uw",
	"ss",
	"sl",
	"bt",
	"mt",
	"ui",
	"pk",
	"lf",
	"dp",
};
const size_t vmflag_count = sizeof vmflag_names / sizeof vmflag_names[0];

#define VMF(a, b) ((unsigned)(unsigned char)(a) << 8 | (unsigned char)(b))

/* One switch, as the parser looks up every flag of every mapping. */
int
vmflag_lookup(const char *two)
{
	switch (VMF(two[0], two[1])) {
	case VMF('r', 'd'):
		return 0;
	case VMF('w', 'r'):
		return 1;
	case VMF('e', 'x'):
		return 2;
	case VMF('s', 'h'):
		return 3;
	case VMF('m', 'r'):
		return 4;
	case VMF('m', 'w'):
		return 5;
	case VMF('m', 'e'):
		return 6;
	case VMF('m', 's'):
		return 7;
	case VMF('g', 'd'):
		return 8;
	case VMF('p', 'f'):
		return 9;
	case VMF('d', 'w'):
		return 10;
	case VMF('l', 'o'):
		return 11;
	case VMF('i', 'o'):
		return 12;
	case VMF('s', 'r'):
		return 13;
	case VMF('r', 'r'):
		return 14;
	case VMF('d', 'c'):
		return 15;
	case VMF('d', 'e'):
		return 16;
	case VMF('a', 'c'):
		return 17;
	case VMF('n', 'r'):
		return 18;
	case VMF('h', 't'):
		return 19;
	case VMF('s', 'f'):
		return 20;
	case VMF('n', 'l'):
		return 21;
	case VMF('a', 'r'):
		return 22;
	case VMF('w', 'f'):
		return 23;
	case VMF('d', 'd'):
		return 24;
	case VMF('s', 'd'):
		return 25;
	case VMF('m', 'm'):
		return 26;
	case VMF('h', 'g'):
		return 27;
	case VMF('n', 'h'):
		return 28;
	case VMF('m', 'g'):
		return 29;
	case VMF('u', 'm'):
		return 30;
	case VMF('u', 'w'):
		return 31;
	case VMF('s', 's'):
		return 32;
	case VMF('s', 'l'):
		return 33;
	case VMF('b', 't'):
		return 34;
	case VMF('m', 't'):
		return 35;
	case VMF('u', 'i'):
		return 36;
	case VMF('p', 'k'):
		return 37;
	case VMF('l', 'f'):
		return 38;
	case VMF('d', 'p'):
		return 39;
	}
	return -1;
}

#undef VMF

char *
vmflags_format(uint64_t flags, char *buf, size_t size)
{
	size_t i, o = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < vmflag_count; i++) {
		if (!(flags & ((uint64_t)1 << i)))
			continue;
		if (o + 4 > size)
			break;
		if (o > 0)
			buf[o++] = ' ';
		buf[o++] = vmflag_names[i][0];
		buf[o++] = vmflag_names[i][1];
		buf[o] = '\0';
	}
	return buf;
}

struct snapshot *
snapshot_new(void)
{
	return calloc(1, sizeof(struct snapshot));
}

void
snapshot_free(struct snapshot *s)
{
	if (s == NULL)
		return;
	free(s->regions);
	free(s->strings);
	free(s->thread_sp);
	free(s);
}

void
snapshot_clear(struct snapshot *s)
{
	s->nregions = 0;
	s->strings_len = 0;
	s->nthreads = 0;
	s->torn = 0;
	s->stale = 0;
	s->full_wall = 0;
}

/* Grow *p (of *cap elements of size each) to hold want; 0 or -ENOMEM. */
static int
grow(void **p, size_t *cap, size_t want, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (want <= *cap)
		return 0;
	while (n < want)
		n *= 2;
	if ((q = realloc(*p, n * size)) == NULL)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

struct region *
snapshot_add_region(struct snapshot *s, const struct region *r,
    const char *path, size_t path_len)
{
	struct region *nr;

	if (path_len > UINT32_MAX / 2 ||
	    grow((void **)&s->regions, &s->regions_cap, s->nregions + 1,
	        sizeof *s->regions) != 0 ||
	    grow((void **)&s->strings, &s->strings_cap,
	        s->strings_len + path_len + 1, 1) != 0)
		return NULL;
	nr = &s->regions[s->nregions++];
	*nr = *r;
	nr->path_off = (uint32_t)s->strings_len;
	nr->path_len = (uint32_t)path_len;
	if (path_len > 0)
		memcpy(s->strings + s->strings_len, path, path_len);
	s->strings[s->strings_len + path_len] = '\0';
	s->strings_len += path_len + 1;
	return nr;
}

int
snapshot_set_path(
    struct snapshot *s, size_t i, const char *path, size_t path_len)
{
	size_t off = s->strings_len;

	if (path_len > UINT32_MAX / 2 ||
	    grow((void **)&s->strings, &s->strings_cap, off + path_len + 1,
	        1) != 0)
		return -ENOMEM;
	memcpy(s->strings + off, path, path_len);
	s->strings[off + path_len] = '\0';
	s->strings_len += path_len + 1;
	s->regions[i].path_off = (uint32_t)off;
	s->regions[i].path_len = (uint32_t)path_len;
	return 0;
}

int
snapshot_add_thread_sp(struct snapshot *s, uint64_t sp)
{
	if (grow((void **)&s->thread_sp, &s->threads_cap, s->nthreads + 1,
	        sizeof *s->thread_sp) != 0)
		return -ENOMEM;
	s->thread_sp[s->nthreads++] = sp;
	return 0;
}

int
snapshot_copy(struct snapshot *dst, const struct snapshot *src)
{
	struct region *regions = dst->regions;
	char *strings = dst->strings;
	uint64_t *sp = dst->thread_sp;
	size_t rc = dst->regions_cap, sc = dst->strings_cap;
	size_t tc = dst->threads_cap;

	if (grow((void **)&regions, &rc, src->nregions, sizeof *regions) ||
	    grow((void **)&strings, &sc, src->strings_len, 1) ||
	    grow((void **)&sp, &tc, src->nthreads, sizeof *sp)) {
		dst->regions = regions;
		dst->strings = strings;
		dst->thread_sp = sp;
		dst->regions_cap = rc;
		dst->strings_cap = sc;
		dst->threads_cap = tc;
		return -ENOMEM;
	}
	*dst = *src;
	dst->regions = regions;
	dst->strings = strings;
	dst->thread_sp = sp;
	dst->regions_cap = rc;
	dst->strings_cap = sc;
	dst->threads_cap = tc;
	if (src->nregions)
		memcpy(regions, src->regions, src->nregions * sizeof *regions);
	if (src->strings_len)
		memcpy(strings, src->strings, src->strings_len);
	if (src->nthreads)
		memcpy(sp, src->thread_sp, src->nthreads * sizeof *sp);
	return 0;
}

bool
snapshot_same_regions(const struct snapshot *a, const struct snapshot *b)
{
	return a->nregions == b->nregions && a->strings_len == b->strings_len &&
	    a->nthreads == b->nthreads &&
	    a->info.cmdline_len == b->info.cmdline_len &&
	    memcmp(a->info.cmdline, b->info.cmdline, sizeof a->info.cmdline) ==
	    0 &&
	    memcmp(&a->info.runtime, &b->info.runtime,
	        sizeof a->info.runtime) == 0 &&
	    (a->nthreads == 0 ||
	        memcmp(a->thread_sp, b->thread_sp,
	            a->nthreads * sizeof *a->thread_sp) == 0) &&
	    (a->nregions == 0 ||
	        memcmp(a->regions, b->regions,
	            a->nregions * sizeof *a->regions) == 0) &&
	    (a->strings_len == 0 ||
	        memcmp(a->strings, b->strings, a->strings_len) == 0);
}

int
snapshot_copy_head(struct snapshot *dst, const struct snapshot *src)
{
	struct snapshot keep = *dst;
	uint64_t *sp = dst->thread_sp;
	size_t tc = dst->threads_cap;

	if (grow((void **)&sp, &tc, src->nthreads, sizeof *sp)) {
		dst->thread_sp = sp;
		dst->threads_cap = tc;
		return -ENOMEM;
	}
	*dst = *src;
	dst->regions = keep.regions;
	dst->nregions = keep.nregions;
	dst->regions_cap = keep.regions_cap;
	dst->strings = keep.strings;
	dst->strings_len = keep.strings_len;
	dst->strings_cap = keep.strings_cap;
	dst->thread_sp = sp;
	dst->threads_cap = tc;
	if (src->nthreads)
		memcpy(sp, src->thread_sp, src->nthreads * sizeof *sp);
	return 0;
}

uint64_t
snapshot_sum(const struct snapshot *s, enum smaps_field f)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < s->nregions; i++)
		sum += s->regions[i].kb[f];
	return sum;
}
