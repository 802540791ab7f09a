// The few host facilities the core relies on. Every target runtime (browsers, workerd, Node) has
// them; declaring them here instead of pulling in DOM/Node/Workers types keeps every other host
// API a compile error inside the core.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function clearTimeout(handle: unknown): void;
declare function structuredClone<T>(value: T): T;
