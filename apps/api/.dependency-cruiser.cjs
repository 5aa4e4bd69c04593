// @ts-check
/**
 * The API's layering, checked by `pnpm check` (see docs/ARCHITECTURE.md, "Layout"):
 * services emit domain events, the realtime delivery module maps them to rooms, and only it
 * touches the bus; infra implements the modules' ports and knows nothing else of them.
 * `test/boundaries.spec.ts` shows every rule failing on a fixture that breaks it.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'infra-never-imports-modules',
      comment: 'infra (Redis connections, the bus) serves the modules and depends on none of them',
      severity: 'error',
      from: { path: '^src/infra/', pathNot: '^src/infra/engines/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'engines-import-only-ports',
      comment:
        'an engine implements the ports (*.repository.ts, *.port.ts) of the modules, nothing more',
      severity: 'error',
      from: { path: '^src/infra/engines/' },
      to: { path: '^src/modules/', pathNot: '[.](repository|port)[.]ts$|/engine-health[.]ts$' },
    },
    {
      name: 'bus-only-through-delivery',
      comment: 'only the realtime delivery module publishes to and hears from the bus',
      severity: 'error',
      from: {
        pathNot: '^src/infra/realtime/|^src/modules/realtime/delivery/|^src/app[.]module[.]ts$',
      },
      to: { path: '^src/infra/realtime/' },
    },
    {
      name: 'domain-never-imports-infra',
      comment: 'services reach storage through ports; the engine module binds them',
      severity: 'error',
      from: { path: '^src/modules/', pathNot: '^src/modules/(realtime|metrics)/' },
      to: { path: '^src/infra/' },
    },
    {
      name: 'domain-never-imports-realtime',
      comment: 'services emit domain events; the realtime module decides who hears them',
      severity: 'error',
      from: { path: '^src/modules/', pathNot: '^src/modules/realtime/' },
      to: { path: '^src/modules/realtime/' },
    },
    {
      name: 'ws-only-in-the-gateway',
      comment: 'the socket library is the gateway transport; ws internals are used there only',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/modules/realtime/gateway/' },
      to: { path: '(^|/)node_modules/ws/' },
    },
    {
      name: 'ioredis-only-in-infra',
      comment: 'Redis connections are infra; everything else goes through ports',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/infra/' },
      to: { path: '(^|/)node_modules/ioredis/' },
    },
    {
      name: 'services-use-no-transport',
      comment: 'a service never speaks HTTP or WebSocket or Redis itself',
      severity: 'error',
      from: { path: '[.]service[.]ts$' },
      to: { path: '(^|/)node_modules/(ws|ioredis|express)/|^(node:)?https?$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '[.]spec[.]ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
