// SPDX-License-Identifier: MIT
/*
 * gst-appsrc: an application hands its own buffers to GStreamer, zero copy.
 *
 * The application owns page-aligned YUY2 frames (posix_memalign). When
 * appsrc asks for data, it draws into a free frame, wraps it in a GstBuffer
 * without copying, and pushes it; the vmemexp plugin's vmemexport element
 * exports the memory in place as a dma-buf (once per frame: the export is
 * cached on the frame's GstMemory, which the application keeps and pushes
 * again), and the sink imports it. A frame goes back to the application
 * when GStreamer drops the last reference to the buffer that carried it.
 *
 * It draws when appsrc asks (its need-data callback, in the pipeline's
 * streaming thread), into the frame that came back first, and makes a new
 * frame only when none is free: the frames then go round in step with the
 * sink's buffers, and an importer that keeps what it imported on each of
 * them need not import again (gst/README.md, "Frames in step with the
 * sink").
 *
 *   cc -o gst-appsrc gst-appsrc.c $(pkg-config --cflags --libs gstreamer-app-1.0)
 *   ./gst-appsrc [-u] [-c] [-f BYTE] [-n FRAMES] [-s WxH] [SINK]
 *       SINK   e.g. "v4l2sink device=/dev/video1 io-mode=dmabuf-import"
 *              (default: fakesink)
 *       -f     fill every frame with BYTE (default: a value that changes)
 *       -n     push FRAMES frames (default 100)
 *       -s     frames of W x H pixels (default 640x480)
 *       -u     push the frames 64 bytes past a page boundary: the element
 *              cannot export them in place and copies them (counted)
 *       -c     also print the CPU a frame costs (user + system, all the
 *              process's threads) from the 61st frame to the end of the
 *              stream: what zero copy saves, without the process's start
 * It prints how many frames it made and the element's counters: bytes
 * copied is 0 unless -u.
 */
#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* More than any sink holds at once: the pipeline fails beyond it. */
#define MAX_FRAMES 16
/* -c: the frames pushed before the CPU is counted (start-up, caches). */
#define WARMUP 60

/* What appsrc announces: what the frames hold, and what v4l2sink accepts. */
#define CAPS "video/x-raw,format=YUY2,width=%d,height=%d,framerate=30/1,pixel-aspect-ratio=1/1,interlace-mode=progressive,colorimetry=bt601"
#define PIPELINE "appsrc name=src format=time caps=" CAPS " ! vmemexport name=exp ! %s sync=false"

struct app {
	gsize frame_size, skew;
	int fill, npush, pushed;
	gboolean done;		/* end of stream sent (or the frames ran out) */
	gboolean starved;	/* no frame was free, and none could be made */
	struct timespec t0;	/* the CPU clock at frame WARMUP */
	int nframes;		/* frames made: frames[0 .. nframes - 1] */
	GMutex lock;		/* protects back (frame_done runs in any thread) */
	GQueue back;		/* free frames' indices, the first back first */
};

static struct app app;
/* The frames, and each wrapped in a GstMemory once. */
static guint8 *frames[MAX_FRAMES];
static GstMemory *mems[MAX_FRAMES];

static void frame_done(gpointer data, GstMiniObject *gone)
{
	(void)gone;
	g_mutex_lock(&app.lock);
	g_queue_push_tail(&app.back, data);
	g_mutex_unlock(&app.lock);
}

/* The frame back longest, else a new one; -1 if none can be made. */
static int take_frame(void)
{
	int i = -1;

	g_mutex_lock(&app.lock);
	if (!g_queue_is_empty(&app.back))
		i = GPOINTER_TO_INT(g_queue_pop_head(&app.back));
	g_mutex_unlock(&app.lock);
	if (i >= 0 || app.nframes == MAX_FRAMES)
		return i;
	i = app.nframes;
	if (posix_memalign((void **)&frames[i], sysconf(_SC_PAGESIZE),
			   app.frame_size + app.skew))
		return -1;
	/* Wrapped once, pushed many times: the plugin's export cache hits. */
	mems[i] = gst_memory_new_wrapped(0, frames[i], app.frame_size + app.skew,
					 app.skew, app.frame_size, frames[i],
					 free);
	app.nframes++;
	return i;
}

