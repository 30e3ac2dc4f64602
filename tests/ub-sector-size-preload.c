/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

/*
 * LD_PRELOAD for tools that ask the kernel for a disk's logical sector size
 * (Debian's sgdisk): with UB_SECTOR_SIZE=4096 in the environment, a regular
 * file answers BLKSSZGET / BLKPBSZGET with that size and the block-size
 * ioctls with the file's size, so a LUN image with 4096-byte sectors is read
 * as such without a loop device. Anything else goes to the real ioctl().
 */

int
ioctl(int fd, unsigned long request, ...);

int
ioctl(int fd, unsigned long request, ...)
{
	static int (*real_ioctl)(int, unsigned long, ...) = NULL;
	const char *sector_size = getenv("UB_SECTOR_SIZE");
	struct stat st;
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (sector_size != NULL && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if (request == BLKSSZGET || request == BLKPBSZGET) {
			*(int *)arg = atoi(sector_size);
			return 0;
		}
		if (request == BLKGETSIZE) {
			*(unsigned long *)arg = (unsigned long)(st.st_size / 512);
			return 0;
		}
		if (request == BLKGETSIZE64) {
			*(uint64_t *)arg = (uint64_t)st.st_size;
			return 0;
		}
	}
	if (real_ioctl == NULL)
		real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	return real_ioctl(fd, request, arg);
}
