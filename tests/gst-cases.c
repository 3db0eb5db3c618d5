// SPDX-License-Identifier: GPL-2.0
/*
 * gst-cases: what the vmemexport element does with buffers that an
 * application shapes on purpose, checked buffer by buffer (tests/gst.sh).
 *
 *   gst-cases resize|recache|tee|tail|sync|udmabuf
 *
 * Each pushes frames through "appsrc ! vmemexport ! fakesink" and looks at
 * what reaches fakesink's handoff: one buffer at a time, the next pushed
 * only once the last has been seen.
 *
 * resize   unaligned buffers (copied) whose size grows while the caps stay,
 *          then caps renegotiated to a larger frame: every output buffer
 *          is dma-buf memory of the input's size, holding its bytes.
 * recache  one page-aligned memory (exported in place, the export cached
 *          on it), pushed whole, again, resized to its middle pages (as
 *          gst_buffer_set_size() or a pool's reset does), and whole again:
 *          each output is the range the memory held when pushed, never an
 *          earlier export of another range.
 * tee      a page-aligned, writable memory behind a tee (the buffer is not
 *          writable: the tee's other branch shares it) must be exported
 *          read-only; the same without a tee, read-write.
 * tail     page-aligned memories whose size is not a whole number of pages,
 *          the rest of their last page another allocation's bytes (a known
 *          pattern): a memory that ends there, and a share of a larger
 *          memory (the next share's data), must be copied, the pattern in
 *          no byte of the dma-buf pushed; a memory whose maxsize covers its
 *          last page owns it and is exported in place.
 * sync     a memory of the allocator the plugin registers ("vmemexp"),
 *          mapped read-write, read-only, then write-only: its first export
 *          opens the device (loading the plugin did not), each map is
 *          bracketed by one DMA_BUF_IOCTL_SYNC start and one end on its
 *          dma-buf, in the map's directions (this file's ioctl() counts
 *          them), and none mmap()s it: the allocator mapped it read-write
 *          once and keeps that mapping (this file's mmap() counts).
 * udmabuf  (GStreamer 1.28 and later, which has GstUdmabufAllocator and
 *          GstVideoDmabufPool) the two working together with ours: a
 *          frame of GstUdmabufAllocator's memory passes through vmemexport
 *          as it is (the same memory, counted zero copy, nothing exported
 *          or copied); a GstVideoDmabufPool given the "vmemexp" allocator
 *          keeps it (a dma-buf allocator of its own alloc(): the pool
 *          replaces only others by udmabuf), its buffers go back to it
 *          through its implicit sync (DMA_BUF_IOCTL_EXPORT_SYNC_FILE on
 *          each of our dma-bufs, which must succeed: this file's ioctl()
 *          counts) and pass through vmemexport as they are. Prints how
 *          GstUdmabufAllocator's memory maps beside ours (syncs and mmap()
 *          per map), for the comparison in gst/README.md. Exits 77 before
 *          1.28.
 * Prints "gst-cases: " lines, the failures among them; exits 0 if none.
 * Every process calls gst_deinit(), for GST_TRACERS=leaks.
 */
#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <gst/allocators/allocators.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#if GST_CHECK_VERSION(1, 28, 0)
#include <gst/allocators/gstudmabufallocator.h>
#include <gst/video/video.h>
#include <gst/video/gstvideodmabufpool.h>
#endif

#define RAW_CAPS "application/x-vmemexp-test"
#define SINK "fakesink name=sink signal-handoffs=true sync=false enable-last-sample=false"
#define PAGE 4096
#define SKEW 64		/* unaligned data: this far past a page boundary */
#define TAIL 0xee	/* another allocation's bytes, after a memory's */
/*
 * No queue after the tee: each branch is pushed while the tee holds the
 * buffer. Neither sink waits in preroll (async=false), or the first
 * branch's would wait for the second's, which the tee pushes only after.
 */
#define TEE_PIPE "appsrc name=src format=time caps=" RAW_CAPS \
	" ! tee name=t ! vmemexport name=exp ! " SINK " async=false" \
	" t. ! fakesink sync=false async=false enable-last-sample=false"

/* What the handoff saw of the last buffer. */
struct seen {
	GMutex lock;
	GCond cond;
	int count;
	gsize size;
	gboolean dmabuf;	/* one memory, a dma-buf */
	gboolean readonly;	/* its memory READONLY, its fd O_RDONLY */
	gboolean rdonly_fd;
	guint8 first, last;	/* its first and last bytes */
	gboolean uniform;	/* all its bytes the same */
	gboolean mapped;
	off_t fd_size;		/* the dma-buf's size (it has whole pages) */
	gsize tail;		/* bytes of TAIL in it past the buffer's data */
	const GstMemory *mem;	/* its one memory (compared, never used) */
};

