/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmemexport: makes a stream dma-buf memory, without copying when it can.
 *
 * For each buffer, in this order:
 *   - every memory is already a dma-buf (upstream used our pool or
 *     allocator): pushed on as it is;
 *   - one memory of system memory whose data is page-aligned and that
 *     owns every byte of the pages its data spans (e.g. appsrc with wrapped
 *     application buffers; see owns_pages()): exported in place through
 *     vmem-exp, read-only
 *     if the memory is or the buffer is shared (not writable: after a
 *     tee); the export is cached on that memory (its qdata) for as long as
 *     upstream pushes that range of it again in that mode, and the input
 *     buffer is kept alive by the output buffer;
 *   - anything else: copied once into memory from the vmem-exp allocator,
 *     and counted.
 * Upstream's allocation query is answered with a pool of vmem-exp memory.
 */
#include "gstvmemexport.h"
#include "gstvmemexpallocator.h"

#include <gst/video/video.h>
#include <errno.h>
#include <unistd.h>

#include "vmemexp.h"

GST_DEBUG_CATEGORY_STATIC (gst_vmemexport_debug);
#define GST_CAT_DEFAULT gst_vmemexport_debug

struct _GstVmemExport
{
  GstBaseTransform parent;
  GstAllocator *allocator;
  GstBufferPool *copy_pool;     /* for copies, made on first need */
  gsize copy_size;              /* the size of copy_pool's buffers */
  /* statistics, under the object lock */
  guint64 frames, zero_copy, exported, cache_hits, copied, bytes_copied;
};

enum
{
  PROP_0,
  PROP_FRAMES,
  PROP_ZERO_COPY,
  PROP_EXPORTED,
  PROP_CACHE_HITS,
  PROP_COPIED,
  PROP_BYTES_COPIED,
  N_PROPS
};

static GParamSpec *props[N_PROPS];
static GQuark export_quark;

static GstStaticPadTemplate sink_tmpl = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate src_tmpl = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

G_DEFINE_TYPE (GstVmemExport, gst_vmemexport, GST_TYPE_BASE_TRANSFORM);

static gboolean
all_dmabuf (GstBuffer * buf)
{
  guint i, n = gst_buffer_n_memory (buf);

  for (i = 0; i < n; i++)
    if (!gst_is_dmabuf_memory (gst_buffer_peek_memory (buf, i)))
      return FALSE;
  return n > 0;
}

static GstBufferPool *
make_pool (GstVmemExport * self, GstCaps * caps, guint size,
    guint min, guint max)
{
  GstBufferPool *pool = gst_buffer_pool_new ();
  GstStructure *config = gst_buffer_pool_get_config (pool);

  gst_buffer_pool_config_set_params (config, caps, size, min, max);
  gst_buffer_pool_config_set_allocator (config, self->allocator, NULL);
  if (!gst_buffer_pool_set_config (pool, config)) {
    gst_object_unref (pool);
    return NULL;
  }
  return pool;
}

static gboolean
caps_size (GstCaps * caps, guint * size)
{
  GstVideoInfo info;

  if (!caps || !gst_video_info_from_caps (&info, caps))
    return FALSE;
  *size = (guint) GST_VIDEO_INFO_SIZE (&info);
  return TRUE;
}

static gboolean
gst_vmemexport_propose_allocation (GstBaseTransform * trans,
    GstQuery * decide, GstQuery * query)
{
  GstVmemExport *self = GST_VMEMEXPORT (trans);
  GstBufferPool *pool;
  GstCaps *caps;
  gboolean need_pool;
  guint size;

  gst_query_parse_allocation (query, &caps, &need_pool);
  gst_query_add_allocation_param (query, self->allocator, NULL);
  gst_query_add_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL);
  if (!need_pool || !caps_size (caps, &size))
    return TRUE;
  pool = make_pool (self, caps, size, 2, 0);
  if (!pool)
    return FALSE;
  /* Named, so that its buffers can be told from other pools' in the
   * bufferpool debug log (tests/gst.sh counts them). */
  GST_DEBUG_OBJECT (self, "offering upstream pool %s of %u-byte buffers",
      GST_OBJECT_NAME (pool), size);
  gst_query_add_allocation_pool (query, pool, size, 2, 0);
  gst_object_unref (pool);
  return TRUE;
}

/*
 * An export cached on the memory it was made of, with the range of that
 * memory it holds: upstream may resize the memory (gst_buffer_set_size(),
 * a pool's reset) and push it again, and then the export is of another
 * range.
 */
typedef struct
{
  GstMemory *dmabuf;
  gsize offset, size;
  gboolean readonly;
} GstVmemExportCache;

static void
gst_vmemexport_cache_free (gpointer data)
{
  GstVmemExportCache *c = data;

  gst_memory_unref (c->dmabuf);
  g_free (c);
}

