export { type Child, spawnChild } from './child';
export { type EventuallyOptions, expectEventually, within } from './eventually';
export { acceptsConnections, freePort } from './loopback';
export { LoopbackEdge, type LoopbackEdgeOptions } from './loopback-edge';
export { parseInfo, redisCli, type RedisProcessStats, redisProcessStats } from './redis-cli';
export {
  type ClusterNodeInfo,
  type ClusterShardStats,
  parseClusterNodes,
  RedisCluster,
  type RedisClusterOptions,
} from './redis-cluster';
export { RedisNode } from './redis-node';
export { RedisSentinelGroup, type RedisSentinelOptions } from './redis-sentinel';
export { answersPing, RedisServer, type RedisServerOptions } from './redis-server';
export { spawnInTerminal, type TerminalChild } from './terminal';
