#!/bin/sh
# unbrick-cli inspect over every package in the shared corpus, as text and JSON,
# and over zipped copies, which must show the same table. Needs python3 (meson's).
# Usage: package-inspect-test.sh path/to/unbrick-cli CORPUS_DIR
set -u
CLI="$1"
CORPUS="$2"
[ -d "$CORPUS" ] || { echo "1..0 # SKIP no corpus at $CORPUS"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
n=0
fail=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; fail=1; }

inspect() { # name, expected format, path, extra args...
	iname="$1"; want="$2"; path="$3"; shift 3
	if "$CLI" inspect "$@" "$path" >"$TMP/out.txt" 2>"$TMP/err.txt"; then
		ok "$iname: text"
	else
		nok "$iname: text ($(head -c 300 "$TMP/err.txt"))"
	fi
	if "$CLI" inspect --json "$@" "$path" >"$TMP/$iname.json" 2>"$TMP/err.txt" &&
		python3 - "$TMP/$iname.json" "$want" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == sys.argv[2], d["format"]
for key in ("platform", "product", "storage", "sector_size", "partitions", "plans", "warnings"):
    assert key in d, key
assert len(d["partitions"]) > 0
for p in d["partitions"]:
    for key in ("name", "region", "lun", "start", "size", "file", "download", "calibration", "operation"):
        assert key in p, key
    for key in ("start", "size"):
        assert p[key] is None or (isinstance(p[key], int) and p[key] >= 0), (p["name"], key, p[key])
assert len(d["plans"]) > 0
for plan in d["plans"].values():
    assert isinstance(plan["steps"], list)
PY
	then
		ok "$iname: json"
	else
		nok "$iname: json"
	fi
}

for f in "$CORPUS"/mtk-scatter/*; do
	base=$(basename "$f")
	inspect "$base" mtk-scatter "$f"
	case "$base" in *v2.*) inspect "$base-ufs" mtk-scatter "$f" --storage ufs --disk-size 137438953472 ;; esac
done
for d in "$CORPUS"/qcom-rawprogram/*; do
	inspect "$(basename "$d")" qcom-flat-build "$d"
done
for d in "$CORPUS"/xiaomi-fastboot/*; do
	inspect "$(basename "$d")" fastboot-rom "$d"
done
inspect blueline-pq1a google-factory "$CORPUS/android-factory/blueline-pq1a"

# zipped copies, with a top folder as downloads have, show the same table
python3 - "$CORPUS" "$TMP" <<'PY'
import os, sys, zipfile, tarfile
corpus, tmp = sys.argv[1], sys.argv[2]
def pack(src, name, top):
    z = zipfile.ZipFile(os.path.join(tmp, name + ".zip"), "w", zipfile.ZIP_DEFLATED)
    t = tarfile.open(os.path.join(tmp, name + ".tgz"), "w:gz")
    for root, _, files in os.walk(src):
        for f in sorted(files):
            p = os.path.join(root, f)
            arc = top + "/" + os.path.relpath(p, src)
            z.write(p, arc)
            t.add(p, arc)
    z.close(); t.close()
pack(os.path.join(corpus, "xiaomi-fastboot", "raphaelin"), "raphaelin", "raphaelin_global_images_V12.0")
pack(os.path.join(corpus, "xiaomi-fastboot", "cereus"), "cereus", "cereus_global_images_V11")
pack(os.path.join(corpus, "qcom-rawprogram", "xiaomi-raphael-sm8150-ufs"), "raphael-qfil", "raphael_flat")
pack(os.path.join(corpus, "qcom-rawprogram", "oneplus-x-msm8974-emmc"), "opx-qfil", "opx")
PY
for pair in "raphaelin:xiaomi-fastboot/raphaelin:fastboot-rom" "cereus:xiaomi-fastboot/cereus:fastboot-rom" \
	"raphael-qfil:qcom-rawprogram/xiaomi-raphael-sm8150-ufs:qcom-flat-build" \
	"opx-qfil:qcom-rawprogram/oneplus-x-msm8974-emmc:qcom-flat-build"; do
	name=${pair%%:*}; rest=${pair#*:}; dir=${rest%%:*}; fmt=${rest#*:}
	for ext in zip tgz; do
		inspect "$name.$ext" "$fmt" "$TMP/$name.$ext"
		if python3 - "$TMP/$name.$ext.json" "$TMP/$(basename "$dir").json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert a["partitions"] == b["partitions"], "tables differ"
assert a["plans"] == b["plans"], "plans differ"
PY
		then ok "$name.$ext: same table and plans as the folder"; else nok "$name.$ext: differs from the folder"; fi
	done
done

# --check: a package whose images are not there cannot be flashed, and says why
if "$CLI" inspect --check "$CORPUS/qcom-rawprogram/oneplus-x-msm8974-emmc" >"$TMP/out.txt" 2>"$TMP/err.txt"; then
	nok "--check fails on missing images"
else
	grep -q "Problem: .*is missing" "$TMP/out.txt" && ok "--check names the missing images" || nok "--check output"
fi
"$CLI" inspect "$TMP/does-not-exist.zip" >/dev/null 2>"$TMP/err.txt" && nok "missing package" || ok "a missing package is an error"
echo "not a package" >"$TMP/junk.zip"
"$CLI" inspect "$TMP/junk.zip" >/dev/null 2>"$TMP/err.txt" && nok "junk archive" || {
	grep -q "junk.zip" "$TMP/err.txt" && ok "a broken archive is named" || nok "broken archive message"; }
echo "1..$n"
exit $fail
