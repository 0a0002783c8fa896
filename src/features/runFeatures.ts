// Training, the inspector and the walkthrough: the same in both extension hosts, on the platform the entry
// gives (nodePlatform.ts or webPlatform.ts).

import type * as vscode from 'vscode';
import type { CnnDocuments } from './documents';
import { InspectorFeature } from './inspector';
import type { EditorPlatform } from './platform';
import { TrainingFeature } from './training';
import { WalkthroughFeature } from './walkthrough';

export function runFeatures(context: vscode.ExtensionContext, docs: CnnDocuments, platform: EditorPlatform): { training: TrainingFeature; disposables: vscode.Disposable[] } {
  const training = new TrainingFeature(context, docs, platform);
  const inspector = new InspectorFeature(context, docs, training, platform);
  return { training, disposables: [training, inspector, new WalkthroughFeature(training.onDidReceive, inspector.onDidExplore)] };
}
