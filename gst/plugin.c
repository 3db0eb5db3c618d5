/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vmemexp plugin: the vmem-exp allocator and the vmemexport element. */
#include "gstvmemexpallocator.h"
#include "gstvmemexport.h"

#ifndef PACKAGE
#define PACKAGE "vmem-exp"
#endif
#ifndef VERSION
#define VERSION "0.1.0"
#endif
/* The project states no URL (debian/copyright names it, Upstream-Name:
 * vmem-exp, with no Source; debian/control has no Homepage): its origin
 * is that name. */
#define GST_PACKAGE_ORIGIN "vmem-exp"

static gboolean
plugin_init (GstPlugin * plugin)
{
  GstAllocator *alloc = gst_vmemexp_allocator_new ();

  /* Applications find it with gst_allocator_find("vmemexp"). It lives
   * as long as the process, as GStreamer's own allocators do: not
   * floating (registering takes a full reference), and flagged so that
   * the leaks tracer does not count it. */
  gst_object_ref_sink (alloc);
  GST_OBJECT_FLAG_SET (alloc, GST_OBJECT_FLAG_MAY_BE_LEAKED);
  gst_allocator_register (GST_VMEMEXP_ALLOCATOR_NAME, alloc);
  return gst_element_register (plugin, "vmemexport", GST_RANK_NONE,
      GST_TYPE_VMEMEXPORT);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, vmemexp,
    "Export process memory as dma-buf through vmem-exp",
    plugin_init, VERSION, "LGPL", PACKAGE, GST_PACKAGE_ORIGIN)
