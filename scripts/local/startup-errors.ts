/**
 * Start-up failures, each turned into a sentence that names the setting which fixes it: a user who
 * reads "EADDRINUSE 127.0.0.1:8788" does not know that 8788 is PORT + 1 for WeChat Pay's mutual-TLS port.
 */
export interface ListenStep {
  /** What was being started, for the message. */
  what: string;
  port: number;
  /** The environment variable that moves it. */
  setting: string;
}

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}

export function explainListenError(error: unknown, step: ListenStep): Error {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === "EADDRINUSE") {
    return new StartupError(
      `${step.what}: port ${step.port} is already in use. Stop what uses it, or set ${step.setting} to a free port (for example ${step.setting}=${step.port + 10}).`,
    );
  }
  if (code === "EACCES") {
    return new StartupError(`${step.what}: not allowed to listen on port ${step.port}. Set ${step.setting} to a port above 1024.`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

export function explainDataDirError(error: unknown, dataDir: string): Error {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === "EACCES" || code === "EPERM" || code === "ENOTDIR" || code === "EROFS") {
    return new StartupError(`cannot write the data directory ${dataDir} (${code}). Set UNICLOUD_DATA_DIR to a folder you can write.`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** A port from the environment: an integer 0-65535, or a message naming the variable. */
export function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const port = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartupError(`${name} must be a port number (0-65535), got ${JSON.stringify(raw)}`);
  return port;
}
