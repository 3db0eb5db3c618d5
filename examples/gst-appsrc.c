// SPDX-License-Identifier: MIT
/*
 * gst-appsrc: an application hands its own buffers to GStreamer, zero copy.
 *
 * The application owns four page-aligned YUY2 frames (posix_memalign). It
 * draws into one, wraps it in a GstBuffer without copying, and pushes it
 * into appsrc; the vmemexp plugin's vmemexport element exports the memory
 * in place as a dma-buf (once per frame: the export is cached on the
 * frame's GstMemory, which the application keeps and pushes again), and the
 * sink imports it. A frame goes back to the application when GStreamer
 * drops the last reference to the buffer that carried it.
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
 * It prints the element's counters: bytes copied is 0 unless -u.
 */
#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NFRAMES 4
/* -c: the frames pushed before the CPU is counted (start-up, caches). */
#define WARMUP 60

/* What appsrc announces: what the frames hold, and what v4l2sink accepts. */
#define CAPS "video/x-raw,format=YUY2,width=%d,height=%d,framerate=30/1,pixel-aspect-ratio=1/1,interlace-mode=progressive,colorimetry=bt601"
#define PIPELINE "appsrc name=src format=time caps=" CAPS " ! vmemexport name=exp ! %s sync=false"

static guint8 *frames[NFRAMES];
static GstMemory *mems[NFRAMES];
static gboolean busy[NFRAMES];
static GMutex lock;
static GCond freed;

static void frame_done(gpointer data, GstMiniObject *gone)
{
	(void)gone;
	g_mutex_lock(&lock);
	busy[GPOINTER_TO_INT(data)] = FALSE;
	g_cond_signal(&freed);
	g_mutex_unlock(&lock);
}

/* A free frame, or -1 once the pipeline failed (its frames never return). */
static int take_frame(GstElement *pipeline, GstMessage **error)
{
	int i;

	g_mutex_lock(&lock);
	for (;;) {
		for (i = 0; i < NFRAMES; i++)
			if (!busy[i]) {
				busy[i] = TRUE;
				g_mutex_unlock(&lock);
				return i;
			}
		if (!g_cond_wait_until(&freed, &lock, g_get_monotonic_time() +
				       G_TIME_SPAN_SECOND / 10)) {
			*error = gst_bus_pop_filtered(GST_ELEMENT_BUS(pipeline),
						      GST_MESSAGE_ERROR);
			if (*error) {
				g_mutex_unlock(&lock);
				return -1;
			}
		}
	}
}

int main(int argc, char **argv)
{
	const char *sink = "fakesink";
	gsize skew = 0;
	int fill = -1, opt;
	guint64 zero_copy = 0, copied = 0, bytes = 0;
	GstElement *pipeline, *src, *exp;
	GError *err = NULL;
	GstMessage *msg = NULL;
	gchar *desc;
	int npush = 100, w = 640, h = 480, i, n, cpu = 0;
	struct timespec t0 = { 0 }, t1;
	gsize frame_size;

	gst_init(&argc, &argv);
	while ((opt = getopt(argc, argv, "ucf:n:s:")) != -1) {
		if (opt == 'u')
			skew = 64;
		else if (opt == 'c')
			cpu = 1;
		else if (opt == 'f')
			fill = atoi(optarg) & 0xff;
		else if (opt == 'n')
			npush = atoi(optarg);
		else if (opt != 's' || sscanf(optarg, "%dx%d", &w, &h) != 2 ||
			 w < 2 || h < 1 || w > 8192 || h > 8192)
			return 2;
	}
	frame_size = (gsize)w * h * 2;
	if (optind < argc)
		sink = argv[optind];
	for (i = 0; i < NFRAMES; i++)
		if (posix_memalign((void **)&frames[i], sysconf(_SC_PAGESIZE),
				   frame_size + skew))
			return 1;
	/* Wrapped once, pushed many times: the plugin's export cache hits. */
	for (i = 0; i < NFRAMES; i++)
		mems[i] = gst_memory_new_wrapped(0, frames[i], frame_size + skew,
						 skew, frame_size, frames[i], free);
	desc = g_strdup_printf(PIPELINE, w, h, sink);
	pipeline = gst_parse_launch(desc, &err);
	g_free(desc);
	if (!pipeline) {
		fprintf(stderr, "gst-appsrc: %s\n", err->message);
		return 1;
	}
	src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
	exp = gst_bin_get_by_name(GST_BIN(pipeline), "exp");
	gst_element_set_state(pipeline, GST_STATE_PLAYING);

	for (n = 0; n < npush; n++) {
		GstBuffer *buf;

		if (n == WARMUP)
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
		i = take_frame(pipeline, &msg);
		if (i < 0)
			break;
		/* the "drawing" */
		memset(frames[i] + skew, fill >= 0 ? fill : 16 + n % 200, frame_size);
		buf = gst_buffer_new();
		gst_buffer_append_memory(buf, gst_memory_ref(mems[i]));
		gst_mini_object_weak_ref(GST_MINI_OBJECT(buf), frame_done,
					 GINT_TO_POINTER(i));
		GST_BUFFER_PTS(buf) = gst_util_uint64_scale(n, GST_SECOND, 30);
		GST_BUFFER_DURATION(buf) = GST_SECOND / 30;
		if (gst_app_src_push_buffer(GST_APP_SRC(src), buf) != GST_FLOW_OK)
			break;
	}
	gst_app_src_end_of_stream(GST_APP_SRC(src));
	if (!msg)
		msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(pipeline),
						 GST_CLOCK_TIME_NONE,
						 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	if (cpu && n > WARMUP)
		printf("gst-appsrc: %d frames after the first %d, %.0f us of CPU per frame\n",
		       n - WARMUP, WARMUP, ((t1.tv_sec - t0.tv_sec) * 1e6 +
					   (t1.tv_nsec - t0.tv_nsec) / 1e3) / (n - WARMUP));
	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
		gst_message_parse_error(msg, &err, NULL);
		fprintf(stderr, "gst-appsrc: %s\n", err->message);
		g_error_free(err);
	}
	g_object_get(exp, "zero-copy-frames", &zero_copy, "copied-frames", &copied,
		     "bytes-copied", &bytes, NULL);
	printf("gst-appsrc: %d frames pushed, %" G_GUINT64_FORMAT " zero copy, %"
	       G_GUINT64_FORMAT " copied, %" G_GUINT64_FORMAT " bytes copied%s\n",
	       n, zero_copy, copied, bytes,
	       GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR ? " (pipeline error)" : "");
	i = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR || (bytes != 0) != (skew != 0);
	gst_message_unref(msg);
	gst_element_set_state(pipeline, GST_STATE_NULL);
	gst_object_unref(exp);
	gst_object_unref(src);
	gst_object_unref(pipeline);
	for (n = 0; n < NFRAMES; n++)
		gst_memory_unref(mems[n]);
	/* Tracers report here: GST_TRACERS=leaks lists what is still alive. */
	gst_deinit();
	return i;
}
