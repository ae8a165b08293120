/**
 * The parts of a moment in a time zone (day, hour, weekday…), with one
 * Intl.DateTimeFormat kept per set of options: making a formatter costs
 * more than the rest of a turn's bookkeeping, and every turn records its
 * local day and hour.
 */
/** Formatters by options object (callers keep theirs as constants), then by time zone and locale. */
const formatters = new WeakMap<Intl.DateTimeFormatOptions, Map<string, Intl.DateTimeFormat>>();

/** The formatted parts of `at`, by type (`year`, `month`, `day`, `hour`, `minute`, `weekday`). */
export function zonedParts(
  at: Date,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
  locale = 'en-US',
): (type: Intl.DateTimeFormatPartTypes) => string {
  let byZone = formatters.get(options);
  if (!byZone) formatters.set(options, (byZone = new Map()));
  const key = `${locale}|${timeZone}`;
  let f = byZone.get(key);
  if (!f) byZone.set(key, (f = new Intl.DateTimeFormat(locale, { ...options, timeZone })));
  const parts = f.formatToParts(at);
  return (type) => parts.find((p) => p.type === type)?.value ?? '';
}
