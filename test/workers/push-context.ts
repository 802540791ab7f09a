// What the workers project's globalSetup provides to its config (inject in project.ts).
declare module "vitest" {
  export interface ProvidedContext {
    pushWebhook: { url: string; controlUrl: string };
  }
}

export {};
