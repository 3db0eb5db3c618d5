// SPDX-License-Identifier: GPL-2.0
/*
 * gst-cpu: the CPU a pipeline's frame costs, measured inside its process
 * (make bench's pipeline section, bench/gst-pipelines.sh).
 *
 *   gst-cpu WARMUP PIPELINE
 *
 * Runs PIPELINE (gst-launch-1.0's syntax; its sink named "sink", its source
 * ending the stream) to its end of stream, counting the buffers that reach
 * the sink. Prints "gst-cpu: F frames, C us per frame": the process's CPU
 * (user + system, every thread: CLOCK_PROCESS_CPUTIME_ID) from the arrival
 * of buffer WARMUP + 1 at the sink to the end of stream, over the F buffers
 * that arrived from then on. What a process spends starting (plugins, the
 * registry, code translated anew under TCG) and stopping is left out, as is
 * the pipeline's first WARMUP frames: examples/gst-appsrc -c measures its
 * own frames the same way. Exits 1 on a pipeline error or too few frames.
 */
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static guint64 frames, warmup;
static struct timespec start;

static GstPadProbeReturn arrived(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	(void)pad;
	(void)info;
	(void)data;
	if (++frames == warmup + 1)
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
	return GST_PAD_PROBE_OK;
}

int main(int argc, char **argv)
{
	GstElement *pipeline, *sink;
	struct timespec end;
	GError *err = NULL;
	GstMessage *msg;
	GstPad *pad;
	double us;
	int ret = 1;

	gst_init(&argc, &argv);
	if (argc != 3 || atoi(argv[1]) < 0) {
		fprintf(stderr, "usage: gst-cpu WARMUP PIPELINE\n");
		return 2;
	}
	warmup = atoi(argv[1]);
	pipeline = gst_parse_launch(argv[2], &err);
	if (!pipeline) {
		fprintf(stderr, "gst-cpu: %s\n", err->message);
		g_error_free(err);
		return 1;
	}
	sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
	pad = sink ? gst_element_get_static_pad(sink, "sink") : NULL;
	if (!pad) {
		fprintf(stderr, "gst-cpu: no element \"sink\" with a sink pad\n");
		goto out;
	}
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, arrived, NULL, NULL);
	gst_object_unref(pad);
	gst_element_set_state(pipeline, GST_STATE_PLAYING);
	msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(pipeline), GST_CLOCK_TIME_NONE,
					 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &end);
	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
		gst_message_parse_error(msg, &err, NULL);
		fprintf(stderr, "gst-cpu: %s\n", err->message);
		g_error_free(err);
	} else if (frames <= warmup) {
		fprintf(stderr, "gst-cpu: %" G_GUINT64_FORMAT " frames, not more than %"
			G_GUINT64_FORMAT "\n", frames, warmup);
	} else {
		us = (end.tv_sec - start.tv_sec) * 1e6 + (end.tv_nsec - start.tv_nsec) / 1e3;
		printf("gst-cpu: %" G_GUINT64_FORMAT " frames, %.0f us per frame\n",
		       frames - warmup, us / (frames - warmup));
		ret = 0;
	}
	gst_message_unref(msg);
	gst_element_set_state(pipeline, GST_STATE_NULL);
out:
	if (sink)
		gst_object_unref(sink);
	gst_object_unref(pipeline);
	gst_deinit();
	return ret;
}
