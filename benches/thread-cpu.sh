#!/usr/bin/env bash
# Per-thread CPU of the live view, measured from /proc (utime + stime).
#
#   benches/thread-cpu.sh [running|paused] [SECONDS] [RUNS] [-- QUEUESCOPE ARGS...]
#
# Starts target/release/queuescope in a detached 120x40 tmux session (default
# scenario unless args say otherwise), lets it warm up for 3 s, presses space
# for `paused`, then reads every thread's CPU ticks twice, SECONDS apart
# (default 20). Prints each thread's share of one core and the sum over the
# threads that are not producers or consumers (UI, input, coordinator `main`,
# anything else). With RUNS > 1 it repeats and prints the median of the sums.
set -euo pipefail
mode=${1:-running}
secs=${2:-20}
runs=${3:-1}
shift $(( $# < 3 ? $# : 3 )) || true
[ "${1:-}" = "--" ] && shift
bin=${QUEUESCOPE_BIN:-target/release/queuescope}
hz=$(getconf CLK_TCK)

ticks() { # pid -> "name ticks" per thread
  for t in /proc/"$1"/task/*; do
    name=$(cat "$t/comm" 2>/dev/null) || continue
    stat=$(cat "$t/stat" 2>/dev/null) || continue
    rest=${stat##*) }
    set -- $rest
    echo "${name// /_} $(( ${12} + ${13} ))"
  done
}

one_run() {
  local session="qs-cpu-$$-$1"
  shift
  tmux new-session -d -s "$session" -x 120 -y 40 "$bin $*"
  sleep 0.5
  local pid
  pid=$(tmux list-panes -t "$session" -F '#{pane_pid}')
  sleep 3
  if [ "$mode" = paused ]; then tmux send-keys -t "$session" ' '; sleep 1; fi
  local a b
  a=$(ticks "$pid")
  sleep "$secs"
  b=$(ticks "$pid")
  tmux send-keys -t "$session" q
  sleep 0.5
  tmux kill-session -t "$session" 2>/dev/null || true
  # Same thread names are summed (Producer-1 restarted would not happen here).
  awk -v hz="$hz" -v secs="$secs" '
    NR == FNR { a[$1] += $2; next }
    { b[$1] += $2 }
    END {
      for (n in b) {
        pct = 100 * (b[n] - a[n]) / hz / secs
        printf "  %-12s %6.2f %%\n", n, pct
        if (n !~ /^(Producer|Consumer)-/) other += pct
      }
      printf "non-worker %.2f\n", other
    }' <(echo "$a") <(echo "$b")
}

sums=()
for r in $(seq 1 "$runs"); do
  out=$(one_run "$r" "$@")
  echo "run $r ($mode, ${secs}s):"
  echo "$out" | grep -v '^non-worker' | sort
  s=$(echo "$out" | awk '/^non-worker/ {print $2}')
  echo "  non-worker total $s %"
  sums+=("$s")
done
printf '%s\n' "${sums[@]}" | sort -n | awk '{v[NR]=$1} END {printf "median non-worker over %d runs: %.2f %% of a core\n", NR, (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'
