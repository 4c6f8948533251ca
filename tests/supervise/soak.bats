#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Soak: under protected-call load, kill random PDs of a 10-PD system 300
# times.  Then the monitor is alive, every PD is back in service, every call
# got either its reply or the PEER_DOWN label (none hung, none wrong), and
# `cordon ps` counts exactly the restarts the kills caused.

load ../lib/system

KILLS=${CORDON_SOAK_KILLS:-300}

teardown() {
	system_teardown
}

# The monitor's output is read once, in order, through $LOG_FD (a tail -f
# started after boot; bats owns fd 3), so waiting never rescans a growing log.

# Read lines until PD $1 is started again; its new pid goes to $PID.  The
# deadline is overall: the clients' progress lines keep arriving, so a
# per-line timeout alone would never end the wait.
next_start() {
	local line deadline=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$deadline" ] && IFS= read -r -t 60 line <&"$LOG_FD"; do
		if [[ "$line" =~ ^MON\|INFO:\ pd=$1\ started\ pid=([0-9]+)$ ]]; then
			PID=${BASH_REMATCH[1]}
			return 0
		fi
	done
	echo "pd $1 was not started again within 60 s" >&2
	tail -n 30 "$SYS_LOG" >&2
	return 1
}

# Block until client $1 has printed $2 progress lines in all.
wait_progress() {
	local n
	n=$(timeout 30 tail -n +1 -f "$SYS_LOG" | grep -m "$2" -c "^$1| $1: ok=")
	[ "$n" -eq "$2" ] || {
		echo "client $1 printed $n progress lines, expected $2 (hung?)" >&2
		return 1
	}
}

@test "soak: $KILLS random kills under protected-call load" {
	system_start -L "$CORDON_BUILD/tests/supervise" "$CORDON_TOP/tests/supervise/soak.system"
	system_wait '^MON\|INFO: all 10 PDs started$'
	pds=(srv0 srv1 srv2 srv3 srv4 cli0 cli1 cli2 cli3 cli4)
	declare -A kills
	for pd in "${pds[@]}"; do kills[$pd]=0; done
	# Every client is making calls before the first kill.
	for i in 0 1 2 3 4; do wait_progress "cli$i" 1; done

	declare -A pid
	for pd in "${pds[@]}"; do
		pid[$pd]=$(sed -n "s/^MON|INFO: pd=$pd started pid=\\([0-9]*\\)\$/\\1/p" "$SYS_LOG")
	done
	# From the log's size now, not from wherever it ends when tail gets to
	# run: a restart line written before tail opens the file must not be
	# missed.
	local from
	from=$(($(stat -c %s "$SYS_LOG") + 1))
	exec {LOG_FD}< <(exec tail -c "+$from" -f "$SYS_LOG" 2>/dev/null)
	reader=$!
	RANDOM=42
	for ((k = 0; k < KILLS; k++)); do
		pd=${pds[RANDOM % 10]}
		kill -KILL "${pid[$pd]}"
		kills[$pd]=$((kills[$pd] + 1))
		next_start "$pd"
		pid[$pd]=$PID
	done
	exec {LOG_FD}<&-
	kill "$reader" 2>/dev/null || true

	# The monitor never died; every PD runs and was restarted once per kill.
	# The clients call from init(), which never returns: they run, but are
	# never ready, so `cordon ps` says starting.
	kill -0 "$SYS_PID"
	run "$CORDON" ps
	echo "$output"
	for pd in "${pds[@]}"; do
		state=running
		[[ $pd != cli* ]] || state=starting
		[[ "$output" =~ (^|$'\n')$pd\ +$state\ +[0-9]+\ +${kills[$pd]}\  ]] || {
			echo "$pd: expected $state with ${kills[$pd]} restarts" >&2
			false
		}
	done
	# Every server is back in service: each client makes progress again.
	for i in 0 1 2 3 4; do
		seen=$(grep -c "^cli$i| cli$i: ok=" "$SYS_LOG")
		wait_progress "cli$i" $((seen + 2))
	done
	# No call got a wrong answer, and the monitor never lost track.
	! grep -q 'BAD reply' "$SYS_LOG" || false
	! grep -q '^MON|ERROR:' "$SYS_LOG" || false
	[ "$(grep -c '^MON|FAULT: pd=[a-z0-9]* signal=SIGKILL' "$SYS_LOG")" -eq "$KILLS" ]
	system_stop
	[ "$SYS_STATUS" -eq 0 ]
}
