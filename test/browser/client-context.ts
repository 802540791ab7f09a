// What the browser project's globalSetup (client-server.ts) provides to its tests.
declare module "vitest" {
  export interface ProvidedContext {
    rillBrokerUrl: string;
  }
}

export {};
