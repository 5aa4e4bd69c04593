#!/bin/sh
# A Redis data node of the Sentinel variant (docker-compose.sentinel.yml). The first start writes
# /data/redis.conf; later starts reuse it, so a role the sentinels gave the node (CONFIG REWRITE
# after a failover) survives a restart.
#   REDIS_PASSWORD   what clients and the other nodes give (required)
#   ANNOUNCE_HOST    the name the other nodes and the sentinels reach this one by (required)
#   REPLICA_OF       the host of the master to follow at first start (empty: start as master)
#   REPLICA_OF_PORT  its port @default PORT
#   PORT             @default 6379
#   DATA_DIR         @default /data
set -eu
: "${REDIS_PASSWORD:?set REDIS_PASSWORD}"
: "${ANNOUNCE_HOST:?set ANNOUNCE_HOST}"
PORT="${PORT:-6379}"
DATA_DIR="${DATA_DIR:-/data}"
CONFIG="$DATA_DIR/redis.conf"
if [ ! -f "$CONFIG" ]; then
  {
    echo "port $PORT"
    echo "dir $DATA_DIR"
    # Acknowledged messages live here: fsync before a write is answered (decision 0001).
    echo "appendonly yes"
    echo "appendfsync always"
    echo "save \"\""
    echo "requirepass \"$REDIS_PASSWORD\""
    echo "masterauth \"$REDIS_PASSWORD\""
    echo "replica-announce-ip $ANNOUNCE_HOST"
    echo "replica-announce-port $PORT"
    if [ -n "${REPLICA_OF:-}" ]; then echo "replicaof $REPLICA_OF ${REPLICA_OF_PORT:-$PORT}"; fi
  } > "$CONFIG"
fi
exec redis-server "$CONFIG"
