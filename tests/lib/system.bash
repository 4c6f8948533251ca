# SPDX-License-Identifier: BSD-2-Clause
# Helpers for bats suites that boot systems with `cordon run`.
#
#   system_start FILE [ARGS...]   boot in the background; output to $SYS_LOG
#   system_wait REGEX [SECONDS]   block until a line of the output matches
#   system_stop [SIGNAL]          signal the monitor, wait; status in $SYS_STATUS
#   system_pids                   host pids of the PDs, from the monitor's log
#   pid_of PD                     the host pid PD was started with most recently
#   starts_of PD                  how many times PD was started
#   free_port                     a TCP port nothing on this machine uses now
#
# Waiting is on the condition itself (tail -f | grep -m1), never a fixed sleep.

CORDON=${CORDON_BUILD:?run through tests/run}/bin/cordon

system_start() {
	# Each test gets its own admin-socket directory, so systems of
	# different tests (or a leftover) never meet.
	export CORDON_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
	SYS_LOG=$BATS_TEST_TMPDIR/system.log
	: >"$SYS_LOG"
	"$CORDON" run "$@" >"$SYS_LOG" 2>&1 &
	SYS_PID=$!
}

system_wait() {
	local re=$1 secs=${2:-20}
	if ! timeout "$secs" tail -n +1 -f "$SYS_LOG" | grep -E -m1 -q -- "$re"; then
		echo "no line matching /$re/ within ${secs}s; the output was:" >&2
		cat "$SYS_LOG" >&2
		return 1
	fi
}

# Mark the output's end now; system_wait_new then waits for a line after it.
system_mark() {
	SYS_MARK=$(wc -l <"$SYS_LOG")
}

system_wait_new() {
	local re=$1 secs=${2:-60}
	if ! timeout "$secs" tail -n +$((SYS_MARK + 1)) -f "$SYS_LOG" | grep -E -m1 -q -- "$re"; then
		echo "no line matching /$re/ after line $SYS_MARK within ${secs}s; the output was:" >&2
		cat "$SYS_LOG" >&2
		return 1
	fi
}

system_stop() {
	local sig=${1:-INT}
	kill -s "$sig" "$SYS_PID" 2>/dev/null || true
	SYS_STATUS=0
	wait "$SYS_PID" || SYS_STATUS=$?
}

system_pids() {
	sed -n 's/^MON|INFO: pd=[^ ]* started pid=\([0-9]*\)$/\1/p' "$SYS_LOG"
}

pid_of() {
	sed -n "s/^MON|INFO: pd=$1 started pid=\\([0-9]*\\)\$/\\1/p" "$SYS_LOG" | tail -n 1
}

starts_of() {
	grep -c "^MON|INFO: pd=$1 started pid=" "$SYS_LOG" || true
}

# Make sure a failed test does not leave a system running.
system_teardown() {
	if [ -n "${SYS_PID:-}" ] && kill -0 "$SYS_PID" 2>/dev/null; then
		kill -KILL "$SYS_PID" 2>/dev/null || true
		wait "$SYS_PID" 2>/dev/null || true
	fi
}

# A TCP port nothing on this machine uses now (IPv4 or IPv6, any state), for
# a <grant> port; something may still take it before the system binds it.
# The ports are read in bash: Debian's default awk (mawk) has no strtonum.
free_port() {
	local used=" " addr port
	while read -r _ addr _; do
		[[ $addr =~ :([0-9A-F]{4})$ ]] && used+="$((16#${BASH_REMATCH[1]})) "
	done < <(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null)
	for _ in $(seq 100); do
		port=$((20000 + RANDOM % 30000))
		[[ $used == *" $port "* ]] || {
			echo "$port"
			return 0
		}
	done
	return 1
}
