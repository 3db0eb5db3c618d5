/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GstVmemExpAllocator: alloc() maps anonymous, page-aligned memory and
 * exports it through vmem-exp, so a GstMemory from it is both ordinary
 * process memory and a dma-buf (gst_is_dmabuf_memory() is true). Every
 * map of its memories is bracketed by DMA_BUF_IOCTL_SYNC (by
 * GstDmaBufAllocator), and a memory of a read-only export refuses writable
 * maps.
 */
#include "gstvmemexpallocator.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmemexp.h"

GST_DEBUG_CATEGORY_STATIC (gst_vmemexp_allocator_debug);
#define GST_CAT_DEFAULT gst_vmemexp_allocator_debug

struct _GstVmemExpAllocator
{
  GstDmaBufAllocator parent;
  int devfd;                    /* /dev/vmem-exp once opened, else < 0 */
  GstMemoryMapFullFunction parent_map_full;     /* GstDmaBufAllocator's */
};

G_DEFINE_TYPE (GstVmemExpAllocator, gst_vmemexp_allocator,
    GST_TYPE_DMABUF_ALLOCATOR);

/* Backing of a memory the allocator mapped itself: unmapped when the
 * memory is freed (the dma-buf keeps its own pins on the pages). */
typedef struct
{
  gpointer addr;
  gsize len;
} GstVmemExpBacking;

static GQuark backing_quark;

static void
gst_vmemexp_backing_free (gpointer data)
{
  GstVmemExpBacking *b = data;

  munmap (b->addr, b->len);
  g_free (b);
}

static gsize
page_round (gsize size)
{
  gsize page = (gsize) sysconf (_SC_PAGESIZE);

  return (size + page - 1) & ~(page - 1);
}

/*
 * GstDmaBufAllocator's own map brackets every map with DMA_BUF_IOCTL_SYNC
 * (start on map, end on unmap, in the map's directions; gst-plugins-base
 * 1.22 as Debian builds it, with linux/dma-buf.h): this only refuses a
 * writable map of a read-only export, before it reaches mmap.
 */
static gpointer
gst_vmemexp_mem_map_full (GstMemory * mem, GstMapInfo * info, gsize maxsize)
{
  GstVmemExpAllocator *self = GST_VMEMEXP_ALLOCATOR (mem->allocator);
  int fd = gst_dmabuf_memory_get_fd (mem);
  int fl;

  fl = fcntl (fd, F_GETFL);
  if ((info->flags & GST_MAP_WRITE) && fl >= 0 && (fl & O_ACCMODE) == O_RDONLY) {
    GST_WARNING ("writable map of read-only export fd %d refused", fd);
    return NULL;
  }
  return self->parent_map_full (mem, info, maxsize);
}

int
gst_vmemexp_allocator_open (GstAllocator * allocator)
{
  GstVmemExpAllocator *self = GST_VMEMEXP_ALLOCATOR (allocator);
  int err = 0;

  GST_OBJECT_LOCK (self);
  if (self->devfd < 0) {
    self->devfd = vmemexp_open ();
    GST_DEBUG_OBJECT (self, "opening " VMEMEXP_DEVICE ": %s",
        g_strerror (self->devfd < 0 ? -self->devfd : 0));
  }
  if (self->devfd < 0)
    err = -self->devfd;
  GST_OBJECT_UNLOCK (self);
  return err;
}

