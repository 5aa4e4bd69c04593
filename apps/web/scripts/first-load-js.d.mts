export const ROUTES: Record<'thread' | 'inbox' | 'home' | 'notifications' | 'login', string>;
export function firstLoadJs(
  route: string,
  distDir?: string,
): { files: number; raw: number; gzip: number } | null;
