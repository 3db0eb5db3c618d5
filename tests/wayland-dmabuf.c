// SPDX-License-Identifier: GPL-2.0
/*
 * wayland-dmabuf: hand a dma-buf of ordinary process memory to a Wayland
 * compositor over zwp_linux_dmabuf_v1 and show it in a toplevel window.
 *
 *   wayland-dmabuf vmem|udmabuf|shm [SECONDS [PPM COMMAND]]
 *
 * vmem: a page-aligned XRGB8888 frame from aligned_alloc(), exported with
 * DBUFIOC_VMEM_EXP on /dev/vmem-exp. udmabuf: the same frame in a sealed
 * memfd, exported with UDMABUF_CREATE on /dev/udmabuf (for comparison).
 * shm: the same memfd as a wl_shm buffer, no dma-buf (the compositor's
 * plain path, to compare its screenshot with).
 * Two such buffers are made with zwp_linux_buffer_params_v1.create (the
 * created or failed event says whether the compositor imported them); the
 * first is attached to an xdg_toplevel's surface once configured and
 * committed with a frame callback, then the second. Prints one line per
 * step reached, for tests/wayland.sh:
 *   format: linear XRGB8888 offered
 *   created: the compositor accepted both buffers
 *   configured: the toplevel got its first configure
 *   frame: the frame callback of the first buffer came (the compositor
 *          drew the surface with it)
 *   release: the second buffer was drawn too (its frame callback), and the
 *            compositor released the first
 * and exits 0 if it got all of them within SECONDS (default 60), 2 if the
 * compositor refused the buffer, 1 otherwise. With PPM and COMMAND, it then
 * writes the second buffer's picture to the file PPM (binary RGB) and runs
 * COMMAND with sh -c while that buffer is still shown (a screenshot), and
 * exits with COMMAND's status if it failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/udmabuf.h>
#include <linux/vmem_exp.h>
#include <wayland-client.h>
#include "linux-dmabuf-v1-client.h"
#include "xdg-shell-client.h"

#define W 256
#define H 256
#define STRIDE (W * 4)
#define SIZE (STRIDE * H)
/* DRM_FORMAT_XRGB8888 and DRM_FORMAT_MOD_LINEAR, from drm_fourcc.h. */
#define FMT_XRGB8888 0x34325258u
#define MOD_LINEAR 0ull
#define MOD_INVALID 0xffffffffffffffull

static struct wl_compositor *compositor;
static struct zwp_linux_dmabuf_v1 *dmabuf;
static struct xdg_wm_base *wm_base;
static struct wl_shm *shm;
static int linear_ok, created, failed, configured, framed, released;
static struct wl_buffer *buffers[2];

static void global(void *data, struct wl_registry *reg, uint32_t name,
		   const char *iface, uint32_t version)
{
	if (!strcmp(iface, wl_compositor_interface.name))
		compositor = wl_registry_bind(reg, name, &wl_compositor_interface, 4);
	else if (!strcmp(iface, zwp_linux_dmabuf_v1_interface.name) && version >= 3)
		dmabuf = wl_registry_bind(reg, name, &zwp_linux_dmabuf_v1_interface, 3);
	else if (!strcmp(iface, xdg_wm_base_interface.name))
		wm_base = wl_registry_bind(reg, name, &xdg_wm_base_interface, 1);
	else if (!strcmp(iface, wl_shm_interface.name))
		shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
}

static void global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = global,
	.global_remove = global_remove,
};

static void dmabuf_format(void *data, struct zwp_linux_dmabuf_v1 *d,
			  uint32_t format)
{
}

static void dmabuf_modifier(void *data, struct zwp_linux_dmabuf_v1 *d,
			    uint32_t format, uint32_t hi, uint32_t lo)
{
	uint64_t mod = (uint64_t)hi << 32 | lo;

	if (format == FMT_XRGB8888 && (mod == MOD_LINEAR || mod == MOD_INVALID))
		linear_ok = 1;
}

static const struct zwp_linux_dmabuf_v1_listener dmabuf_listener = {
	.format = dmabuf_format,
	.modifier = dmabuf_modifier,
};

