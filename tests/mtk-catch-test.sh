#!/bin/sh
# The catch of a MediaTek preloader (issue 6): `unbrick-cli info --device wait`
# runs under the umockdev launcher; 0-500 ms after it says it is waiting, a
# simulated preloader 0e8d:2000 arrives on the fake USB bus, and leaves again
# after 2.5 s unless the handshake completes (it boots on, as a real one does).
# It must be caught every time in 20 runs, its first handshake byte less than
# 100 ms after the arrival (measured by the launcher, which serves the phone).
# Usage: mtk-catch-test.sh path/to/ub-umockdev-launcher path/to/unbrick-cli [RUNS]
set -u
LAUNCHER="$1"
CLI="$2"
RUNS=${3:-20}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export LC_ALL=C XDG_CACHE_HOME="$TMP/cache" XDG_DATA_HOME="$TMP/data"
WAITING="Waiting for a MediaTek phone"
LIMIT_MS=100
n=0
fail=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; fail=1; }
random_ms() { # 0..500
	echo $(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 501 ))
}

# nobody waiting: the preloader is on the bus for less than 3 s
start=$(date +%s%N)
timeout 30 "$LAUNCHER" --no-fastboot --mtk-phone 1-3 -- sh -c 'sleep 3.2' >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" = 77 ] && { echo "# umockdev cannot be used here"; cat "$TMP/err"; exit 77; }
if [ "$rc" = 0 ] && grep -q "no byte from the host, gone from the bus before the end" "$TMP/err"; then
	ok "a preloader nobody talks to leaves the bus within 3 s"
else
	nok "preloader window"; sed 's/^/# /' "$TMP/err"
fi

caught=0
: >"$TMP/latencies"
i=0
t0=$(date +%s%N)
while [ $i -lt "$RUNS" ]; do
	i=$((i+1))
	delay=$(random_ms)
	timeout 30 "$LAUNCHER" --no-fastboot --mtk-phone 1-3 --mtk-after "$WAITING" \
		--mtk-delay "$delay" -- "$CLI" info --device wait >"$TMP/out" 2>"$TMP/err"
	rc=$?
	latency=$(sed -n 's/.*first byte \([0-9.]*\) ms after the arrival.*/\1/p' "$TMP/err")
	if [ "$rc" = 0 ] && [ -n "$latency" ] && grep -q "connected-to *preloader" "$TMP/out" &&
	   grep -q "MT6765" "$TMP/out"; then
		caught=$((caught+1))
		echo "$latency" >>"$TMP/latencies"
		echo "# run $i: arrived ${delay} ms after the wait began, first handshake byte after $latency ms"
	else
		echo "# run $i: not caught (exit $rc, arrival after ${delay} ms)"
		sed 's/^/#   /' "$TMP/err" "$TMP/out"
	fi
done
t1=$(date +%s%N)
[ "$caught" = "$RUNS" ] && ok "the preloader was caught in $caught of $RUNS runs" \
	|| nok "the preloader was caught in only $caught of $RUNS runs"
stats=$(sort -n "$TMP/latencies" | awk '{ v[NR] = $1 } END {
	if (NR == 0) { print "none"; exit }
	med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "%.1f %.1f %.1f", v[1], med, v[NR] }')
echo "# arrival -> first handshake byte over $caught runs: min/median/max $stats ms" \
	"($(( (t1 - t0) / 1000000 )) ms for all runs)"
max=$(echo "$stats" | awk '{ print $3 }')
if [ "$stats" != "none" ] && awk -v m="$max" -v l="$LIMIT_MS" 'BEGIN { exit !(m < l) }'; then
	ok "the handshake always started within $LIMIT_MS ms of the arrival (max $max ms)"
else
	nok "the handshake started $max ms after the arrival (limit $LIMIT_MS ms)"
fi
echo "1..$n"
exit $fail
