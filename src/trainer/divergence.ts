// When training has diverged: a loss that is NaN or infinite, or one that exploded far beyond where it began.
// Pure, so the rule is tested on numbers; the training loop stops with the same error for every case.

/** A batch loss above this many times its start (or the chance level, whichever is larger) has exploded. */
export const EXPLOSION_FACTOR = 100;

/**
 * Why the loss `loss` means training diverged, as words that follow "The loss " ("became NaN", "reached
 * 11,024,331, over 100 times where it started (1.10)"), or null while it is fine. `first` is the first step's
 * loss of the run; the bound is at least 100 × ln(classes), the loss of a model that guesses, so a run that
 * starts from a good checkpoint (a tiny first loss) does not stop at the first noisy batch.
 */
export function divergence(loss: number, first: number, classes: number): string | null {
  if (!Number.isFinite(loss)) return `became ${loss}`;
  const chance = Math.log(Math.max(2, classes));
  const base = Math.max(Number.isFinite(first) ? first : 0, chance);
  if (loss <= EXPLOSION_FACTOR * base) return null;
  const where = first >= chance ? `where it started (${formatLoss(first)})` : `the loss of guessing among ${classes} classes (${formatLoss(chance)})`;
  return `reached ${formatLoss(loss)}, over ${EXPLOSION_FACTOR} times ${where}`;
}

function formatLoss(x: number): string {
  return x >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3);
}
