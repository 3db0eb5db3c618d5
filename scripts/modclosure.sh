#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print, dependencies first, the module files (relative to MODDIR) needed to
# load the named modules. Usage: modclosure.sh MODDIR NAME...
set -eu
moddir=$1
shift
awk -v want="$*" '
BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { gsub("-", "_", w[i]); wanted[w[i]] = 1 } }
{
	file = $1; sub(":$", "", file)
	name = file; sub(".*/", "", name); sub("\\.ko.*$", "", name); gsub("-", "_", name)
	if (!(name in wanted)) next
	found[name] = 1
	# modules.dep lists the full closure, last to load first.
	for (i = NF; i >= 2; i--) emit($i)
	emit(file)
}
function emit(f) { if (!(f in seen)) { seen[f] = 1; print f } }
END { for (k in wanted) if (!(k in found)) { print "modclosure: no module " k > "/dev/stderr"; exit 1 } }
' "$moddir/modules.dep"
