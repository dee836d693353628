/**
 * Text with no control character (Unicode category Cc: NUL, tabs, line breaks, ...): one-line
 * labels shown in lists, mails and notifications, where such a character is never meant.
 * Written without flags other than `u`, so the same source serves as a JSON Schema `pattern`.
 */
export const NO_CONTROL_CHARACTERS = /^\P{Cc}*$/u;
