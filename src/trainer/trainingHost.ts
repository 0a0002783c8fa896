// The check host of training and the command line: fileHost plus a look into a data folder's DICOM headers
// (E040 for files that cannot be used, the refusal training would give). The editor's host (fileHost) leaves
// that look to training: it needs the image and DICOM decoders, which would more than double extension.js.

import { host } from '../platform/host';
import { folderDicomIssue } from '../data/folderCheck';
import type { CheckHost } from '../language';
import { fileHost } from './paths';

export function trainingHost(file: string): CheckHost {
  const { dirname, resolve } = host().path;
  const base = dirname(resolve(file));
  return {
    ...fileHost(file),
    // Their headers only, cached per folder version.
    dataFiles: (data) => (data.kind === 'folder' ? folderDicomIssue(host().path.resolve(base, data.path)) : null),
  };
}
