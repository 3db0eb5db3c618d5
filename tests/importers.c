// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers that drive vgem and vivid from the guest tests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>
#include <linux/videodev2.h>

#include "harness.h"
#include "importers.h"

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, cmd, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

int vgem_open(void)
{
	for (int i = 0; i < 16; i++) {
		char path[32], name[16] = "";
		struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!xioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem"))
			return fd;
		close(fd);
	}
	bail("no vgem card in /dev/dri");
}

int vgem_import(int card, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle p = { .fd = dmabuf };
	int ret = xioctl(card, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);

	*handle = p.handle;
	return ret;
}

int vgem_dmabuf(int card, size_t len)
{
	struct drm_mode_create_dumb c = {
		.width = 1024, .height = len / 4096, .bpp = 32,
	};
	struct drm_prime_handle p = { .flags = DRM_CLOEXEC | DRM_RDWR };

	if (xioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &c))
		bail("vgem dumb create: %m");
	p.handle = c.handle;
	if (xioctl(card, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p))
		bail("vgem export: %m");
	vgem_close_handle(card, c.handle);
	return p.fd;
}

void vgem_close_handle(int card, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	xioctl(card, DRM_IOCTL_GEM_CLOSE, &c);
}

/*
 * The buffer type of an open vivid node, as vivid_open() chose it, and the
 * size of one frame in its format.
 */
static int node_type(int video, size_t *sizeimage)
{
	struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_OUTPUT };

	if (xioctl(video, VIDIOC_G_FMT, &f)) {
		f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		if (xioctl(video, VIDIOC_G_FMT, &f))
			bail("vivid G_FMT: %m");
	}
	*sizeimage = f.fmt.pix.sizeimage;
	return f.type;
}

int vivid_open(int inst, bool output, unsigned int width, unsigned int height,
	       size_t *sizeimage)
{
	char bus[32];
	unsigned int want = output ? V4L2_CAP_VIDEO_OUTPUT : V4L2_CAP_VIDEO_CAPTURE;

	snprintf(bus, sizeof(bus), "platform:vivid-%03d", inst);
	for (int i = 0; i < 64; i++) {
		struct v4l2_capability cap;
		struct v4l2_format f = {
			.type = output ? V4L2_BUF_TYPE_VIDEO_OUTPUT :
					 V4L2_BUF_TYPE_VIDEO_CAPTURE,
		};
		char path[32];
		int fd;

		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (xioctl(fd, VIDIOC_QUERYCAP, &cap) ||
		    strcmp((char *)cap.bus_info, bus) || !(cap.device_caps & want)) {
			close(fd);
			continue;
		}
		f.fmt.pix.width = width;
		f.fmt.pix.height = height;
		f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
		f.fmt.pix.field = V4L2_FIELD_NONE;
		if (xioctl(fd, VIDIOC_S_FMT, &f))
			bail("vivid S_FMT: %m");
		if (f.fmt.pix.width != width || f.fmt.pix.height != height)
			bail("vivid gave %ux%u", f.fmt.pix.width, f.fmt.pix.height);
		*sizeimage = f.fmt.pix.sizeimage;
		return fd;
	}
	bail("no vivid %s node on instance %d", output ? "output" : "capture", inst);
}

static int one_frame(int video, struct v4l2_buffer *b)
{
	int type = b->type;
	int ret;

	ret = xioctl(video, VIDIOC_QBUF, b);
	if (ret) {
		diag("VIDIOC_QBUF: %s", strerror(-ret));
		return ret;
	}
	ret = xioctl(video, VIDIOC_STREAMON, &type);
	if (ret) {
		diag("VIDIOC_STREAMON: %s", strerror(-ret));
	} else {
		ret = xioctl(video, VIDIOC_DQBUF, b);
		if (ret)
			diag("VIDIOC_DQBUF: %s", strerror(-ret));
	}
	xioctl(video, VIDIOC_STREAMOFF, &type);
	return ret;
}

static void free_bufs(int video, int type, unsigned int memory)
{
	struct v4l2_requestbuffers r = {
		.count = 0, .type = type, .memory = memory,
	};

	xioctl(video, VIDIOC_REQBUFS, &r);
}

int vivid_dmabuf_frame(int video, int dmabuf, size_t len, size_t *bytesused)
{
	size_t sizeimage;
	int type = node_type(video, &sizeimage);
	struct v4l2_requestbuffers r = {
		.count = 1, .type = type, .memory = V4L2_MEMORY_DMABUF,
	};
	struct v4l2_buffer b = {
		.index = 0, .type = type, .memory = V4L2_MEMORY_DMABUF,
		.length = len,
	};
	int ret;

	ret = xioctl(video, VIDIOC_REQBUFS, &r);
	if (ret)
		return ret;
	b.m.fd = dmabuf;
	if (type == V4L2_BUF_TYPE_VIDEO_OUTPUT) {
		/*
		 * vb2 checks an output payload against the format's frame
		 * size. PREPARE_BUF attaches and maps the dma-buf for the
		 * device, as QBUF would, without streaming.
		 */
		b.bytesused = sizeimage;
		ret = xioctl(video, VIDIOC_PREPARE_BUF, &b);
		if (ret)
			diag("VIDIOC_PREPARE_BUF: %s", strerror(-ret));
	} else {
		ret = one_frame(video, &b);
	}
	*bytesused = b.bytesused;
	free_bufs(video, type, V4L2_MEMORY_DMABUF);
	return ret;
}

int vivid_capture_mmap(int video, void *out, size_t len)
{
	struct v4l2_requestbuffers r = {
		.count = 1, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_buffer b = {
		.index = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	void *p;
	int ret;

	ret = xioctl(video, VIDIOC_REQBUFS, &r);
	if (ret)
		return ret;
	ret = xioctl(video, VIDIOC_QUERYBUF, &b);
	if (ret)
		goto out_free;
	p = mmap(NULL, b.length, PROT_READ, MAP_SHARED, video, b.m.offset);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto out_free;
	}
	ret = one_frame(video, &b);
	if (!ret)
		memcpy(out, p, len < b.length ? len : b.length);
	munmap(p, b.length);
out_free:
	free_bufs(video, V4L2_BUF_TYPE_VIDEO_CAPTURE, V4L2_MEMORY_MMAP);
	return ret;
}
