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
#include <linux/v4l2-dv-timings.h>
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
	t_bail("no vgem card in /dev/dri");
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
		t_bail("vgem dumb create: %m");
	p.handle = c.handle;
	if (xioctl(card, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p))
		t_bail("vgem export: %m");
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
			t_bail("vivid G_FMT: %m");
	}
	*sizeimage = f.fmt.pix.sizeimage;
	return f.type;
}

/* Instance @inst's video capture or output node: its fd, or -ENODEV. */
static int vivid_node(int inst, bool output)
{
	char bus[32];
	unsigned int want = output ? V4L2_CAP_VIDEO_OUTPUT : V4L2_CAP_VIDEO_CAPTURE;

	snprintf(bus, sizeof(bus), "platform:vivid-%03d", inst);
	for (int i = 0; i < 64; i++) {
		struct v4l2_capability cap;
		char path[32];
		int fd;

		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!xioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((char *)cap.bus_info, bus) && (cap.device_caps & want))
			return fd;
		close(fd);
	}
	return -ENODEV;
}

int vivid_open(int inst, bool output, unsigned int width, unsigned int height,
	       size_t *sizeimage)
{
	struct v4l2_format f = {
		.type = output ? V4L2_BUF_TYPE_VIDEO_OUTPUT :
				 V4L2_BUF_TYPE_VIDEO_CAPTURE,
	};
	int fd = vivid_node(inst, output);

	if (fd < 0)
		t_bail("no vivid %s node on instance %d", output ? "output" : "capture", inst);
	f.fmt.pix.width = width;
	f.fmt.pix.height = height;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	f.fmt.pix.field = V4L2_FIELD_NONE;
	if (xioctl(fd, VIDIOC_S_FMT, &f))
		t_bail("vivid S_FMT: %m");
	if (f.fmt.pix.width != width || f.fmt.pix.height != height)
		t_bail("vivid gave %ux%u", f.fmt.pix.width, f.fmt.pix.height);
	*sizeimage = f.fmt.pix.sizeimage;
	return fd;
}

static int one_frame(int video, struct v4l2_buffer *b)
{
	int type = b->type;
	int ret;

	ret = xioctl(video, VIDIOC_QBUF, b);
	if (ret) {
		t_diag("VIDIOC_QBUF: %s", strerror(-ret));
		return ret;
	}
	ret = xioctl(video, VIDIOC_STREAMON, &type);
	if (ret) {
		t_diag("VIDIOC_STREAMON: %s", strerror(-ret));
	} else {
		ret = xioctl(video, VIDIOC_DQBUF, b);
		if (ret)
			t_diag("VIDIOC_DQBUF: %s", strerror(-ret));
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
			t_diag("VIDIOC_PREPARE_BUF: %s", strerror(-ret));
	} else {
		ret = one_frame(video, &b);
	}
	*bytesused = b.bytesused;
	free_bufs(video, type, V4L2_MEMORY_DMABUF);
	return ret;
}

int vivid_capture_mmap(int video, void *out, size_t len)
{
	size_t blen;
	void *p;
	int ret;

	ret = vivid_mmap_frame(video, &p, &blen);
	if (ret)
		return ret;
	memcpy(out, p, len < blen ? len : blen);
	munmap(p, blen);
	vivid_free_mmap(video);
	return 0;
}

