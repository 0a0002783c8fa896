// What the Getting Started walkthrough watches for, as a pure reducer: the glue (walkthrough.ts) feeds it the
// editor's events and turns its state into context keys, which the steps' `completionEvents` name
// (`onContext:cnnStudio.walkthrough.shapeErrorFixed`). No vscode here, so it is tested without an editor.

import { assertNever } from '../language/assertNever';

export interface WalkthroughProgress {
  /** A `.cnn` editor was shown, with its shapes at the ends of the lines. (`editorLangId` cannot say it: that key
   *  belongs to each editor, and the walkthrough only sees the window's keys.) */
  readonly shapesShown: boolean;
  /** Open documents (by URI) that have an E020, the shape rule's "not a whole number". */
  readonly withShapeError: readonly string[];
  /** An E020 went away in a document that is still open: the student fixed a stride mistake. */
  readonly shapeErrorFixed: boolean;
  /** A training run finished all its epochs. */
  readonly trained: boolean;
  /** The convolution explorer showed the lecture's 7×7 input under a 3×3 filter at stride 3 (the one that does not fit). */
  readonly explorerStride3: boolean;
}

export type WalkthroughEvent =
  /** A `.cnn` file is in the active editor. */
  | { type: 'cnnEditor' }
  /** A document's diagnostic codes now (`open`: false when the document has just been closed). */
  | { type: 'diagnostics'; uri: string; codes: readonly string[]; open: boolean }
  /** A run ended; `stopped`: by the user before its last epoch. */
  | { type: 'trainingDone'; stopped: boolean }
  /** The inspector's convolution explorer shows input N, filter F, stride S and padding P. */
  | { type: 'explorer'; n: number; f: number; s: number; p: number };

export const INITIAL_PROGRESS: WalkthroughProgress = { shapesShown: false, withShapeError: [], shapeErrorFixed: false, trained: false, explorerStride3: false };

/** The code of the shape-rule error the walkthrough's third step makes and fixes. */
export const SHAPE_ERROR = 'E020';

export function reduceProgress(state: WalkthroughProgress, event: WalkthroughEvent): WalkthroughProgress {
  switch (event.type) {
    case 'cnnEditor':
      return state.shapesShown ? state : { ...state, shapesShown: true };
    case 'diagnostics': {
      const had = state.withShapeError.includes(event.uri);
      const has = event.open && event.codes.includes(SHAPE_ERROR);
      if (had === has) return state;
      const withShapeError = has ? [...state.withShapeError, event.uri] : state.withShapeError.filter((u) => u !== event.uri);
      // Closing the file also removes its diagnostics: that is not a fix.
      return { ...state, withShapeError, shapeErrorFixed: state.shapeErrorFixed || (had && event.open) };
    }
    case 'trainingDone':
      return event.stopped || state.trained ? state : { ...state, trained: true };
    case 'explorer':
      return state.explorerStride3 || !(event.n === 7 && event.f === 3 && event.s === 3) ? state : { ...state, explorerStride3: true };
    default:
      return assertNever(event);
  }
}

/** The context keys the walkthrough's completion events name, with their values. */
export function progressContext(state: WalkthroughProgress): Record<string, boolean> {
  return {
    'cnnStudio.walkthrough.shapesShown': state.shapesShown,
    'cnnStudio.walkthrough.shapeErrorFixed': state.shapeErrorFixed,
    'cnnStudio.walkthrough.trained': state.trained,
    'cnnStudio.walkthrough.explorerStride3': state.explorerStride3,
  };
}

