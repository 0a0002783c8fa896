/** A failure caused by the user's input (bad data, a bad checkpoint): one line, exit 1, no stack trace. */
export class UserError extends Error {}