static struct seen seen;
static int failures;

static void fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("gst-cases: FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	failures++;
}

/*
 * What an importer can read of dma-buf @fd past its first @size bytes: the
 * whole of it mapped, the TAIL bytes past @size counted (seen.fd_size,
 * seen.tail; called under seen.lock).
 */
static void dmabuf_tail(int fd, gsize size)
{
	guint8 *p;
	off_t i;

	seen.fd_size = lseek(fd, 0, SEEK_END);
	if (seen.fd_size <= 0)
		return;
	p = mmap(NULL, seen.fd_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		seen.fd_size = -1;
		return;
	}
	for (i = size; i < seen.fd_size; i++)
		if (p[i] == TAIL)
			seen.tail++;
	munmap(p, seen.fd_size);
}

static void handoff(GstElement *sink, GstBuffer *buf, GstPad *pad, gpointer data)
{
	GstMemory *mem = gst_buffer_n_memory(buf) == 1 ? gst_buffer_peek_memory(buf, 0) : NULL;
	GstMapInfo map;
	gsize i;
	int fl;

	(void)sink;
	(void)pad;
	(void)data;
	g_mutex_lock(&seen.lock);
	seen.size = gst_buffer_get_size(buf);
	seen.mem = mem;
	seen.dmabuf = mem && gst_is_dmabuf_memory(mem);
	seen.readonly = mem && GST_MEMORY_IS_READONLY(mem);
	fl = seen.dmabuf ? fcntl(gst_dmabuf_memory_get_fd(mem), F_GETFL) : -1;
	seen.rdonly_fd = fl >= 0 && (fl & O_ACCMODE) == O_RDONLY;
	seen.mapped = gst_buffer_map(buf, &map, GST_MAP_READ);
	if (seen.mapped) {
		seen.uniform = TRUE;
		seen.first = map.size ? map.data[0] : 0;
		seen.last = map.size ? map.data[map.size - 1] : 0;
		for (i = 0; i < map.size; i++)
			if (map.data[i] != seen.first) {
				seen.uniform = FALSE;
				break;
			}
		gst_buffer_unmap(buf, &map);
	}
	seen.fd_size = -1;
	seen.tail = 0;
	if (seen.dmabuf)
		dmabuf_tail(gst_dmabuf_memory_get_fd(mem), seen.size);
	seen.count++;
	g_cond_signal(&seen.cond);
	g_mutex_unlock(&seen.lock);
}

struct pipe {
	GstElement *pipeline, *src, *exp;
};

static gboolean start(struct pipe *p, const char *desc)
{
	GstElement *sink;
	GError *err = NULL;

	p->pipeline = gst_parse_launch(desc, &err);
	if (!p->pipeline) {
		fail("%s: %s", desc, err->message);
		g_error_free(err);
		return FALSE;
	}
	p->src = gst_bin_get_by_name(GST_BIN(p->pipeline), "src");
	p->exp = gst_bin_get_by_name(GST_BIN(p->pipeline), "exp");
	sink = gst_bin_get_by_name(GST_BIN(p->pipeline), "sink");
	g_signal_connect(sink, "handoff", G_CALLBACK(handoff), NULL);
	gst_object_unref(sink);
	gst_element_set_state(p->pipeline, GST_STATE_PLAYING);
	return TRUE;
}

static void stop(struct pipe *p)
{
	if (!p->pipeline)
		return;
	gst_element_set_state(p->pipeline, GST_STATE_NULL);
	gst_object_unref(p->src);
	gst_object_unref(p->exp);
	gst_object_unref(p->pipeline);
	p->pipeline = NULL;
}

static guint64 counter(struct pipe *p, const char *name)
{
	guint64 v = 0;

	g_object_get(p->exp, name, &v, NULL);
	return v;
}

/*
 * Push @buf and wait until the handoff has seen it; FALSE (and why) if
 * the pipeline posted an error or nothing came within 20 s.
 */