static void params_created(void *data, struct zwp_linux_buffer_params_v1 *p,
			   struct wl_buffer *b)
{
	buffers[created++] = b;
}

static void params_failed(void *data, struct zwp_linux_buffer_params_v1 *p)
{
	failed = 1;
}

static const struct zwp_linux_buffer_params_v1_listener params_listener = {
	.created = params_created,
	.failed = params_failed,
};

static void buffer_release(void *data, struct wl_buffer *b)
{
	if (b == buffers[0])
		released = 1;
}

static const struct wl_buffer_listener buffer_listener = {
	.release = buffer_release,
};

static void wm_ping(void *data, struct xdg_wm_base *wm, uint32_t serial)
{
	xdg_wm_base_pong(wm, serial);
}

static const struct xdg_wm_base_listener wm_listener = {
	.ping = wm_ping,
};

static void surface_configure(void *data, struct xdg_surface *xs,
			      uint32_t serial)
{
	xdg_surface_ack_configure(xs, serial);
	configured = 1;
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = surface_configure,
};

static void toplevel_configure(void *data, struct xdg_toplevel *t,
			       int32_t w, int32_t h, struct wl_array *states)
{
}

static void toplevel_close(void *data, struct xdg_toplevel *t)
{
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
};

static void frame_done(void *data, struct wl_callback *cb, uint32_t time)
{
	framed++;
	wl_callback_destroy(cb);
}

static const struct wl_callback_listener frame_listener = {
	.done = frame_done,
};

static void fill(uint32_t *px, uint32_t blue)
{
	int x, y;

	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++)
			px[y * W + x] = 0xff000000u | x << 16 | y << 8 | blue;
}

static int export_vmem(uint32_t blue)
{
	struct vmem_exp_export e = { 0 };
	void *p = aligned_alloc(4096, SIZE);
	int dev = open("/dev/vmem-exp", O_RDWR | O_CLOEXEC);

	if (!p || dev < 0) {
		perror("vmem: /dev/vmem-exp");
		return -1;
	}
	fill(p, blue);
	e.addr = (uintptr_t)p;
	e.len = SIZE;
	e.fd_flags = O_RDWR | O_CLOEXEC;
	if (ioctl(dev, DBUFIOC_VMEM_EXP, &e)) {
		perror("vmem: DBUFIOC_VMEM_EXP");
		return -1;
	}
	close(dev);
	return e.fd;
}

