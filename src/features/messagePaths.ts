// Messages from the trainer and the data readers name files by absolute path (they run in another process,
// from any folder). In a notification beside the editor a path relative to the .cnn file says the same in a
// few characters: `lecture.cnn:7: E020 …`, `The folder 'mnist' …`. Pure: no vscode.

/** The separator of an absolute path: `\` for a Windows one (`C:\…`, `\\server\…`), else `/`. */
export function separatorOf(file: string): string {
  return /^[A-Za-z]:\\/.test(file) || file.startsWith('\\\\') ? '\\' : '/';
}

/** `message` with every absolute path inside the folder of `file` written relative to that folder. */
export function relativeToFile(message: string, file: string, separator: string = separatorOf(file)): string {
  const dir = file.slice(0, file.lastIndexOf(separator));
  if (dir.length <= 1 || !message.includes(dir)) return message;
  const inside = `${dir}${separator}`;
  // Inside the folder: drop the folder. The folder itself (a path that ends there): `.`.
  let out = message.split(inside).join('');
  out = out.replace(new RegExp(`${escape(dir)}(?![\\w.\\-])`, 'g'), '.');
  return out;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