static gboolean push(struct pipe *p, GstBuffer *buf, const char *what)
{
	gint64 end = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
	GstFlowReturn ret;
	GstMessage *msg;
	GError *err;
	gchar *dbg;
	int count;

	g_mutex_lock(&seen.lock);
	count = seen.count;
	g_mutex_unlock(&seen.lock);
	ret = gst_app_src_push_buffer(GST_APP_SRC(p->src), buf);
	if (ret != GST_FLOW_OK) {
		fail("%s: appsrc refused it: %s", what, gst_flow_get_name(ret));
		return FALSE;
	}
	g_mutex_lock(&seen.lock);
	while (seen.count == count && g_get_monotonic_time() < end) {
		g_cond_wait_until(&seen.cond, &seen.lock,
				  g_get_monotonic_time() + G_TIME_SPAN_SECOND / 10);
		msg = gst_bus_pop_filtered(GST_ELEMENT_BUS(p->pipeline), GST_MESSAGE_ERROR);
		if (msg) {
			g_mutex_unlock(&seen.lock);
			gst_message_parse_error(msg, &err, &dbg);
			fail("%s: no output, the pipeline failed: %s (%s: %s)", what,
			     err->message, GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)),
			     dbg ? dbg : "");
			g_error_free(err);
			g_free(dbg);
			gst_message_unref(msg);
			return FALSE;
		}
	}
	count = seen.count - count;
	g_mutex_unlock(&seen.lock);
	if (!count)
		fail("%s: no output within 20 s", what);
	return count != 0;
}

/* A buffer of @size bytes of @fill, SKEW bytes past a page boundary. */
static GstBuffer *unaligned(gsize size, guint8 fill)
{
	guint8 *p;

	if (posix_memalign((void **)&p, PAGE, size + SKEW))
		abort();
	memset(p + SKEW, fill, size);
	return gst_buffer_new_wrapped_full(0, p, size + SKEW, SKEW, size, p, free);
}

/* The handoff saw a dma-buf of @size bytes, all @fill. */
static void expect(const char *what, gsize size, guint8 fill)
{
	g_mutex_lock(&seen.lock);
	if (!seen.dmabuf || !seen.mapped || seen.size != size || !seen.uniform ||
	    seen.first != fill)
		fail("%s: %s%s, %zu bytes, 0x%02x...0x%02x, %s (expected %zu bytes of 0x%02x)",
		     what, seen.dmabuf ? "a dma-buf" : "not a dma-buf",
		     seen.mapped ? "" : " (map failed)", seen.size, seen.first,
		     seen.last, seen.uniform ? "all the same" : "not all the same",
		     size, fill);
	else
		printf("gst-cases: %s: a dma-buf of %zu bytes, all 0x%02x\n", what,
		       size, fill);
	g_mutex_unlock(&seen.lock);
}

/* The last buffer out was the whole 4-page memory: 0x11, then 0x22. */
static void expect_whole(const char *what)
{
	g_mutex_lock(&seen.lock);
	if (!seen.dmabuf || seen.size != 4 * PAGE || seen.first != 0x11 || seen.last != 0x22)
		fail("%s: %zu bytes, 0x%02x...0x%02x (expected %d bytes, 0x11...0x22)",
		     what, seen.size, seen.first, seen.last, 4 * PAGE);
	g_mutex_unlock(&seen.lock);
}

/* Pushes an unaligned buffer of @size bytes of @fill and checks what came out. */
static void push_unaligned(struct pipe *p, gsize size, guint8 fill, gchar *what)
{
	if (push(p, unaligned(size, fill), what))
		expect(what, size, fill);
	g_free(what);
}

/* Unaligned buffers whose size grows, the caps unchanged. */
static void grow(void)
{
	static const gsize sizes[] = { 100000, 300000, 50000, 300001 };
	struct pipe p = { 0 };
	int before = failures;
	guint i;

	if (!start(&p, "appsrc name=src format=time caps=" RAW_CAPS
		   " ! vmemexport name=exp ! " SINK))
		return;
	for (i = 0; i < G_N_ELEMENTS(sizes) && failures == before; i++)
		push_unaligned(&p, sizes[i], 0x10 + i,
			       g_strdup_printf("unaligned %zu-byte buffer (caps unchanged)",
					       sizes[i]));
	if (failures == before && counter(&p, "copied-frames") != G_N_ELEMENTS(sizes))
		fail("growing buffers: %" G_GUINT64_FORMAT " frames copied, not %zu",
		     counter(&p, "copied-frames"), G_N_ELEMENTS(sizes));
	stop(&p);
}