/* A sealed memfd holding the picture. */
static int frame_memfd(uint32_t blue)
{
	int mfd = memfd_create("frame", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	void *p;

	if (mfd < 0 || ftruncate(mfd, SIZE) ||
	    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		perror("memfd");
		return -1;
	}
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (p == MAP_FAILED) {
		perror("memfd: mmap");
		return -1;
	}
	fill(p, blue);
	munmap(p, SIZE);
	return mfd;
}

static int export_udmabuf(uint32_t blue)
{
	struct udmabuf_create c = { 0 };
	int mfd = frame_memfd(blue);
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	int fd;

	if (mfd < 0 || dev < 0) {
		perror("udmabuf: /dev/udmabuf");
		return -1;
	}
	c.memfd = mfd;
	c.flags = UDMABUF_FLAGS_CLOEXEC;
	c.size = SIZE;
	fd = ioctl(dev, UDMABUF_CREATE, &c);
	if (fd < 0)
		perror("udmabuf: UDMABUF_CREATE");
	close(dev);
	close(mfd);
	return fd;
}

/* The picture of the buffer fill(px, blue) made, as a binary PPM. */
static int write_ppm(const char *path, uint32_t blue)
{
	FILE *f = fopen(path, "w");
	int x, y;

	if (!f)
		return -1;
	fprintf(f, "P6\n%d %d\n255\n", W, H);
	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++) {
			fputc(x, f);
			fputc(y, f);
			fputc(blue, f);
		}
	return fclose(f);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Dispatch until *flag is set or the deadline passes; 0 if it was set. */
static int wait_for(struct wl_display *dpy, int *flag, int want, double deadline)
{
	struct pollfd pfd = { .fd = wl_display_get_fd(dpy), .events = POLLIN };

	while (*flag < want && !failed) {
		double left = deadline - now();

		if (left <= 0)
			return -1;
		while (wl_display_prepare_read(dpy))
			wl_display_dispatch_pending(dpy);
		wl_display_flush(dpy);
		if (poll(&pfd, 1, (int)(left * 1000) + 1) > 0) {
			if (wl_display_read_events(dpy))
				return -1;
		} else {
			wl_display_cancel_read(dpy);
		}
		if (wl_display_dispatch_pending(dpy) < 0)
			return -1;
	}
	return *flag >= want ? 0 : -1;
}

/* Attach B, commit with a frame callback and wait for it; 0 if it came. */
static int show(struct wl_display *dpy, struct wl_surface *surf,
		struct wl_buffer *b, double deadline)
{
	int want = framed + 1;

	wl_surface_attach(surf, b, 0, 0);
	wl_surface_damage(surf, 0, 0, W, H);
	wl_callback_add_listener(wl_surface_frame(surf), &frame_listener, NULL);
	wl_surface_commit(surf);
	return wait_for(dpy, &framed, want, deadline);
}

/* Bind the globals; 0 if the compositor has them all and linear XRGB8888. */
static int bind_globals(struct wl_display *dpy)
{
	struct wl_registry *reg = wl_display_get_registry(dpy);

	wl_registry_add_listener(reg, &registry_listener, NULL);
	wl_display_roundtrip(dpy);
	if (!compositor || !dmabuf || !wm_base || !shm) {
		fprintf(stderr, "missing globals:%s%s%s%s\n",
			compositor ? "" : " wl_compositor",
			dmabuf ? "" : " zwp_linux_dmabuf_v1 (v3)",
			wm_base ? "" : " xdg_wm_base", shm ? "" : " wl_shm");
		return -1;
	}
	zwp_linux_dmabuf_v1_add_listener(dmabuf, &dmabuf_listener, NULL);
	xdg_wm_base_add_listener(wm_base, &wm_listener, NULL);
	wl_display_roundtrip(dpy);
	if (!linear_ok) {
		fprintf(stderr, "the compositor offers no linear XRGB8888\n");
		return -1;
	}
	return 0;
}

/* buffers[i] as a wl_shm buffer of the same frame; 0 on success. */
static int make_shm_buffer(int i, uint32_t blue)
{
	struct wl_shm_pool *pool;
	int fd = frame_memfd(blue);

	if (fd < 0)
		return -1;
	pool = wl_shm_create_pool(shm, fd, SIZE);
	buffers[i] = wl_shm_pool_create_buffer(pool, 0, W, H, STRIDE,
					       WL_SHM_FORMAT_XRGB8888);
	wl_shm_pool_destroy(pool);
	close(fd);
	created++;
	return 0;
}

/*
 * buffers[i] as a dma-buf of KIND (vmem or udmabuf), once the compositor
 * accepted it: 0, 2 if it refused it, 1 on any other failure.
 */
static int make_dmabuf_buffer(struct wl_display *dpy, const char *kind, int i,
			      uint32_t blue, double deadline)
{
	struct zwp_linux_buffer_params_v1 *params;
	int fd = strcmp(kind, "vmem") ? export_udmabuf(blue) : export_vmem(blue);

	if (fd < 0)
		return 1;
	params = zwp_linux_dmabuf_v1_create_params(dmabuf);
	zwp_linux_buffer_params_v1_add_listener(params, &params_listener, NULL);
	zwp_linux_buffer_params_v1_add(params, fd, 0, 0, STRIDE,
				       MOD_LINEAR >> 32, MOD_LINEAR & 0xffffffff);
	zwp_linux_buffer_params_v1_create(params, W, H, FMT_XRGB8888, 0);
	if (wait_for(dpy, &created, i + 1, deadline)) {
		fprintf(stderr, "buffer %d: %s\n", i, failed ?
			"the compositor refused it (failed event)" : "no created event");
		close(fd);
		return failed ? 2 : 1;
	}
	close(fd);
	zwp_linux_buffer_params_v1_destroy(params);
	return 0;
}

/* Both buffers of KIND: 0, 2 if the compositor refused one, else 1. */
static int make_buffers(struct wl_display *dpy, const char *kind,
			double deadline)
{
	int i, ret;

	for (i = 0; i < 2; i++) {
		uint32_t blue = i ? 0xc0 : 0x40;

		if (!strcmp(kind, "shm"))
			ret = make_shm_buffer(i, blue) ? 1 : 0;
		else
			ret = make_dmabuf_buffer(dpy, kind, i, blue, deadline);
		if (ret)
			return ret;
		wl_buffer_add_listener(buffers[i], &buffer_listener, NULL);
	}
	return 0;
}

static void step(const char *what)
{
	printf("%s\n", what);
	fflush(stdout);
}

/* The second buffer's picture to PPM, then COMMAND; 0 if both worked. */
static int screenshot(const char *ppm, const char *command)
{
	int status;

	if (write_ppm(ppm, 0xc0)) {
		perror(ppm);
		return -1;
	}
	status = system(command);
	if (status) {
		fprintf(stderr, "%s: status %d\n", command, status);
		return -1;
	}
	return 0;
}

/*
 * A toplevel that shows the first buffer, then the second, until the
 * compositor released the first; 0 if every step came before DEADLINE.
 * With PPM, a screenshot (screenshot()) while the second is still shown.
 */
static int show_both(struct wl_display *dpy, struct wl_surface *surf,
		     double deadline, const char *ppm, const char *command)
{
	struct xdg_surface *xsurf = xdg_wm_base_get_xdg_surface(wm_base, surf);
	struct xdg_toplevel *top = xdg_surface_get_toplevel(xsurf);
	const char *err = NULL;

	xdg_surface_add_listener(xsurf, &xdg_surface_listener, NULL);
	xdg_toplevel_add_listener(top, &toplevel_listener, NULL);
	xdg_toplevel_set_title(top, "vmem-exp");
	wl_surface_commit(surf);
	if (wait_for(dpy, &configured, 1, deadline)) {
		err = "no configure";
		goto out;
	}
	step("configured");
	if (show(dpy, surf, buffers[0], deadline)) {
		err = "no frame callback for the first buffer";
		goto out;
	}
	step("frame");
	/* Once the second is drawn, the compositor is done with the first. */
	if (show(dpy, surf, buffers[1], deadline)) {
		err = "no frame callback for the second buffer";
		goto out;
	}
	if (wait_for(dpy, &released, 1, deadline)) {
		err = "the first buffer was not released";
		goto out;
	}
	step("release");
	if (ppm && screenshot(ppm, command))
		err = "";
out:
	if (err && *err)
		fprintf(stderr, "%s\n", err);
	xdg_toplevel_destroy(top);
	xdg_surface_destroy(xsurf);
	return err ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct wl_surface *surf;
	struct wl_display *dpy;
	double deadline;
	int ret;

	if (argc < 2 || (strcmp(argv[1], "vmem") && strcmp(argv[1], "udmabuf") &&
			 strcmp(argv[1], "shm"))) {
		fprintf(stderr, "usage: %s vmem|udmabuf|shm [SECONDS [PPM COMMAND]]\n",
			argv[0]);
		return 1;
	}
	deadline = now() + (argc > 2 ? atof(argv[2]) : 60);
	dpy = wl_display_connect(NULL);
	if (!dpy) {
		perror("wl_display_connect");
		return 1;
	}
	if (bind_globals(dpy))
		return 1;
	step("format");
	ret = make_buffers(dpy, argv[1], deadline);
	if (ret)
		return ret;
	step("created");
	surf = wl_compositor_create_surface(compositor);
	ret = show_both(dpy, surf, deadline, argc > 4 ? argv[3] : NULL,
			argc > 4 ? argv[4] : NULL) ? 1 : 0;
	wl_buffer_destroy(buffers[0]);
	wl_buffer_destroy(buffers[1]);
	wl_surface_destroy(surf);
	wl_display_roundtrip(dpy);
	wl_display_disconnect(dpy);
	return ret;
}
