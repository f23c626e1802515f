/** A problem the user can fix, reported as one line without a stack (exit status 1). */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** A mistake on the command line itself; the report points at `--help` (exit status 2). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a parent is not a directory',
  EROFS: 'read-only file system',
};

/** `cannot read data.csv: no such file or directory`, from a Node fs error. */
export function fsError(verb: 'read' | 'write', path: string, err: unknown): CliError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = (code && FS_REASONS[code]) || (err instanceof Error ? err.message : String(err));
  return new CliError(`cannot ${verb} ${path}: ${reason}`);
}