/*
 * Whether the export of @map's data, whole pages from its page-aligned
 * start, holds nothing but @mem's own bytes. A dma-buf has whole pages:
 * an importer reads (and, read-write, writes) everything up to the end of
 * the data's last page, and if that is another allocation's (a 4000-byte
 * memory followed by something else's bytes) it must not be exported.
 *
 * What a memory owns is known only of system memory, whose map is its
 * storage: the @maxsize bytes from its start. Data of whole pages owns
 * them; else the rest of its last page must lie within the memory's
 * maxsize, and the memory must not be a share of another (a share's
 * maxsize is its parent's, whose other bytes may be another buffer's).
 * Anything else is copied.
 */
static gboolean
owns_pages (GstMemory * mem, const GstMapInfo * map)
{
  gsize page = (gsize) sysconf (_SC_PAGESIZE);
  gsize whole = (map->size + page - 1) & ~(page - 1);

  if (!gst_memory_is_type (mem, GST_ALLOCATOR_SYSMEM) ||
      (guintptr) map->data % page != 0 || whole < map->size)
    return FALSE;
  if (whole == map->size)
    return TRUE;
  return !mem->parent && whole <= map->maxsize;
}

/*
 * The in-place export of @mem, cached on it; NULL if it cannot be. It is
 * read-only if the memory is, or if @writable is not set: the buffer
 * that carries it is shared (after a tee, say), and a consumer of the
 * dma-buf must not write what the buffer's other holders read.
 */
static GstMemory *
export_in_place (GstVmemExport * self, GstMemory * mem,
    gboolean writable, gboolean * hit)
{
  gboolean ro = GST_MEMORY_IS_READONLY (mem) || !writable;
  GstVmemExportCache *c;
  GstMemory *dmabuf;
  GstMapInfo map;

  c = gst_mini_object_get_qdata (GST_MINI_OBJECT (mem), export_quark);
  if (c && c->offset == mem->offset && c->size == mem->size &&
      c->readonly == ro) {
    *hit = TRUE;
    return gst_memory_ref (c->dmabuf);
  }
  *hit = FALSE;
  if (!gst_memory_map (mem, &map, GST_MAP_READ))
    return NULL;
  if (!owns_pages (mem, &map)) {
    GST_LOG_OBJECT (self, "%p, %" G_GSIZE_FORMAT " bytes: not whole pages "
        "of its own, copied", map.data, map.size);
    gst_memory_unmap (mem, &map);
    return NULL;
  }
  dmabuf = gst_vmemexp_allocator_export (self->allocator, map.data,
      map.size, ro);
  gst_memory_unmap (mem, &map);
  if (!dmabuf)
    return NULL;
  /* Replaces (and frees) the export of another range, if any. */
  c = g_new (GstVmemExportCache, 1);
  c->dmabuf = gst_memory_ref (dmabuf);
  c->offset = mem->offset;
  c->size = mem->size;
  c->readonly = ro;
  gst_mini_object_set_qdata (GST_MINI_OBJECT (mem), export_quark, c,
      gst_vmemexport_cache_free);
  return dmabuf;
}

static void
drop_copy_pool (GstVmemExport * self)
{
  if (!self->copy_pool)
    return;
  /* Its buffers still downstream are freed when they come back. */
  gst_buffer_pool_set_active (self->copy_pool, FALSE);
  gst_object_unref (self->copy_pool);
  self->copy_pool = NULL;
  self->copy_size = 0;
}

/* A pool whose buffers hold @size bytes: the one in use if they are large
 * enough, else a new one (caps or buffer sizes change mid-stream). */
static GstBufferPool *
copy_pool (GstVmemExport * self, gsize size)
{
  GstBufferPool *pool;
  GstCaps *caps;

  if (self->copy_pool && size <= self->copy_size)
    return self->copy_pool;
  if (self->copy_pool)
    GST_DEBUG_OBJECT (self, "copies of %" G_GSIZE_FORMAT " bytes: a new "
        "pool (its buffers held %" G_GSIZE_FORMAT ")", size, self->copy_size);
  drop_copy_pool (self);
  if (size > G_MAXUINT)
    return NULL;
  caps = gst_pad_get_current_caps (GST_BASE_TRANSFORM_SINK_PAD (self));
  pool = make_pool (self, caps, (guint) size, 0, 0);
  if (caps)
    gst_caps_unref (caps);
  if (!pool)
    return NULL;
  if (!gst_buffer_pool_set_active (pool, TRUE)) {
    gst_object_unref (pool);
    return NULL;
  }
  self->copy_pool = pool;
  self->copy_size = size;
  return pool;
}

