import './zod-config';
export * from './codes';
export * from './common';
export * from './frames';
export * from './http';
export * from './routes';
export * from './same-site-path';
