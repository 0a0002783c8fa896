// The end of every switch over a closed union (layer kinds, message types…): a kind added to the union
// and not handled here fails to compile, and a value that should not exist fails loudly at run time.

export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
