/*
 * exe-probe.c - what program a process runs, from its ELF file.
 *
 * The file is the target's own (/proc/PID/exe), so anything may be in it:
 * every offset, count and length read from it is checked against the
 * file's size before use, and every loop has a fixed bound.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exe-probe.h"

#define MAX_SECTIONS   65536
#define MAX_SEGMENTS   64
#define SCAN_MAX       (32u << 20) /* bytes of data segment searched */
#define SCAN_CHUNK     (16u << 10)
#define BUILDINFO_HEAD 32

static const char go_magic[14] = "\xff Go buildinf:";

/* The ELF file: an fd read with pread, or bytes in memory. */
struct elf_in {
	int fd; /* -1: mem */
	const uint8_t *mem;
	uint64_t size;
	int big; /* ELFDATA2MSB */
	int is64;
	struct {
		uint64_t vaddr, off, filesz;
		uint32_t flags;
	} load[MAX_SEGMENTS];
	size_t nload;
};

/* Read len bytes at off; 0, or -1 when any of them lies past the end. */
static int
in_read(const struct elf_in *in, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;

	if (off > in->size || len > in->size - off)
		return -1;
	if (in->fd < 0) {
		memcpy(buf, in->mem + off, len);
		return 0;
	}
	while (done < len) {
		ssize_t n = pread(in->fd, (char *)buf + done, len - done,
		    (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* An n-byte (1, 2, 4, 8) unsigned field in the file's byte order. */
static uint64_t
in_uint(const struct elf_in *in, const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[in->big ? n - 1 - i : i] << (8 * i);
	return v;
}

/* File offset of virtual address v, through the PT_LOAD segments; 0 with
 * *off set, -1 when no segment holds n bytes there. */
static int
in_vaddr(const struct elf_in *in, uint64_t v, uint64_t n, uint64_t *off)
{
	size_t i;

	for (i = 0; i < in->nload; i++) {
		uint64_t a = in->load[i].vaddr, len = in->load[i].filesz;

		if (v >= a && v - a <= len && n <= len - (v - a)) {
			*off = in->load[i].off + (v - a);
			return 0;
		}
	}
	return -1;
}

/* "go1.19.8", "devel go1.27-abc": the numbers after "go". */
static void
parse_go_version(struct runtime_facts *out)
{
	const char *p = strstr(out->go_version, "go");
	unsigned major = 0, minor = 0;

	if (p == NULL)
		return;
	for (p += 2; *p >= '0' && *p <= '9' && major < 256; p++)
		major = major * 10 + (unsigned)(*p - '0');
	if (*p++ != '.')
		return;
	for (; *p >= '0' && *p <= '9' && minor < 256; p++)
		minor = minor * 10 + (unsigned)(*p - '0');
	if (major > 0 && major < 256 && minor < 256) {
		out->go_major = (uint8_t)major;
		out->go_minor = (uint8_t)minor;
	}
}

/* Keep a version string of len bytes (cut to fit), printable only. */
static void
set_go_version(struct runtime_facts *out, const uint8_t *s, uint64_t len)
{
	size_t i,
	    n = len < sizeof out->go_version - 1 ? (size_t)len :
	                                           sizeof out->go_version - 1;

	for (i = 0; i < n; i++)
		out->go_version[i] =
		    s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	out->go_version[n] = '\0';
	parse_go_version(out);
}

/*
 * The build information at file offset off: "\xff Go buildinf:", the
 * pointer size, flags; then (Go 1.18+, flag 2) the version as a
 * varint-prefixed string, or (before) a pointer to a string header.
 */
static int
read_buildinfo(const struct elf_in *in, uint64_t off, struct runtime_facts *out)
{
	uint8_t h[BUILDINFO_HEAD], s[48], hdr[16];
	uint64_t len = 0, v, soff;
	size_t n, i;
	int shift = 0, psize;
	struct elf_in le = *in;

	if (in_read(in, off, h, sizeof h) != 0 ||
	    memcmp(h, go_magic, sizeof go_magic) != 0)
		return -1;
	out->flags |= RT_GO;
	psize = h[14];
	if (h[15] & 2) {
		n = in->size - (off + sizeof h) < sizeof s ?
		    (size_t)(in->size - (off + sizeof h)) :
		    sizeof s;
		if (in_read(in, off + sizeof h, s, n) != 0)
			return 0;
		for (i = 0; i < n && i < 10; i++) {
			len |= (uint64_t)(s[i] & 0x7f) << shift;
			shift += 7;
			if (!(s[i] & 0x80))
				break;
		}
		if (i >= n || i >= 10)
			return 0;
		i++;
		set_go_version(out, s + i, len < n - i ? len : n - i);
		return 0;
	}
	/* Pointers in the binary's byte order (flag 1: big-endian). */
	if (psize != 4 && psize != 8)
		return 0;
	le.big = h[15] & 1;
	v = in_uint(&le, h + 16, psize);
	if (in_vaddr(in, v, (uint64_t)psize * 2, &soff) != 0 ||
	    in_read(in, soff, hdr, (size_t)psize * 2) != 0)
		return 0;
	v = in_uint(&le, hdr, psize);
	len = in_uint(&le, hdr + psize, psize);
	if (len > sizeof s)
		len = sizeof s;
	if (in_vaddr(in, v, len, &soff) != 0 ||
	    in_read(in, soff, s, (size_t)len) != 0)
		return 0;
	set_go_version(out, s, len);
	return 0;
}

/* Without section headers (stripped hard), the build information is still
 * at a 16-byte boundary of the first writable segment. */
static void
scan_buildinfo(const struct elf_in *in, struct runtime_facts *out)
{
	uint8_t buf[SCAN_CHUNK];
	uint64_t off, end, pos;
	size_t i, k, n;

	for (i = 0; i < in->nload; i++) {
		if (!(in->load[i].flags & 2))
			continue;
		off = in->load[i].off & ~(uint64_t)15;
		end = in->load[i].filesz < SCAN_MAX ?
		    in->load[i].off + in->load[i].filesz :
		    in->load[i].off + SCAN_MAX;
		if (end > in->size)
			end = in->size;
		for (pos = off; pos < end; pos += SCAN_CHUNK) {
			n = end - pos < SCAN_CHUNK ? (size_t)(end - pos) :
			                             SCAN_CHUNK;
			if (in_read(in, pos, buf, n) != 0)
				return;
			for (k = 0; k + sizeof go_magic <= n; k += 16) {
				if (buf[k] == 0xff &&
				    memcmp(buf + k, go_magic,
				        sizeof go_magic) == 0) {
					read_buildinfo(in, pos + k, out);
					return;
				}
			}
		}
		return;
	}
}

/* Program headers: the PT_LOAD segments, and whether there is a PT_INTERP. */
static void
read_segments(struct elf_in *in, uint64_t phoff, unsigned phentsize,
    unsigned phnum, struct runtime_facts *out)
{
	uint8_t ph[56];
	unsigned i, need = in->is64 ? 56 : 32;

	if (phentsize < need)
		return;
	for (i = 0; i < phnum; i++) {
		uint64_t at = phoff + (uint64_t)i * phentsize;
		uint32_t type;

		if (phoff > in->size || in_read(in, at, ph, need) != 0)
			return;
		type = (uint32_t)in_uint(in, ph, 4);
		if (type == 3) /* PT_INTERP */
			out->flags |= RT_DYNAMIC;
		if (type != 1 || in->nload == MAX_SEGMENTS) /* PT_LOAD */
			continue;
		if (in->is64) {
			in->load[in->nload].flags =
			    (uint32_t)in_uint(in, ph + 4, 4);
			in->load[in->nload].off = in_uint(in, ph + 8, 8);
			in->load[in->nload].vaddr = in_uint(in, ph + 16, 8);
			in->load[in->nload].filesz = in_uint(in, ph + 32, 8);
		} else {
			in->load[in->nload].off = in_uint(in, ph + 4, 4);
			in->load[in->nload].vaddr = in_uint(in, ph + 8, 4);
			in->load[in->nload].filesz = in_uint(in, ph + 16, 4);
			in->load[in->nload].flags =
			    (uint32_t)in_uint(in, ph + 24, 4);
		}
		in->nload++;
	}
}

/* Section headers: .go.buildinfo and .PyRuntime, by name.  0 when the
 * section headers could be read (whatever they hold), -1 when not. */
static int
read_sections(const struct elf_in *in, uint64_t shoff, unsigned shentsize,
    uint64_t shnum, uint64_t shstrndx, struct runtime_facts *out)
{
	uint8_t sh[64], name[16];
	uint64_t stroff, strsize, i;
	unsigned need = in->is64 ? 64 : 40;

	if (shoff == 0 || shentsize < need || shoff > in->size)
		return -1;
	if (shnum == 0 && in_read(in, shoff, sh, need) == 0) /* >= 0xff00 */
		shnum = in->is64 ? in_uint(in, sh + 32, 8) :
		                   in_uint(in, sh + 20, 4);
	if (shnum > MAX_SECTIONS)
		shnum = MAX_SECTIONS;
	if (shstrndx == 0xffff && in_read(in, shoff, sh, need) == 0)
		shstrndx = in_uint(in, sh + (in->is64 ? 40 : 24), 4);
	if (shstrndx >= shnum ||
	    in_read(in, shoff + shstrndx * shentsize, sh, need) != 0)
		return -1;
	stroff = in->is64 ? in_uint(in, sh + 24, 8) : in_uint(in, sh + 16, 4);
	strsize = in->is64 ? in_uint(in, sh + 32, 8) : in_uint(in, sh + 20, 4);
	for (i = 0; i < shnum; i++) {
		uint64_t nm, off;
		size_t n;

		if (in_read(in, shoff + i * shentsize, sh, need) != 0)
			break;
		nm = in_uint(in, sh, 4);
		if (nm >= strsize)
			continue;
		n = strsize - nm < sizeof name ? (size_t)(strsize - nm) :
		                                 sizeof name;
		memset(name, 0, sizeof name);
		if (in_read(in, stroff + nm, name, n) != 0)
			continue;
		off = in->is64 ? in_uint(in, sh + 24, 8) :
		                 in_uint(in, sh + 16, 4);
		if (memcmp(name, ".go.buildinfo", 14) == 0)
			read_buildinfo(in, off, out);
		else if (memcmp(name, ".PyRuntime", 11) == 0)
			out->flags |= RT_CPYTHON;
	}
	return 0;
}

static int
probe(struct elf_in *in, const char *name, struct runtime_facts *out)
{
	uint8_t eh[64];
	uint64_t phoff, shoff;
	unsigned phentsize, phnum, shentsize, shnum, shstrndx;

	memset(out, 0, sizeof *out);
	if (name != NULL &&
	    exe_probe_python_name(name, &out->py_major, &out->py_minor) == 0)
		out->flags |= RT_CPYTHON;
	if (in_read(in, 0, eh, 52) != 0 || memcmp(eh, "\177ELF", 4) != 0 ||
	    (eh[4] != 1 && eh[4] != 2) || (eh[5] != 1 && eh[5] != 2))
		return -EINVAL;
	out->probed = 1;
	in->is64 = eh[4] == 2;
	in->big = eh[5] == 2;
	if (in->is64) {
		if (in_read(in, 0, eh, 64) != 0)
			return -EINVAL;
		phoff = in_uint(in, eh + 32, 8);
		shoff = in_uint(in, eh + 40, 8);
		phentsize = (unsigned)in_uint(in, eh + 54, 2);
		phnum = (unsigned)in_uint(in, eh + 56, 2);
		shentsize = (unsigned)in_uint(in, eh + 58, 2);
		shnum = (unsigned)in_uint(in, eh + 60, 2);
		shstrndx = (unsigned)in_uint(in, eh + 62, 2);
	} else {
		phoff = in_uint(in, eh + 28, 4);
		shoff = in_uint(in, eh + 32, 4);
		phentsize = (unsigned)in_uint(in, eh + 42, 2);
		phnum = (unsigned)in_uint(in, eh + 44, 2);
		shentsize = (unsigned)in_uint(in, eh + 46, 2);
		shnum = (unsigned)in_uint(in, eh + 48, 2);
		shstrndx = (unsigned)in_uint(in, eh + 50, 2);
	}
	read_segments(in, phoff, phentsize, phnum, out);
	/* A file with no section headers left may still be Go. */
	if (read_sections(in, shoff, shentsize, shnum, shstrndx, out) != 0)
		scan_buildinfo(in, out);
	return 0;
}

int
exe_probe_mem(const uint8_t *data, size_t size, const char *name,
    struct runtime_facts *out)
{
	struct elf_in in;

	memset(&in, 0, sizeof in);
	in.fd = -1;
	in.mem = data;
	in.size = size;
	return probe(&in, name, out);
}

int
exe_probe_dir(int dirfd, struct runtime_facts *out)
{
	struct elf_in in;
	char name[PATH_MAX];
	struct stat sb;
	ssize_t n;
	int rc;

	memset(out, 0, sizeof *out);
	memset(&in, 0, sizeof in);
	in.fd = openat(dirfd, "exe", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (in.fd < 0)
		return -errno;
	if (fstat(in.fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(in.fd);
		return -EINVAL;
	}
	in.size = (uint64_t)sb.st_size;
	n = readlinkat(dirfd, "exe", name, sizeof name - 1);
	name[n > 0 ? n : 0] = '\0';
	rc = probe(&in, n > 0 ? name : NULL, out);
	close(in.fd);
	return rc;
}

int
exe_probe_python_name(const char *name, uint8_t *major, uint8_t *minor)
{
	const char *base = strrchr(name, '/'), *p;
	unsigned a = 0, b = 0;

	base = base != NULL ? base + 1 : name;
	if ((p = strstr(base, "python")) == NULL)
		return -1;
	p += 6;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9' && a < 100; p++)
		a = a * 10 + (unsigned)(*p - '0');
	if (*p++ != '.' || *p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9' && b < 1000; p++)
		b = b * 10 + (unsigned)(*p - '0');
	if (a == 0 || a > 99 || b > 255)
		return -1;
	*major = (uint8_t)a;
	*minor = (uint8_t)b;
	return 0;
}
