// kafkajs's logger: levels, a logCreator, namespaced loggers, and the default that writes one line
// per entry to the console.

import { logLevel } from "./constants.ts";

export interface LogEntry {
  namespace: string;
  level: number;
  label: string;
  log: { timestamp: string; logger: string; message: string; [key: string]: unknown };
}

export type LogCreator = (level: number) => (entry: LogEntry) => void;

export interface Logger {
  info(message: string, extra?: object): void;
  error(message: string, extra?: object): void;
  warn(message: string, extra?: object): void;
  debug(message: string, extra?: object): void;
  namespace(namespace: string, level?: number): Logger;
  setLogLevel(level: number): void;
}

const LABELS: Record<number, string> = { 1: "ERROR", 2: "WARN", 4: "INFO", 5: "DEBUG" };

export const defaultLogCreator: LogCreator = () => (entry) => {
  const line = JSON.stringify({ level: entry.label, ...entry.log });
  if (entry.level === logLevel.ERROR) console.error(line);
  else if (entry.level === logLevel.WARN) console.warn(line);
  else console.log(line);
};

export function createLogger(level: number, logCreator: LogCreator = defaultLogCreator): Logger {
  const state = { level };
  const write = logCreator(level);
  const make = (namespace: string, own?: number): Logger => {
    const at =
      (lvl: number) =>
      (message: string, extra: object = {}) => {
        if (lvl > (own ?? state.level) || (own ?? state.level) === logLevel.NOTHING) return;
        write({
          namespace,
          level: lvl,
          label: LABELS[lvl] ?? "INFO",
          log: { timestamp: new Date().toISOString(), logger: "kafkajs", message, ...extra },
        });
      };
    return {
      info: at(logLevel.INFO),
      error: at(logLevel.ERROR),
      warn: at(logLevel.WARN),
      debug: at(logLevel.DEBUG),
      namespace: (child, childLevel) => make(child, childLevel ?? own),
      setLogLevel: (next) => {
        state.level = next;
      },
    };
  };
  return make("");
}