/* Caps renegotiated mid-stream, to a larger frame and a smaller one. */
static void renegotiate(void)
{
	static const int w[] = { 320, 640, 160 }, h[] = { 240, 480, 120 };
	struct pipe p = { 0 };
	int before = failures;
	GstCaps *caps;
	guint i;

	if (!start(&p, "appsrc name=src format=time ! vmemexport name=exp ! " SINK))
		return;
	for (i = 0; i < G_N_ELEMENTS(w) && failures == before; i++) {
		caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "YUY2",
					   "width", G_TYPE_INT, w[i], "height", G_TYPE_INT, h[i],
					   "framerate", GST_TYPE_FRACTION, 30, 1, NULL);
		gst_app_src_set_caps(GST_APP_SRC(p.src), caps);
		gst_caps_unref(caps);
		push_unaligned(&p, w[i] * h[i] * 2, 0x40 + i,
			       g_strdup_printf("caps YUY2 %dx%d, an unaligned frame", w[i], h[i]));
	}
	if (failures == before && counter(&p, "copied-frames") != G_N_ELEMENTS(w))
		fail("renegotiated caps: %" G_GUINT64_FORMAT " frames copied, not %zu",
		     counter(&p, "copied-frames"), G_N_ELEMENTS(w));
	stop(&p);
}

static int resize(void)
{
	grow();
	renegotiate();
	return failures != 0;
}

/* Wait until @mem is ours alone again (the last buffer that held it is freed). */
static gboolean released(GstMemory *mem)
{
	int i;

	for (i = 0; i < 5000; i++) {
		if (GST_MINI_OBJECT_REFCOUNT_VALUE(mem) == 1)
			return TRUE;
		g_usleep(1000);
	}
	fail("the memory pushed is still held after 5 s");
	return FALSE;
}

static GstBuffer *holding(GstMemory *mem)
{
	GstBuffer *buf = gst_buffer_new();

	gst_buffer_append_memory(buf, gst_memory_ref(mem));
	return buf;
}

static int recache(void)
{
	struct pipe p = { 0 };
	GstMemory *mem;
	guint8 *data;
	guint64 exported, hits;

	if (posix_memalign((void **)&data, PAGE, 4 * PAGE))
		abort();
	memset(data, 0x11, PAGE);
	memset(data + PAGE, 0x22, 3 * PAGE);
	mem = gst_memory_new_wrapped(0, data, 4 * PAGE, 0, 4 * PAGE, data, free);
	if (!start(&p, "appsrc name=src format=time caps=" RAW_CAPS
		   " ! vmemexport name=exp ! " SINK))
		goto out;
	/* The whole memory: its first page 0x11, the rest 0x22. */
	if (!push(&p, holding(mem), "whole memory") || !released(mem))
		goto out;
	expect_whole("whole memory");
	if (!push(&p, holding(mem), "whole memory again") || !released(mem))
		goto out;
	/* Its two middle pages, set to 0x33. */
	gst_memory_resize(mem, PAGE, 2 * PAGE);
	memset(data + PAGE, 0x33, 2 * PAGE);
	if (!push(&p, holding(mem), "resized to its two middle pages") || !released(mem))
		goto out;
	expect("resized to its two middle pages", 2 * PAGE, 0x33);
	/* Whole again, as a pool's reset leaves it. */
	gst_memory_resize(mem, -PAGE, 4 * PAGE);
	if (!push(&p, holding(mem), "whole again") || !released(mem))
		goto out;
	expect_whole("whole again");
	exported = counter(&p, "exported-frames");
	hits = counter(&p, "cache-hits");
	printf("gst-cases: recache: %" G_GUINT64_FORMAT " exported in place, %"
	       G_GUINT64_FORMAT " cache hits\n", exported, hits);
	if (exported != 3 || hits != 1)
		fail("recache: %" G_GUINT64_FORMAT " exports, %" G_GUINT64_FORMAT
		     " cache hits (expected 3 and 1: only the second push is the same range)",
		     exported, hits);
out:
	stop(&p);
	gst_memory_unref(mem);
	return failures != 0;
}

/* One page-aligned memory through @desc: is its export read-only? */
static int access_mode(const char *desc, const char *what, gboolean readonly)
{
	struct pipe p = { 0 };
	GstMemory *mem;
	guint8 *data;

	if (posix_memalign((void **)&data, PAGE, 4 * PAGE))
		abort();
	memset(data, 0x55, 4 * PAGE);
	mem = gst_memory_new_wrapped(0, data, 4 * PAGE, 0, 4 * PAGE, data, free);
	if (start(&p, desc) && push(&p, holding(mem), what) && released(mem)) {
		g_mutex_lock(&seen.lock);
		if (!seen.dmabuf || seen.readonly != readonly || seen.rdonly_fd != readonly)
			fail("%s: output %s, memory %s, fd %s (expected a %s export)",
			     what, seen.dmabuf ? "a dma-buf" : "not a dma-buf",
			     seen.readonly ? "READONLY" : "writable",
			     seen.rdonly_fd ? "O_RDONLY" : "not O_RDONLY",
			     readonly ? "read-only" : "read-write");
		else
			printf("gst-cases: %s: exported %s\n", what,
			       readonly ? "read-only" : "read-write");
		g_mutex_unlock(&seen.lock);
		if (counter(&p, "exported-frames") != 1)
			fail("%s: %" G_GUINT64_FORMAT " exported in place, not 1", what,
			     counter(&p, "exported-frames"));
	}
	stop(&p);
	gst_memory_unref(mem);
	return failures != 0;
}

