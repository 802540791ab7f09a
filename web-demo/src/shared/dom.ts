// A few DOM helpers, so views build elements in one expression without a framework.

type Child = Node | string | number | null | undefined | false;
type Props = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** Creates an element: `h("td", { class: "num" }, 42)`. Props starting with "on" add listeners; false/null props are skipped. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** The element matching `selector`; throws when the page lacks it (a page/script mismatch is a bug). */
export function $<T extends Element = HTMLElement>(selector: string, scope: ParentNode = document): T {
  const found = scope.querySelector<T>(selector);
  if (!found) throw new Error(`the page has no ${selector}`);
  return found;
}

/** A table row of cells; null and undefined show as a dash. */
export function row(cells: Child[], props: Props = {}): HTMLTableRowElement {
  return h("tr", props, ...cells.map((cell) => h("td", {}, cell === null || cell === undefined ? "–" : cell)));
}

/** The string value of a form field, trimmed ("" when absent). */
export function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value.trim() : "";
}
