/* vdso.c — the vDSO's clock_gettime, for the delivery stamp (frame.c).
 *
 * The shim links no libc, so it has no vDSO binding of its own, and a raw
 * clock_gettime(2) on every delivery cost a syscall — about a microsecond
 * on the VM this was measured on, a twentieth of a self-sent signal's whole
 * round trip. The kernel maps the vDSO into every process and names its
 * base in the auxiliary vector (AT_SYSINFO_EHDR, getauxval(3), vdso(7));
 * its dynamic symbol table gives __vdso_clock_gettime. The lookup follows
 * the kernel's own minimal parser (tools/testing/selftests/vDSO/
 * parse_vdso.c): program headers for the load offset and PT_DYNAMIC, then
 * DT_SYMTAB, DT_STRTAB and DT_HASH (x86-64 vDSOs are linked with
 * --hash-style=both). It runs once, at load, on memory the kernel wrote;
 * anything unexpected leaves the syscall in place.
 *
 * The vDSO function is async-signal-safe (it reads the vvar page, or makes
 * the syscall itself when the clock source has no user-space reader; the
 * filter does not trap clock_gettime), so the shim may call it from its
 * handlers.
 */
#include "shim.h"

#include <elf.h>

shim_clock_fn shim_vdso_clock_gettime HIDDEN;

/* auxv_sysinfo_ehdr reads AT_SYSINFO_EHDR from /proc/self/auxv (the
 * constructor's envp is not guaranteed to be the one on the initial stack,
 * after which the vector lies): 0 when unknown. */
static uint64_t auxv_sysinfo_ehdr(void)
{
	long fd = sys4(__NR_openat, -100 /* AT_FDCWD */, "/proc/self/auxv", 0 /* O_RDONLY */, 0);
	if (fd < 0)
		return 0;
	uint64_t v[2 * 64];
	long n = sys3(__NR_read, fd, v, sizeof v);
	sys1(__NR_close, fd);
	for (long i = 0; n > 0 && (i + 2) * 8 <= n; i += 2) {
		if (v[i] == AT_NULL)
			break;
		if (v[i] == AT_SYSINFO_EHDR)
			return v[i + 1];
	}
	return 0;
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

void shim_vdso_init(void)
{
	uint64_t base = auxv_sysinfo_ehdr();
	if (!base)
		return;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	if (eh->e_ident[EI_MAG0] != ELFMAG0 || eh->e_ident[EI_MAG1] != ELFMAG1 || eh->e_ident[EI_MAG2] != ELFMAG2 ||
	    eh->e_ident[EI_MAG3] != ELFMAG3 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phentsize != sizeof(Elf64_Phdr))
		return;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	uint64_t load = 0, dyn = 0;
	int found_load = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !found_load) {
			load = base + ph[i].p_offset - ph[i].p_vaddr;
			found_load = 1;
		} else if (ph[i].p_type == PT_DYNAMIC) {
			dyn = base + ph[i].p_offset;
		}
	}
	if (!found_load || !dyn)
		return;
	const Elf64_Sym *sym = 0;
	const char *str = 0;
	const uint32_t *hash = 0;
	for (const Elf64_Dyn *d = (const Elf64_Dyn *)dyn; d->d_tag != DT_NULL; d++) {
		switch (d->d_tag) {
		case DT_SYMTAB:
			sym = (const Elf64_Sym *)(load + d->d_un.d_ptr);
			break;
		case DT_STRTAB:
			str = (const char *)(load + d->d_un.d_ptr);
			break;
		case DT_HASH:
			hash = (const uint32_t *)(load + d->d_un.d_ptr);
			break;
		}
	}
	if (!sym || !str || !hash)
		return;
	uint32_t nsym = hash[1]; /* nchain: one per symbol */
	for (uint32_t i = 0; i < nsym; i++) {
		if (ELF64_ST_TYPE(sym[i].st_info) != STT_FUNC || sym[i].st_shndx == SHN_UNDEF)
			continue;
		if (streq(str + sym[i].st_name, "__vdso_clock_gettime")) {
			shim_vdso_clock_gettime = (shim_clock_fn)(load + sym[i].st_value);
			return;
		}
	}
}
