#!/usr/bin/env bash
# A Flink standalone session cluster without Docker and without a Flink download: the JobManager and the
# TaskManagers run as separate JVMs from the Maven artifacts (operations/target/flink-dist, built on first use),
# configured by flink-conf/. Jobs go in through Flink's own CLI (CliFrontend).
#
#   scripts/flink-cluster.sh start                          start the JobManager and FLINK_TASKMANAGERS TaskManagers,
#                                                           wait until they have registered
#   scripts/flink-cluster.sh start-taskmanager              start one more TaskManager (e.g. in place of a lost one),
#                                                           wait until it registers
#   scripts/flink-cluster.sh submit [-s SAVEPOINT] [-c CLASS] [-- JOB ARGS]   submit the job jar, print the job id;
#                                                           CLASS: its entry class (default its manifest's, the scoring
#                                                           job; io.github.fraudflink.job.PostgresLoaderJob: the loader)
#   scripts/flink-cluster.sh savepoint JOB_ID [DIR]         trigger a savepoint, print its path
#   scripts/flink-cluster.sh stop-job JOB_ID [DIR]          stop the job with a savepoint (no output after it), print its path
#   scripts/flink-cluster.sh cancel JOB_ID                  cancel the job
#   scripts/flink-cluster.sh list                           running jobs
#   scripts/flink-cluster.sh stop                           stop the TaskManagers and the JobManager
#   scripts/flink-cluster.sh flink ARGS...                  any other Flink CLI command
#
# Environment: FLINK_TASKMANAGERS (default 2: one runs the jobs, a standby takes their tasks over at once when a
# TaskManager is lost, instead of their waiting for a new one to start; docs/operations.md), FLINK_CONF_DIR (default
# flink-conf/), FLINK_CLUSTER_DIR (logs, pid files and TaskManager ids, default .fraud/cluster), FLINK_DIST (lib/ and
# usrlib/fraud-job.jar, default operations/target/flink-dist), JAVA (default java). The cluster's
# JVMs and the job's client inherit the rest of the environment (e.g. FRAUD_POSTGRES_PASSWORD for the PostgreSQL sink).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONF=${FLINK_CONF_DIR:-$ROOT/flink-conf}
STATE=${FLINK_CLUSTER_DIR:-$ROOT/.fraud/cluster}
DIST=${FLINK_DIST:-$ROOT/operations/target/flink-dist}
JAVA=${JAVA:-java}
JOB_JAR=$DIST/usrlib/fraud-job.jar

die() { echo "flink-cluster: $*" >&2; exit 1; }

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; } # the comment block above

[ -f "$CONF/config.yaml" ] || die "no config.yaml in $CONF (set FLINK_CONF_DIR)"

ensure_dist() {
  if [ ! -f "$JOB_JAR" ] || [ -z "$(ls "$DIST/lib" 2>/dev/null)" ]; then
    [ -z "${FLINK_DIST:-}" ] || die "$DIST has no lib/ or usrlib/fraud-job.jar"
    echo "building the Flink runtime and the job jar (mvn package -pl operations -am) ..." >&2
    (cd "$ROOT" && mvn -q -B package -pl operations -am -DskipTests) >&2 || die "the build failed"
  fi
}

# the --add-opens flags of env.java.opts.all in config.yaml
java_opts() { sed -n 's/^ *all: //p' "$CONF/config.yaml"; }

# rest.port of config.yaml (FLINK_REST_URL overrides the whole URL)
rest_url() {
  local port
  port=$(awk '/^rest:/{f=1;next} /^[^ #]/{f=0} f && /^  port:/{print $2}' "$CONF/config.yaml")
  echo "${FLINK_REST_URL:-http://localhost:${port:-8081}}"
}

