/** Global prefix of every HTTP route of the API. */
export const API_PREFIX = 'api';
/** Where the WebSocket gateway is mounted on the API (outside the HTTP prefix). */
export const GATEWAY_PATH = '/ws/chat';
/** The public WebSocket path the edge receives and forwards with `/api` stripped. */
export const PUBLIC_GATEWAY_PATH = `/${API_PREFIX}${GATEWAY_PATH}`;
/** Default ports. */
export const DEFAULT_API_PORT = 3002;
export const DEFAULT_WEB_PORT = 3100;
/** Name of the session cookie. */
export const SESSION_COOKIE = 'sid';
