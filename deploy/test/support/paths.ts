import { join } from 'node:path';

/** The repository root, two levels above this file. */
export const REPO_ROOT = join(__dirname, '../../..');

export const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.dokploy.yml');
/** The Dokploy stack with Redis behind Sentinel. */
export const SENTINEL_COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.sentinel.yml');
/** The entrypoints of its Redis nodes and sentinels. */
export const REDIS_SCRIPTS = join(REPO_ROOT, 'deploy/redis');
export const ENV_EXAMPLE_FILE = join(REPO_ROOT, '.env.example');
export const SENTINEL_ENV_EXAMPLE_FILE = join(REPO_ROOT, '.env.sentinel.example');
export const API_DOCKERFILE = join(REPO_ROOT, 'apps/api/Dockerfile');
export const WEB_DOCKERFILE = join(REPO_ROOT, 'apps/web/Dockerfile');
export const DOCKERIGNORE_FILE = join(REPO_ROOT, '.dockerignore');
export const NGINX_TEMPLATE = join(REPO_ROOT, 'deploy/nginx/templates/chat.conf.template');
export const K8S_DIRECTORY = join(REPO_ROOT, 'deploy/k8s');
