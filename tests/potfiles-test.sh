#!/bin/sh
# Copyright (C) 2026 The Unbrick developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# po/POTFILES.in lists every file with translatable strings and nothing else, and
# every translation in po/LINGUAS is complete and valid for msgfmt.
#
# usage: potfiles-test.sh SOURCEDIR

set -u
srcdir=$1
po=$srcdir/po
n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n $1"
}

not_ok() {
	n=$((n + 1))
	failed=1
	echo "not ok $n $1"
}

if ! command -v msgfmt > /dev/null 2>&1; then
	echo "1..0 # SKIP msgfmt (gettext) is not installed"
	exit 77
fi

listed=$(mktemp)
marked=$(mktemp)
trap 'rm -f "$listed" "$marked"' EXIT

# the listed files: no comments, no blank lines, sorted within the list
sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$po/POTFILES.in" > "$listed"

# every listed file exists
missing=0
while read -r f; do
	if [ ! -f "$srcdir/$f" ]; then
		not_ok "POTFILES.in lists $f, which does not exist"
		missing=1
	fi
done < "$listed"
[ $missing = 0 ] && ok "every file in POTFILES.in exists"

# no duplicates
dups=$(sort "$listed" | uniq -d)
if [ -z "$dups" ]; then
	ok "POTFILES.in has no duplicates"
else
	not_ok "POTFILES.in lists these twice: $(echo $dups)"
fi

# every source or UI file with a marked string is listed; the engine (src/core) and
# the simulator have none by design and are checked not to
(
	cd "$srcdir" || exit 1
	grep -rlE '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|Q_|ngettext|g_dngettext|g_dpgettext2)\(' \
		--include='*.c' --include='*.h' src
	grep -rl 'translatable="yes"' --include='*.ui' src ui
	grep -l '<summary>\|<description>' data/*.gschema.xml
) 2> /dev/null | grep -v '^src/core/' | sort -u > "$marked"
unlisted=0
while read -r f; do
	if ! grep -qxF "$f" "$listed"; then
		not_ok "$f has translatable strings but is not in po/POTFILES.in"
		unlisted=1
	fi
done < "$marked"
[ $unlisted = 0 ] && ok "every file with translatable strings ($(wc -l < "$marked")) is in POTFILES.in"

# listed C and UI files still hold something to translate
stale=0
while read -r f; do
	case "$f" in
	*.c | *.h | *.ui)
		if ! grep -qxF "$f" "$marked"; then
			not_ok "po/POTFILES.in lists $f, which has no translatable strings"
			stale=1
		fi
		;;
	*) ;;
	esac
done < "$listed"
[ $stale = 0 ] && ok "every listed source file has translatable strings"

# the engine stays untranslated: front-ends translate its status codes
core=$(cd "$srcdir" && grep -rlE '(^|[^A-Za-z0-9_])(_|N_|ngettext)\("' src/core 2> /dev/null)
if [ -z "$core" ]; then
	ok "src/core has no translated strings"
else
	not_ok "src/core has translated strings: $(echo $core)"
fi

# the languages: each one in LINGUAS has a .po and each .po is in LINGUAS
langs=$(sed -e 's/#.*//' "$po/LINGUAS" | tr -s ' \t' '\n\n' | sed '/^$/d')
if [ -z "$langs" ]; then
	not_ok "po/LINGUAS names no language"
fi
for f in "$po"/*.po; do
	[ -e "$f" ] || continue
	l=$(basename "$f" .po)
	if ! echo "$langs" | grep -qxF "$l"; then
		not_ok "po/$l.po is not in po/LINGUAS"
	fi
done

for l in $langs; do
	f=$po/$l.po
	if [ ! -f "$f" ]; then
		not_ok "po/LINGUAS names $l but po/$l.po does not exist"
		continue
	fi
	if out=$(msgfmt --check --check-format --check-accelerators=_ -o /dev/null "$f" 2>&1); then
		ok "msgfmt --check --check-format po/$l.po"
	else
		not_ok "msgfmt --check --check-format po/$l.po"
		echo "$out" | sed 's/^/# /'
	fi
	# a full translation: nothing fuzzy, nothing untranslated
	stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$f" 2>&1)
	fuzzy=$(echo "$stats" | sed -n 's/.* \([0-9][0-9]*\) fuzzy translation.*/\1/p')
	untranslated=$(echo "$stats" | sed -n 's/.* \([0-9][0-9]*\) untranslated message.*/\1/p')
	if [ -z "$fuzzy$untranslated" ]; then
		ok "po/$l.po is complete: $stats"
	else
		not_ok "po/$l.po is incomplete: ${fuzzy:-0} fuzzy, ${untranslated:-0} untranslated ($stats)"
	fi
done

# the .po files know every string of the sources: the template, when xgettext is
# there, has no message the translations lack (run `ninja unbrick-update-po`)
if command -v xgettext > /dev/null 2>&1 && command -v msgcmp > /dev/null 2>&1; then
	pot=$(mktemp)
	if (cd "$srcdir" && xgettext --package-name=unbrick --from-code=UTF-8 --add-comments \
		--keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
		--keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
		-D "$srcdir" -f "$po/POTFILES.in" -o "$pot") 2> /dev/null; then
		for l in $langs; do
			[ -f "$po/$l.po" ] || continue
			if out=$(msgcmp --use-untranslated "$po/$l.po" "$pot" 2>&1); then
				ok "po/$l.po has every message of the sources"
			else
				missing=$(echo "$out" | grep -c 'this message is used but not defined')
				not_ok "po/$l.po lacks $missing message(s) of the sources (ninja unbrick-update-po)"
				echo "$out" | sed -n 's/^[^:]*:\([0-9][0-9]*\): this message is used but not defined.*/\1/p' |
					head -n 20 | while read -r line; do
						echo "#   $(sed -n "$((line - 1))p" "$pot")"
					done
			fi
		done
	else
		not_ok "xgettext cannot read the files in po/POTFILES.in"
	fi
	rm -f "$pot"
fi

echo "1..$n"
exit $failed
