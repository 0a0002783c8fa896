// Hands the content security policy's nonce to Lit (for any <style> element it must add). Imported first by
// main.ts, so it runs before any component is defined and upgraded.

declare global {
  interface Window {
    litNonce?: string;
  }
}

const script = document.querySelector<HTMLScriptElement>('script[nonce]');
if (script?.nonce) window.litNonce = script.nonce;

export {};
