#!/bin/sh
# A sentinel of the Sentinel variant (docker-compose.sentinel.yml). The first start writes
# /data/sentinel.conf; sentinels rewrite it as they learn the group (and after a failover), so
# later starts keep what they learnt.
#   MASTER_NAME        the name the API asks for (REDIS_SENTINEL_MASTER) (required)
#   MASTER_HOST        the master at first start (required)
#   MASTER_PORT        @default 6379
#   QUORUM             sentinels that must agree the master is down @default 2
#   DOWN_AFTER_MS      silence before the master counts as down @default 5000
#   REDIS_PASSWORD     the data nodes' password (required)
#   SENTINEL_PASSWORD  what the sentinels ask clients for (required)
#   ANNOUNCE_HOST      the name the other sentinels reach this one by (required)
#   PORT               @default 26379
#   DATA_DIR           @default /data
set -eu
: "${MASTER_NAME:?set MASTER_NAME}"
: "${MASTER_HOST:?set MASTER_HOST}"
: "${REDIS_PASSWORD:?set REDIS_PASSWORD}"
: "${SENTINEL_PASSWORD:?set SENTINEL_PASSWORD}"
: "${ANNOUNCE_HOST:?set ANNOUNCE_HOST}"
PORT="${PORT:-26379}"
DATA_DIR="${DATA_DIR:-/data}"
CONFIG="$DATA_DIR/sentinel.conf"
if [ ! -f "$CONFIG" ]; then
  {
    echo "port $PORT"
    echo "dir $DATA_DIR"
    # Containers come and go with new addresses: nodes are known by their names.
    echo "sentinel resolve-hostnames yes"
    echo "sentinel announce-hostnames yes"
    echo "sentinel announce-ip $ANNOUNCE_HOST"
    echo "sentinel announce-port $PORT"
    echo "requirepass \"$SENTINEL_PASSWORD\""
    echo "sentinel sentinel-pass \"$SENTINEL_PASSWORD\""
    echo "sentinel monitor $MASTER_NAME $MASTER_HOST ${MASTER_PORT:-6379} ${QUORUM:-2}"
    echo "sentinel auth-pass $MASTER_NAME \"$REDIS_PASSWORD\""
    echo "sentinel down-after-milliseconds $MASTER_NAME ${DOWN_AFTER_MS:-5000}"
    echo "sentinel failover-timeout $MASTER_NAME 60000"
    echo "sentinel parallel-syncs $MASTER_NAME 1"
  } > "$CONFIG"
fi
exec redis-server "$CONFIG" --sentinel
