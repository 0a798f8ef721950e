/**
 * The model store's errors. Each extends one of the shared classes in src/errors/errors.ts, so the CLI
 * maps it to an exit code and the GraphQL layer to a public code without knowing these classes:
 *
 * - a name that is not in the registry is bad input (exit 2);
 * - a model that is not pulled, is incomplete or corrupt is a `ModelError` (exit 3): something on disk
 *   must change, and the message says which command changes it;
 * - a hub that cannot be reached, refuses, or serves other bytes than it lists is an environment problem
 *   (exit 3). Those messages name the file, its URL and the exact local path, so a user without network
 *   access from this machine can fetch the file elsewhere and place it by hand.
 */

import { EnvironmentError, ModelError, UserInputError } from '../../src/errors/errors';

export class UnknownModelError extends UserInputError {
  constructor(
    readonly model: string,
    known: readonly string[],
  ) {
    super(`unknown model "${model}"; known models: ${known.join(', ')}`, undefined, { model });
  }
}

/** Nothing of a hub model is on disk: the cure is a pull. */
export class ModelNotPulledError extends ModelError {
  constructor(model: string) {
    super(`not pulled: run \`scenegraph models pull ${model}\``, model);
  }
}

/**
 * Files are on disk but cannot be used as they are (missing, truncated, placed by hand and not yet
 * verified, or pulled from another revision than the registry now pins). `problems` lists each one.
 */
export class ModelUnusableError extends ModelError {
  constructor(
    model: string,
    readonly problems: string[],
    remedy: string,
  ) {
    super(`${problems.join('; ')}: ${remedy}`, model);
  }
}

/** A file of a hub model, as the error messages name it: where it comes from, where it goes. */
export interface HubFileRef {
  model: string;
  /** Path inside the model folder (and the hub repository). */
  file: string;
  url: string;
  /** Absolute path the file must end up at. */
  localPath: string;
}

function byHand(refs: readonly HubFileRef[]): string {
  const model = refs[0]?.model ?? 'NAME';
  const lines = refs.map((r) => `  ${r.url}\n    -> ${r.localPath}`);
  return (
    `To install it without this machine reaching the hub, download\n${lines.join('\n')}\n` +
    `then run \`scenegraph models verify ${model}\`.`
  );
}

/** DNS failure, refused connection, timeouts or a transfer that kept failing. */
export class HubUnreachableError extends EnvironmentError {
  constructor(
    readonly refs: readonly HubFileRef[],
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `cannot download ${refs.map((r) => r.file).join(', ')} of model ${refs[0]?.model}: ${reason}.\n${byHand(refs)}`,
      { model: refs[0]?.model, files: refs },
      options,
    );
  }
}

/** The hub answered, but not with the file: 401/403 (gated or private), 404 (moved), other statuses. */
export class HubRefusedError extends EnvironmentError {
  constructor(
    readonly refs: readonly HubFileRef[],
    readonly status: number,
    url: string,
  ) {
    const why =
      status === 401 || status === 403
        ? `the hub refused access (HTTP ${status}): the repository is gated or private (set HF_TOKEN to a token that may read it), or does not exist`
        : status === 404
          ? 'the hub has no such repository, revision or file (HTTP 404); the registry entry may be out of date'
          : `the hub answered HTTP ${status}`;
    super(
      `cannot download ${refs.map((r) => r.file).join(', ')} of model ${refs[0]?.model}: ${why} (${url}).\n${byHand(refs)}`,
      { model: refs[0]?.model, files: refs, status },
    );
  }
}

/** Downloaded (or placed) bytes are not the ones the registry or the hub's metadata name. */
export class ChecksumMismatchError extends EnvironmentError {
  constructor(
    readonly ref: HubFileRef,
    readonly kind: 'sha256' | 'git-sha1' | 'size',
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `${ref.file} of model ${ref.model}: ${kind} mismatch: expected ${expected}, got ${actual}; ` +
        `the partial download was deleted (${ref.url}). Run \`scenegraph models pull ${ref.model}\` to try again.`,
      { model: ref.model, file: ref.file, kind, expected, actual },
    );
  }
}

/** Another process is pulling the same model into the same MODEL_DIR. */
export class PullInProgressError extends EnvironmentError {
  constructor(model: string, pid: number, lockPath: string) {
    super(
      `model ${model} is being pulled by process ${pid} (lock ${lockPath}); wait for it, or remove the lock if that process is gone`,
      { model, pid, lockPath },
    );
  }
}