static GstFlowReturn
copy_buffer (GstVmemExport * self, GstBuffer * in, GstBuffer ** out)
{
  gsize size = gst_buffer_get_size (in);
  GstBufferPool *pool;
  GstFlowReturn ret;
  GstMapInfo map;

  pool = copy_pool (self, size);
  if (!pool) {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT,
        ("Could not make a pool of %" G_GSIZE_FORMAT "-byte vmem-exp "
            "buffers to copy into", size), (NULL));
    return GST_FLOW_ERROR;
  }
  ret = gst_buffer_pool_acquire_buffer (pool, out, NULL);
  if (ret == GST_FLOW_FLUSHING)
    return ret;
  if (ret != GST_FLOW_OK) {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT,
        ("Could not allocate a %" G_GSIZE_FORMAT "-byte vmem-exp "
            "buffer to copy into", size),
        ("acquire: %s", gst_flow_get_name (ret)));
    return ret;
  }
  if (gst_buffer_get_size (*out) < size
      || !gst_buffer_map (*out, &map, GST_MAP_WRITE)) {
    gst_buffer_unref (*out);
    *out = NULL;
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE,
        ("Could not write into a vmem-exp buffer to copy into"), (NULL));
    return GST_FLOW_ERROR;
  }
  gst_buffer_extract (in, 0, map.data, size);
  gst_buffer_unmap (*out, &map);
  gst_buffer_set_size (*out, size);
  gst_buffer_copy_into (*out, in, GST_BUFFER_COPY_METADATA, 0, (gsize) - 1);
  GST_OBJECT_LOCK (self);
  self->copied++;
  self->bytes_copied += size;
  GST_OBJECT_UNLOCK (self);
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_vmemexport_prepare_output_buffer (GstBaseTransform * trans,
    GstBuffer * in, GstBuffer ** out)
{
  GstVmemExport *self = GST_VMEMEXPORT (trans);
  GstMemory *dmabuf = NULL;
  gboolean hit = FALSE;

  GST_OBJECT_LOCK (self);
  self->frames++;
  GST_OBJECT_UNLOCK (self);
  if (all_dmabuf (in)) {
    /* The input itself: GstBaseTransform drops its reference only
     * when the output is another buffer, so take none here (a
     * reference taken here was never dropped: no buffer went back
     * to upstream's pool, every frame was a new export). */
    *out = in;
    GST_OBJECT_LOCK (self);
    self->zero_copy++;
    GST_OBJECT_UNLOCK (self);
    return GST_FLOW_OK;
  }
  if (gst_buffer_n_memory (in) == 1)
    dmabuf = export_in_place (self, gst_buffer_peek_memory (in, 0),
        gst_buffer_is_writable (in), &hit);
  if (!dmabuf)
    return copy_buffer (self, in, out);
  *out = gst_buffer_new ();
  gst_buffer_append_memory (*out, dmabuf);
  gst_buffer_copy_into (*out, in, GST_BUFFER_COPY_METADATA, 0, (gsize) - 1);
  /* Upstream may reuse its memory only once the dma-buf is done with. */
  gst_buffer_add_parent_buffer_meta (*out, in);
  GST_OBJECT_LOCK (self);
  self->zero_copy++;
  if (hit)
    self->cache_hits++;
  else
    self->exported++;
  GST_OBJECT_UNLOCK (self);
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_vmemexport_transform (GstBaseTransform * trans,
    GstBuffer * in, GstBuffer * out)
{
  return GST_FLOW_OK;           /* prepare_output_buffer did the work */
}

static void
report (GstVmemExport * self)
{
  guint i;

  GST_OBJECT_LOCK (self);
  GST_INFO_OBJECT (self, "stream: %" G_GUINT64_FORMAT " frames, %"
      G_GUINT64_FORMAT " zero-copy (%" G_GUINT64_FORMAT
      " exported in place, %" G_GUINT64_FORMAT " cache hits), %"
      G_GUINT64_FORMAT " copied, %" G_GUINT64_FORMAT " bytes copied",
      self->frames, self->zero_copy, self->exported,
      self->cache_hits, self->copied, self->bytes_copied);
  GST_OBJECT_UNLOCK (self);
  for (i = 1; i < N_PROPS; i++)
    g_object_notify_by_pspec (G_OBJECT (self), props[i]);
}

static gboolean
gst_vmemexport_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS)
    report (GST_VMEMEXPORT (trans));
  return
      GST_BASE_TRANSFORM_CLASS (gst_vmemexport_parent_class)->sink_event (trans,
      event);
}

/* New caps: copies are made from a new pool, sized and described by them. */
static gboolean
gst_vmemexport_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  drop_copy_pool (GST_VMEMEXPORT (trans));
  return TRUE;
}

