#!/usr/bin/env bash
# Start a single-node OpenSearch 2.19.1 on 127.0.0.1:$OPENSEARCH_PORT (transport $OPENSEARCH_TRANSPORT_PORT).
# Idempotent: already running and healthy -> exit 0. First run installs it from Maven Central (pom.xml here).
# OpenSearch refuses to run as root ("can not run opensearch as root"), so it runs as nobody:nogroup;
# the distribution and the data folder are chowned to nobody. Stop with stop.sh (PID file, process group).
#
# Env: SHOP_OPENSEARCH_DIR  parent of the distribution (opensearch/) and data (opensearch-data/); default
#                           $LOCAL_DIR, or /var/tmp/shop-local-<hash of repo path> when nobody cannot
#                           traverse $LOCAL_DIR (a clone under /root, which is 700)
#      OPENSEARCH_HEAP      heap size (default 512m)
#      OPENSEARCH_START_TIMEOUT seconds to wait for health yellow (default 120)
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

HERE=$REPO_ROOT/infra/local/opensearch
OS_VERSION=2.19.1
NAME=opensearch
HEALTH_URL="http://127.0.0.1:$OPENSEARCH_PORT/_cluster/health?wait_for_status=yellow&timeout=1s"
export JAVA_HOME=${JAVA_HOME_17:-/usr/lib/jvm/java-17-openjdk-amd64}
[[ -x $JAVA_HOME/bin/java ]] || die "no Java 17 at $JAVA_HOME (apt-get install openjdk-17-jdk-headless)"
command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"

# Already up?
already_serving "$NAME" "$HEALTH_URL" "$OPENSEARCH_PORT" && exit 0

# As root, run as nobody (who must be able to traverse every folder down to the distribution);
# as any other user, run as that user.
if ((EUID == 0)); then
  RUN_AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
else
  RUN_AS=()
fi
as_nobody() { "${RUN_AS[@]}" "$@"; }
OS_PARENT=${SHOP_OPENSEARCH_DIR:-$LOCAL_DIR}
mkdir -p "$OS_PARENT"
if ! as_nobody test -x "$OS_PARENT"; then
  fallback=/var/tmp/shop-local-$(printf '%s' "$REPO_ROOT" | sha1sum | cut -c1-12)
  log "user nobody cannot traverse $OS_PARENT (some parent folder lacks o+x): using $fallback"
  OS_PARENT=$fallback
  mkdir -p "$OS_PARENT"; chmod 755 "$OS_PARENT"
  as_nobody test -x "$OS_PARENT" || die "user nobody cannot traverse $OS_PARENT either"
fi
OS_BASE=$OS_PARENT/opensearch          # mvn unpacks opensearch-<version>/ here
OS_HOME=$OS_BASE/opensearch-$OS_VERSION
OS_DATA=$OS_PARENT/opensearch-data     # data/, logs/, tmp/

# Install (skipped when the stamp matches the pom and our module files).
stamp_want=$(cat "$HERE/pom.xml" $(find "$HERE/modules" -type f | sort) | sha1sum | cut -c1-40)
stamp_file=$OS_HOME/.shop-installed
if [[ ! -f $stamp_file || $(cat "$stamp_file") != "$stamp_want" ]]; then
  log "installing OpenSearch $OS_VERSION into $OS_HOME (Maven Central)"
  t0=$SECONDS
  rm -rf "$OS_HOME"
  mvn -B -q -f "$HERE/pom.xml" generate-resources -Dopensearch.dir="$OS_BASE" \
      >"$LOG_DIR/opensearch-install.log" 2>&1 \
    || { tail -n 40 "$LOG_DIR/opensearch-install.log" >&2; die "mvn failed to fetch OpenSearch (is Maven Central reachable?)"; }
  [[ -x $OS_HOME/bin/opensearch ]] || die "no $OS_HOME/bin/opensearch after mvn"
  echo "$stamp_want" >"$stamp_file"
  log "installed in $((SECONDS - t0)) s"
fi

mkdir -p "$OS_DATA/data" "$OS_DATA/logs" "$OS_DATA/tmp"
if ((EUID == 0)); then chown -R nobody:nogroup "$OS_HOME" "$OS_DATA"; fi

log "starting opensearch on 127.0.0.1:$OPENSEARCH_PORT (data: $OS_DATA)"
heap=${OPENSEARCH_HEAP:-512m}
# start_bg: setsid -> setpriv -> bin/opensearch all exec, so the recorded PID is the java process
# and leads its own process group; root may signal it although it runs as nobody.
start_bg "$NAME" "$LOG_DIR/$NAME.log" \
  env JAVA_HOME="$JAVA_HOME" OPENSEARCH_JAVA_HOME="$JAVA_HOME" HOME="$OS_DATA" \
      OPENSEARCH_TMPDIR="$OS_DATA/tmp" OPENSEARCH_JAVA_OPTS="-Xms$heap -Xmx$heap" \
  "${RUN_AS[@]}" "$OS_HOME/bin/opensearch" \
    -Enetwork.host=127.0.0.1 \
    -Ehttp.port="$OPENSEARCH_PORT" \
    -Etransport.port="$OPENSEARCH_TRANSPORT_PORT" \
    -Ediscovery.type=single-node \
    -Ecluster.name=shop-local \
    -Ecluster.routing.allocation.disk.threshold_enabled=false \
    -Epath.data="$OS_DATA/data" \
    -Epath.logs="$OS_DATA/logs"
t0=$SECONDS
wait_http "$NAME" "$HEALTH_URL" "${OPENSEARCH_START_TIMEOUT:-120}"
log "opensearch healthy in $((SECONDS - t0)) s (pid $(cat "$PID_DIR/$NAME.pid"))"
# A development node shares the host's disk: with its disk thresholds on, a host disk over 90% full
# makes OpenSearch block index creation (persisted in the data folder, so it outlives the fill).
# They are off above; lift a block an earlier run may have left.
curl -fsS -o /dev/null -X PUT "http://127.0.0.1:$OPENSEARCH_PORT/_cluster/settings" -H 'content-type: application/json' \
  -d '{"persistent": {"cluster.blocks.create_index": null}}' || die "clearing the index-creation block failed"