/* gst_vmemexp_allocator_export(), its GstFdMemory made with @flags. */
static GstMemory *
export_with_flags (GstAllocator * allocator, gpointer data, gsize size,
    gboolean readonly, GstFdMemoryFlags flags)
{
  GstVmemExpAllocator *self = GST_VMEMEXP_ALLOCATOR (allocator);
  GstMemory *mem;
  int fd, err;

  /* The device is opened on first use, not when the plugin loads. */
  err = gst_vmemexp_allocator_open (allocator);
  if (err) {
    errno = err;
    return NULL;
  }
  fd = vmemexp_export (self->devfd, data, page_round (size),
      (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) {
    errno = -fd;
    GST_DEBUG ("export of %p (%zu bytes) failed: %s", data, size,
        g_strerror (errno));
    return NULL;
  }
  /* The memory owns fd and closes it when freed. */
  mem = gst_fd_allocator_alloc (allocator, fd, page_round (size), flags);
  if (!mem) {
    close (fd);
    errno = ENOMEM;
    return NULL;
  }
  gst_memory_resize (mem, 0, size);
  if (readonly)
    GST_MINI_OBJECT_FLAG_SET (mem, GST_MEMORY_FLAG_READONLY);
  return mem;
}

GstMemory *
gst_vmemexp_allocator_export (GstAllocator * allocator, gpointer data,
    gsize size, gboolean readonly)
{
  return export_with_flags (allocator, data, size, readonly,
      GST_FD_MEMORY_FLAG_NONE);
}

/*
 * Memory of alloc() (a pool's: written each frame by upstream) is mapped
 * once, read-write, and the mapping kept until the memory is freed
 * (GST_FD_MEMORY_FLAG_KEEP_MAPPED): else every map and unmap would mmap()
 * the dma-buf, fault its pages in and munmap() it again, per frame. A kept
 * mapping serves later maps only if they ask no more than it allows, hence
 * read-write from the start. The DMA_BUF_IOCTL_SYNC pair of each map stays.
 */
static gboolean
keep_mapped (GstMemory * mem)
{
  GstMapInfo info;

  if (!gst_memory_map (mem, &info, GST_MAP_READWRITE))
    return FALSE;
  gst_memory_unmap (mem, &info);
  return TRUE;
}

static GstMemory *
gst_vmemexp_allocator_alloc (GstAllocator * allocator, gsize size,
    GstAllocationParams * params)
{
  gsize total = page_round (size + params->prefix + params->padding);
  GstVmemExpBacking *b;
  GstMemory *mem;
  gpointer addr;

  addr = mmap (NULL, total, PROT_READ | PROT_WRITE,
      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (addr == MAP_FAILED)
    return NULL;
  mem = export_with_flags (allocator, addr, total, FALSE,
      GST_FD_MEMORY_FLAG_KEEP_MAPPED);
  if (!mem) {
    munmap (addr, total);
    return NULL;
  }
  b = g_new (GstVmemExpBacking, 1);
  b->addr = addr;
  b->len = total;
  gst_mini_object_set_qdata (GST_MINI_OBJECT (mem), backing_quark, b,
      gst_vmemexp_backing_free);
  if (!keep_mapped (mem)) {
    gst_memory_unref (mem);
    return NULL;
  }
  gst_memory_resize (mem, params->prefix, size);
  return mem;
}

static void
gst_vmemexp_allocator_finalize (GObject * obj)
{
  GstVmemExpAllocator *self = GST_VMEMEXP_ALLOCATOR (obj);

  if (self->devfd >= 0)
    close (self->devfd);
  G_OBJECT_CLASS (gst_vmemexp_allocator_parent_class)->finalize (obj);
}

static void
gst_vmemexp_allocator_class_init (GstVmemExpAllocatorClass * klass)
{
  GST_ALLOCATOR_CLASS (klass)->alloc = gst_vmemexp_allocator_alloc;
  G_OBJECT_CLASS (klass)->finalize = gst_vmemexp_allocator_finalize;
  backing_quark = g_quark_from_static_string ("GstVmemExpBacking");
  GST_DEBUG_CATEGORY_INIT (gst_vmemexp_allocator_debug, "vmemexpallocator", 0,
      "vmem-exp dma-buf allocator");
}

static void
gst_vmemexp_allocator_init (GstVmemExpAllocator * self)
{
  GstAllocator *alloc = GST_ALLOCATOR (self);

  /* GstDmaBufAllocator's init set its map (with the sync): wrap it. */
  self->parent_map_full = alloc->mem_map_full;
  alloc->mem_map_full = gst_vmemexp_mem_map_full;
  self->devfd = -1;
  GST_OBJECT_FLAG_UNSET (self, GST_ALLOCATOR_FLAG_CUSTOM_ALLOC);
}

GstAllocator *
gst_vmemexp_allocator_new (void)
{
  return g_object_new (GST_TYPE_VMEMEXP_ALLOCATOR, NULL);
}