# JVM memory flags and dynamic settings computed by Flink from config.yaml, as bin/jobmanager.sh does; kept per
# config.yaml checksum, so a TaskManager started in place of a lost one does not wait for a JVM to compute them again
resource_params() {
  local out sum cache="$STATE/$1.params"
  sum=$(cksum < "$CONF/config.yaml")
  if [ -f "$cache" ] && [ "$(sed -n 1p "$cache")" = "$sum" ]; then
    sed -n '2,$p' "$cache"
    return
  fi
  out=$("$JAVA" -cp "$DIST/lib/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$CONF" 2>&1) \
    || die "cannot compute the memory settings: $out"
  out=$(echo "$out" | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p')
  mkdir -p "$STATE" && printf '%s\n%s\n' "$sum" "$out" > "$cache"
  echo "$out"
}

start_process() { # name main-class [dynamic properties...]
  local name=$1 main=$2 kind params jvm dynamic
  shift 2
  kind=$([ "$name" = jobmanager ] && echo GET_JM_RESOURCE_PARAMS || echo GET_TM_RESOURCE_PARAMS)
  params=$(resource_params "$kind")
  jvm=$(echo "$params" | sed -n 1p)
  dynamic=$(echo "$params" | sed -n 2p)
  if [ -f "$STATE/$name.pid" ] && kill -0 "$(cat "$STATE/$name.pid")" 2>/dev/null; then
    die "$name already runs (pid $(cat "$STATE/$name.pid")); scripts/flink-cluster.sh stop first"
  fi
  # shellcheck disable=SC2086
  nohup "$JAVA" $jvm $(java_opts) -Dlog.file="$STATE/log/$name.log" \
    -Dlog4j.configurationFile="file:$CONF/log4j.properties" -cp "$DIST/lib/*" "$main" --configDir "$CONF" $dynamic "$@" \
    >> "$STATE/log/$name.out" 2>&1 &
  echo $! > "$STATE/$name.pid"
  echo "$name started (pid $!, log $STATE/log/$name.log)" >&2
}

flink_cli() {
  # shellcheck disable=SC2046
  FLINK_CONF_DIR=$CONF "$JAVA" $(java_opts) -Dlog4j.configurationFile="file:$CONF/log4j-console.properties" \
    -Dlog4j2.level=WARN -cp "$DIST/lib/*" org.apache.flink.client.cli.CliFrontend "$@"
}

# the start commands wait for the REST API with curl
need_curl() { command -v curl >/dev/null 2>&1 || die "curl is needed to wait for the REST API; install it (Debian: apt-get install curl)"; }

# starts a TaskManager numbered after the highest so far, with a resource id of its own (taskmanager-N-<time>), so
# that its registration can be told from a lost one's and the REST API's TaskManager id leads to its pid file
# ($STATE/taskmanager-N.pid and .id); prints the id
launch_taskmanager() {
  local n=0 f id
  for f in "$STATE"/taskmanager-*.pid; do
    [ -e "$f" ] || continue
    f=${f##*/taskmanager-}; f=${f%.pid}
    [ "$f" -gt "$n" ] && n=$f
  done
  n=$((n + 1))
  id="taskmanager-$n-$(date +%s%N)"
  start_process "taskmanager-$n" org.apache.flink.runtime.taskexecutor.TaskManagerRunner -D "taskmanager.resource-id=$id"
  echo "$id" > "$STATE/taskmanager-$n.id"
  echo "$id"
}

# waits until every TaskManager id given has registered at the REST API; fails when the JobManager or one of them
# exits, or after FLINK_START_TIMEOUT seconds (default 120)
await_registered() {
  local url deadline id answer missing
  url=$(rest_url)
  deadline=$((SECONDS + ${FLINK_START_TIMEOUT:-120}))
  while :; do
    answer=$(curl -fs "$url/taskmanagers" 2>/dev/null || true)
    missing=()
    for id in "$@"; do
      echo "$answer" | grep -q "\"id\":\"$id\"" || missing+=("$id")
    done
    [ ${#missing[@]} -gt 0 ] || return 0
    for id in jobmanager "${missing[@]}"; do
      id=${id%-*} # taskmanager-N-<time>: its pid file is taskmanager-N.pid
      kill -0 "$(cat "$STATE/$id.pid")" 2>/dev/null || die "the $id process exited; see $STATE/log/$id.log and $id.out"
    done
    [ $SECONDS -lt $deadline ] || die "${missing[*]} did not register at $url after ${FLINK_START_TIMEOUT:-120} s; see $STATE/log"
    sleep 0.5
  done
}

start() {
  need_curl
  ensure_dist
  local count=${FLINK_TASKMANAGERS:-2} ids=() i
  [[ "$count" =~ ^[1-9][0-9]*$ ]] || die "FLINK_TASKMANAGERS must be a number of TaskManagers, at least 1 (is '$count')"
  mkdir -p "$STATE/log"
  start_process jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
  for i in $(seq "$count"); do ids+=("$(launch_taskmanager)"); done
  await_registered "${ids[@]}"
  echo "cluster up: $(rest_url) (web UI and REST API), TaskManagers: $count" >&2
}

start_taskmanager() {
  need_curl
  ensure_dist
  mkdir -p "$STATE/log"
  local id
  id=$(launch_taskmanager)
  await_registered "$id"
  echo "TaskManager $id registered" >&2
}

stop() {
  local f p pid
  for f in "$STATE"/taskmanager-*.pid "$STATE"/jobmanager.pid; do
    [ -f "$f" ] || continue
    p=${f##*/}; p=${p%.pid}
    pid=$(cat "$f")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
      echo "$p stopped" >&2
    fi
    rm -f "$f" "$STATE/$p.id"
  done
}

submit() {
  local options=()
  while [ $# -gt 0 ]; do
    case "$1" in
      -s|-c) [ $# -ge 2 ] || die "usage: submit [-s SAVEPOINT] [-c CLASS] [-- JOB ARGS]"; options+=("$1" "$2"); shift 2 ;;
      --) shift; break ;;
      *) break ;;
    esac
  done
  ensure_dist
  local out
  out=$(flink_cli run -d "${options[@]}" "$JOB_JAR" "$@" 2>&1) || die "submission failed: $out"
  echo "$out" >&2
  echo "$out" | sed -n 's/.*JobID \([0-9a-f]\{32\}\).*/\1/p' | tail -1
}

savepoint_path() { sed -n 's/.*Path: \(file:[^ ]*\).*/\1/p; s/.*Savepoint completed at \(file:[^ ]*\).*/\1/p' | tail -1; }

cmd=${1:-help}
shift || true
case "$cmd" in
  start) start ;;
  start-taskmanager) start_taskmanager ;;
  stop) stop ;;
  submit) submit "$@" ;;
  savepoint)
    [ $# -ge 1 ] || die "usage: savepoint JOB_ID [DIR]"
    out=$(flink_cli savepoint "$@" 2>&1) || die "savepoint failed: $out"
    echo "$out" >&2; echo "$out" | savepoint_path ;;
  stop-job)
    [ $# -ge 1 ] || die "usage: stop-job JOB_ID [DIR]"
    job=$1; shift
    out=$(flink_cli stop ${1:+--savepointPath "$1"} "$job" 2>&1) || die "stop with savepoint failed: $out"
    echo "$out" >&2; echo "$out" | savepoint_path ;;
  cancel)
    [ $# -eq 1 ] || die "usage: cancel JOB_ID"
    flink_cli cancel "$1" ;;
  list) flink_cli list ;;
  flink) flink_cli "$@" ;;
  help|-h|--help) usage ;;
  *) usage >&2; die "unknown command: $cmd" ;;
esac