/* appsrc's streaming thread: its queue is empty, push the next frame. */
static void need_data(GstAppSrc *src, guint length, gpointer data)
{
	GstBuffer *buf;
	int i;

	(void)length;
	(void)data;
	if (app.done)
		return;
	if (app.pushed == app.npush) {
		app.done = TRUE;
		gst_app_src_end_of_stream(src);
		return;
	}
	if (app.pushed == WARMUP)
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &app.t0);
	i = take_frame();
	if (i < 0) {
		app.done = TRUE;
		app.starved = TRUE;
		gst_app_src_end_of_stream(src);
		return;
	}
	/* the "drawing" */
	memset(frames[i] + app.skew,
	       app.fill >= 0 ? app.fill : 16 + app.pushed % 200, app.frame_size);
	buf = gst_buffer_new();
	gst_buffer_append_memory(buf, gst_memory_ref(mems[i]));
	gst_mini_object_weak_ref(GST_MINI_OBJECT(buf), frame_done,
				 GINT_TO_POINTER(i));
	GST_BUFFER_PTS(buf) = gst_util_uint64_scale(app.pushed, GST_SECOND, 30);
	GST_BUFFER_DURATION(buf) = GST_SECOND / 30;
	app.pushed++;
	/* Takes the buffer; fails only when appsrc is flushing or at its end. */
	gst_app_src_push_buffer(src, buf);
}

int main(int argc, char **argv)
{
	GstAppSrcCallbacks callbacks = { .need_data = need_data };
	const char *sink = "fakesink";
	guint64 zero_copy = 0, copied = 0, bytes = 0;
	GstElement *pipeline, *src, *exp;
	GError *err = NULL;
	GstMessage *msg;
	gchar *desc;
	int w = 640, h = 480, i, opt, cpu = 0, failed;
	struct timespec t1;

	gst_init(&argc, &argv);
	app.fill = -1;
	app.npush = 100;
	while ((opt = getopt(argc, argv, "ucf:n:s:")) != -1) {
		if (opt == 'u')
			app.skew = 64;
		else if (opt == 'c')
			cpu = 1;
		else if (opt == 'f')
			app.fill = atoi(optarg) & 0xff;
		else if (opt == 'n')
			app.npush = atoi(optarg);
		else if (opt != 's' || sscanf(optarg, "%dx%d", &w, &h) != 2 ||
			 w < 2 || h < 1 || w > 8192 || h > 8192)
			return 2;
	}
	app.frame_size = (gsize)w * h * 2;
	if (optind < argc)
		sink = argv[optind];
	g_mutex_init(&app.lock);
	g_queue_init(&app.back);
	desc = g_strdup_printf(PIPELINE, w, h, sink);
	pipeline = gst_parse_launch(desc, &err);
	g_free(desc);
	if (!pipeline) {
		fprintf(stderr, "gst-appsrc: %s\n", err->message);
		return 1;
	}
	src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
	exp = gst_bin_get_by_name(GST_BIN(pipeline), "exp");
	gst_app_src_set_callbacks(GST_APP_SRC(src), &callbacks, NULL, NULL);
	gst_element_set_state(pipeline, GST_STATE_PLAYING);

	msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(pipeline),
					 GST_CLOCK_TIME_NONE,
					 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	if (cpu && app.pushed > WARMUP)
		printf("gst-appsrc: %d frames after the first %d, %.0f us of CPU per frame\n",
		       app.pushed - WARMUP, WARMUP,
		       ((t1.tv_sec - app.t0.tv_sec) * 1e6 +
			(t1.tv_nsec - app.t0.tv_nsec) / 1e3) / (app.pushed - WARMUP));
	failed = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR;
	if (failed) {
		gst_message_parse_error(msg, &err, NULL);
		fprintf(stderr, "gst-appsrc: %s\n", err->message);
		g_error_free(err);
	}
	if (app.starved)
		fprintf(stderr, "gst-appsrc: no frame free, and no new one (%d made, at most %d)\n",
			app.nframes, MAX_FRAMES);
	g_object_get(exp, "zero-copy-frames", &zero_copy, "copied-frames", &copied,
		     "bytes-copied", &bytes, NULL);
	printf("gst-appsrc: %d frames pushed, %d made, %" G_GUINT64_FORMAT
	       " zero copy, %" G_GUINT64_FORMAT " copied, %" G_GUINT64_FORMAT
	       " bytes copied%s\n", app.pushed, app.nframes, zero_copy, copied,
	       bytes, failed || app.starved ? " (pipeline error)" : "");
	failed |= app.starved || (bytes != 0) != (app.skew != 0);
	gst_message_unref(msg);
	gst_element_set_state(pipeline, GST_STATE_NULL);
	gst_object_unref(exp);
	gst_object_unref(src);
	gst_object_unref(pipeline);
	for (i = 0; i < app.nframes; i++)
		gst_memory_unref(mems[i]);
	/* Tracers report here: GST_TRACERS=leaks lists what is still alive. */
	gst_deinit();
	return failed;
}
