/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef __GST_VMEMEXPORT_H__
#define __GST_VMEMEXPORT_H__

#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define GST_TYPE_VMEMEXPORT (gst_vmemexport_get_type())
G_DECLARE_FINAL_TYPE (GstVmemExport, gst_vmemexport, GST, VMEMEXPORT,
    GstBaseTransform);

G_END_DECLS

#endif /* __GST_VMEMEXPORT_H__ */