static int tee(void)
{
	access_mode(TEE_PIPE, "behind a tee", TRUE);
	access_mode("appsrc name=src format=time caps=" RAW_CAPS
		    " ! vmemexport name=exp ! " SINK, "no tee", FALSE);
	return failures != 0;
}

/*
 * One memory through the element: @size bytes of 0x66 (@mem's data), the
 * rest of their last page TAIL. @owned: @mem owns that page (else it must
 * be copied, and the dma-buf pushed must not show a TAIL byte).
 */
static void tail_case(GstMemory *mem, const char *what, gboolean owned)
{
	struct pipe p = { 0 };
	guint64 exported, copied;

	if (!start(&p, "appsrc name=src format=time caps=" RAW_CAPS
		   " ! vmemexport name=exp ! " SINK) ||
	    !push(&p, holding(mem), what) || !released(mem))
		goto out;
	exported = counter(&p, "exported-frames");
	copied = counter(&p, "copied-frames");
	g_mutex_lock(&seen.lock);
	printf("gst-cases: %s: %" G_GUINT64_FORMAT " exported in place, %" G_GUINT64_FORMAT
	       " copied; a %ld-byte dma-buf for %zu bytes, %zu bytes of 0x%02x past them\n",
	       what, exported, copied, (long)seen.fd_size, seen.size, seen.tail, TAIL);
	if (!seen.dmabuf || seen.fd_size < (off_t)seen.size ||
	    seen.size != mem->size || !seen.uniform || seen.first != 0x66)
		fail("%s: %s, %zu bytes (dma-buf %ld), 0x%02x...0x%02x (expected %zu of 0x66)",
		     what, seen.dmabuf ? "a dma-buf" : "not a dma-buf", seen.size,
		     (long)seen.fd_size, seen.first, seen.last, mem->size);
	else if (!owned && seen.tail)
		fail("%s: its dma-buf shows %zu bytes of another's (0x%02x) past its %zu",
		     what, seen.tail, TAIL, mem->size);
	else if (owned ? exported != 1 || copied : exported || copied != 1)
		fail("%s: %" G_GUINT64_FORMAT " exported in place, %" G_GUINT64_FORMAT
		     " copied (expected %s)", what, exported, copied,
		     owned ? "exported in place" : "copied");
	g_mutex_unlock(&seen.lock);
out:
	stop(&p);
}

#define TAIL_SIZE 4000

/* Two pages, page-aligned: TAIL_SIZE bytes of 0x66, then TAIL. */
static guint8 *tail_pages(void)
{
	guint8 *data;

	if (posix_memalign((void **)&data, PAGE, 2 * PAGE))
		abort();
	memset(data, 0x66, TAIL_SIZE);
	memset(data + TAIL_SIZE, TAIL, 2 * PAGE - TAIL_SIZE);
	return data;
}

static int tail(void)
{
	GstMemory *mem, *whole;
	guint8 *data;

	/* A memory of TAIL_SIZE bytes: the rest of its page is not its. */
	data = tail_pages();
	mem = gst_memory_new_wrapped(0, data, TAIL_SIZE, 0, TAIL_SIZE, data, free);
	tail_case(mem, "a 4000-byte memory, another's bytes after it", FALSE);
	gst_memory_unref(mem);
	/* Its first TAIL_SIZE bytes of a two-page memory: the next share's. */
	data = tail_pages();
	whole = gst_memory_new_wrapped(0, data, 2 * PAGE, 0, 2 * PAGE, data, free);
	mem = gst_memory_share(whole, 0, TAIL_SIZE);
	tail_case(mem, "a 4000-byte share of an 8192-byte memory", FALSE);
	gst_memory_unref(mem);
	gst_memory_unref(whole);
	/* 4000 bytes of a memory whose maxsize is the whole page: its own. */
	data = tail_pages();
	mem = gst_memory_new_wrapped(0, data, PAGE, 0, TAIL_SIZE, data, free);
	tail_case(mem, "4000 bytes of a memory that owns the page", TRUE);
	gst_memory_unref(mem);
	return failures != 0;
}

