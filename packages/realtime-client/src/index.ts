export * from './backoff';
export * from './realtime-client';
