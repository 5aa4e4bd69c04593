// `pnpm start`: the built standalone server, as in the container (PORT 3100, all interfaces).
import { spawn } from 'node:child_process';
import { prepareStandalone } from './standalone.mjs';

const server = prepareStandalone(process.env.NEXT_DIST_DIR || '.next');
const child = spawn(process.execPath, [server], {
  stdio: 'inherit',
  env: { PORT: '3100', HOSTNAME: '0.0.0.0', NODE_ENV: 'production', ...process.env },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 1));
