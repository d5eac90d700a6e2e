import { errorClass, failure, usage } from '@obscost/errors';

/** The infrastructure's errors, one code each (docs/infrastructure.md, "Infrastructure errors"). */
export const ERRORS = {
  INFRA_USAGE: usage('a bad setting, command, component name or flag'),
  INFRA_ARTIFACT_MISSING: failure('setup has not produced a jar or binary a component needs'),
  INFRA_COMPONENT_FAILED: failure('a component did not come up; the tail of its log follows'),
  INFRA_PORT_STILL_OPEN: failure('a port still listens after down'),
  INFRA_TEMPLATE: failure('a configuration template has a placeholder without a value'),
} as const;

export type InfraErrorCode = keyof typeof ERRORS;

export class InfraError extends errorClass('InfraError', ERRORS) {
  /** Lines to print after the message: a failed component's log tail. */
  readonly details: string;

  constructor(
    code: InfraErrorCode,
    message: string,
    options?: { cause?: unknown; details?: string },
  ) {
    super(code, message, options);
    this.details = options?.details ?? '';
  }
}
