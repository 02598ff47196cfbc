// Escalation policy rules. Deterministic and zod-free: safe to import from workflow code.
export {
  MS_PER_MINUTE,
  addBusinessMinutes,
  addBusinessMs,
  businessMinutesBetween,
  businessMsBetween,
  isValidTimeZone,
  isWorkingTime,
  localDateTime,
  localToUtc,
  nextOpening,
  parseLocalTime,
  zoneOffsetMs,
  type LocalDateTime,
} from './calendar.js';
export { priorityFor, ruleFor, validatePolicy, type PolicyIssue } from './validate.js';
export { DEFAULT_POLICY, TEST_FAST_POLICY } from './defaults.js';
export {
  DEFAULT_AUTO_CLOSE_AFTER_DAYS,
  MAX_AUTO_CLOSE_DAYS,
  MIN_AUTO_CLOSE_DAYS,
  autoCloseAfterDays,
  autoCloseAt,
} from './auto-close.js';
export {
  DEFAULT_DUPLICATES_WINDOW_MINUTES,
  MAX_DUPLICATES_WINDOW_MINUTES,
  MIN_DUPLICATES_WINDOW_MINUTES,
  duplicatesIssues,
  duplicatesSettings,
  type EffectiveDuplicates,
} from './duplicates.js';
