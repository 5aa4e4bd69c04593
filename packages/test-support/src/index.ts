export { type Child, spawnChild } from './child';
export { type EventuallyOptions, expectEventually, within } from './eventually';
export { acceptsConnections, freePort } from './loopback';
export { LoopbackEdge, type LoopbackEdgeOptions } from './loopback-edge';
export { answersPing, RedisServer, type RedisServerOptions } from './redis-server';
export { spawnInTerminal, type TerminalChild } from './terminal';