int vivid_mmap_frame(int video, void **p, size_t *len)
{
	struct v4l2_requestbuffers r = {
		.count = 1, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_buffer b = {
		.index = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	int ret;

	ret = xioctl(video, VIDIOC_REQBUFS, &r);
	if (ret)
		return ret;
	ret = xioctl(video, VIDIOC_QUERYBUF, &b);
	if (ret)
		goto out_free;
	*p = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, video,
		  b.m.offset);
	if (*p == MAP_FAILED) {
		ret = -errno;
		goto out_free;
	}
	*len = b.length;
	ret = one_frame(video, &b);
	if (!ret)
		return 0;
	munmap(*p, b.length);
out_free:
	vivid_free_mmap(video);
	return ret;
}

void vivid_free_mmap(int video)
{
	free_bufs(video, V4L2_BUF_TYPE_VIDEO_CAPTURE, V4L2_MEMORY_MMAP);
}

/*
 * Video loopback: what vivid's output node plays, its capture node records.
 * Only between an HDMI (or S-Video) output and input with the same frame
 * size, pixel format and field order; each captured line is then memcpy()d
 * from the output buffer at the head of vivid's output queue, unscaled when
 * crop and compose are the whole frame on both sides, and the only thing
 * drawn over it is the on-screen text, which OSD Text Mode "None" turns
 * off. vivid's output thread returns a buffer only once another one is
 * queued behind it, so a single DMABUF output buffer stays on the queue and
 * is looped into every captured frame until STREAMOFF, from the first one.
 *
 * Linux 6.1 switches the loop with the capture node's "Loop Video" control.
 * Since 6.11 that control is gone: each HDMI input has a menu control
 * "HDMI 00N-M Is Connected To" whose items are "Test Pattern Generator",
 * "None", then "Output HDMI 00I-J" for every vivid instance's HDMI outputs.
 */
#define LOOP_W	640
#define LOOP_H	480

struct loop_ctrl {
	int fd;
	__u32 id;
	__s32 old, val;
	bool set;
};

/* The id of the control called @name, of type @type, or 0. */
static __u32 ctrl_by_name(int fd, const char *name, __u32 type)
{
	struct v4l2_queryctrl q = { .id = V4L2_CTRL_FLAG_NEXT_CTRL };

	while (!xioctl(fd, VIDIOC_QUERYCTRL, &q)) {
		if (!strcmp((char *)q.name, name) && q.type == type &&
		    !(q.flags & V4L2_CTRL_FLAG_DISABLED))
			return q.id;
		q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	return 0;
}

/* The index of menu control @id's item called @name, or -ENOENT. */
static int menu_item(int fd, __u32 id, const char *name)
{
	struct v4l2_queryctrl q = { .id = id };

	if (xioctl(fd, VIDIOC_QUERYCTRL, &q))
		return -ENOENT;
	for (int i = q.minimum; i <= q.maximum; i++) {
		struct v4l2_querymenu m = { .id = id, .index = i };

		/* Items left out (an output taken by another input) fail. */
		if (!xioctl(fd, VIDIOC_QUERYMENU, &m) && !strcmp((char *)m.name, name))
			return i;
	}
	return -ENOENT;
}

static int ctrl_set(struct loop_ctrl *c, int fd, __u32 id, __s32 val)
{
	struct v4l2_control ctl = { .id = id };
	int ret;

	ret = xioctl(fd, VIDIOC_G_CTRL, &ctl);
	if (ret)
		return ret;
	*c = (struct loop_ctrl){ .fd = fd, .id = id, .old = ctl.value, .val = val };
	ctl.value = val;
	ret = xioctl(fd, VIDIOC_S_CTRL, &ctl);
	c->set = !ret;
	return ret;
}

/* Whether the control still has the value ctrl_set() gave it. */
static bool ctrl_held(struct loop_ctrl *c, __s32 *now)
{
	struct v4l2_control ctl = { .id = c->id, .value = -1 };

	xioctl(c->fd, VIDIOC_G_CTRL, &ctl);
	*now = ctl.value;
	return ctl.value == c->val;
}

static void ctrl_restore(struct loop_ctrl *c)
{
	struct v4l2_control ctl = { .id = c->id, .value = c->old };

	if (c->set)
		xioctl(c->fd, VIDIOC_S_CTRL, &ctl);
	c->set = false;
}

/* The first input or output with DV timings (HDMI): its index, or -errno. */
static int hdmi_index(int fd, bool output)
{
	for (__u32 i = 0; i < 64; i++) {
		struct v4l2_input in = { .index = i };
		struct v4l2_output out = { .index = i };

		if (output) {
			if (xioctl(fd, VIDIOC_ENUMOUTPUT, &out))
				break;
			if (out.capabilities & V4L2_OUT_CAP_DV_TIMINGS)
				return i;
		} else {
			if (xioctl(fd, VIDIOC_ENUMINPUT, &in))
				break;
			if (in.capabilities & V4L2_IN_CAP_DV_TIMINGS)
				return i;
		}
	}
	return -ENODEV;
}

/*
 * LOOP_WxLOOP_H YUYV, progressive, packed lines, and where the node crops
 * or composes, the whole frame: 0 and the frame size, or -errno.
 */
static int loop_fmt(int fd, __u32 type, size_t *sizeimage)
{
	struct v4l2_format f = { .type = type };
	int ret;

	f.fmt.pix.width = LOOP_W;
	f.fmt.pix.height = LOOP_H;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	f.fmt.pix.field = V4L2_FIELD_NONE;
	ret = xioctl(fd, VIDIOC_S_FMT, &f);
	if (ret)
		return ret;
	if (f.fmt.pix.width != LOOP_W || f.fmt.pix.height != LOOP_H ||
	    f.fmt.pix.pixelformat != V4L2_PIX_FMT_YUYV ||
	    f.fmt.pix.field != V4L2_FIELD_NONE ||
	    f.fmt.pix.bytesperline != LOOP_W * 2) {
		t_diag("vivid loop: buffer type %u: %ux%u, field %u, %u bytes a line",
		       type, f.fmt.pix.width, f.fmt.pix.height, f.fmt.pix.field,
		     f.fmt.pix.bytesperline);
		return -EINVAL;
	}
	*sizeimage = f.fmt.pix.sizeimage;

	for (__u32 target = V4L2_SEL_TGT_CROP; target <= V4L2_SEL_TGT_COMPOSE;
	     target += V4L2_SEL_TGT_COMPOSE - V4L2_SEL_TGT_CROP) {
		struct v4l2_selection s = { .type = type, .target = target };
		struct v4l2_rect full = { 0, 0, LOOP_W, LOOP_H };

		if (xioctl(fd, VIDIOC_G_SELECTION, &s))
			continue;	/* the node has no such rectangle */
		if (!memcmp(&s.r, &full, sizeof(full)))
			continue;
		s.r = full;
		if (xioctl(fd, VIDIOC_S_SELECTION, &s) ||
		    memcmp(&s.r, &full, sizeof(full))) {
			t_diag("vivid loop: buffer type %u: selection %u is %ux%u@%d,%d",
			       type, target, s.r.width, s.r.height, s.r.left, s.r.top);
			return -EINVAL;
		}
	}
	return 0;
}

/* One vivid instance's output looped to its capture, and how to undo it. */
struct vivid_loop {
	int inst, cap, out;
	/* What was set, to put back. */
	int old_in, old_out;
	struct v4l2_dv_timings old_tcap, old_tout;
	bool set_tcap, set_tout;
	struct loop_ctrl loop, osd;
	/* The output's dma-buf and the capture's MMAP buffer, streaming. */
	struct v4l2_buffer ob, cb;
	bool ostream, cstream;
	void *p;
	size_t osize, csize;
};

/* HDMI in and out, both 640x480p59.94. */
static int loop_hdmi(struct vivid_loop *l)
{
	struct v4l2_dv_timings tcap = V4L2_DV_BT_CEA_640X480P59_94;
	struct v4l2_dv_timings tout = V4L2_DV_BT_CEA_640X480P59_94;
	int in_idx, out_idx, ret;

	ret = xioctl(l->cap, VIDIOC_G_INPUT, &l->old_in);
	if (!ret)
		ret = xioctl(l->out, VIDIOC_G_OUTPUT, &l->old_out);
	in_idx = hdmi_index(l->cap, false);
	out_idx = hdmi_index(l->out, true);
	if (!ret && (in_idx < 0 || out_idx < 0))
		ret = -ENODEV;
	if (!ret)
		ret = xioctl(l->cap, VIDIOC_S_INPUT, &in_idx);
	if (!ret)
		ret = xioctl(l->out, VIDIOC_S_OUTPUT, &out_idx);
	if (!ret)
		ret = xioctl(l->cap, VIDIOC_G_DV_TIMINGS, &l->old_tcap);
	if (!ret)
		ret = xioctl(l->out, VIDIOC_G_DV_TIMINGS, &l->old_tout);
	if (!ret) {
		ret = xioctl(l->cap, VIDIOC_S_DV_TIMINGS, &tcap);
		l->set_tcap = !ret;
	}
	if (!ret) {
		ret = xioctl(l->out, VIDIOC_S_DV_TIMINGS, &tout);
		l->set_tout = !ret;
	}
	if (ret)
		t_diag("vivid loop: HDMI input %d, output %d: %s", in_idx, out_idx,
		       strerror(-ret));
	return ret;
}

/* Loop the output to the input, with no text over the picture. */
static int loop_connect(struct vivid_loop *l)
{
	char name[32];
	__u32 id;
	int ret;

	id = ctrl_by_name(l->cap, "Loop Video", V4L2_CTRL_TYPE_BOOLEAN);
	if (id) {
		ret = ctrl_set(&l->loop, l->cap, id, 1);
	} else {
		/* The first HDMI input and output are HDMI 00N-0. */
		snprintf(name, sizeof(name), "HDMI %03d-0 Is Connected To", l->inst);
		id = ctrl_by_name(l->cap, name, V4L2_CTRL_TYPE_MENU);
		snprintf(name, sizeof(name), "Output HDMI %03d-0", l->inst);
		ret = id ? menu_item(l->cap, id, name) : -ENOENT;
		if (ret >= 0)
			ret = ctrl_set(&l->loop, l->cap, id, ret);
	}
	if (ret) {
		t_diag("vivid loop: no loop control: %s", strerror(-ret));
		return ret;
	}
	id = ctrl_by_name(l->cap, "OSD Text Mode", V4L2_CTRL_TYPE_MENU);
	ret = id ? ctrl_set(&l->osd, l->cap, id, 2) : -ENOENT;	/* "None" */
	if (ret)
		t_diag("vivid loop: OSD Text Mode: %s", strerror(-ret));
	return ret;
}

/* The dma-buf, queued and streaming: vivid holds on to it. */
static int loop_output(struct vivid_loop *l, int dmabuf, size_t len)
{
	struct v4l2_requestbuffers r = {
		.count = 1, .type = V4L2_BUF_TYPE_VIDEO_OUTPUT,
		.memory = V4L2_MEMORY_DMABUF,
	};
	int otype = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	int ret;

	ret = xioctl(l->out, VIDIOC_REQBUFS, &r);
	if (!ret) {
		l->ob.m.fd = dmabuf;
		l->ob.length = len;
		l->ob.bytesused = l->osize;
		ret = xioctl(l->out, VIDIOC_QBUF, &l->ob);
	}
	if (!ret) {
		ret = xioctl(l->out, VIDIOC_STREAMON, &otype);
		l->ostream = !ret;
	}
	if (ret)
		t_diag("vivid loop: output: %s", strerror(-ret));
	return ret;
}

/* A capture MMAP buffer, mapped, queued and streaming. */
static int loop_capture_start(struct vivid_loop *l)
{
	struct v4l2_requestbuffers r = {
		.count = 1, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	int ctype = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int ret;

	ret = xioctl(l->cap, VIDIOC_REQBUFS, &r);
	if (!ret)
		ret = xioctl(l->cap, VIDIOC_QUERYBUF, &l->cb);
	if (!ret) {
		l->p = mmap(NULL, l->cb.length, PROT_READ, MAP_SHARED, l->cap, l->cb.m.offset);
		if (l->p == MAP_FAILED)
			ret = -errno;
	}
	if (!ret)
		ret = xioctl(l->cap, VIDIOC_QBUF, &l->cb);
	if (!ret) {
		ret = xioctl(l->cap, VIDIOC_STREAMON, &ctype);
		l->cstream = !ret;
	}
	return ret;
}

/* The first captured frame of the looped picture, in the MMAP buffer. */
static int loop_dqbuf(struct vivid_loop *l)
{
	for (int tries = 1; ; tries++) {
		__s32 now;
		int ret;

		ret = xioctl(l->cap, VIDIOC_DQBUF, &l->cb);
		if (!ret && (l->cb.flags & V4L2_BUF_FLAG_ERROR))
			ret = -EIO;
		if (ret || ctrl_held(&l->loop, &now))
			return ret;
		/*
		 * Since 6.11, setting a "Connected To" control queues a work
		 * item that updates every such control's menu; when it reads
		 * the control's value before the new one is stored, it takes
		 * the output as used by another input and puts the control
		 * back to "Test Pattern Generator". Then the frame is vivid's
		 * test pattern: connect again and take the next one.
		 */
		if (tries == 5)
			return -EAGAIN;
		t_diag("vivid loop: the loop control went from %d to %d; again",
		       l->loop.val, now);
		ret = xioctl(l->cap, VIDIOC_S_CTRL,
			     &(struct v4l2_control){ l->loop.id, l->loop.val });
		if (!ret)
			ret = xioctl(l->cap, VIDIOC_QBUF, &l->cb);
		if (ret)
			return ret;
	}
}

static void loop_free(struct vivid_loop *l)
{
	int otype = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	int ctype = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	if (l->cstream)
		xioctl(l->cap, VIDIOC_STREAMOFF, &ctype);
	if (l->ostream)
		xioctl(l->out, VIDIOC_STREAMOFF, &otype);
	if (l->p != MAP_FAILED)
		munmap(l->p, l->cb.length);
	free_bufs(l->cap, ctype, V4L2_MEMORY_MMAP);
	free_bufs(l->out, otype, V4L2_MEMORY_DMABUF);
}

/* Put vivid back as it was: other tests capture its test pattern. */
static void loop_restore(struct vivid_loop *l)
{
	ctrl_restore(&l->osd);
	ctrl_restore(&l->loop);
	if (l->set_tcap)
		xioctl(l->cap, VIDIOC_S_DV_TIMINGS, &l->old_tcap);
	if (l->set_tout)
		xioctl(l->out, VIDIOC_S_DV_TIMINGS, &l->old_tout);
	if (l->old_in >= 0)
		xioctl(l->cap, VIDIOC_S_INPUT, &l->old_in);
	if (l->old_out >= 0)
		xioctl(l->out, VIDIOC_S_OUTPUT, &l->old_out);
	close(l->out);
	close(l->cap);
}

int vivid_loop_frame(int inst, int dmabuf, size_t len, void *captured,
		     size_t caplen)
{
	struct vivid_loop l = {
		.inst = inst, .old_in = -1, .old_out = -1, .p = MAP_FAILED,
		.ob = { .index = 0, .type = V4L2_BUF_TYPE_VIDEO_OUTPUT,
			.memory = V4L2_MEMORY_DMABUF },
		.cb = { .index = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP },
	};
	int ret;

	l.cap = vivid_node(inst, false);
	if (l.cap < 0)
		return l.cap;
	l.out = vivid_node(inst, true);
	if (l.out < 0) {
		close(l.cap);
		return l.out;
	}
	ret = loop_hdmi(&l);
	if (!ret)
		ret = loop_connect(&l);
	if (ret)
		goto out_restore;
	ret = loop_fmt(l.out, V4L2_BUF_TYPE_VIDEO_OUTPUT, &l.osize);
	if (!ret)
		ret = loop_fmt(l.cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, &l.csize);
	if (!ret && (l.osize > len || l.csize > caplen))
		ret = -ENOSPC;
	if (ret) {
		t_diag("vivid loop: formats: %s", strerror(-ret));
		goto out_restore;
	}

	ret = loop_output(&l, dmabuf, len);
	if (ret)
		goto out_free;
	ret = loop_capture_start(&l);
	if (!ret)
		ret = loop_dqbuf(&l);
	if (ret)
		t_diag("vivid loop: capture: %s", strerror(-ret));
	else
		memcpy(captured, l.p, l.csize);
out_free:
	loop_free(&l);
out_restore:
	loop_restore(&l);
	return ret;
}