/* The DMA_BUF_IOCTL_SYNC flags the libraries pass for sync_fd, in order. */
static int sync_fd = -1;
static guint64 sync_flags[8];
static int n_syncs;
/* How often the libraries mmap() sync_fd. */
static int n_mmaps;
/* DMA_BUF_IOCTL_EXPORT_SYNC_FILE calls of the libraries, and failures. */
static int n_exports, n_export_errors;

/* Come before libc's for the libraries' calls: count, then forward. */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (fd >= 0 && fd == sync_fd)
		n_mmaps++;
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

/* Comes before libc's for the libraries' calls: records, then forwards. */
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	long ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (req == DMA_BUF_IOCTL_SYNC && fd == sync_fd && n_syncs < 8)
		sync_flags[n_syncs++] = ((struct dma_buf_sync *)arg)->flags;
	ret = syscall(SYS_ioctl, fd, req, arg);
#ifdef DMA_BUF_IOCTL_EXPORT_SYNC_FILE
	if (req == DMA_BUF_IOCTL_EXPORT_SYNC_FILE) {
		g_atomic_int_inc(&n_exports);
		if (ret < 0)
			g_atomic_int_inc(&n_export_errors);
	}
#endif
	return ret;
}

static void map_synced(GstMemory *mem, GstMapFlags flags, guint64 dir,
		       const char *what)
{
	GstMapInfo map;

	n_syncs = 0;
	if (!gst_memory_map(mem, &map, flags)) {
		fail("%s: map refused", what);
		return;
	}
	if (n_syncs != 1 || sync_flags[0] != (DMA_BUF_SYNC_START | dir))
		fail("%s: %d syncs on map, the first 0x%llx (want one, 0x%llx)",
		     what, n_syncs, (unsigned long long)sync_flags[0],
		     (unsigned long long)(DMA_BUF_SYNC_START | dir));
	gst_memory_unmap(mem, &map);
	if (n_syncs != 2 || sync_flags[1] != (DMA_BUF_SYNC_END | dir))
		fail("%s: %d syncs after unmap, the last 0x%llx (want 2, 0x%llx)",
		     what, n_syncs, (unsigned long long)sync_flags[n_syncs - 1],
		     (unsigned long long)(DMA_BUF_SYNC_END | dir));
}

static int sync_case(void)
{
	GstAllocator *alloc;
	GstPlugin *plugin;
	GstMemory *mem;

	plugin = gst_plugin_load_by_name("vmemexp");
	if (!plugin) {
		fail("the vmemexp plugin does not load");
		return 1;
	}
	gst_object_unref(plugin);
	alloc = gst_allocator_find("vmemexp");
	if (!alloc) {
		fail("no allocator \"vmemexp\" registered");
		return 1;
	}
	mem = gst_allocator_alloc(alloc, PAGE, NULL);
	gst_object_unref(alloc);
	if (!mem || !gst_is_dmabuf_memory(mem)) {
		fail("no dma-buf memory from the registered allocator");
		if (mem)
			gst_memory_unref(mem);
		return 1;
	}
	sync_fd = gst_dmabuf_memory_get_fd(mem);
	n_mmaps = 0;
	map_synced(mem, GST_MAP_READWRITE,
		   DMA_BUF_SYNC_READ | DMA_BUF_SYNC_WRITE, "read-write map");
	map_synced(mem, GST_MAP_READ, DMA_BUF_SYNC_READ, "read-only map");
	map_synced(mem, GST_MAP_WRITE, DMA_BUF_SYNC_WRITE, "write map");
	/* The mapping the allocator made read-write, kept: no mmap() per map. */
	if (n_mmaps)
		fail("maps of the allocator's memory: %d mmap() of its dma-buf %s",
		     n_mmaps, "(want 0: mapped once when allocated)");
	sync_fd = -1;
	gst_memory_unref(mem);
	printf("gst-cases: maps of the registered allocator's memory: %s\n",
	       "one sync start, one end each, no mmap()");
	return failures != 0;
}

#if GST_CHECK_VERSION(1, 28, 0)
/* The syncs and mmap()s of one read-write map of @mem, printed as @whose. */
static void map_counted(GstMemory *mem, const char *whose)
{
	GstMapInfo map;
	int syncs = -1;

	sync_fd = gst_dmabuf_memory_get_fd(mem);
	n_syncs = 0;
	n_mmaps = 0;
	if (gst_memory_map(mem, &map, GST_MAP_READWRITE)) {
		gst_memory_unmap(mem, &map);
		syncs = n_syncs;
	}
	printf("gst-cases: a read-write map of %s memory: %d DMA_BUF_IOCTL_SYNC, %d mmap()\n",
	       whose, syncs, n_mmaps);
	sync_fd = -1;
}

