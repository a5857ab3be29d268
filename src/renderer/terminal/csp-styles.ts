// xterm.js writes its theme and cell sizes into <style> elements it creates, and colours 24-bit text with
// setAttribute('style', …). The console's Content-Security-Policy (style-src 'self', no 'unsafe-inline',
// set by both hosts) refuses both. This module routes them through the CSSOM, which the policy allows:
// a created <style> becomes an inert stand-in whose text fills a constructed stylesheet adopted by the
// document, and a style attribute becomes `style.cssText`. Nothing else in the renderer creates either.

let installed = false;

function constructedStyle(doc: Document): HTMLElement {
  const stand = doc.createElement('rc-style');
  const sheet = new CSSStyleSheet();
  let text = '';
  let adopted = false;
  const adopt = () => {
    if (!adopted) doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
    adopted = true;
  };
  Object.defineProperty(stand, 'textContent', {
    get: () => text,
    set: (value: string | null) => {
      text = value ?? '';
      sheet.replaceSync(text);
      adopt();
    },
  });
  const remove = stand.remove.bind(stand);
  stand.remove = () => {
    doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => s !== sheet);
    adopted = false;
    remove();
  };
  return stand;
}

export function installCspSafeStyles(): void {
  if (installed) return;
  installed = true;
  const create = Document.prototype.createElement;
  Document.prototype.createElement = function (this: Document, tagName: string, options?: ElementCreationOptions) {
    if (tagName.toLowerCase() === 'style') return constructedStyle(this);
    return create.call(this, tagName, options);
  } as Document['createElement'];
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (this: Element, name: string, value: string) {
    if (name.toLowerCase() === 'style' && this instanceof HTMLElement) this.style.cssText = value;
    else setAttribute.call(this, name, value);
  };
}
