// Dates and times for people, through Intl: in the reader's language and time zone (the browser's;
// every date is rendered in the browser, after the data has loaded).

const cache = new Map<string, Intl.DateTimeFormat>();

function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = cache.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    cache.set(key, format);
  }
  return format;
}

/** The local calendar day of a moment, as `YYYY-MM-DD`, for grouping by day. */
export function localDayKey(date: Date): string {
  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');
  return `${date.getFullYear()}-${month}-${day}`;
}

function daysBetween(earlier: Date, later: Date): number {
  const start = new Date(earlier.getFullYear(), earlier.getMonth(), earlier.getDate());
  const end = new Date(later.getFullYear(), later.getMonth(), later.getDate());
  return Math.round((end.getTime() - start.getTime()) / 86_400_000);
}

function capitalize(text: string, locale: string): string {
  return text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
}

/** "Today", "Yesterday", a weekday within the week, else a date: for day separators. */
export function formatDay(date: Date, now: Date, locale: string): string {
  const days = daysBetween(date, now);
  if (days === 0 || days === 1) {
    const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    return capitalize(relative.format(-days, 'day'), locale);
  }
  if (days > 1 && days < 7)
    return capitalize(dateFormat(locale, { weekday: 'long' }).format(date), locale);
  const sameYear = date.getFullYear() === now.getFullYear();
  return dateFormat(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(date);
}

/** The time of day, in the locale's own clock. */
export function formatTime(date: Date, locale: string): string {
  return dateFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(date);
}

/** Everything about a moment, for tooltips and screen readers. */
export function formatFull(date: Date, locale: string): string {
  return dateFormat(locale, { dateStyle: 'full', timeStyle: 'short' }).format(date);
}

/** Compact, for lists: a time today, "Yesterday", a weekday this week, else a date. */
export function formatShort(date: Date, now: Date, locale: string): string {
  const days = daysBetween(date, now);
  if (days <= 0) return formatTime(date, locale);
  if (days === 1) {
    return capitalize(
      new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(-1, 'day'),
      locale,
    );
  }
  if (days < 7) return dateFormat(locale, { weekday: 'short' }).format(date);
  const sameYear = date.getFullYear() === now.getFullYear();
  return dateFormat(
    locale,
    sameYear
      ? { day: 'numeric', month: 'short' }
      : { day: 'numeric', month: 'short', year: 'numeric' },
  ).format(date);
}

/** A booking's stay, `2026-03-12`–`2026-03-15` as "12–15 Mar 2026" (calendar dates, no zone). */
export function formatDateRange(
  start: string | undefined,
  end: string | undefined,
  locale: string,
): string | null {
  const options: Intl.DateTimeFormatOptions = {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  };
  const format = dateFormat(locale, options);
  const from = start ? new Date(`${start}T00:00:00Z`) : null;
  const to = end ? new Date(`${end}T00:00:00Z`) : null;
  if (from && to) return format.formatRange(from, to);
  if (from) return format.format(from);
  if (to) return format.format(to);
  return null;
}