/* Pushes @buf (ours no more) through @p: out as it came, nothing exported. */
static void pass_through(struct pipe *p, GstBuffer *buf, const char *what)
{
	const GstMemory *mem = gst_buffer_peek_memory(buf, 0);
	gsize size = gst_buffer_get_size(buf);
	guint64 zero, exported, copied;

	if (!push(p, buf, what))
		return;
	expect(what, size, 0x5a);
	g_mutex_lock(&seen.lock);
	if (seen.mem != mem)
		fail("%s: out came another memory (expected the memory pushed)", what);
	g_mutex_unlock(&seen.lock);
	zero = counter(p, "zero-copy-frames");
	exported = counter(p, "exported-frames");
	copied = counter(p, "copied-frames");
	if (!zero || exported || copied)
		fail("%s: vmemexport counted %" G_GUINT64_FORMAT " zero copy, %"
		     G_GUINT64_FORMAT " exported, %" G_GUINT64_FORMAT
		     " copied (expected zero copy, neither exported nor copied)",
		     what, zero, exported, copied);
	else
		printf("gst-cases: %s: passed through as it is, zero copy\n", what);
}

/* Fills @buf with 0x5a, as pass_through() expects it; returns @buf. */
static GstBuffer *paint(GstBuffer *buf)
{
	GstMapInfo map;

	if (gst_buffer_map(buf, &map, GST_MAP_WRITE)) {
		memset(map.data, 0x5a, map.size);
		gst_buffer_unmap(buf, &map);
	}
	return buf;
}

/* A buffer of one memory of @alloc, @size bytes of 0x5a. */
static GstBuffer *filled(GstAllocator *alloc, gsize size)
{
	GstMemory *mem = gst_allocator_alloc(alloc, size, NULL);
	GstBuffer *buf;

	if (!mem)
		return NULL;
	buf = gst_buffer_new();
	gst_buffer_append_memory(buf, mem);
	return paint(buf);
}

/*
 * A GstVideoDmabufPool given the "vmemexp" allocator, two buffers of a
 * 64x64 YUY2 frame; each acquired twice (the pool must have them back
 * after each release, through its implicit sync), then one pushed.
 */
static void video_dmabuf_pool(struct pipe *p, GstAllocator *ours)
{
	GstBufferPool *pool = gst_video_dmabuf_pool_new();
	GstVideoAlignment align;
	GstStructure *config;
	GstAllocator *got = NULL;
	GstVideoInfo info;
	GstBuffer *buf[2] = { NULL, NULL };
	GstCaps *caps;
	int i, round;

	caps = gst_caps_from_string("video/x-raw,format=YUY2,width=64,height=64");
	gst_video_info_from_caps(&info, caps);
	gst_video_alignment_reset(&align);
	config = gst_buffer_pool_get_config(pool);
	gst_buffer_pool_config_set_params(config, caps, info.size, 2, 2);
	gst_buffer_pool_config_set_allocator(config, ours, NULL);
	gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META);
	gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT);
	gst_buffer_pool_config_set_video_alignment(config, &align);
	gst_caps_unref(caps);
	/* It raises the alignment and says so by refusing: take its config. */
	if (!gst_buffer_pool_set_config(pool, config)) {
		config = gst_buffer_pool_get_config(pool);
		if (!gst_buffer_pool_set_config(pool, config)) {
			fail("GstVideoDmabufPool: refused its own updated config");
			goto out;
		}
	}
	config = gst_buffer_pool_get_config(pool);
	gst_buffer_pool_config_get_allocator(config, &got, NULL);
	if (got != ours)
		fail("GstVideoDmabufPool given the vmemexp allocator: it uses %s",
		     got ? GST_OBJECT_NAME(got) : "none");
	gst_structure_free(config);
	if (!gst_buffer_pool_set_active(pool, TRUE)) {
		fail("GstVideoDmabufPool with the vmemexp allocator: does not start");
		goto out;
	}
	g_atomic_int_set(&n_exports, 0);
	g_atomic_int_set(&n_export_errors, 0);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 2; i++) {
			GstBufferPoolAcquireParams dontwait = {
				.flags = GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT,
			};

			if (gst_buffer_pool_acquire_buffer(pool, &buf[i], &dontwait) !=
			    GST_FLOW_OK) {
				fail("GstVideoDmabufPool: buffer %d of round %d %s",
				     i, round, "not back in the pool");
				goto out;
			}
			if (gst_buffer_peek_memory(buf[i], 0)->allocator != ours)
				fail("GstVideoDmabufPool: a buffer's memory is %s",
				     "not the vmemexp allocator's");
		}
		for (i = 0; i < 2; i++)
			gst_clear_buffer(&buf[i]);
	}
	if (g_atomic_int_get(&n_exports) < 4 || g_atomic_int_get(&n_export_errors))
		fail("GstVideoDmabufPool's release: %d %s on our dma-bufs, %d failed %s",
		     g_atomic_int_get(&n_exports), "DMA_BUF_IOCTL_EXPORT_SYNC_FILE",
		     g_atomic_int_get(&n_export_errors), "(expected one a release, none failed)");
	else
		printf("gst-cases: GstVideoDmabufPool with the vmemexp allocator: kept it; %d %s\n",
		       g_atomic_int_get(&n_exports),
		       "releases, each through DMA_BUF_IOCTL_EXPORT_SYNC_FILE on our dma-buf");
	if (gst_buffer_pool_acquire_buffer(pool, &buf[0], NULL) == GST_FLOW_OK) {
		pass_through(p, paint(buf[0]),
			     "a GstVideoDmabufPool buffer of the vmemexp allocator");
		buf[0] = NULL;
	}
