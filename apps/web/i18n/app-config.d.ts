import type messages from '../messages/en.json';
import type { Locale } from './locales';

// Keys used in code are checked against the English catalogue by the type checker; the
// catalogue test checks every other language against English.
declare module 'next-intl' {
  interface AppConfig {
    Locale: Locale;
    Messages: typeof messages;
  }
}
