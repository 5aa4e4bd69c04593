import { sameSitePath } from '@chat/protocol';

/**
 * Where an in-app redirect (`/login?next=`) or a notification link may lead: the path, when it
 * stays on this site, else home. The API checks notification links with the same rule.
 */
export function safeNextPath(value: string | null | undefined): string {
  return (value && sameSitePath(value)) || '/';
}
