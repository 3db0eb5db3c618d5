#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# gst-indent.sh FILE.c...: gst/'s C files in GStreamer's own style, GNU
# indent (Debian: apt install indent) with the options of GStreamer's
# scripts/gst-indent, run twice as it does (one run is not idempotent).
set -eu
for _ in 1 2; do
	indent --braces-on-if-line --case-brace-indentation0 --case-indentation2 \
		--braces-after-struct-decl-line --line-length80 --no-tabs --cuddle-else \
		--dont-line-up-parentheses --continuation-indentation4 --honour-newlines \
		--tab-size8 --indent-level2 --leave-preprocessor-space "$@"
done
# indent keeps each file as it was as FILE~.
for f; do rm -f "$f~"; done