out:
	for (i = 0; i < 2; i++)
		gst_clear_buffer(&buf[i]);
	gst_buffer_pool_set_active(pool, FALSE);
	if (got)
		gst_object_unref(got);
	gst_object_unref(pool);
}

static int udmabuf(void)
{
	GstAllocator *udma = gst_udmabuf_allocator_get(), *ours;
	struct pipe p = { 0 };
	GstPlugin *plugin;
	GstBuffer *buf;

	plugin = gst_plugin_load_by_name("vmemexp");
	if (plugin)
		gst_object_unref(plugin);
	ours = gst_allocator_find("vmemexp");
	if (!udma || !ours) {
		fail("no %s allocator", udma ? "vmemexp" : "udmabuf (no /dev/udmabuf?)");
		goto out;
	}
	if (!start(&p, "appsrc name=src format=time caps=" RAW_CAPS
		   " ! vmemexport name=exp ! " SINK))
		goto out;
	buf = filled(udma, 3 * PAGE);
	if (!buf) {
		fail("GstUdmabufAllocator: no memory of 3 pages");
		goto out;
	}
	map_counted(gst_buffer_peek_memory(buf, 0), "GstUdmabufAllocator's");
	pass_through(&p, buf, "a frame of GstUdmabufAllocator's memory");
	buf = filled(ours, 3 * PAGE);
	if (buf) {
		map_counted(gst_buffer_peek_memory(buf, 0), "the vmemexp allocator's");
		gst_buffer_unref(buf);
	}
	video_dmabuf_pool(&p, ours);
out:
	stop(&p);
	if (udma)
		gst_object_unref(udma);
	if (ours)
		gst_object_unref(ours);
	return failures != 0;
}
#else
static int udmabuf(void)
{
	printf("gst-cases: GStreamer %d.%d has no GstUdmabufAllocator (1.28 and later)\n",
	       GST_VERSION_MAJOR, GST_VERSION_MINOR);
	return 77;
}
#endif

int main(int argc, char **argv)
{
	int ret = 2;

	gst_init(&argc, &argv);
	g_mutex_init(&seen.lock);
	g_cond_init(&seen.cond);
	if (argc == 2 && !strcmp(argv[1], "resize"))
		ret = resize();
	else if (argc == 2 && !strcmp(argv[1], "recache"))
		ret = recache();
	else if (argc == 2 && !strcmp(argv[1], "tee"))
		ret = tee();
	else if (argc == 2 && !strcmp(argv[1], "tail"))
		ret = tail();
	else if (argc == 2 && !strcmp(argv[1], "sync"))
		ret = sync_case();
	else if (argc == 2 && !strcmp(argv[1], "udmabuf"))
		ret = udmabuf();
	else
		fprintf(stderr, "usage: gst-cases resize|recache|tee|tail|sync|udmabuf\n");
	if (ret != 2 && ret != 77)
		printf("gst-cases: %s: %s\n", argv[1], failures ? "FAILED" : "passed");
	g_mutex_clear(&seen.lock);
	g_cond_clear(&seen.cond);
	gst_deinit();
	return ret;
}
