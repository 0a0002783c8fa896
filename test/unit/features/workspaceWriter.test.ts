// The browser's writes to the workspace (WorkspaceWriter): a file goes through a temp file beside it, renamed over
// it. A page closed or reloaded between the two steps leaves that temp file in the user's run folder, so its name
// must be the one atomic-write temp name every host uses: hidden, and known to the run folders' tidying.

import { describe, expect, it, vi } from 'vitest';

const calls: string[] = [];
vi.mock('vscode', () => {
  class Uri {
    constructor(readonly path: string) {}
    with(change: { path: string }): Uri {
      return new Uri(change.path);
    }
  }
  return {
    Uri,
    workspace: {
      fs: {
        writeFile: async (uri: Uri) => void calls.push(`write ${uri.path}`),
        rename: async (from: Uri, to: Uri) => void calls.push(`rename ${from.path} -> ${to.path}`),
        createDirectory: async (uri: Uri) => void calls.push(`mkdir ${uri.path}`),
        delete: async (uri: Uri) => void calls.push(`delete ${uri.path}`),
      },
    },
  };
});

const vscode = await import('vscode');
const { WorkspaceWriter } = await import('../../../src/features/workspaceWriter');
const { isCheckpointTemp } = await import('../../../src/engine');

describe('WorkspaceWriter', () => {
  it('writes a checkpoint through a hidden atomic-write temp file in its folder, then renames it over the file', async () => {
    calls.length = 0;
    const writer = new WorkspaceWriter(
      (p) => new (vscode as unknown as { Uri: new (p: string) => { path: string } }).Uri(p) as never,
      () => new Uint8Array(0),
    );
    await writer.apply([{ op: 'write', path: '/ws/runs/Net-20261201-081604/best.safetensors', data: new Uint8Array([1, 2, 3]) }]);
    expect(calls).toHaveLength(2);
    const temp = calls[0]!.replace(/^write /, '');
    expect(calls[1]).toBe(`rename ${temp} -> /ws/runs/Net-20261201-081604/best.safetensors`);
    expect(temp.slice(0, temp.lastIndexOf('/'))).toBe('/ws/runs/Net-20261201-081604');
    const name = temp.slice(temp.lastIndexOf('/') + 1);
    expect(name.startsWith('.best.safetensors.')).toBe(true);
    expect(isCheckpointTemp(name)).toBe(true);
  });
});
