// `style=${styleProps({...})}`: inline styles through the CSSOM (element.style.setProperty), which a content
// security policy without 'unsafe-inline' allows. Lit's own styleMap writes the `style` attribute as text on
// its first render, which such a policy blocks.

import { type AttributePart, Directive, directive, type DirectiveParameters, type PartInfo, PartType } from 'lit/directive.js';
import { noChange } from 'lit';

export type StyleProps = Record<string, string | number | null | undefined>;

const kebab = (k: string) => (k.startsWith('--') ? k : k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));

class StylePropsDirective extends Directive {
  private previous = new Set<string>();

  constructor(info: PartInfo) {
    super(info);
    if (info.type !== PartType.ATTRIBUTE || info.name !== 'style' || (info.strings?.length ?? 0) > 2) {
      throw new Error('styleProps belongs alone in a style attribute: style=${styleProps({...})}');
    }
  }

  render(_styles: StyleProps): typeof noChange {
    return noChange;
  }

  override update(part: AttributePart, [styles]: DirectiveParameters<this>): typeof noChange {
    const style = (part.element as HTMLElement).style;
    const next = new Set<string>();
    for (const [k, v] of Object.entries(styles)) {
      if (v === null || v === undefined) continue;
      const name = kebab(k);
      next.add(name);
      style.setProperty(name, String(v));
    }
    for (const name of this.previous) if (!next.has(name)) style.removeProperty(name);
    this.previous = next;
    return noChange;
  }
}

export const styleProps = directive(StylePropsDirective);
