import { z } from 'zod';

// Zod compiles object schemas with `new Function` where it can, after probing for it. The web
// app runs under a Content Security Policy without 'unsafe-eval', where even that probe is a
// reported violation: in a browser the schemas parse without it.
if (typeof (globalThis as { document?: unknown }).document !== 'undefined') {
  z.config({ jitless: true });
}
