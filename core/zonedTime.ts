/**
 * The parts of a moment in a time zone (day, hour, weekday…), with one
 * Intl.DateTimeFormat kept per set of options: making a formatter costs
 * more than the rest of a turn's bookkeeping, and every turn records its
 * local day and hour.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatted parts of `at`, by type (`year`, `month`, `day`, `hour`, `minute`, `weekday`). */
export function zonedParts(
  at: Date,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
  locale = 'en-US',
): (type: Intl.DateTimeFormatPartTypes) => string {
  const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    formatters.set(key, f);
  }
  const parts = f.formatToParts(at);
  return (type) => parts.find((p) => p.type === type)?.value ?? '';
}
