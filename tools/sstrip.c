/* sstrip: drop an x86-64/aarch64/i386/arm ELF executable's section
 * headers and whatever follows its last loaded byte. The kernel reads
 * only the program headers; the section table is ~500 bytes of a
 * 12 KB budget (R51). Usage: sstrip FILE */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static unsigned char buf[1 << 20];

int
main(int argc, char **argv)
{
	unsigned long end = 0, off, size;
	int fd, i, phnum, wide;
	ssize_t n;

	if (argc != 2 || (fd = open(argv[1], O_RDWR)) < 0) {
		fprintf(stderr, "usage: sstrip FILE\n");
		return 2;
	}
	n = read(fd, buf, sizeof buf);
	if (n < (ssize_t)sizeof(Elf32_Ehdr) || memcmp(buf, ELFMAG, SELFMAG)) {
		fprintf(stderr, "sstrip: %s: not an ELF file\n", argv[1]);
		return 1;
	}
	wide = buf[EI_CLASS] == ELFCLASS64;
	if (wide) {
		Elf64_Ehdr *h = (Elf64_Ehdr *)buf;
		Elf64_Phdr *p = (Elf64_Phdr *)(buf + h->e_phoff);
		phnum = h->e_phnum;
		for (i = 0; i < phnum; i++)
			if (p[i].p_offset + p[i].p_filesz > end)
				end = p[i].p_offset + p[i].p_filesz;
		h->e_shoff = 0;
		h->e_shnum = h->e_shstrndx = 0;
		h->e_shentsize = 0;
	} else {
		Elf32_Ehdr *h = (Elf32_Ehdr *)buf;
		Elf32_Phdr *p = (Elf32_Phdr *)(buf + h->e_phoff);
		phnum = h->e_phnum;
		for (i = 0; i < phnum; i++) {
			off = p[i].p_offset;
			size = p[i].p_filesz;
			if (off + size > end)
				end = off + size;
		}
		h->e_shoff = 0;
		h->e_shnum = h->e_shstrndx = 0;
		h->e_shentsize = 0;
	}
	if (end == 0 || end > (unsigned long)n || pwrite(fd, buf, 64, 0) != 64 ||
	    ftruncate(fd, end) < 0 || close(fd) < 0) {
		perror("sstrip");
		return 1;
	}
	return 0;
}