static gboolean
gst_vmemexport_start (GstBaseTransform * trans)
{
  GstVmemExport *self = GST_VMEMEXPORT (trans);
  int err;

  /* Without the device nothing works (its pool, exports, copies):
   * say so, and why, rather than fail later in negotiation. */
  err = gst_vmemexp_allocator_open (self->allocator);
  if (err) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE,
        ("Could not open vmem-exp device \"%s\": %s",
            VMEMEXP_DEVICE, g_strerror (err)),
        ("%s", err == ENOENT || err == ENODEV || err == ENXIO ?
            "is the vmem_exp module loaded?" :
            "may this user open the device (udev rule, group)?"));
    return FALSE;
  }
  GST_OBJECT_LOCK (self);
  self->frames = self->zero_copy = self->exported = 0;
  self->cache_hits = self->copied = self->bytes_copied = 0;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_vmemexport_stop (GstBaseTransform * trans)
{
  drop_copy_pool (GST_VMEMEXPORT (trans));
  return TRUE;
}

static void
gst_vmemexport_get_property (GObject * obj, guint id, GValue * value,
    GParamSpec * pspec)
{
  GstVmemExport *self = GST_VMEMEXPORT (obj);
  guint64 v;

  GST_OBJECT_LOCK (self);
  switch (id) {
    case PROP_FRAMES:
      v = self->frames;
      break;
    case PROP_ZERO_COPY:
      v = self->zero_copy;
      break;
    case PROP_EXPORTED:
      v = self->exported;
      break;
    case PROP_CACHE_HITS:
      v = self->cache_hits;
      break;
    case PROP_COPIED:
      v = self->copied;
      break;
    case PROP_BYTES_COPIED:
      v = self->bytes_copied;
      break;
    default:
      GST_OBJECT_UNLOCK (self);
      G_OBJECT_WARN_INVALID_PROPERTY_ID (obj, id, pspec);
      return;
  }
  GST_OBJECT_UNLOCK (self);
  g_value_set_uint64 (value, v);
}

static void
gst_vmemexport_finalize (GObject * obj)
{
  GstVmemExport *self = GST_VMEMEXPORT (obj);

  gst_object_unref (self->allocator);
  G_OBJECT_CLASS (gst_vmemexport_parent_class)->finalize (obj);
}

static GParamSpec *
counter (const char *name, const char *blurb)
{
  return g_param_spec_uint64 (name, name, blurb, 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static void
gst_vmemexport_class_init (GstVmemExportClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  gobject_class->get_property = gst_vmemexport_get_property;
  gobject_class->finalize = gst_vmemexport_finalize;
  props[PROP_FRAMES] = counter ("frames", "Buffers seen since start");
  props[PROP_ZERO_COPY] = counter ("zero-copy-frames",
      "Buffers pushed as dma-buf memory without a copy");
  props[PROP_EXPORTED] = counter ("exported-frames",
      "Buffers whose memory was exported in place (new exports)");
  props[PROP_CACHE_HITS] = counter ("cache-hits",
      "Buffers whose memory was already exported (reused exports)");
  props[PROP_COPIED] = counter ("copied-frames",
      "Buffers copied into vmem-exp memory (unaligned or split data)");
  props[PROP_BYTES_COPIED] = counter ("bytes-copied", "Bytes copied");
  g_object_class_install_properties (gobject_class, N_PROPS, props);

  gst_element_class_add_static_pad_template (element_class, &sink_tmpl);
  gst_element_class_add_static_pad_template (element_class, &src_tmpl);
  gst_element_class_set_static_metadata (element_class,
      "vmem-exp dma-buf export", "Filter/Video",
      "Makes buffers dma-buf memory through vmem-exp: "
      "its pool, in-place export of page-aligned memory, or a counted copy",
      "vmem-exp developers");

  trans_class->propose_allocation =
      GST_DEBUG_FUNCPTR (gst_vmemexport_propose_allocation);
  trans_class->prepare_output_buffer =
      GST_DEBUG_FUNCPTR (gst_vmemexport_prepare_output_buffer);
  trans_class->transform = GST_DEBUG_FUNCPTR (gst_vmemexport_transform);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_vmemexport_sink_event);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_vmemexport_set_caps);
  trans_class->start = GST_DEBUG_FUNCPTR (gst_vmemexport_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_vmemexport_stop);
  trans_class->passthrough_on_same_caps = FALSE;

  export_quark = g_quark_from_static_string ("GstVmemExportExport");
  GST_DEBUG_CATEGORY_INIT (gst_vmemexport_debug, "vmemexport", 0,
      "vmem-exp dma-buf export element");
}

static void
gst_vmemexport_init (GstVmemExport * self)
{
  self->allocator = gst_vmemexp_allocator_new ();
  gst_object_ref_sink (self->allocator);
}
